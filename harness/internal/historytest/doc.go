// Package historytest holds the history checks and golden histories shared
// by the fake service's tests and the local runner's tests: a matcher with
// the official conformance matcher's rules, and the histories the
// conformance requirements expect for the basic operations.
package historytest
