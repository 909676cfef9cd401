package cloud

import (
	"context"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// Target runs conformance requirements through the Lambda API, as the
// official runner does against a deployed stack: each requirement key
// suite/id is a function, named by Functions (an exact key or suite/*) or
// else by FunctionName(key), which is how `dpcheck serve` registers the
// conformance handlers.
type Target struct {
	Client    Client
	Functions map[string]string
	Options   []Option // e.g. WithQualifier, WithTimeout
}

var _ conformance.Target = (*Target)(nil)

// Run implements conformance.Target: it invokes the requirement's function
// with the request's execution name (an Event invoke for an async
// requirement) and reports the execution once it has ended.
func (t *Target) Run(ctx context.Context, req conformance.Request) (*conformance.Execution, error) {
	opts := append(append([]Option(nil), t.Options...), WithExecutionName(req.Name), WithAsync(req.Async))
	res, err := NewRunner(t.Client, t.function(req.Key), opts...).RunJSON(ctx, string(req.Input))
	if res == nil {
		return nil, err
	}
	return &conformance.Execution{Status: string(res.Status), Result: aws.ToString(res.Output), History: res.History}, err
}

func (t *Target) function(key string) string {
	if fn, ok := t.Functions[key]; ok {
		return fn
	}
	suite, _, _ := strings.Cut(key, "/")
	if fn, ok := t.Functions[suite+"/*"]; ok {
		return fn
	}
	return FunctionName(key)
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// FunctionName is the Lambda function name of conformance requirement key
// suite/id: "suite--id", with characters Lambda does not allow in a name
// replaced by '_'. ("step/1-1" gives "step--1-1".)
func FunctionName(key string) string {
	suite, id, _ := strings.Cut(key, "/")
	name := unsafeName.ReplaceAllString(suite, "_") + "--" + unsafeName.ReplaceAllString(id, "_")
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}
