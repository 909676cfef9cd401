package check_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// opaque is a whole-result serdes whose payload is not JSON.
type opaque struct{}

func (opaque) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	return []byte("n=" + string(rune('0'+v.(durable.BatchResult[int]).TotalCount()))), nil
}
func (opaque) Unmarshal(_ context.Context, _ durable.SerdesContext, _ []byte, _ any) error {
	return errors.New("opaque: not read back in this test")
}

// A Map's BatchResult counts in the Outcome like a Parallel's; a payload
// of the handler's own serdes is compared as it is.
func TestOutcomeCountsMaps(t *testing.T) {
	inv := durable.Handle(func(ctx durable.Context, _ any) (int, error) {
		sq := func(_ durable.Context, n, _ int) (int, error) {
			if n == 2 {
				return 0, errors.New("two")
			}
			return n * n, nil
		}
		a, err := durable.Map(ctx, "squares", []int{1, 2, 3}, sq, durable.WithCompletion(durable.AllCompleted()))
		if batchfail.Settled(err) != nil {
			return 0, err
		}
		b, err := durable.Map(ctx, "opaque", []int{1, 3}, sq, durable.WithBatchResultSerdes(opaque{}))
		if batchfail.Settled(err) != nil {
			return 0, err
		}
		return a.SuccessCount() + b.SuccessCount(), nil
	})
	o, err := check.OutcomeOf(check.New(inv).MustRun(t, nil).Result)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range o.Batches {
		got = append(got, b.String())
	}
	want := "opaque: 0 succeeded, 0 failed, 0 started of 0 [], payload n=2|squares: 2 succeeded, 1 failed, 0 started of 3 [0 1 2], ALL_COMPLETED"
	if strings.Join(got, "|") != want {
		t.Fatalf("batches %q\nwant %q", strings.Join(got, "|"), want)
	}
}
