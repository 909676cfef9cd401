package service

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// finish runs one invocation of arn that ends it with SUCCEEDED.
func finish(t *testing.T, b *Backend, arn string) {
	t.Helper()
	if _, err := b.BeginInvocation(arn); err != nil {
		t.Fatal(err)
	}
	if o, err := b.EndInvocation(arn, []byte(`{"Status":"SUCCEEDED","Result":"1"}`), nil); err != nil || o.Next != NextTerminal {
		t.Fatalf("EndInvocation: %+v %v", o, err)
	}
}

func startNamed(t *testing.T, b *Backend, name string) string {
	t.Helper()
	arn, err := b.StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", ExecutionName: name, Payload: "null"})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

// held lists the names of the executions the backend still holds.
func held(b *Backend) string {
	var names []string
	for _, arn := range b.Executions() {
		names = append(names, arn[strings.Index(arn, "/durable-execution/")+len("/durable-execution/"):strings.LastIndexByte(arn, '/')])
	}
	return strings.Join(names, " ")
}

// A finished execution is removed once the retention period has passed on
// the service's clock, not before; a running one never is.
func TestRetentionOnTheServiceClock(t *testing.T) {
	b := NewBackend(WithRetention(time.Hour))
	done := startNamed(t, b, "done")
	finish(t, b, done)
	running := startNamed(t, b, "running")
	b.Advance(time.Hour - time.Second)
	if got := held(b); got != "done running" {
		t.Fatalf("before the retention ends: %s", got)
	}
	if _, err := b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(done)}); err != nil {
		t.Fatalf("before the retention ends: %v", err)
	}
	b.Advance(time.Second)
	if got := held(b); got != "running" {
		t.Fatalf("once the retention has passed: %s, want running", got)
	}
	_, err := b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(done)})
	wantServiceError[*types.ResourceNotFoundException](t, err, "no longer exists")
	if st, err := b.State(running); err != nil || st.Status != types.ExecutionStatusRunning {
		t.Fatalf("the running execution: %s %v", st.Status, err)
	}
	b.Advance(30 * 24 * time.Hour)
	if got := held(b); got != "" {
		t.Fatalf("the running execution timed out a day in and went 1 h later: %s", got)
	}
	if again := startNamed(t, b, "done"); again == done {
		t.Error("an evicted execution's name started nothing new")
	}
}

// Past the bound, the execution that finished first goes first, whatever
// its age; running executions stay even beyond the bound.
func TestMaxExecutionsEvictsTheEarliestFinished(t *testing.T) {
	b := NewBackend(WithMaxExecutions(3))
	e1, e2, e3 := startNamed(t, b, "e1"), startNamed(t, b, "e2"), startNamed(t, b, "e3")
	finish(t, b, e2)
	finish(t, b, e1)
	steps := []struct{ start, want string }{
		{"e4", "e1 e3 e4"},
		{"e5", "e3 e4 e5"},
		{"e6", "e3 e4 e5 e6"}, // nothing finished to evict
	}
	for _, s := range steps {
		startNamed(t, b, s.start)
		if got := held(b); got != s.want {
			t.Fatalf("after starting %s: %s, want %s", s.start, got, s.want)
		}
	}
	finish(t, b, e3)
	startNamed(t, b, "e7")
	if got, want := held(b), "e4 e5 e6 e7"; got != want {
		t.Fatalf("after e3 finished and e7 started: %s, want %s", got, want)
	}
	list, err := b.ListDurableExecutionsByFunction(context.Background(), &lambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("fn")})
	if err != nil || len(list.DurableExecutions) != 4 {
		t.Fatalf("list: %v, %d executions, want 4", err, len(list.DurableExecutions))
	}
	for _, arn := range []string{e1, e2, e3} {
		_, err := b.GetDurableExecutionHistory(context.Background(), &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(arn)})
		wantServiceError[*types.ResourceNotFoundException](t, err, "no longer exists")
	}
}

// Every route answers an ARN it does not hold with the error the service's
// model gives that route, with one message: why an evicted execution is
// gone, or that a never-started one does not exist.
func TestUnknownExecutionErrorPerRoute(t *testing.T) {
	ctx := context.Background()
	b := NewBackend(WithMaxExecutions(1))
	evicted := startNamed(t, b, "old")
	finish(t, b, evicted)
	finish(t, b, startNamed(t, b, "new"))
	never := strings.Replace(evicted, "/old/", "/never/", 1)
	never = never[:len(never)-12] + "000000000000"

	routes := []struct {
		name     string
		notFound bool // ResourceNotFoundException, else InvalidParameterValueException
		call     func(arn *string) error
	}{
		{"GetDurableExecution", true, func(arn *string) error {
			_, err := b.GetDurableExecution(ctx, &lambda.GetDurableExecutionInput{DurableExecutionArn: arn})
			return err
		}},
		{"GetDurableExecutionHistory", true, func(arn *string) error {
			_, err := b.GetDurableExecutionHistory(ctx, &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: arn})
			return err
		}},
		{"StopDurableExecution", true, func(arn *string) error {
			_, err := b.StopDurableExecution(ctx, &lambda.StopDurableExecutionInput{DurableExecutionArn: arn})
			return err
		}},
		{"CheckpointDurableExecution", false, func(arn *string) error {
			_, err := b.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{DurableExecutionArn: arn, CheckpointToken: aws.String("t")})
			return err
		}},
		{"GetDurableExecutionState", false, func(arn *string) error {
			_, err := b.GetDurableExecutionState(ctx, &lambda.GetDurableExecutionStateInput{DurableExecutionArn: arn, CheckpointToken: aws.String("t")})
			return err
		}},
	}
	for _, r := range routes {
		for _, c := range []struct{ which, arn, message string }{
			{"evicted", evicted, evicted + " no longer exists: finished executions are removed after no time (the retention period, in service time) or beyond the 1 most recent held"},
			{"never started", never, "durable execution " + never + " does not exist"},
		} {
			t.Run(fmt.Sprintf("%s/%s", r.name, c.which), func(t *testing.T) {
				err := r.call(aws.String(c.arn))
				if r.notFound {
					wantServiceError[*types.ResourceNotFoundException](t, err, c.message)
				} else {
					wantServiceError[*types.InvalidParameterValueException](t, err, c.message)
				}
			})
		}
	}
}

// Timers of finished executions do not pile up in the clock: each holds
// its execution, which eviction would otherwise never free.
func TestFinishedExecutionsLeaveNoTimers(t *testing.T) {
	b := NewBackend(WithMaxExecutions(10))
	for i := range 2000 {
		finish(t, b, startNamed(t, b, fmt.Sprint("e", i)))
	}
	b.clock.mu.Lock()
	n := len(b.clock.deadlines) + len(b.clock.ops)
	b.clock.mu.Unlock()
	if n > 2*minPrune {
		t.Errorf("%d timers queued for 10 executions held", n)
	}
	if got := len(b.Executions()); got != 10 {
		t.Errorf("%d executions held, want 10", got)
	}
}
