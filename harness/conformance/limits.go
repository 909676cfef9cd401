package conformance

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Bounds on one requirement file. The official files are at most 4 KiB and 234
// YAML nodes; the bounds are far above that and exist to refuse
// hostile input quickly: a huge file, or an alias bomb (nine anchors, each a
// list of nine aliases of the one before, is a few hundred bytes that expand
// to 9^9 nodes when read).
const (
	// MaxFileBytes is the largest requirement file read, in bytes.
	MaxFileBytes = 1 << 20
	// MaxNodes is the most YAML nodes a requirement may expand to, counting
	// every use of an anchor (*alias) as a copy of what it names.
	MaxNodes = 10_000
)

// checkExpansion refuses a document whose nodes, aliases expanded, number
// more than MaxNodes. It measures the expansion without performing it: each
// distinct node's expanded size is computed once.
func checkExpansion(file string, root *yaml.Node) error {
	sizes := map[*yaml.Node]int{}
	if n := expandedSize(root, sizes); n > MaxNodes {
		return &ReadError{File: file, Problem: fmt.Sprintf("the YAML expands to more than %d nodes (anchors and aliases counted at every use): refused as hostile or not a requirement", MaxNodes)}
	}
	return nil
}

// expandedSize is the number of nodes n stands for, capped just above
// MaxNodes so the sums cannot overflow. A node still being measured counts
// as one, which stops a cycle (the parser refuses those anyway).
func expandedSize(n *yaml.Node, sizes map[*yaml.Node]int) int {
	if n == nil {
		return 0
	}
	if s, ok := sizes[n]; ok {
		return s
	}
	sizes[n] = 1
	total := 1
	if n.Kind == yaml.AliasNode {
		total += expandedSize(n.Alias, sizes)
	}
	for _, c := range n.Content {
		if total > MaxNodes {
			break
		}
		total += expandedSize(c, sizes)
	}
	total = min(total, MaxNodes+1)
	sizes[n] = total
	return total
}
