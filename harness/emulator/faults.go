package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// FaultHeader is the Invoke request header that gives a new execution a
// fault plan: "KIND@K", one fault at the execution's K-th checkpoint call
// (counted from 1 over all its invocations). It is dpcheck's own, not part
// of the Lambda API; a client that does not send it gets a clean run. An
// Invoke that re-attaches to an execution its name already started keeps
// that execution's plan.
const FaultHeader = "X-Dpcheck-Fault"

// FaultKind is what happens at the planned checkpoint call.
type FaultKind string

// The faults a plan can name.
const (
	// FaultKill: the call is applied and answered, then the function
	// process is killed with SIGKILL, as a crashed instance; the service
	// re-invokes and the replay must reach the same outcome.
	FaultKill FaultKind = "kill"
	// FaultLose: the call is applied, then the connection is dropped
	// without an answer, so the SDK retries it or the invocation fails.
	FaultLose FaultKind = "lose"
	// FaultThrottle: the call is refused with TooManyRequestsException
	// before it is applied.
	FaultThrottle FaultKind = "throttle"
	// FaultDuplicate: before the call is applied, the invocation that makes
	// it is delivered a second time (same envelope, another process) and
	// run to its end; its answer is discarded, as the service keeps one
	// answer per invocation. Then the call goes on.
	FaultDuplicate FaultKind = "duplicate"
)

// FaultKinds lists every kind, in the order a sweep runs them.
var FaultKinds = []FaultKind{FaultKill, FaultLose, FaultThrottle, FaultDuplicate}

// Fault is a plan: one fault of Kind at checkpoint call Call.
type Fault struct {
	Kind FaultKind
	Call int
}

// String is the header value, "kill@3".
func (f Fault) String() string { return string(f.Kind) + "@" + strconv.Itoa(f.Call) }

// FaultError reports a fault plan that cannot be read.
type FaultError struct {
	Value  string
	Reason string
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("emulator: %s %q: %s", FaultHeader, e.Value, e.Reason)
}

// ParseFault reads a plan written as "KIND@K".
func ParseFault(v string) (Fault, error) {
	kind, call, ok := strings.Cut(strings.TrimSpace(v), "@")
	if !ok {
		return Fault{}, &FaultError{v, "want KIND@CALL, e.g. kill@3"}
	}
	f := Fault{Kind: FaultKind(kind)}
	valid := false
	for _, k := range FaultKinds {
		valid = valid || k == f.Kind
	}
	if !valid {
		return Fault{}, &FaultError{v, fmt.Sprintf("kind %q is not one of %v", kind, FaultKinds)}
	}
	n, err := strconv.Atoi(call)
	if err != nil || n < 1 {
		return Fault{}, &FaultError{v, fmt.Sprintf("call %q is not a positive integer", call)}
	}
	f.Call = n
	return f, nil
}

// faultOf reads the plan of an Invoke request; nil without the header.
func faultPlanOf(r *http.Request) (*Fault, error) {
	v := r.Header.Get(FaultHeader)
	if v == "" {
		return nil, nil
	}
	f, err := ParseFault(v)
	if err != nil {
		return nil, invalidParameter("%s", err.Error())
	}
	return &f, nil
}

// checkpointCall counts a checkpoint call of the execution and returns its
// number, and the planned fault when this is its call. The call is counted
// before anything else, so a call the service rejects counts too: the count
// is what the function sent.
func (s *Server) checkpointCall(arn string) (int, *Fault) {
	r := s.executions.lookup(arn)
	if r == nil {
		return 0, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fault == nil || r.fault.Call != r.calls {
		return r.calls, nil
	}
	r.faultApplied = true
	f := *r.fault
	return r.calls, &f
}

// throttled is the refusal FaultThrottle answers with. It has no
// Retry-After, so the SDK's own backoff decides when to retry.
func throttled() error {
	return &types.TooManyRequestsException{Message: aws.String("Rate exceeded (dpcheck fault plan)"), Type: aws.String("User")}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) error {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return errors.New("emulator: the connection cannot be taken over to drop it")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return fmt.Errorf("emulator: dropping the connection: %w", err)
	}
	return conn.Close()
}

// flush sends what was written so far.
func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// faultPlan reads an Invoke's fault plan and checks the function can take
// it: a kill needs a process, and a duplicate delivery a second process
// while the first waits.
func (s *Server) faultPlan(r *http.Request, fn *function) (*Fault, error) {
	f, err := faultPlanOf(r)
	if err != nil || f == nil {
		return f, err
	}
	pool, isProcess := fn.runner.(*processPool)
	switch {
	case f.Kind == FaultKill && !isProcess:
		return nil, invalidParameter("%s %s: function %s runs in process, so there is no process to kill", FaultHeader, f, fn.name)
	case f.Kind == FaultDuplicate && isProcess && cap(pool.slots) < 2:
		return nil, invalidParameter("%s %s needs MaxInstances of at least 2: the duplicate runs while the first delivery waits", FaultHeader, f)
	}
	return f, nil
}

// duplicate delivers the execution's invocation in flight a second time and
// waits for that delivery to end; its answer is discarded.
func (s *Server) duplicate(arn string) {
	r := s.executions.lookup(arn)
	if r == nil {
		return
	}
	r.mu.Lock()
	cur := r.current
	r.mu.Unlock()
	if cur == nil {
		return
	}
	dup := *cur
	dup.requestID = newRequestID()
	dup.duplicate = true
	_, err := r.fn.runner.run(s.executions.ctx, &dup)
	s.logger.Info("emulator: fault plan: duplicate delivery ended", "arn", arn, "invocation", dup.index, "err", err)
}
