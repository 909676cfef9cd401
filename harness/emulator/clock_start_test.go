package emulator_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// started invokes an echo function once on a fresh emulator and returns
// the execution's ARN and start time.
func started(t *testing.T, cfg emulator.Config) (string, time.Time) {
	t.Helper()
	cfg.Functions = []emulator.Function{{Name: "echo", Invoker: durable.Handle(func(_ durable.Context, in any) (any, error) { return in, nil })}}
	_, exec := invokeAndInspect(t, cfg)
	return aws.ToString(exec.DurableExecutionArn), aws.ToTime(exec.StartTimestamp)
}

// The clock starts at the wall time unless StartTime says otherwise, and
// an unnamed execution's ARN differs from emulator to emulator unless
// IDSeed fixes it.
func TestClockStartAndIDs(t *testing.T) {
	t.Parallel()
	before := time.Now().Add(-time.Millisecond)
	arn1, at := started(t, emulator.Config{})
	if after := time.Now(); at.Before(before) || at.After(after) {
		t.Errorf("started at %s, want the wall time, between %s and %s", at, before, after)
	}
	arn2, _ := started(t, emulator.Config{})
	if arn1 == arn2 {
		t.Errorf("two emulators minted the same first ARN %s", arn1)
	}
	fixed := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	seed := uint64(0)
	arn3, at3 := started(t, emulator.Config{StartTime: fixed, IDSeed: &seed})
	arn4, _ := started(t, emulator.Config{StartTime: fixed, IDSeed: &seed})
	if !at3.Equal(fixed) || arn3 != arn4 {
		t.Errorf("with StartTime and IDSeed: started at %s, ARNs %s and %s; want %s and one ARN", at3, arn3, arn4, fixed)
	}
}
