package emulator

import (
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable/wire"
)

// maxBody bounds every request body: a sync Invoke payload and a checkpoint
// payload are at most 6 MB, and a batch of updates a little more.
const maxBody = 16 << 20

// durableRoutes registers the durable-execution REST API of the Lambda
// service (API version 2025-12-01). ServeMux unescapes each path segment
// before matching, so {arn} is one %2F-laden segment, decoded.
func (s *Server) durableRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /2025-12-01/durable-executions/{arn}/checkpoint", s.checkpoint)
	mux.HandleFunc("GET /2025-12-01/durable-executions/{arn}/state", s.state)
	mux.HandleFunc("GET /2025-12-01/durable-executions/{arn}", s.getExecution)
	mux.HandleFunc("GET /2025-12-01/durable-executions/{arn}/history", s.history)
	mux.HandleFunc("GET /2025-12-01/functions/{function}/durable-executions", s.list)
	mux.HandleFunc("POST /2025-12-01/durable-executions/{arn}/stop", s.stop)
	mux.HandleFunc("POST /2025-12-01/durable-execution-callbacks/{id}/{action}", s.callback)
}

func (s *Server) checkpoint(w http.ResponseWriter, r *http.Request) {
	var in lambda.CheckpointDurableExecutionInput
	if err := decodeBody(w, r, &in); err != nil {
		writeError(w, err)
		return
	}
	arn := r.PathValue("arn")
	in.DurableExecutionArn = aws.String(arn)
	call, fault := s.checkpointCall(arn)
	switch {
	case fault == nil:
	case fault.Kind == FaultThrottle:
		writeError(w, throttled())
		return
	case fault.Kind == FaultDuplicate:
		s.duplicate(arn)
	}
	out, err := s.backend.CheckpointDurableExecution(r.Context(), &in)
	if err != nil {
		s.refused(arn, call, &in, err)
	}
	if s.checkpointHook != nil {
		s.checkpointHook(arn)
	}
	switch {
	case fault == nil:
	case fault.Kind == FaultLose:
		if derr := dropConnection(w); derr != nil {
			s.logger.Error("emulator: fault plan", "arn", arn, "fault", fault.String(), "err", derr)
		}
		return
	case fault.Kind == FaultKill:
		// Withdraw the invocation before answering: the function could
		// otherwise post its result between the answer and the SIGKILL.
		s.doom(arn)
		respond(w, out, err)
		flush(w)
		if !s.Kill(arn) {
			s.logger.Warn("emulator: fault plan: no function process to kill", "arn", arn, "fault", fault.String())
		}
		return
	}
	respond(w, out, err)
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	q := query{values: r.URL.Query()}
	in := lambda.GetDurableExecutionStateInput{
		DurableExecutionArn: aws.String(r.PathValue("arn")),
		CheckpointToken:     q.str("CheckpointToken"),
		Marker:              q.str("Marker"),
		MaxItems:            q.int32("MaxItems"),
	}
	if q.err != nil {
		writeError(w, q.err)
		return
	}
	out, err := s.backend.GetDurableExecutionState(r.Context(), &in)
	respond(w, out, err)
}

func (s *Server) getExecution(w http.ResponseWriter, r *http.Request) {
	q := query{values: r.URL.Query()}
	in := lambda.GetDurableExecutionInput{
		DurableExecutionArn:  aws.String(r.PathValue("arn")),
		IncludeExecutionData: q.bool("IncludeExecutionData"),
	}
	if q.err != nil {
		writeError(w, q.err)
		return
	}
	out, err := s.backend.GetDurableExecution(r.Context(), &in)
	respond(w, out, err)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	q := query{values: r.URL.Query()}
	in := lambda.GetDurableExecutionHistoryInput{
		DurableExecutionArn:  aws.String(r.PathValue("arn")),
		IncludeExecutionData: q.bool("IncludeExecutionData"),
		Marker:               q.str("Marker"),
		MaxItems:             q.int32("MaxItems"),
		ReverseOrder:         q.bool("ReverseOrder"),
	}
	if q.err != nil {
		writeError(w, q.err)
		return
	}
	out, err := s.backend.GetDurableExecutionHistory(r.Context(), &in)
	respond(w, out, err)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := query{values: r.URL.Query()}
	in := lambda.ListDurableExecutionsByFunctionInput{
		FunctionName:         aws.String(r.PathValue("function")),
		Qualifier:            q.str("Qualifier"),
		DurableExecutionName: q.str("DurableExecutionName"),
		Statuses:             q.statuses("Statuses"),
		StartedAfter:         q.time("StartedAfter"),
		StartedBefore:        q.time("StartedBefore"),
		ReverseOrder:         q.bool("ReverseOrder"),
		Marker:               q.str("Marker"),
		MaxItems:             q.int32("MaxItems"),
	}
	if q.err != nil {
		writeError(w, q.err)
		return
	}
	ref, err := parseFunctionName(*in.FunctionName, in.Qualifier)
	if err != nil {
		writeError(w, err)
		return
	}
	// The qualifier filters the listing (an alias name, say), so only the
	// function and where it lives must exist.
	if _, err := s.lookupFunction(functionRef{name: ref.name, region: ref.region, account: ref.account, raw: ref.raw}); err != nil {
		writeError(w, err)
		return
	}
	in.FunctionName = aws.String(ref.name)
	if ref.qualifier != "" {
		in.Qualifier = aws.String(ref.qualifier)
	}
	out, err := s.backend.ListDurableExecutionsByFunction(r.Context(), &in)
	respond(w, out, err)
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	in := lambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(r.PathValue("arn"))}
	body, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	if len(body) > 0 {
		var cause types.ErrorObject
		if err := wire.Unmarshal(body, &cause, wire.Seconds); err != nil {
			writeError(w, invalidContent("the StopDurableExecution body is not an ErrorObject: %v", err))
			return
		}
		in.Error = &cause
	}
	out, err := s.backend.StopDurableExecution(r.Context(), &in)
	if err == nil {
		s.executions.stopped(*in.DurableExecutionArn)
	}
	respond(w, out, err)
}

// callback answers the three SendDurableExecutionCallback* routes: the
// success body is the raw result bytes, the failure body a bare
// ErrorObject (both @httpPayload), the heartbeat has none. An answered
// callback wakes its execution, and may let the clock jump again.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	id := aws.String(r.PathValue("id"))
	var out any
	var err error
	switch r.PathValue("action") {
	case "succeed":
		var body []byte
		if body, err = readBody(w, r); err == nil {
			out, err = s.backend.SendDurableExecutionCallbackSuccess(r.Context(), &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: id, Result: body})
		}
	case "fail":
		in := &lambda.SendDurableExecutionCallbackFailureInput{CallbackId: id}
		var body []byte
		if body, err = readBody(w, r); err == nil && len(body) > 0 {
			in.Error = &types.ErrorObject{}
			if uerr := wire.Unmarshal(body, in.Error, wire.Seconds); uerr != nil {
				err = invalidParameter("the request body is not an ErrorObject: %v", uerr)
			}
		}
		if err == nil {
			out, err = s.backend.SendDurableExecutionCallbackFailure(r.Context(), in)
		}
	case "heartbeat":
		out, err = s.backend.SendDurableExecutionCallbackHeartbeat(r.Context(), &lambda.SendDurableExecutionCallbackHeartbeatInput{CallbackId: id})
	default:
		s.unknown(w, r)
		return
	}
	if err == nil {
		s.executions.poke()
	}
	respond(w, out, err)
}

func (s *Server) unknown(w http.ResponseWriter, r *http.Request) {
	writeError(w, &apiError{"UnknownOperationException",
		"the dpcheck emulator has no Lambda operation at " + r.Method + " " + r.URL.EscapedPath()})
}

// readBody reads a request body of at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &apiError{"RequestTooLargeException", "the request body exceeds the emulator's limit of 16 MiB"}
		}
		return nil, invalidContent("reading the request body: %v", err)
	}
	return body, nil
}

// decodeBody reads a JSON request body into an SDK input struct. An empty
// body is an empty object, as the service treats it.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	if err := wire.Unmarshal(body, v, wire.Seconds); err != nil {
		return invalidContent("could not parse the request body: %v", err)
	}
	return nil
}

// respond writes an SDK output struct as restJson1, or the error.
func respond(w http.ResponseWriter, out any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	buf := bodyBuffers.Get().(*[]byte)
	defer putBodyBuffer(buf)
	body, err := wire.AppendMarshal((*buf)[:0], out, wire.Seconds)
	if err != nil {
		writeError(w, err)
		return
	}
	*buf = body
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// bodyBuffers holds the buffers respond encodes into: growing a fresh one
// for every answer was a tenth of the bytes the emulator allocated.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody is the largest buffer kept for reuse, so one large history
// page does not pin its memory.
const maxPooledBody = 64 << 10

func putBodyBuffer(buf *[]byte) {
	if cap(*buf) <= maxPooledBody {
		bodyBuffers.Put(buf)
	}
}
