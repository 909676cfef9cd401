package main

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strconv"
)

// parseSeed reads a --seed value. Every verb takes the same seeds: any
// integer from 0 to 2^64-1 (0 is a seed like any other).
func parseSeed(text string) (uint64, error) {
	seed, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--seed %q: want a non-negative integer, 0 to %d", text, uint64(1<<64-1))
	}
	return seed, nil
}

// randomSeed draws a seed for a verb whose --seed was not given.
func randomSeed() (uint64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("drawing a seed: %v", err)
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}
