package cloud_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// staleToken stands for an SDK that checkpoints with a token the service
// never issued, and gives up on the invocation when it is refused.
func staleToken(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
	in, err := durable.DecodeInvocationInput(envelope)
	if err != nil {
		return nil, err
	}
	if _, err := env.Client.CheckpointDurableExecution(ctx, &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(in.DurableExecutionArn),
		CheckpointToken:     aws.String("never-issued"),
	}); err != nil {
		return nil, err
	}
	return nil, errors.New("the stale token was accepted")
}

// A requirement that fails through dpcheck serve names, in its verdict line
// and its report, how the execution ended: its error and the checkpoint
// call the service refused.
func TestConformanceFailureNamesTheCause(t *testing.T) {
	srv, _ := serve(t, emulator.Function{Name: "stale", Invoker: staleToken})
	target, err := cloud.Env{Target: cloud.TargetEndpoint, Endpoint: srv.URL(), Functions: map[string]string{"demo/*": "stale"}}.ConformanceTarget(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "demo", "stale.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("description: refused\nExpectedResult:\n  ExecutionStatus: SUCCEEDED\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reqs, err := conformance.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	o := (&conformance.Runner{Registry: conformance.NewRegistry(), Target: target, Seed: 1}).Run(testCtx(t), reqs[0])
	head, _, _ := strings.Cut(o.Line(), "\n")
	refusal := "the service refused checkpoint call 5 (invocation 5): InvalidParameterValueException: Invalid Checkpoint Token"
	if o.Verdict != conformance.Fail || !strings.Contains(head, "[FAILED: "+refusal) {
		t.Errorf("verdict line %q lacks the status and %q", head, refusal)
	}
	if !strings.HasPrefix(o.Message, "the execution ended FAILED: ") || !strings.Contains(o.Message, refusal) {
		t.Errorf("report %q does not start with how the execution ended", o.Message)
	}
}
