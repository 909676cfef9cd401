package service

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestOpCopierDeepCopiesTimes: copies carry the source's timestamps on
// pointers of their own (writing through one changes no source), equal
// times within one copier share a slot, and slabs grow past the first one.
func TestOpCopierDeepCopiesTimes(t *testing.T) {
	t0 := time.Unix(1796576455, 0).UTC()
	var src []types.Operation
	for i := range 12 {
		at, end, next := t0.Add(time.Duration(i/3)*time.Second), t0.Add(time.Hour), t0.Add(time.Duration(i)*time.Minute)
		src = append(src, types.Operation{
			Id: aws.String("op"), Type: types.OperationTypeStep, StartTimestamp: &at, EndTimestamp: &end,
			StepDetails: &types.StepDetails{NextAttemptTimestamp: &next, Result: aws.String("1")},
			WaitDetails: &types.WaitDetails{ScheduledEndTimestamp: &next},
		})
	}
	out := make([]types.Operation, len(src))
	c := newOpCopier(len(src))
	for i := range src {
		c.copyTo(i, &out[i], &src[i])
	}
	for i := range out {
		o, s := &out[i], &src[i]
		for _, p := range [][2]*time.Time{{o.StartTimestamp, s.StartTimestamp}, {o.EndTimestamp, s.EndTimestamp}, {o.StepDetails.NextAttemptTimestamp, s.StepDetails.NextAttemptTimestamp}, {o.WaitDetails.ScheduledEndTimestamp, s.WaitDetails.ScheduledEndTimestamp}} {
			if p[0] == p[1] || *p[0] != *p[1] {
				t.Fatalf("op %d: copied time %v (shared %v), source %v", i, *p[0], p[0] == p[1], *p[1])
			}
		}
		if o.StepDetails.NextAttemptTimestamp != o.WaitDetails.ScheduledEndTimestamp {
			t.Fatalf("op %d: equal times copied one after the other got two slots", i)
		}
	}
	*out[0].StartTimestamp = t0.Add(-time.Hour)
	if *src[0].StartTimestamp != t0 {
		t.Fatalf("writing through a copy changed the source")
	}
	if c.slab <= 4 {
		t.Fatalf("slab of %d after %d distinct times: it did not grow", c.slab, 3*len(src))
	}
}
