package durable

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable/wire"
)

// InvocationInput is the event the service invokes a durable function with.
// Its JSON is wire-style with epoch-millisecond operation timestamps.
// UpdatedOperationIds, absent on a first invocation, names the operations
// that changed since the previous invocation (a wait that fired, a retry
// that fell due, a callback answered, a chained invoke finished); plugins
// see them through OnOperationChange and InvocationHookInfo.
type InvocationInput struct {
	DurableExecutionArn   string
	CheckpointToken       string
	InitialExecutionState InitialExecutionState
	UpdatedOperationIds   []string
}

// InitialExecutionState is the first page of the execution's operations;
// the EXECUTION operation comes first.
type InitialExecutionState struct {
	Operations []types.Operation
	NextMarker string
}

// InvocationStatus is the Status of an invocation's output.
type InvocationStatus string

const (
	InvocationSucceeded InvocationStatus = "SUCCEEDED"
	InvocationFailed    InvocationStatus = "FAILED"
	InvocationPending   InvocationStatus = "PENDING"
)

// InvocationOutput is what a durable function returns to the service:
// {"Status":"SUCCEEDED","Result":"…"}, {"Status":"FAILED","Error":{…}} or
// {"Status":"PENDING"}.
type InvocationOutput struct {
	Status InvocationStatus
	Result string
	Error  *types.ErrorObject
}

// DecodeInvocationInput parses and checks an invocation envelope.
func DecodeInvocationInput(data []byte) (*InvocationInput, error) {
	var in InvocationInput
	if err := wire.Unmarshal(data, &in, wire.Milliseconds); err != nil {
		return nil, &EnvelopeError{Problem: err.Error()}
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	return &in, nil
}

// check reports what a usable envelope lacks.
func (in *InvocationInput) check() error {
	switch {
	case in.DurableExecutionArn == "":
		return &EnvelopeError{Problem: "no DurableExecutionArn"}
	case in.CheckpointToken == "":
		return &EnvelopeError{Problem: "no CheckpointToken"}
	case executionOp(in.InitialExecutionState.Operations) == nil:
		return &EnvelopeError{Problem: "no EXECUTION operation in InitialExecutionState.Operations"}
	}
	return nil
}

// EncodeInvocationInput writes an invocation envelope.
func EncodeInvocationInput(in *InvocationInput) ([]byte, error) {
	return wire.AppendMarshal(make([]byte, 0, envelopeSize(in)), in, wire.Milliseconds)
}

// envelopeSize estimates the JSON size of in, a little over rather than
// under: the buffer is allocated once at that size instead of growing
// from a guess (a first invocation's envelope is just over 512 bytes).
func envelopeSize(in *InvocationInput) int {
	n := 128 + len(in.DurableExecutionArn) + len(in.CheckpointToken) + len(in.InitialExecutionState.NextMarker)
	for _, id := range in.UpdatedOperationIds {
		n += len(id) + 3
	}
	for i := range in.InitialExecutionState.Operations {
		n += operationSize(&in.InitialExecutionState.Operations[i])
	}
	return n
}

// operationSize estimates the JSON size of op: its member names and
// numbers, and its strings.
func operationSize(op *types.Operation) int {
	n := 160 + len(aws.ToString(op.Id)) + len(aws.ToString(op.Name)) + len(aws.ToString(op.ParentId)) + len(aws.ToString(op.SubType))
	if d := op.ExecutionDetails; d != nil {
		n += memberSize(d.InputPayload)
	}
	if d := op.StepDetails; d != nil {
		n += 64 + outcomeSize(d.Result, d.Error)
	}
	if d := op.ContextDetails; d != nil {
		n += 48 + outcomeSize(d.Result, d.Error)
	}
	if op.WaitDetails != nil {
		n += 48
	}
	if d := op.CallbackDetails; d != nil {
		n += 32 + memberSize(d.CallbackId) + outcomeSize(d.Result, d.Error)
	}
	if d := op.ChainedInvokeDetails; d != nil {
		n += 32 + outcomeSize(d.Result, d.Error)
	}
	return n
}

// memberSize estimates a string member: its name and its text quoted.
func memberSize(p *string) int {
	if p == nil {
		return 0
	}
	return 22 + quotedSize(*p)
}

// outcomeSize estimates a result member and an error object.
func outcomeSize(result *string, e *types.ErrorObject) int {
	n := memberSize(result)
	if e != nil {
		n += 64 + memberSize(e.ErrorType) + memberSize(e.ErrorMessage) + memberSize(e.ErrorData)
		for i := range e.StackTrace {
			n += memberSize(&e.StackTrace[i])
		}
	}
	return n
}

type outputJSON struct {
	Status string
	Result *string          `json:",omitempty"`
	Error  *errorObjectJSON `json:",omitempty"`
}

type errorObjectJSON struct {
	ErrorMessage *string  `json:",omitempty"`
	ErrorType    *string  `json:",omitempty"`
	ErrorData    *string  `json:",omitempty"`
	StackTrace   []string `json:",omitempty"`
}

// EncodeInvocationOutput writes an invocation output: Result only when
// SUCCEEDED, Error only when FAILED.
func EncodeInvocationOutput(out *InvocationOutput) ([]byte, error) {
	j := outputJSON{Status: string(out.Status)}
	switch out.Status {
	case InvocationSucceeded:
		j.Result = aws.String(out.Result)
	case InvocationFailed:
		if out.Error != nil {
			j.Error = &errorObjectJSON{ErrorMessage: out.Error.ErrorMessage, ErrorType: out.Error.ErrorType, ErrorData: out.Error.ErrorData, StackTrace: out.Error.StackTrace}
		}
	}
	return json.Marshal(j)
}

// DecodeInvocationOutput parses an invocation output.
func DecodeInvocationOutput(data []byte) (*InvocationOutput, error) {
	var j outputJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, &EnvelopeError{Problem: "output is not JSON: " + err.Error()}
	}
	out := &InvocationOutput{Status: InvocationStatus(j.Status), Result: aws.ToString(j.Result)}
	switch out.Status {
	case InvocationSucceeded, InvocationFailed, InvocationPending:
	default:
		return nil, &EnvelopeError{Problem: "output Status " + j.Status + " is not SUCCEEDED, FAILED or PENDING"}
	}
	if j.Error != nil {
		out.Error = &types.ErrorObject{ErrorMessage: j.Error.ErrorMessage, ErrorType: j.Error.ErrorType, ErrorData: j.Error.ErrorData, StackTrace: j.Error.StackTrace}
	}
	return out, nil
}
