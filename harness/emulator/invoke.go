package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness/service"
)

// Invoke payload limits: 6 MB for a synchronous invoke, 1 MB for Event.
const (
	maxSyncPayload  = 6 << 20
	maxEventPayload = 1 << 20
)

// invoke is Lambda's Invoke of a durable function: it starts an execution
// (or re-attaches to the one its X-Amz-Durable-Execution-Name started) and,
// for RequestResponse, answers when the execution has ended; Event answers
// 202 at once and the execution runs on.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	ref, err := parseFunctionName(r.PathValue("function"), queryValue(r, "Qualifier"))
	if err != nil {
		writeError(w, err)
		return
	}
	fn, err := s.lookupFunction(ref)
	if err != nil {
		writeError(w, err)
		return
	}
	name, qualifier := ref.name, ref.qualifier
	if qualifier == "" {
		writeError(w, invalidParameter("durable functions only accept qualified invokes: call %s:$LATEST or an alias", name))
		return
	}
	invocationType := types.InvocationType(r.Header.Get("X-Amz-Invocation-Type"))
	limit := maxSyncPayload
	switch invocationType {
	case "":
		invocationType = types.InvocationTypeRequestResponse
	case types.InvocationTypeRequestResponse, types.InvocationTypeDryRun:
	case types.InvocationTypeEvent:
		limit = maxEventPayload
	default:
		writeError(w, invalidParameter("X-Amz-Invocation-Type %q is not RequestResponse, Event or DryRun", invocationType))
		return
	}
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(limit)))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, &apiError{"RequestTooLargeException", fmt.Sprintf("the %s payload exceeds %d bytes", invocationType, limit)})
			return
		}
		writeError(w, invalidContent("reading the payload: %v", err))
		return
	}
	tail, err := logTail(r.Header.Get("X-Amz-Log-Type"))
	if err != nil {
		writeError(w, err)
		return
	}
	if err := checkJSON(payload); err != nil {
		writeError(w, err)
		return
	}
	fault, err := s.faultPlan(r, fn)
	if err != nil {
		writeError(w, err)
		return
	}
	if invocationType == types.InvocationTypeDryRun {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	select {
	case <-s.draining:
		writeError(w, errClosed)
		return
	default:
	}
	version, _ := executedVersion(qualifier)
	// A synchronous invoke's handler drives a new execution itself: it
	// waits for the end anyway, and a driver goroutine of its own cost a
	// hand-off between goroutines at the start and at the end (measured:
	// about a tenth more sequential executions per second).
	waits := invocationType == types.InvocationTypeRequestResponse
	run, err := s.executions.start(r.Context(), fn, service.StartExecutionInput{
		FunctionName:     name,
		Qualifier:        qualifier,
		Version:          version,
		ExecutionName:    r.Header.Get("X-Amz-Durable-Execution-Name"),
		Payload:          string(payload),
		ExecutionTimeout: fn.timeout,
	}, fault, waits)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("X-Amz-Durable-Execution-Arn", run.arn)
	w.Header().Set("X-Amz-Executed-Version", version)
	if invocationType == types.InvocationTypeEvent {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if run.loop != nil {
		// Until the execution ends, whether the client waits or not: it
		// runs on when the client leaves, as on Lambda.
		run.loop()
	}
	select {
	case <-run.done:
	case <-r.Context().Done():
		return // the client left; the execution runs on, as on Lambda
	case <-s.closing:
		writeError(w, errClosed)
		return
	}
	if tail {
		w.Header().Set("X-Amz-Log-Result", s.logResult(run.arn))
	}
	s.writeResult(w, run.arn)
}

// writeResult answers a synchronous invoke with the execution's outcome:
// its result, or for an execution that did not succeed the error with
// X-Amz-Function-Error, as Lambda reports an unhandled function error.
func (s *Server) writeResult(w http.ResponseWriter, arn string) {
	out, err := s.backend.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
	if err != nil {
		writeError(w, err)
		return
	}
	var body []byte
	switch out.Status {
	case types.ExecutionStatusSucceeded:
		body = []byte("null")
		if out.Result != nil {
			body = []byte(*out.Result)
		}
	case types.ExecutionStatusRunning:
		writeError(w, errClosed)
		return
	default:
		fe := functionError{ErrorType: string(out.Status), ErrorMessage: "the durable execution ended " + string(out.Status)}
		if out.Error != nil {
			fe.ErrorType = aws.ToString(out.Error.ErrorType)
			fe.ErrorMessage = aws.ToString(out.Error.ErrorMessage)
		}
		body, _ = json.Marshal(fe)
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// checkJSON rejects a payload that is not JSON, as Lambda does before it
// invokes anything. An empty payload is allowed.
func checkJSON(payload []byte) error {
	if len(payload) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return invalidContent("Could not parse request body into json: %v (at byte %d)", err, syntax.Offset)
		}
		return invalidContent("Could not parse request body into json: %v", err)
	}
	return nil
}

func queryValue(r *http.Request, name string) *string {
	q := query{values: r.URL.Query()}
	return q.str(name)
}
