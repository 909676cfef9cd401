package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// fuzzLimits are small, so random payloads and delays cross them often.
var fuzzLimits = Limits{MaxPayloadBytes: 64, MaxErrorBytes: 64, MaxExecutionPayloadBytes: 128, MaxWaitSeconds: 100}

// program reads a fuzz input as a series of choices; past its end every
// choice is 0.
type program struct {
	data []byte
	pos  int
}

func (p *program) done() bool { return p.pos >= len(p.data) }

func (p *program) pick(n int) int {
	if p.done() {
		return 0
	}
	p.pos++
	return int(p.data[p.pos-1]) % n
}

// The alphabets of the random updates: mostly legal values, some not.
var (
	fuzzTypes   = []types.OperationType{types.OperationTypeStep, types.OperationTypeContext, types.OperationTypeWait, types.OperationTypeStep, types.OperationTypeExecution, types.OperationTypeCallback, types.OperationTypeChainedInvoke, "", "BOGUS"}
	fuzzActions = []types.OperationAction{types.OperationActionStart, types.OperationActionSucceed, types.OperationActionFail, types.OperationActionRetry, types.OperationActionCancel, types.OperationActionStart, "", "PAUSE"}
	fuzzNames   = []*string{nil, aws.String("one"), aws.String("two"), aws.String("bad\x01name")}
	fuzzSubs    = []*string{nil, aws.String("Step"), aws.String("Parallel"), aws.String(strings.Repeat("s", 33))}
	fuzzTexts   = []*string{nil, aws.String(`"ok"`), aws.String(""), aws.String(strings.Repeat("x", 100))}
	fuzzSeconds = []*int32{nil, aws.Int32(0), aws.Int32(1), aws.Int32(5), aws.Int32(101), aws.Int32(-3)}
	fuzzTargets = []*types.ChainedInvokeOptions{nil, {FunctionName: aws.String("fn")}, {FunctionName: aws.String("bad name!")}, {}}
	fuzzCallers = []*types.CallbackOptions{nil, {}, {TimeoutSeconds: 5, HeartbeatTimeoutSeconds: 2}, {TimeoutSeconds: -1}, {HeartbeatTimeoutSeconds: 101}}
)

// update builds one random update; ids come from a small pool (plus the
// EXECUTION operation's id and malformed ones) so updates collide.
func (p *program) update(execID string) types.OperationUpdate {
	ids := []string{"a", "b", "c", "d", execID, "bad id", strings.Repeat("e", 65), "a"}
	u := types.OperationUpdate{
		Id:      aws.String(ids[p.pick(len(ids))]),
		Type:    fuzzTypes[p.pick(len(fuzzTypes))],
		Action:  fuzzActions[p.pick(len(fuzzActions))],
		Name:    fuzzNames[p.pick(len(fuzzNames))],
		SubType: fuzzSubs[p.pick(len(fuzzSubs))],
		Payload: fuzzTexts[p.pick(len(fuzzTexts))],
	}
	if p.pick(3) == 0 {
		u.Id = nil
	}
	if parent := p.pick(6); parent < 5 {
		u.ParentId = aws.String(ids[parent])
	}
	if msg := fuzzTexts[p.pick(len(fuzzTexts))]; msg != nil {
		u.Error = &types.ErrorObject{ErrorType: aws.String("E"), ErrorMessage: msg}
	}
	if s := fuzzSeconds[p.pick(len(fuzzSeconds))]; s != nil {
		u.StepOptions = &types.StepOptions{NextAttemptDelaySeconds: s}
	}
	if s := fuzzSeconds[p.pick(len(fuzzSeconds))]; s != nil {
		u.WaitOptions = &types.WaitOptions{WaitSeconds: s}
	}
	u.ChainedInvokeOptions = fuzzTargets[p.pick(len(fuzzTargets))]
	u.CallbackOptions = fuzzCallers[p.pick(len(fuzzCallers))]
	return u
}

// snapshot is the stored state and history of the execution, as JSON per
// operation so that later changes through shared pointers show.
type snapshot struct {
	ops     map[string]types.Operation
	raw     map[string]string
	order   []string
	history []string
	status  types.ExecutionStatus
}

func (s *session) snapshot() snapshot {
	s.t.Helper()
	snap := snapshot{ops: map[string]types.Operation{}, raw: map[string]string{}}
	for _, op := range s.state() {
		id := aws.ToString(op.Id)
		data, err := json.Marshal(op)
		if err != nil {
			s.t.Fatal(err)
		}
		snap.ops[id], snap.raw[id] = op, string(data)
		snap.order = append(snap.order, id)
	}
	for _, ev := range s.history() {
		data, err := json.Marshal(ev)
		if err != nil {
			s.t.Fatal(err)
		}
		snap.history = append(snap.history, string(data))
	}
	out, err := s.b.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(s.arn)})
	if err != nil {
		s.t.Fatal(err)
	}
	snap.status = out.Status
	return snap
}

// Program pieces for the seeds, in the order program.update reads its
// choices: id, type, action, name, subtype, payload, id kept, parent,
// error, step delay, wait time, chained target, callback options.
var (
	stepStartA    = []byte{0, 0, 0, 1, 1, 0, 1, 5, 0, 0, 0, 0, 0}
	stepSucceedA  = []byte{0, 0, 1, 0, 0, 1, 1, 5, 0, 0, 0, 0, 0}
	stepRetryA    = []byte{0, 0, 3, 0, 0, 0, 1, 5, 0, 3, 0, 0, 0}
	ctxStartB     = []byte{1, 1, 0, 1, 2, 0, 1, 5, 0, 0, 0, 0, 0}
	ctxSucceedB   = []byte{1, 1, 1, 0, 0, 1, 1, 5, 0, 0, 0, 0, 0}
	stepStartCinB = []byte{2, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0}
	stepSucceedC  = []byte{2, 0, 1, 0, 0, 1, 1, 5, 0, 0, 0, 0, 0}
	waitStartD    = []byte{3, 2, 0, 1, 0, 0, 1, 5, 0, 0, 3, 0, 0}
	execSucceed   = []byte{4, 4, 1, 0, 0, 1, 1, 5, 0, 0, 0, 0, 0}
	advanceClock  = []byte{8}
	nextInvoke    = []byte{9}
)

// batchOf is the program piece of one batch of updates, with the current
// token.
func batchOf(updates ...[]byte) []byte {
	b := []byte{0, byte(len(updates) - 1)}
	for _, u := range updates {
		b = append(b, u...)
	}
	return append(b, 2)
}

// batchSeeds are programs that reach accepted batches (TestBatchSeeds).
var batchSeeds = [][]byte{
	slices.Concat(batchOf(stepStartA), batchOf(stepSucceedA)),
	slices.Concat(batchOf(ctxStartB, stepStartCinB), batchOf(stepSucceedC), batchOf(ctxSucceedB)),
	slices.Concat(batchOf(stepStartA, stepRetryA), advanceClock, nextInvoke, batchOf(stepStartA), batchOf(stepSucceedA), batchOf(execSucceed), nextInvoke),
	slices.Concat(batchOf(waitStartD), advanceClock, nextInvoke, batchOf(stepStartA)),
	[]byte("the quick brown fox jumps over the lazy dog, twice: the quick brown fox jumps over the lazy dog"),
}

// FuzzCheckpointBatch sends random checkpoint batches, with current, stale
// and forged tokens, interleaved with clock moves and new invocations, to a
// live execution. The validator must never panic; a refused batch must be
// an InvalidParameterValueException that changed nothing; and after every
// accepted batch the stored state must be one the rules allow (see
// checkAccepted).
func FuzzCheckpointBatch(f *testing.F) {
	for _, seed := range batchSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) { runBatchProgram(t, data) })
}

// runBatchProgram runs one fuzz input against a fresh execution and returns
// how many batches were accepted.
func runBatchProgram(t *testing.T, data []byte) (accepted int) {
	p := &program{data: data}
	s := newSession(t, `{"in":1}`, WithLimits(fuzzLimits))
	execID := aws.ToString(s.env.InitialExecutionState.Operations[0].Id)
	var stale []string
	ending := false
	for step := 0; step < 40 && !p.done(); step++ {
		switch cmd := p.pick(10); {
		case cmd < 7:
			ok, ends := s.fuzzBatch(p, execID, stale)
			if ok {
				accepted++
			}
			ending = ending || ends
			stale = append(stale, s.token)
		case cmd == 7:
			s.b.FireNext()
		case cmd == 8:
			s.b.AdvanceUntilIdle()
		default:
			// End the invocation (as a handler that suspends) and begin
			// the next, if the execution still runs.
			if _, err := s.b.EndInvocation(s.arn, []byte(`{"Status":"PENDING"}`), nil); err != nil {
				continue
			}
			if status := s.snapshot().status; ending && status == types.ExecutionStatusRunning {
				t.Fatalf("an accepted EXECUTION update, yet the execution runs on after its invocation ended")
			}
			if raw, err := s.b.BeginInvocation(s.arn); err == nil {
				var env struct{ CheckpointToken string }
				if err := json.Unmarshal(raw, &env); err != nil {
					t.Fatalf("envelope: %v", err)
				}
				s.token = env.CheckpointToken
			}
		}
	}
	return accepted
}

// fuzzBatch sends one random batch and checks what it did. It reports
// whether the batch was accepted, and whether it ends the execution.
func (s *session) fuzzBatch(p *program, execID string, stale []string) (accepted, ends bool) {
	t := s.t
	updates := make([]types.OperationUpdate, 1+p.pick(4))
	for i := range updates {
		updates[i] = p.update(execID)
	}
	token := s.token
	switch p.pick(12) {
	case 0:
		token = "forged"
	case 1:
		if len(stale) > 0 {
			token = stale[p.pick(len(stale))]
		}
	}
	before := s.snapshot()
	out, err := s.b.CheckpointDurableExecution(context.Background(), &lambda.CheckpointDurableExecutionInput{
		DurableExecutionArn: aws.String(s.arn),
		CheckpointToken:     aws.String(token),
		Updates:             updates,
	})
	after := s.snapshot()
	batch := describeBatch(updates)
	if err != nil {
		var invalid *types.InvalidParameterValueException
		if !errors.As(err, &invalid) {
			t.Fatalf("refused with %T %v, want an InvalidParameterValueException\n%s", err, err, batch)
		}
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Fatalf("a refused batch (%v) changed the execution\n%s", err, batch)
		}
		return false, false
	}
	if token != s.token {
		t.Fatalf("a batch with a token that is not the current one was accepted\n%s", batch)
	}
	if err := checkAccepted(updates, before, after, fuzzLimits); err != nil {
		t.Fatal(err)
	}
	if before.status != types.ExecutionStatusRunning {
		t.Fatalf("a checkpoint was accepted on a %s execution\n%s", before.status, batch)
	}
	// An EXECUTION update ends the execution when the invocation ends
	// (protocol §5.2); from now on no token is valid.
	ends = updates[len(updates)-1].Type == types.OperationTypeExecution
	if ends != (out.CheckpointToken == nil) {
		t.Fatalf("an EXECUTION update: %v, yet the new token is %v\n%s", ends, out.CheckpointToken, batch)
	}
	s.token = aws.ToString(out.CheckpointToken)
	return true, ends
}

func describeBatch(updates []types.OperationUpdate) string {
	var sb strings.Builder
	for i, u := range updates {
		fmt.Fprintf(&sb, "  [%d] %s %s id=%q parent=%q name=%q sub=%q payload=%d error=%v step=%v wait=%v\n", i, u.Type, u.Action,
			aws.ToString(u.Id), aws.ToString(u.ParentId), aws.ToString(u.Name), aws.ToString(u.SubType), len(aws.ToString(u.Payload)), u.Error != nil, u.StepOptions, u.WaitOptions)
	}
	return sb.String()
}

// legalChange lists, per operation type, the status an operation may have
// before a batch ("" for a new one) and after it: one action, or a START
// and one more action in the same batch.
var legalChange = map[types.OperationType]map[[2]types.OperationStatus]bool{
	types.OperationTypeStep: {
		{"", "STARTED"}: true, {"", "SUCCEEDED"}: true, {"", "FAILED"}: true, {"", "PENDING"}: true,
		{"READY", "STARTED"}: true, {"READY", "SUCCEEDED"}: true, {"READY", "FAILED"}: true, {"READY", "PENDING"}: true,
		{"STARTED", "SUCCEEDED"}: true, {"STARTED", "FAILED"}: true, {"STARTED", "PENDING"}: true,
	},
	types.OperationTypeWait: {{"", "STARTED"}: true, {"STARTED", "CANCELLED"}: true},
	types.OperationTypeContext: {
		{"", "STARTED"}: true, {"", "SUCCEEDED"}: true, {"", "FAILED"}: true,
		{"STARTED", "SUCCEEDED"}: true, {"STARTED", "FAILED"}: true,
	},
	types.OperationTypeExecution:     {{"STARTED", "SUCCEEDED"}: true, {"STARTED", "FAILED"}: true},
	types.OperationTypeCallback:      {{"", "STARTED"}: true},
	types.OperationTypeChainedInvoke: {{"", "STARTED"}: true, {"STARTED", "STOPPED"}: true},
}

// checkAccepted checks an accepted batch against rules stated apart from
// the validator: the updates themselves were well formed and within the
// limits; only the operations the batch names changed, each by a legal
// status change, keeping its identity (type, subtype, name, parent);
// parents are CONTEXT operations created before their children and open
// when the batch began; the history grew by appending.
func checkAccepted(updates []types.OperationUpdate, before, after snapshot, lim Limits) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("accepted batch:\n%s%s", describeBatch(updates), fmt.Sprintf(format, args...))
	}
	named := map[string]bool{}
	ending := false // an EXECUTION update: its id is throwaway (protocol §5.2)
	for i, u := range updates {
		ending = ending || u.Type == types.OperationTypeExecution
		id := aws.ToString(u.Id)
		named[id] = true
		switch {
		case !opIDPattern(id):
			return fail("update %d has the id %q", i, id)
		case u.Type == types.OperationTypeExecution && i != len(updates)-1:
			return fail("update %d is an EXECUTION update before the end of the batch", i)
		case u.Type != types.OperationTypeExecution && len(aws.ToString(u.Payload)) > lim.MaxPayloadBytes:
			return fail("update %d carries a payload over the limit", i)
		case errorSize(u.Error) > lim.MaxErrorBytes:
			return fail("update %d carries an error over the limit", i)
		case legalChange[u.Type] == nil:
			return fail("update %d has the type %q", i, u.Type)
		case u.Action == types.OperationActionRetry && (u.StepOptions == nil || !inRange(u.StepOptions.NextAttemptDelaySeconds, lim)):
			return fail("update %d retries without a delay in range", i)
		case u.Type == types.OperationTypeWait && u.Action == types.OperationActionStart && (u.WaitOptions == nil || !inRange(u.WaitOptions.WaitSeconds, lim)):
			return fail("update %d starts a wait without a duration in range", i)
		case u.Name != nil && !printableASCII(*u.Name, 256):
			return fail("update %d has the name %q", i, *u.Name)
		case u.Type == types.OperationTypeCallback && (u.Payload != nil || u.Error != nil ||
			u.CallbackOptions != nil && (u.CallbackOptions.TimeoutSeconds < 0 || u.CallbackOptions.HeartbeatTimeoutSeconds < 0 ||
				u.CallbackOptions.TimeoutSeconds > lim.MaxWaitSeconds || u.CallbackOptions.HeartbeatTimeoutSeconds > lim.MaxWaitSeconds)):
			return fail("update %d starts a callback with a result or a timeout out of range", i)
		case u.Type == types.OperationTypeChainedInvoke && u.Action == types.OperationActionStart &&
			(u.Error != nil || u.ChainedInvokeOptions == nil || !opIDPattern(aws.ToString(u.ChainedInvokeOptions.FunctionName))):
			return fail("update %d starts a chained invoke without a target function, or with an error", i)
		}
	}
	if len(after.history) < len(before.history) || strings.Join(after.history[:len(before.history)], "\n") != strings.Join(before.history, "\n") {
		return fail("the history was rewritten, not appended to")
	}
	for i, ev := range after.history {
		if !strings.Contains(ev, fmt.Sprintf(`"EventId":%d,`, i+1)) {
			return fail("event %d of the history is not EventId %d: %s", i+1, i+1, ev)
		}
	}
	for _, id := range before.order {
		if _, ok := after.ops[id]; !ok {
			return fail("operation %s disappeared", id)
		}
	}
	position := map[string]int{}
	for i, id := range after.order {
		position[id] = i
	}
	for _, id := range after.order {
		op, old := after.ops[id], before.ops[id]
		_, existed := before.ops[id]
		if parent := aws.ToString(op.ParentId); parent != "" {
			pop, ok := after.ops[parent]
			switch {
			case !ok || pop.Type != types.OperationTypeContext:
				return fail("operation %s has the parent %s, which is not a CONTEXT", id, parent)
			case position[parent] > position[id]:
				return fail("operation %s was created before its parent %s", id, parent)
			}
		}
		if existed && after.raw[id] == before.raw[id] {
			continue
		}
		if !named[id] && !(op.Type == types.OperationTypeExecution && ending) {
			return fail("operation %s changed but no update names it", id)
		}
		if existed && (op.Type != old.Type || aws.ToString(op.SubType) != aws.ToString(old.SubType) ||
			aws.ToString(op.Name) != aws.ToString(old.Name) || aws.ToString(op.ParentId) != aws.ToString(old.ParentId)) {
			return fail("operation %s changed identity: %s\nwas %s", id, after.raw[id], before.raw[id])
		}
		if !legalChange[op.Type][[2]types.OperationStatus{old.Status, op.Status}] {
			return fail("operation %s (%s) went from %q to %q", id, op.Type, old.Status, op.Status)
		}
		if parent := aws.ToString(op.ParentId); parent != "" {
			if pold, ok := before.ops[parent]; ok && pold.Status != types.OperationStatusStarted {
				return fail("operation %s changed under the %s context %s", id, pold.Status, parent)
			}
		}
	}
	return nil
}

func inRange(s *int32, lim Limits) bool { return s != nil && *s >= 1 && *s <= lim.MaxWaitSeconds }

// The seeds get batches accepted, so the fuzzer starts from live states
// rather than from refusals only.
func TestBatchSeeds(t *testing.T) {
	want := []int{2, 3, 4, 2} // every batch of the hand-made seeds
	for i, n := range want {
		if got := runBatchProgram(t, batchSeeds[i]); got != n {
			t.Errorf("seed %d: %d batches accepted, want %d", i, got, n)
		}
	}
}

// checkAccepted catches the states the validator must refuse.
func TestCheckAcceptedCatchesIllegalStates(t *testing.T) {
	op := func(id string, typ types.OperationType, status types.OperationStatus, parent string) types.Operation {
		o := types.Operation{Id: aws.String(id), Type: typ, Status: status}
		if parent != "" {
			o.ParentId = aws.String(parent)
		}
		return o
	}
	snap := func(ops ...types.Operation) snapshot {
		s := snapshot{ops: map[string]types.Operation{}, raw: map[string]string{}, status: types.ExecutionStatusRunning}
		for _, o := range ops {
			data, _ := json.Marshal(o)
			s.ops[*o.Id], s.raw[*o.Id] = o, string(data)
			s.order = append(s.order, *o.Id)
		}
		return s
	}
	cancel := upd("w", types.OperationTypeWait, types.OperationActionCancel)
	start := stepStart("s", "one", "c")
	for _, tc := range []struct {
		name          string
		updates       []types.OperationUpdate
		before, after snapshot
		problem       string
	}{
		{"a wait succeeded by a batch", []types.OperationUpdate{cancel},
			snap(op("w", types.OperationTypeWait, "STARTED", "")), snap(op("w", types.OperationTypeWait, "SUCCEEDED", "")), `went from "STARTED" to "SUCCEEDED"`},
		{"an operation changed without an update", []types.OperationUpdate{cancel},
			snap(op("w", types.OperationTypeWait, "STARTED", ""), op("x", types.OperationTypeStep, "STARTED", "")),
			snap(op("w", types.OperationTypeWait, "CANCELLED", ""), op("x", types.OperationTypeStep, "SUCCEEDED", "")), "no update names it"},
		{"a child under a closed context", []types.OperationUpdate{start},
			snap(op("c", types.OperationTypeContext, "SUCCEEDED", "")),
			snap(op("c", types.OperationTypeContext, "SUCCEEDED", ""), op("s", types.OperationTypeStep, "STARTED", "c")), "under the SUCCEEDED context c"},
		{"a parent that is not a context", []types.OperationUpdate{start},
			snap(op("c", types.OperationTypeStep, "STARTED", "")),
			snap(op("c", types.OperationTypeStep, "STARTED", ""), op("s", types.OperationTypeStep, "STARTED", "c")), "not a CONTEXT"},
		{"a payload over the limit", []types.OperationUpdate{stepSucceed("s", strings.Repeat("x", 65))},
			snap(op("s", types.OperationTypeStep, "STARTED", "")), snap(op("s", types.OperationTypeStep, "SUCCEEDED", "")), "payload over the limit"},
		{"an operation gone", []types.OperationUpdate{cancel},
			snap(op("w", types.OperationTypeWait, "STARTED", ""), op("x", types.OperationTypeStep, "STARTED", "")),
			snap(op("w", types.OperationTypeWait, "CANCELLED", "")), "disappeared"},
	} {
		err := checkAccepted(tc.updates, tc.before, tc.after, fuzzLimits)
		if err == nil || !strings.Contains(err.Error(), tc.problem) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.problem)
		}
	}
	legal := snap(op("w", types.OperationTypeWait, "CANCELLED", ""))
	if err := checkAccepted([]types.OperationUpdate{cancel}, snap(op("w", types.OperationTypeWait, "STARTED", "")), legal, fuzzLimits); err != nil {
		t.Errorf("a legal CANCEL: %v", err)
	}
}
