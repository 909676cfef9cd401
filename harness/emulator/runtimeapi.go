package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxResponse is the Lambda limit on a synchronous invocation's response.
const maxResponse = 6 << 20

// runtimeAPI is the Lambda Runtime API (2018-06-01) of one instance, the
// endpoint its bootstrap polls: aws-lambda-go and every other runtime
// client use exactly these four routes.
func (inst *instance) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", inst.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", inst.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", inst.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", inst.initError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		runtimeError(w, http.StatusNotFound, "InvalidRoute", "no Runtime API route at "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// next blocks until the emulator hands this process an invocation.
func (inst *instance) next(w http.ResponseWriter, r *http.Request) {
	inst.mu.Lock()
	if job := inst.current; job != nil {
		// Asking for more work completes the current invocation; without an
		// answer it failed.
		inst.current = nil
		job.done <- outcome{err: &InvocationError{Type: "Runtime.NoResponse",
			Message: "the runtime asked for the next invocation without answering request " + job.inv.requestID}}
	}
	inst.mu.Unlock()
	select {
	case job := <-inst.work:
		inst.mu.Lock()
		inst.current = job
		inst.last = job.inv
		inst.mu.Unlock()
		inv := job.inv
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.requestID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.function)
		h.Set("Lambda-Runtime-Trace-Id", traceID(inv.requestID))
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(inv.payload)
	case <-inst.dead:
	case <-r.Context().Done():
	}
}

// take returns the invocation id names and clears it, or nil when id is not
// the invocation in flight.
func (inst *instance) take(id string) *pending {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	job := inst.current
	if job == nil || job.inv.requestID != id {
		return nil
	}
	inst.current = nil
	return job
}

func (inst *instance) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	if err != nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequest", "reading the response body: "+err.Error())
		return
	}
	job := inst.take(r.PathValue("id"))
	if job == nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight has id "+r.PathValue("id"))
		return
	}
	// Every line the process wrote before it posted the answer belongs to
	// the invocation's logs before the invocation ends.
	inst.output.sync()
	switch {
	case len(body) > maxResponse:
		job.done <- outcome{err: &InvocationError{Type: "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("response payload size exceeded maximum allowed payload size (%d bytes)", maxResponse)}}
	case r.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "":
		// aws-lambda-go reports a response that failed while streaming in
		// trailers.
		job.done <- outcome{err: trailerError(r.Trailer)}
	default:
		job.done <- outcome{body: body}
	}
	accepted(w)
}

// functionError is the body a runtime posts for a failed invocation.
type functionError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func (inst *instance) invocationError(w http.ResponseWriter, r *http.Request) {
	fe := readFunctionError(r)
	job := inst.take(r.PathValue("id"))
	if job == nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight has id "+r.PathValue("id"))
		return
	}
	inst.output.sync()
	job.done <- outcome{err: fe}
	accepted(w)
}

func (inst *instance) initError(w http.ResponseWriter, r *http.Request) {
	fe := readFunctionError(r)
	if fe.Type == "Unhandled" {
		fe.Type = "Runtime.InitError"
	}
	inst.mu.Lock()
	inst.initErr = fe
	inst.mu.Unlock()
	accepted(w)
}

func readFunctionError(r *http.Request) *InvocationError {
	var fe functionError
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	_ = json.Unmarshal(body, &fe)
	if fe.ErrorType == "" {
		fe.ErrorType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	if fe.ErrorType == "" {
		fe.ErrorType = "Unhandled"
	}
	return &InvocationError{Type: fe.ErrorType, Message: fe.ErrorMessage}
}

func trailerError(t http.Header) *InvocationError {
	fe := functionError{ErrorType: t.Get("Lambda-Runtime-Function-Error-Type")}
	if raw, err := base64.StdEncoding.DecodeString(t.Get("Lambda-Runtime-Function-Error-Body")); err == nil {
		_ = json.Unmarshal(raw, &fe)
	}
	return &InvocationError{Type: fe.ErrorType, Message: fe.ErrorMessage}
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func runtimeError(w http.ResponseWriter, status int, kind, message string) {
	body, _ := json.Marshal(functionError{ErrorMessage: message, ErrorType: kind})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// traceID is an X-Ray trace header derived from the request id (a UUID),
// so it is stable for a given invocation.
func traceID(requestID string) string {
	h := strings.ReplaceAll(requestID, "-", "")
	return "Root=1-" + h[:8] + "-" + h[8:] + ";Sampled=0"
}
