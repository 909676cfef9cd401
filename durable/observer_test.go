package durable_test

import (
	"fmt"
	"sync"

	"github.com/dpcheck/dpcheck/durable"
)

// recorder is an Observer keeping everything it is told.
type recorder struct {
	mu    sync.Mutex
	ops   []durable.OperationEvent
	steps []durable.StepRunEvent
}

func newRecorder() *recorder { return &recorder{} }

func (r *recorder) ObserveOperation(e durable.OperationEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, e)
}

func (r *recorder) ObserveStepRun(e durable.StepRunEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps = append(r.steps, e)
}

// modes summarizes the operations met: "name:mode" sorted by arrival.
func (r *recorder) modes() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, o := range r.ops {
		out[fmt.Sprintf("%s/%s", o.SubType, o.Name)] = o.Mode.String()
	}
	return out
}

func (r *recorder) stepRuns() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.steps)
}
