package cloud

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/conformance"
)

// Client is the part of the Lambda API a Runner calls; *lambda.Client
// satisfies it.
type Client interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
	harness.ExecutionReader
	conformance.CallbackClient
}

var _ Client = (*lambda.Client)(nil)

// Runner runs executions of one function through the Lambda API. It is safe
// for concurrent Runs.
type Runner struct {
	client   Client
	function string // qualified: NAME:QUALIFIER or a qualified ARN
	cfg      config
}

type config struct {
	qualifier string
	async     bool
	name      string
	prefix    string
	firstPoll time.Duration
	maxPoll   time.Duration
	timeout   time.Duration
	pageSize  int32
	sleep     func(context.Context, time.Duration) error
	now       func() time.Time
}

// Option configures NewRunner.
type Option func(*config)

// WithQualifier sets the alias or version to invoke when the function name
// has none (default "live", the template's alias).
func WithQualifier(q string) Option { return func(c *config) { c.qualifier = q } }

// WithAsync makes Run invoke with InvocationType Event and poll for the end.
// The default is a synchronous invoke, which on Lambda returns when the
// durable execution has ended (up to 15 minutes).
func WithAsync(async bool) Option { return func(c *config) { c.async = async } }

// WithExecutionName fixes the durable execution name (idempotency key);
// by default every Run gets a fresh one.
func WithExecutionName(name string) Option { return func(c *config) { c.name = name } }

// WithNamePrefix sets the prefix of the generated execution names (default
// "dpcheck"); the name is PREFIX-RANDOM-N, at most 64 characters.
func WithNamePrefix(prefix string) Option { return func(c *config) { c.prefix = prefix } }

// WithPolling sets the first and the longest interval between
// GetDurableExecution polls (default 250 ms doubling up to 5 s).
func WithPolling(first, longest time.Duration) Option {
	return func(c *config) { c.firstPoll, c.maxPoll = first, longest }
}

// WithTimeout bounds the wait for the execution to end (default 15 min,
// the limit of a synchronous invoke).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithPageSize sets MaxItems for GetDurableExecutionHistory (default
// 1000, the service maximum).
func WithPageSize(n int32) Option { return func(c *config) { c.pageSize = n } }

// NewRunner returns a runner for function: a name, NAME:QUALIFIER, or a
// function ARN. An unqualified function gets the WithQualifier qualifier,
// since durable functions only accept qualified invokes.
func NewRunner(client Client, function string, opts ...Option) *Runner {
	cfg := config{
		qualifier: "live",
		prefix:    "dpcheck",
		firstPoll: 250 * time.Millisecond,
		maxPoll:   5 * time.Second,
		timeout:   15 * time.Minute,
		pageSize:  1000,
		sleep:     sleep,
		now:       time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if !qualified(function) {
		function += ":" + cfg.qualifier
	}
	return &Runner{client: client, function: function, cfg: cfg}
}

// Function is the qualified function the runner invokes.
func (r *Runner) Function() string { return r.function }

// qualified reports whether a function name or ARN carries a qualifier.
func qualified(function string) bool {
	if i := strings.LastIndex(function, ":function:"); i >= 0 {
		function = function[i+len(":function:"):]
	}
	return strings.Contains(function, ":")
}

// Run starts an execution with input and waits for its end. input is
// marshalled with encoding/json, except json.RawMessage and []byte, which
// are sent verbatim. On a time-out it returns the Result so far with a
// *TimeoutError.
func (r *Runner) Run(ctx context.Context, input any) (*harness.Result, error) {
	payload, err := harness.InputJSON(input)
	if err != nil {
		return nil, err
	}
	return r.RunJSON(ctx, payload)
}

// RunJSON is Run with the input given as JSON text.
func (r *Runner) RunJSON(ctx context.Context, payload string) (*harness.Result, error) {
	name := r.cfg.name
	if name == "" {
		name = newName(r.cfg.prefix)
	}
	in := &lambda.InvokeInput{
		FunctionName:         aws.String(r.function),
		DurableExecutionName: aws.String(name),
		Payload:              []byte(payload),
		InvocationType:       types.InvocationTypeRequestResponse,
	}
	if r.cfg.async {
		in.InvocationType = types.InvocationTypeEvent
	}
	out, err := r.client.Invoke(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("cloud: invoke %s (execution %s): %w", r.function, name, err)
	}
	arn := aws.ToString(out.DurableExecutionArn)
	if arn == "" {
		return nil, fmt.Errorf("cloud: invoke %s answered %d without X-Amz-Durable-Execution-Arn: is it a durable function?", r.function, out.StatusCode)
	}
	exec, waitErr := r.wait(ctx, arn)
	if exec == nil {
		return nil, waitErr
	}
	events, err := r.history(ctx, arn)
	if err != nil {
		return nil, err
	}
	return harness.BuildResult(exec, events), waitErr
}

// wait polls GetDurableExecution until the execution has ended, with
// doubling intervals, for at most the runner's timeout.
func (r *Runner) wait(ctx context.Context, arn string) (*lambda.GetDurableExecutionOutput, error) {
	began := r.cfg.now()
	interval := r.cfg.firstPoll
	for {
		exec, err := r.client.GetDurableExecution(ctx, &lambda.GetDurableExecutionInput{
			DurableExecutionArn:  aws.String(arn),
			IncludeExecutionData: aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("cloud: GetDurableExecution %s: %w", arn, err)
		}
		if exec.Status != types.ExecutionStatusRunning {
			return exec, nil
		}
		waited := r.cfg.now().Sub(began)
		if waited+interval > r.cfg.timeout {
			return exec, &TimeoutError{Arn: arn, Waited: waited, Status: exec.Status}
		}
		if err := r.cfg.sleep(ctx, interval); err != nil {
			return exec, fmt.Errorf("cloud: waiting for %s: %w", arn, err)
		}
		interval = min(2*interval, r.cfg.maxPoll)
	}
}

// history reads every page of the execution's history.
func (r *Runner) history(ctx context.Context, arn string) ([]types.Event, error) {
	var events []types.Event
	var marker *string
	for {
		page, err := r.client.GetDurableExecutionHistory(ctx, &lambda.GetDurableExecutionHistoryInput{
			DurableExecutionArn:  aws.String(arn),
			IncludeExecutionData: aws.Bool(true),
			MaxItems:             r.cfg.pageSize,
			Marker:               marker,
		})
		if err != nil {
			return nil, fmt.Errorf("cloud: GetDurableExecutionHistory %s: %w", arn, err)
		}
		events = append(events, page.Events...)
		if aws.ToString(page.NextMarker) == "" {
			return events, nil
		}
		marker = page.NextMarker
	}
}

// TimeoutError reports an execution still running when the runner stopped
// waiting for it.
type TimeoutError struct {
	Arn    string
	Waited time.Duration
	Status types.ExecutionStatus
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("cloud: execution %s still %s after %s of polling GetDurableExecution", e.Arn, e.Status, e.Waited.Round(time.Millisecond))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runID tells the executions of this process apart from every other run's;
// names are PREFIX-RUNID-N.
var (
	runID   = randomHex(6)
	counter atomic.Uint64
)

func newName(prefix string) string {
	name := fmt.Sprintf("%s-%s-%d", prefix, runID, counter.Add(1))
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	return name
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
