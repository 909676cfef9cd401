package emulator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/durable"
)

// Function is a durable function the emulator serves: either a Lambda
// bootstrap executable, run as child processes against a Runtime API, or a
// durable.Invoker run in process (its checkpoints still travel over the
// emulator's HTTP API).
type Function struct {
	Name       string
	Executable string
	Invoker    durable.Invoker
	// ExecutionTimeout is the function's DurableConfig.ExecutionTimeout
	// (whole seconds); 0 means the backend's default.
	ExecutionTimeout time.Duration
}

var (
	functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	qualifierRe  = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]{1,128})$`)
)

// function is a registered Function with what runs its invocations.
type function struct {
	name    string
	timeout int32 // execution timeout in seconds, 0 for the default
	runner  runner
}

func (f Function) validate() error {
	switch {
	case !functionName.MatchString(f.Name):
		return fmt.Errorf("emulator: function name %q must be 1-64 of [a-zA-Z0-9_-]", f.Name)
	case (f.Executable == "") == (f.Invoker == nil):
		return fmt.Errorf("emulator: function %s needs exactly one of Executable and Invoker", f.Name)
	case f.Executable != "":
		info, err := os.Stat(f.Executable)
		if err != nil {
			return fmt.Errorf("emulator: function %s: %w", f.Name, err)
		}
		if info.IsDir() || info.Mode()&0o111 == 0 {
			return fmt.Errorf("emulator: function %s: %s is not an executable file", f.Name, f.Executable)
		}
	}
	return nil
}

// splitFunctionName reads the FunctionName forms Lambda accepts: NAME,
// NAME:QUALIFIER, ACCOUNT:function:NAME[:QUALIFIER] and the full ARN. The
// qualifier is "" when neither the name nor the query gives one.
func splitFunctionName(raw string, query *string) (name, qualifier string, err error) {
	rest := raw
	if i := strings.Index(raw, ":function:"); i >= 0 {
		rest = raw[i+len(":function:"):]
	}
	name, qualifier, _ = strings.Cut(rest, ":")
	if q := aws.ToString(query); q != "" {
		if qualifier != "" && qualifier != q {
			return "", "", invalidParameter("the qualifier in the function name (%s) does not match the Qualifier parameter (%s)", qualifier, q)
		}
		qualifier = q
	}
	if !functionName.MatchString(name) {
		return "", "", invalidParameter("%q is not a function name or ARN", raw)
	}
	if qualifier != "" && !qualifierRe.MatchString(qualifier) {
		return "", "", invalidParameter("%q is not a function version or alias", qualifier)
	}
	return name, qualifier, nil
}

func (s *Server) functionArn(name string) string {
	return "arn:aws:lambda:" + s.region + ":" + s.account + ":function:" + name
}

// inProcess runs a durable.Invoker in this process with a lambda client on
// the emulator's own endpoint, so its checkpoints cross the same HTTP API
// a deployed function's do.
type inProcess struct {
	invoker durable.Invoker
	client  durable.CheckpointClient
	seed    uint64
	timeout time.Duration
}

func (p *inProcess) run(ctx context.Context, inv *invocation) (out []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, &InvocationError{Type: "Runtime.ExitError", Message: fmt.Sprintf("the handler panicked: %v", v)}
		}
	}()
	inv.deadline = time.Now().Add(p.timeout)
	ctx, cancel := context.WithDeadline(ctx, inv.deadline)
	defer cancel()
	env := durable.Env{Client: p.client, Jitter: lockedJitter(p.seed, inv.arn, inv.index)}
	return p.invoker(ctx, env, inv.payload)
}

func (p *inProcess) close() {}

// lockedJitter is a seeded jitter source for one invocation of an
// execution; the runtime may draw from parallel branches at once.
func lockedJitter(seed uint64, arn string, index int) func() float64 {
	var mu sync.Mutex
	var h uint64 = 14695981039346656037
	for i := 0; i < len(arn); i++ {
		h = (h ^ uint64(arn[i])) * 1099511628211
	}
	r := rand.New(rand.NewPCG(seed+uint64(index), h))
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Float64()
	}
}
