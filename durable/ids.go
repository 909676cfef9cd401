package durable

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// childPath is the positional path of the n-th child (1-based) of the context
// whose path is parent ("" at the root).
func childPath(parent string, n int) string {
	if parent == "" {
		return strconv.Itoa(n)
	}
	return parent + "-" + strconv.Itoa(n)
}

// hashID is the wire id of a positional path: 32 hex characters, which fits
// the service's 1-64 [a-zA-Z0-9_-] limit and depends on nothing but the path.
func hashID(path string) string {
	sum := sha256.Sum256([]byte(path))
	return hex.EncodeToString(sum[:16])
}
