// Package maketest holds the tests of the repository's Makefile and the
// scripts it runs: they run make with a stand-in for the go command that
// records how it was called, so they check the exact commands without
// running them. It has no code of its own.
package maketest
