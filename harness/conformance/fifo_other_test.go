//go:build !unix

package conformance_test

import "errors"

func mkfifo(string) error { return errors.New("named pipes need a unix system") }
