package durable

import (
	"encoding/hex"
	"hash/fnv"
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

// hashID is the wire id of a positional path: the 128-bit FNV-1a hash in 32
// hex characters, within the service's 1-64 [a-zA-Z0-9_-] limit. It depends
// on nothing but the path; a non-cryptographic hash is enough because paths
// are not chosen by an adversary, and it is several times cheaper than SHA-256.
func hashID(path string) string {
	h := fnv.New128a()
	h.Write([]byte(path))
	var sum [16]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// ChildOperationID is the wire id and the positional path of the n-th
// child (1-based) of the operation at path parent ("" for the execution's
// own context). A reader of a history (harness/timeline) uses it to put
// the children of a context back in call order, and batch items in index
// order, whatever order they ran in.
func ChildOperationID(parent string, n int) (id, path string) {
	path = childPath(parent, n)
	return hashID(path), path
}
