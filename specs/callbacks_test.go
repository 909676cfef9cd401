package specs_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/service"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// A Parallel whose three branches each wait for a callback: the external
// system approves one ("ok"), rejects one ("no"), and never answers the third
// ("late"), whose callback times out. When each of those happens, on the
// virtual clock, decides the order the batch sees the outcomes in, and with
// the completion policy, where it stops.

// approvalTimes says when, after the execution first suspends on its
// callbacks, the external system answers ok and no, and after how long late's
// callback times out.
type approvalTimes struct {
	OK, No, LateTimeout time.Duration
}

// approvalEvent is the handler's input.
type approvalEvent struct {
	Completion  *durable.CompletionConfig `json:",omitempty"` // nil: the default (fail-fast)
	LateTimeout time.Duration
}

// approvalReport is the BatchResult as the handler saw it, with the kind of
// each failed branch's callback error ("failed", "timed out").
type approvalReport struct {
	Batch batchReport
	Kinds map[string]string
}

var approvalNames = []string{"ok", "no", "late"}

var approvals = durable.Handle(func(ctx durable.Context, ev approvalEvent) (approvalReport, error) {
	branches := make([]durable.Branch[string], len(approvalNames))
	for i, name := range approvalNames {
		var opts []durable.CallbackOption
		if name == "late" {
			opts = append(opts, durable.WithCallbackTimeout(ev.LateTimeout))
		}
		branches[i] = durable.Branch[string]{Name: name, Func: func(bc durable.Context) (string, error) {
			return durable.WaitForCallback[string](bc, name, func(durable.StepContext, string) error { return nil }, opts...)
		}}
	}
	var opts []durable.BatchOption
	if ev.Completion != nil {
		opts = append(opts, durable.WithCompletion(*ev.Completion))
	}
	res, err := durable.Parallel(ctx, "approvals", branches, opts...)
	if batchfail.Settled(err) != nil {
		return approvalReport{}, err
	}
	rep := approvalReport{Batch: reportOf(res), Kinds: map[string]string{}}
	for _, it := range res.Failed() {
		ce, ok := errors.AsType[*durable.CallbackError](it.Err)
		switch {
		case !ok:
			rep.Kinds[it.Name] = "not a callback error: " + it.Err.Error()
		case errors.Is(ce, durable.ErrCallbackTimedOut):
			rep.Kinds[it.Name] = "timed out"
		case errors.Is(ce, durable.ErrCallbackFailed):
			rep.Kinds[it.Name] = "failed"
		default:
			rep.Kinds[it.Name] = "other kind"
		}
	}
	return rep, nil
})

// approver is the external system: it answers ok with a success and no with
// a failure, each at its time after it first sees the callback, and leaves
// late alone. One approver serves every run of a sweep, concurrent ones
// included: what it has seen is kept per backend.
type approver struct {
	times approvalTimes
	mu    sync.Mutex
	seen  map[*service.Backend]map[string]bool
}

func newApprover(t approvalTimes) *approver {
	return &approver{times: t, seen: map[*service.Backend]map[string]bool{}}
}

func (a *approver) Suspended(ctx context.Context, b *service.Backend, arn string) error {
	h, err := b.GetDurableExecutionHistory(ctx, &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: &arn, IncludeExecutionData: aws.Bool(true), MaxItems: 1000})
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seen[b] == nil {
		a.seen[b] = map[string]bool{}
	}
	for _, cb := range conformance.CallbackStarts(h.Events) {
		if a.seen[b][cb.CallbackID] {
			continue
		}
		a.seen[b][cb.CallbackID] = true
		id := aws.String(cb.CallbackID)
		var after time.Duration
		var send func()
		switch cb.Name {
		case "ok":
			after, send = a.times.OK, func() {
				_, err := b.SendDurableExecutionCallbackSuccess(ctx, &lambda.SendDurableExecutionCallbackSuccessInput{CallbackId: id, Result: []byte(`"approved"`)})
				Expect(err).NotTo(HaveOccurred())
			}
		case "no":
			after, send = a.times.No, func() {
				_, err := b.SendDurableExecutionCallbackFailure(ctx, &lambda.SendDurableExecutionCallbackFailureInput{CallbackId: id,
					Error: &types.ErrorObject{ErrorType: aws.String("RejectedError"), ErrorMessage: aws.String("not approved")}})
				Expect(err).NotTo(HaveOccurred())
			}
		default:
			continue
		}
		if err := b.Schedule(arn, b.Now().Add(after), send); err != nil {
			return err
		}
	}
	return nil
}

type approvalRow struct {
	Completion *durable.CompletionConfig
	Times      approvalTimes
	// the BatchResult: counts, reason, and the kinds of the failed
	// branches' callback errors
	Succeeded, Failed, Started int
	Reason                     durable.CompletionReason
	Kinds                      map[string]string
}

func (r approvalRow) checker(opts ...check.Option) *check.Checker {
	return check.New(approvals, append(opts, check.WithRunnerOptions(harness.WithActor(newApprover(r.Times))))...)
}

func (r approvalRow) event() approvalEvent {
	return approvalEvent{Completion: r.Completion, LateTimeout: r.Times.LateTimeout}
}

// inTurn: ok answers after 1 s, no after 2 s, late times out after 3 s.
var inTurn = approvalTimes{OK: time.Second, No: 2 * time.Second, LateTimeout: 3 * time.Second}

var approvalRows = []TableEntry{
	Entry("all completed: every outcome counts", approvalRow{
		Completion: ptr(durable.AllCompleted()), Times: inTurn,
		Succeeded: 1, Failed: 2, Reason: durable.CompletionAllCompleted, Kinds: map[string]string{"no": "failed", "late": "timed out"},
	}),
	Entry("fail-fast (the default): the rejection stops it, late stays started", approvalRow{
		Times:     inTurn,
		Succeeded: 1, Failed: 1, Started: 1, Reason: durable.CompletionFailureToleranceExceeded, Kinds: map[string]string{"no": "failed"},
	}),
	Entry("fail-fast, the timeout first: nothing succeeded", approvalRow{
		Times:  approvalTimes{OK: 3 * time.Second, No: 2 * time.Second, LateTimeout: time.Second},
		Failed: 1, Started: 2, Reason: durable.CompletionFailureToleranceExceeded, Kinds: map[string]string{"late": "timed out"},
	}),
	Entry("first successful: the approval stops it", approvalRow{
		Completion: ptr(durable.FirstSuccessful()), Times: inTurn,
		Succeeded: 1, Started: 2, Reason: durable.CompletionMinSuccessfulReached, Kinds: map[string]string{},
	}),
	Entry("first successful, the rejection first: it is counted, then the approval stops it", approvalRow{
		Completion: ptr(durable.FirstSuccessful()), Times: approvalTimes{OK: 2 * time.Second, No: time.Second, LateTimeout: 3 * time.Second},
		Succeeded: 1, Failed: 1, Started: 1, Reason: durable.CompletionMinSuccessfulReached, Kinds: map[string]string{"no": "failed"},
	}),
	Entry("one tolerated failure: the timeout is the second and stops it", approvalRow{
		Completion: ptr(durable.WithToleratedFailureCount(1)), Times: inTurn,
		Succeeded: 1, Failed: 2, Reason: durable.CompletionFailureToleranceExceeded, Kinds: map[string]string{"no": "failed", "late": "timed out"},
	}),
	Entry("min successful 2 can never be met: it runs to the end", approvalRow{
		Completion: &durable.CompletionConfig{MinSuccessful: 2}, Times: inTurn,
		Succeeded: 1, Failed: 2, Reason: durable.CompletionAllCompleted, Kinds: map[string]string{"no": "failed", "late": "timed out"},
	}),
}

var _ = Describe("Parallel branches waiting for callbacks", Label("local"), func() {
	DescribeTable("stop where the completion policy says, in the order the callbacks end",
		func(r approvalRow) {
			run := r.checker(check.WithSeed(seed())).MustRun(GinkgoT(), r.event())
			res := run.Result
			Expect(res).To(HaveExecutionStatus(types.ExecutionStatusSucceeded))
			var rep approvalReport
			Expect(json.Unmarshal([]byte(aws.ToString(res.Output)), &rep)).To(Succeed())
			Expect(rep.Batch).To(HaveBatch(r.Succeeded, r.Failed, r.Started, r.Reason.String()))
			Expect(rep.Kinds).To(Equal(r.Kinds))

			By("recording each branch's callback as the service ended it")
			ended := map[string]types.OperationStatus{}
			for _, op := range res.OpsOfType(types.OperationTypeCallback) {
				ended[op.Parent.Name] = op.Status
			}
			Expect(ended).To(HaveLen(3), "every branch created its callback before the first suspension")
			for name, kind := range r.Kinds {
				want := map[string]types.OperationStatus{"failed": types.OperationStatusFailed, "timed out": types.OperationStatusTimedOut}[kind]
				Expect(ended).To(HaveKeyWithValue(name, want))
			}

			By("replaying the finished log without work")
			log, err := run.Log()
			Expect(err).NotTo(HaveOccurred())
			rep2, err := r.checker().ReplayLog(context.Background(), log)
			Expect(err).NotTo(HaveOccurred())
			Expect(rep2).To(HaveReplayedWithoutExecuting())
		},
		approvalRows,
	)

	DescribeTable("a crash or a failed call at any checkpoint ends as the crash-free run does",
		func(r approvalRow) {
			sweep, err := r.checker(check.WithSeed(seed())).Boundaries(context.Background(), r.event())
			Expect(err).NotTo(HaveOccurred())
			Expect(sweep).To(SurviveEveryBoundary())
			Expect(sweep.Baseline.Calls).To(BeNumerically(">=", 7), "three callbacks, three submitters and the Parallel checkpoint")
			Expect(sweep.Runs).To(HaveLen(2 * sweep.Baseline.Calls))
			GinkgoWriter.Println(sweep)
		},
		approvalRows[0], approvalRows[3],
	)
})
