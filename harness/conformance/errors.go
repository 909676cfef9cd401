package conformance

import "fmt"

// ReadError is a problem in a requirement file: where it is and what is wrong.
type ReadError struct {
	File    string
	Line    int    // 0 when the problem is not tied to a line
	Key     string // path of the key, e.g. "ExpectedExecutionHistory[2].EventId"; "" for the file
	Problem string
}

func (e *ReadError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key == "" {
		return fmt.Sprintf("conformance: %s: %s", loc, e.Problem)
	}
	return fmt.Sprintf("conformance: %s: %s: %s", loc, e.Key, e.Problem)
}
