package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/dpcheck/dpcheck/harness/service"
)

// stdin is what INPUT_JSON "-" reads; tests replace it.
var stdin io.Reader = os.Stdin

// maxInput is the service's limit on an execution's input: more could never
// start an execution, so it is not read.
var maxInput = service.DefaultLimits.MaxExecutionPayloadBytes

// runInput resolves the INPUT_JSON argument: the JSON text itself, "-" for
// standard input or "@FILE" for a file (an argument list is limited to a
// few hundred KiB by the OS; an input may be 6 MiB). It returns the text and
// a name for it in messages.
func runInput(arg string) (text, source string, err error) {
	var r io.Reader
	switch {
	case arg == "-":
		r, source = stdin, "INPUT_JSON from standard input"
	case strings.HasPrefix(arg, "@"):
		source = "INPUT_JSON file " + arg[1:]
		f, err := os.Open(arg[1:])
		if err != nil {
			return "", source, fmt.Errorf("%s: %v", source, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	default:
		text, source = arg, "INPUT_JSON"
	}
	if r != nil {
		data, err := io.ReadAll(io.LimitReader(r, int64(maxInput)+1))
		if err != nil {
			return "", source, fmt.Errorf("%s: %v", source, err)
		}
		text = string(data)
	}
	if len(text) > maxInput {
		return "", source, fmt.Errorf("%s is larger than %d bytes (6 MiB), the service's limit on an execution input", source, maxInput)
	}
	return text, source, checkInput(text, source)
}

// checkInput accepts JSON text, and refuses with the field's path a number
// beyond the float64 range (such as 1e400): valid JSON, but the runtime
// decodes numbers as float64, and the AWS SDKs cannot carry it either.
func checkInput(text, source string) error {
	var probe any
	var syntax *json.SyntaxError
	if err := json.Unmarshal([]byte(text), &probe); errors.As(err, &syntax) {
		return fmt.Errorf("%s is not valid JSON: %v (at byte %d)", source, err, syntax.Offset)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	path, number, found, err := hugeNumber(dec, "")
	switch {
	case err != nil:
		return fmt.Errorf("%s is not valid JSON: %v", source, err)
	case !found:
		return nil
	case path == "":
		return fmt.Errorf("%s is the number %s: valid JSON, but beyond the float64 range (about ±1.8e308)", source, number)
	}
	return fmt.Errorf("%s: field %s is %s: valid JSON, but beyond the float64 range (about ±1.8e308)", source, strings.TrimPrefix(path, "."), number)
}

// hugeNumber walks one JSON value in document order and finds the first
// number whose magnitude does not fit a float64: its path ("" for the value
// itself, then .key, ["odd key"] and [index] steps) and its text.
func hugeNumber(dec *json.Decoder, path string) (at, number string, found bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return "", "", false, err
	}
	switch t := tok.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(t), 64)
		return path, string(t), math.IsInf(f, 0), nil
	case json.Delim:
		for i := 0; dec.More(); i++ {
			sub := fmt.Sprintf("%s[%d]", path, i)
			if t == '{' {
				key, err := dec.Token()
				if err != nil {
					return "", "", false, err
				}
				sub = path + fieldName(key.(string))
			}
			if at, number, found, err = hugeNumber(dec, sub); err != nil || found {
				return at, number, found, err
			}
		}
		_, err = dec.Token() // the closing delimiter
		return "", "", false, err
	}
	return "", "", false, nil
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// fieldName is a path step for key: .key, or ["key"] when it is not a
// plain name.
func fieldName(key string) string {
	if plainKey.MatchString(key) {
		return "." + key
	}
	return "[" + strconv.Quote(key) + "]"
}
