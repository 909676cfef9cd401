package durable

import "github.com/aws/aws-sdk-go-v2/service/lambda/types"

// Observer is told, during one invocation, about every operation the code
// met and every step body run. The harness's replay checker uses it to
// assert that a replay ran no step body. Methods are called from branch
// goroutines concurrently (one at a time when a Scheduler is set), so an
// implementation must be safe for concurrent use.
type Observer interface {
	ObserveOperation(OperationEvent)
	ObserveStepRun(StepRunEvent)
}

// OperationMode says how an operation was met.
type OperationMode int

const (
	// OperationNew: no record existed; the operation was executed.
	OperationNew OperationMode = iota
	// OperationResumed: a non-terminal record existed (STARTED, PENDING,
	// READY), or a terminal context recorded with ReplayChildren, whose
	// function runs again with its children replayed.
	OperationResumed
	// OperationReplayed: a terminal record existed; its stored result or
	// error was returned without running user code.
	OperationReplayed
)

func (m OperationMode) String() string {
	switch m {
	case OperationNew:
		return "new"
	case OperationResumed:
		return "resumed"
	case OperationReplayed:
		return "replayed"
	}
	return "unknown"
}

// OperationEvent describes one operation met by the code.
type OperationEvent struct {
	ID       string
	ParentID string
	Name     string
	Type     types.OperationType
	SubType  string
	Mode     OperationMode
}

// StepRunEvent describes one run of a step body.
type StepRunEvent struct {
	ID      string
	Name    string
	Attempt int // 1-based
}
