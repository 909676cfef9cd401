package main

import (
	"regexp"
	"strings"
	"testing"
)

var (
	optionLine = regexp.MustCompile(`(?m)^  (--[a-z-]+)`)
	flagName   = regexp.MustCompile(`--[a-z-]+`)
)

// Every flag a verb's help describes is in its synopsis (the usage lines
// up to the first blank line) and in its line of dpcheck -h.
func TestSynopsesListEveryFlag(t *testing.T) {
	t.Parallel()
	_, list, _ := cli(t, "-h")
	for _, verb := range []string{"run", "conform", "serve", "sweep"} {
		_, help, _ := cli(t, verb, "-h")
		synopsis, _, _ := strings.Cut(help, "\n\n")
		summary := ""
		for _, l := range strings.Split(list, "\n") {
			if strings.HasPrefix(l, "  "+verb+" ") {
				summary = l
			}
		}
		described := optionLine.FindAllStringSubmatch(help, -1)
		if len(described) == 0 {
			t.Fatalf("%s -h describes no flag:\n%s", verb, help)
		}
		for _, m := range described {
			if !hasFlag(synopsis, m[1]) {
				t.Errorf("%s: the synopsis lacks %s:\n%s", verb, m[1], synopsis)
			}
			if !hasFlag(summary, m[1]) {
				t.Errorf("%s: dpcheck -h's line lacks %s: %s", verb, m[1], summary)
			}
		}
	}
}

func hasFlag(text, flag string) bool {
	for _, f := range flagName.FindAllString(text, -1) {
		if f == flag {
			return true
		}
	}
	return false
}
