package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// inspectPath is the emulator's own read-only route for what the Lambda API
// does not show: GET /dpcheck/2026-12-01/executions/{arn} answers an
// ExecutionReport. Only dpcheck's tools call it.
const inspectPath = "/dpcheck/2026-12-01/executions/"

// ExecutionReport is what the emulator saw of one execution besides its
// history: the checkpoint calls the function made, the invocations, the
// fault plan and whether it fired, the output lines of the function
// processes per invocation, and the checkpoint calls the service refused.
type ExecutionReport struct {
	DurableExecutionArn string
	CheckpointCalls     int
	Invocations         int
	Fault               string `json:",omitempty"` // the plan, "kill@3"; "" for a clean run
	FaultApplied        bool   // the planned call came
	Logs                []LogLine
	LogsDropped         int // lines past the emulator's limit per execution
	// Refused are the first checkpoint calls the service refused (see
	// Cause); RefusedDropped counts the later ones.
	Refused        []RefusedCall `json:",omitempty"`
	RefusedDropped int           `json:",omitempty"`
}

// begin records the invocation the driver hands to the function.
func (r *run) begin(inv *invocation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invocations = inv.index
	r.current = inv
}

// end records that the invocation in flight has ended.
func (r *run) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.current = nil
}

func (r *run) report() ExecutionReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := ExecutionReport{
		DurableExecutionArn: r.arn,
		CheckpointCalls:     r.calls,
		Invocations:         r.invocations,
		FaultApplied:        r.faultApplied,
		Logs:                append([]LogLine{}, r.logs...),
		LogsDropped:         r.logsDropped,
		Refused:             append([]RefusedCall(nil), r.refused...),
		RefusedDropped:      r.refusedDropped,
	}
	if r.fault != nil {
		rep.Fault = r.fault.String()
	}
	return rep
}

// Report returns the emulator's report on an execution started through
// Invoke, or false when it started none with that ARN or the execution has
// been evicted.
func (s *Server) Report(arn string) (ExecutionReport, bool) {
	if r := s.executions.lookup(arn); r != nil {
		return r.report(), true
	}
	rep, ok := s.executions.finished.get(arn)
	if ok {
		if _, err := s.backend.State(arn); err != nil {
			return ExecutionReport{}, false // evicted by the backend: gone here too
		}
	}
	return rep, ok
}

// reportStore keeps the reports of finished executions, as many as the
// backend keeps executions, dropping the oldest first.
type reportStore struct {
	mu    sync.Mutex
	max   int
	byArn map[string]ExecutionReport
	order []string
}

func (st *reportStore) keep(rep ExecutionReport) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, dup := st.byArn[rep.DurableExecutionArn]; !dup {
		st.order = append(st.order, rep.DurableExecutionArn)
	}
	st.byArn[rep.DurableExecutionArn] = rep
	for len(st.order) > st.max {
		delete(st.byArn, st.order[0])
		st.order = st.order[1:]
	}
}

func (st *reportStore) get(arn string) (ExecutionReport, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rep, ok := st.byArn[arn]
	return rep, ok
}

func (s *Server) inspect(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.Report(r.PathValue("arn"))
	if !ok {
		writeError(w, notFound("durable execution %s was not started through this emulator", r.PathValue("arn")))
		return
	}
	body, err := json.Marshal(rep)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// NotEmulatorError reports an endpoint that does not answer the emulator's
// inspection route: a real Lambda endpoint, or another emulator.
type NotEmulatorError struct {
	Endpoint string
	Status   int
}

func (e *NotEmulatorError) Error() string {
	return fmt.Sprintf("emulator: %s does not answer dpcheck's execution reports (HTTP %d): is it dpcheck serve?", e.Endpoint, e.Status)
}

// Inspect asks the emulator at endpoint (its URL) for its report on an
// execution. A nil client means http.DefaultClient.
func Inspect(ctx context.Context, client *http.Client, endpoint, arn string) (*ExecutionReport, error) {
	if client == nil {
		client = http.DefaultClient
	}
	u := strings.TrimRight(endpoint, "/") + inspectPath + url.PathEscape(arn)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("emulator: inspect: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator: inspect %s: %w", arn, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("emulator: inspect %s: %w", arn, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.Header.Get("X-Amzn-ErrorType") == "ResourceNotFoundException":
		return nil, fmt.Errorf("emulator: inspect: %s", strings.TrimSpace(string(body)))
	default:
		return nil, &NotEmulatorError{Endpoint: endpoint, Status: resp.StatusCode}
	}
	var rep ExecutionReport
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, fmt.Errorf("emulator: inspect %s: the report is not JSON: %w", arn, err)
	}
	return &rep, nil
}
