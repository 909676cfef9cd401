package emulator

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
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

// functionRef is a FunctionName as Lambda reads it: NAME, NAME:QUALIFIER,
// ACCOUNT:function:NAME[:QUALIFIER] or the full ARN. Region and account
// are "" when the form does not give them.
type functionRef struct {
	name, qualifier string
	region, account string
	raw             string
}

// parseFunctionName reads a FunctionName and the Qualifier parameter. The
// qualifier is "" when neither gives one.
func parseFunctionName(raw string, query *string) (functionRef, error) {
	ref := functionRef{raw: raw}
	rest := raw
	if head, tail, ok := strings.Cut(raw, ":function:"); ok {
		rest = tail
		if parts := strings.Split(head, ":"); len(parts) == 5 && parts[0] == "arn" && parts[2] == "lambda" {
			ref.region, ref.account = parts[3], parts[4]
		} else if len(parts) == 1 {
			ref.account = parts[0]
		} else {
			return functionRef{}, invalidParameter("%q is not a function name or ARN", raw)
		}
	}
	ref.name, ref.qualifier, _ = strings.Cut(rest, ":")
	if q := aws.ToString(query); q != "" {
		if ref.qualifier != "" && ref.qualifier != q {
			return functionRef{}, invalidParameter("the qualifier in the function name (%s) does not match the Qualifier parameter (%s)", ref.qualifier, q)
		}
		ref.qualifier = q
	}
	if !functionName.MatchString(ref.name) {
		return functionRef{}, invalidParameter("%q is not a function name or ARN", raw)
	}
	if ref.qualifier != "" && !qualifierRe.MatchString(ref.qualifier) {
		return functionRef{}, invalidParameter("%q is not a function version or alias", ref.qualifier)
	}
	return ref, nil
}

// publishedVersion is the one version the emulator publishes of each
// function; every alias names it.
const publishedVersion = "1"

// executedVersion is the version a qualified invoke runs, as
// X-Amz-Executed-Version reports it: $LATEST, the version itself, or the
// version an alias names. ok is false for a version that was never
// published.
func executedVersion(qualifier string) (version string, ok bool) {
	switch {
	case qualifier == "$LATEST":
		return qualifier, true
	case strings.Trim(qualifier, "0123456789") == "":
		return qualifier, qualifier == publishedVersion
	}
	return publishedVersion, true
}

// lookupFunction finds the function a reference names, or answers the
// service's ResourceNotFoundException, as Lambda does for a name (or a
// version) it does not have and for another account's or region's ARN.
func (s *Server) lookupFunction(ref functionRef) (*function, error) {
	fn := s.functions[ref.name]
	_, published := executedVersion(ref.qualifier)
	published = published || ref.qualifier == ""
	if fn == nil || !published || ref.region != "" && ref.region != s.region || ref.account != "" && ref.account != s.account {
		arn := s.functionArn(ref.name)
		if ref.region != "" || ref.account != "" {
			arn = ref.raw // name what was asked for, not what it would be here
		} else if ref.qualifier != "" {
			arn += ":" + ref.qualifier
		}
		return nil, notFound("Function not found: %s", arn)
	}
	return fn, nil
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
	// logLine receives what the function logs, one JSON line per record,
	// as a process's output lines: the execution's report holds them.
	logLine func(inv *invocation, line string)
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
	if p.logLine != nil {
		w := &lineWriter{next: io.Discard, line: func(l string) { p.logLine(inv, l) }}
		env.Logger = slog.New(slog.NewJSONHandler(w, nil))
	}
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: inv.requestID, InvokedFunctionArn: inv.function})
	out, err = p.invoker(ctx, env, inv.payload)
	if !time.Now().Before(inv.deadline) {
		// Lambda ends an invocation at its deadline and keeps nothing it
		// answers later; a goroutine cannot be stopped, so what it
		// answered late is dropped here instead.
		return nil, &InvocationError{Type: "Sandbox.Timedout",
			Message: fmt.Sprintf("Task timed out after %.2f seconds: function %s ran past its deadline", p.timeout.Seconds(), inv.function)}
	}
	return out, err
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
