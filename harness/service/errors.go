package service

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The service errors below are the SDK's own typed errors, so code written
// against *lambda.Client matches them with errors.As unchanged. Their
// messages read like the service's (no package prefix): the emulator sends
// them to real clients.

func invalidParam(format string, args ...any) error {
	return &types.InvalidParameterValueException{Message: aws.String(fmt.Sprintf(format, args...)), Type: aws.String("User")}
}

func notFound(format string, args ...any) error {
	return &types.ResourceNotFoundException{Message: aws.String(fmt.Sprintf(format, args...)), Type: aws.String("User")}
}

func alreadyStarted(format string, args ...any) error {
	return &types.DurableExecutionAlreadyStartedException{Message: aws.String(fmt.Sprintf(format, args...)), Type: aws.String("User")}
}

// ThrottlingError is the error FailCheckpoint injects by default: the
// service's TooManyRequestsException.
func ThrottlingError() error {
	return &types.TooManyRequestsException{
		Message:           aws.String("Rate exceeded"),
		Type:              aws.String("User"),
		RetryAfterSeconds: aws.String("1"),
	}
}

// ServiceError is the service's 500: a ServiceException with msg.
func ServiceError(msg string) error {
	return &types.ServiceException{Message: aws.String(msg), Type: aws.String("Service")}
}

// LifecycleError reports a call to the lifecycle API (BeginInvocation,
// EndInvocation, Drive) that does not fit the execution's state, for
// example a second invocation while one is in flight.
type LifecycleError struct {
	Arn    string
	Op     string
	Reason string
}

func (e *LifecycleError) Error() string {
	return fmt.Sprintf("harness: %s %s: %s", e.Op, e.Arn, e.Reason)
}

// InvocationCapError reports that an execution was still running after the
// maximum number of invocations; the runner stops instead of looping.
type InvocationCapError struct {
	Arn string
	Max int
}

func (e *InvocationCapError) Error() string {
	return fmt.Sprintf("harness: execution %s still running after %d invocations (cap reached)", e.Arn, e.Max)
}

// CrashError is what the fault client returns to the runtime for an
// injected crash: the checkpoint was applied but the response is lost and
// the invocation is treated as a process that died.
type CrashError struct {
	Call int // execution-wide 1-based number of the checkpoint call
}

func (e *CrashError) Error() string {
	return fmt.Sprintf("harness: injected crash after checkpoint call %d (response lost)", e.Call)
}

// UnknownFunctionError is returned by Registry.Lookup for a name nobody
// registered; Known lists the registered names, sorted.
type UnknownFunctionError struct {
	Name  string
	Known []string
}

func (e *UnknownFunctionError) Error() string {
	return fmt.Sprintf("harness: unknown function %q (known: %s)", e.Name, strings.Join(e.Known, ", "))
}
