package emulator_test

import (
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/harness/emulator"
	"github.com/dpcheck/dpcheck/internal/conncount"
)

// TestRuntimeCheckpointClientKeepsConnections: the checkpoint client that
// durable.Start builds in a function process sends its many checkpoint
// requests over one kept-alive connection, not a new one per request.
func TestRuntimeCheckpointClientKeepsConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counting := conncount.New(ln)
	cfg := testFunction(t, "stepper")
	cfg.Listener = counting
	cfg.MaxInstances = 1
	srv, lc := start(t, cfg)
	var checkpoints atomic.Int64
	emulator.SetCheckpointHook(srv, func(string) { checkpoints.Add(1) })

	const steps = 300
	out, err := lc.Invoke(ctx(t), &lambda.InvokeInput{
		FunctionName: aws.String("stepper:$LATEST"),
		Payload:      fmt.Appendf(nil, `{"Steps":%d}`, steps),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("function error %s: %s", *out.FunctionError, out.Payload)
	}
	if want := fmt.Sprint(steps * (steps - 1) / 2); string(out.Payload) != want {
		t.Fatalf("result %s, want %s", out.Payload, want)
	}
	if n := checkpoints.Load(); n < steps {
		t.Fatalf("%d checkpoint requests for %d steps; the test needs one per step at least", n, steps)
	}
	// One connection for the test's client, one for the function's
	// checkpoint client, and a few re-dials that net/http makes on its own
	// on a loaded machine: it does not reuse a connection whose writer
	// goroutine has not reported the request written within 50 ms of the
	// response (maxWriteWaitBeforeConnReuse, which Go's own tests raise for
	// the same reason). The defect this guards against re-dialled on about
	// one request in eight.
	if n, most := counting.Accepted(), int64(2+steps/100); n > most {
		t.Errorf("%d connections accepted for %d checkpoint requests and one Invoke; want at most %d (the runtime's checkpoint client reconnects)", n, checkpoints.Load(), most)
	}
}
