package specs_test

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

var otherSteps = []string{"addition", "subtraction", "multiplication"}

// stepRuns counts, per step name, the step bodies run over all invocations.
func stepRuns(res *harness.Result) map[string]int {
	runs := map[string]int{}
	for _, inv := range res.Invocations {
		for _, r := range inv.StepRuns {
			runs[r.Name]++
		}
	}
	return runs
}

// retryDelays returns, for each failed attempt of op that was retried, the
// NextAttemptDelaySeconds it recorded and the virtual time until the next
// attempt started.
func retryDelays(op *harness.Operation) (delays []int32, gaps []time.Duration) {
	var failedAt time.Time
	for _, ev := range op.Events {
		switch ev.EventType {
		case types.EventTypeStepFailed:
			if rd := ev.StepFailedDetails.RetryDetails; rd != nil && rd.NextAttemptDelaySeconds != nil {
				delays = append(delays, *rd.NextAttemptDelaySeconds)
				failedAt = aws.ToTime(ev.EventTimestamp)
			}
		case types.EventTypeStepStarted:
			if !failedAt.IsZero() {
				gaps = append(gaps, aws.ToTime(ev.EventTimestamp).Sub(failedAt))
				failedAt = time.Time{}
			}
		}
	}
	return delays, gaps
}

// retryRow is the division step under one retry strategy.
type retryRow struct {
	Strategy durable.RetryStrategy
	Attempts int
	// Delay bounds NextAttemptDelaySeconds after failed attempt n (1-based).
	Delay func(n int) (lo, hi int32)
}

var _ = Describe("Division without retry", Label("local"), func() {
	DescribeTable("makes exactly one attempt when the divisor is zero",
		func(input string) {
			res := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator")).MustRun(GinkgoT(), input).Result
			Expect(res).To(HaveExecutionStatus(types.ExecutionStatusSucceeded))

			By("starting and failing the division step once, with no RETRY")
			Expect(res).To(HaveStepEvents("division", types.EventTypeStepStarted, 1))
			Expect(res).To(HaveStepEvents("division", types.EventTypeStepFailed, 1))
			Expect(res).To(HaveStepEvents("division", types.EventTypeStepSucceeded, 0))
			op := stepOp(res, "division")
			Expect(op.Status).To(Equal(types.OperationStatusFailed))
			Expect(op.Attempts).To(Equal(1))
			Expect(harness.ErrorLine(op.Error)).To(Equal("DivisionByZeroError: Division by zero is not allowed"))
			delays, _ := retryDelays(op)
			Expect(delays).To(BeEmpty(), "no attempt was scheduled again")

			By("never suspending: one invocation, no timer, the body run once")
			Expect(res.Invocations).To(HaveLen(1))
			Expect(res.Invocations[0].Error).To(BeNil())
			Expect(stepRuns(res)).To(HaveKeyWithValue("division", 1))

			By("leaving the other steps alone")
			for _, name := range otherSteps {
				Expect(res).To(HaveStepEvents(name, types.EventTypeStepStarted, 1))
				Expect(res).To(HaveStepEvents(name, types.EventTypeStepSucceeded, 1))
				Expect(stepRuns(res)).To(HaveKeyWithValue(name, 1))
			}
			resp := harness.MustResultAs[function.Response](GinkgoT(), res)
			Expect(resp.SuccessCount).To(Equal(3))
			Expect(resp.Failures).To(ConsistOf(function.Failure{
				Operation: "division", ErrorType: "DivisionByZeroError", ErrorMessage: "Division by zero is not allowed",
			}))
			Expect(resp.Results.Add).NotTo(BeNil())
			Expect(resp.Results.Subtract).NotTo(BeNil())
			Expect(resp.Results.Multiply).NotTo(BeNil())
			Expect(resp.Results.Division).To(BeNil())
		},
		Entry("10 / 0", `{"num1":10,"num2":0}`),
		Entry("an empty event (0 / 0)", `{}`),
		Entry("num2 alone, zero", `{"num2":0}`),
		Entry("a negative zero divisor", `{"num1":-7.5,"num2":-0.0}`),
		Entry("a huge dividend", `{"num1":1e308,"num2":0}`),
	)

	It("succeeds in one attempt when the divisor is not zero", func() {
		res := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator")).MustRun(GinkgoT(), `{"num1":10,"num2":4}`).Result
		Expect(res).To(HaveStepEvents("division", types.EventTypeStepStarted, 1))
		Expect(res).To(HaveStepEvents("division", types.EventTypeStepSucceeded, 1))
		Expect(res.Invocations).To(HaveLen(1))
		Expect(*res.Output).To(MatchJSON(`{"Add":14,"Subtract":6,"Multiply":40,"Division":2.5}`))
	})

	DescribeTable("contrast: the same step under another strategy",
		func(r retryRow) {
			inv := calcVariant{completion: ptr(durable.AllCompleted()), divisionRetry: r.Strategy}.invoker()
			res := check.New(inv, check.WithSeed(seed())).MustRun(GinkgoT(), `{"num1":10,"num2":0}`).Result
			Expect(res).To(HaveExecutionStatus(types.ExecutionStatusSucceeded))
			Expect(harness.MustResultAs[batchReport](GinkgoT(), res)).To(HaveBatch(3, 1, 0, durable.CompletionAllCompleted.String()))

			By("attempting the division the strategy's number of times")
			op := stepOp(res, "division")
			Expect(op.Attempts).To(Equal(r.Attempts))
			Expect(res).To(HaveStepEvents("division", types.EventTypeStepStarted, r.Attempts))
			Expect(res).To(HaveStepEvents("division", types.EventTypeStepFailed, r.Attempts))
			Expect(stepRuns(res)).To(HaveKeyWithValue("division", r.Attempts))

			By("suspending after each RETRY until the delay has passed on the virtual clock")
			Expect(res.Invocations).To(HaveLen(r.Attempts))
			delays, gaps := retryDelays(op)
			Expect(delays).To(HaveLen(r.Attempts - 1))
			for i, d := range delays {
				lo, hi := r.Delay(i + 1)
				Expect(d).To(BeNumerically(">=", lo), "delay after attempt %d", i+1)
				Expect(d).To(BeNumerically("<=", hi), "delay after attempt %d", i+1)
				Expect(gaps[i]).To(Equal(time.Duration(d)*time.Second), "virtual time before attempt %d", i+2)
			}

			By("running every other step once, replaying it in later invocations")
			for _, name := range otherSteps {
				Expect(stepRuns(res)).To(HaveKeyWithValue(name, 1))
			}
		},
		Entry("DefaultRetry: 6 attempts, full jitter on 5 s doubling, 60 s cap", retryRow{
			Strategy: durable.DefaultRetry(), Attempts: 6,
			Delay: func(n int) (int32, int32) { return 1, int32(min(5<<(n-1), 60)) },
		}),
		Entry("LinearRetry(3, 2 s, 3 s): 2 s then 5 s", retryRow{
			Strategy: durable.LinearRetry(3, 2*time.Second, 3*time.Second), Attempts: 3,
			Delay: func(n int) (int32, int32) { d := int32(2 + 3*(n-1)); return d, d },
		}),
		Entry("a strategy retrying DivisionByZeroError twice", retryRow{
			Strategy: durable.MustNewRetryStrategy(durable.RetryConfig{MaxAttempts: 3, InitialDelay: 10 * time.Second, Jitter: durable.JitterNone, RetryableErrorTypes: []string{"DivisionByZeroError"}}),
			Attempts: 3,
			Delay:    func(n int) (int32, int32) { d := int32(10 << (n - 1)); return d, d },
		}),
		Entry("a strategy retrying only other error types", retryRow{
			Strategy: durable.MustNewRetryStrategy(durable.RetryConfig{MaxAttempts: 5, RetryableErrorTypes: []string{"TimeoutError"}}),
			Attempts: 1,
		}),
		Entry("NoRetry", retryRow{Strategy: durable.NoRetry(), Attempts: 1}),
	)
})
