package specs_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
)

// calculatorInputs are the calculator's input classes, shared by the replay
// and crash tables.
var calculatorInputs = []TableEntry{
	Entry("integers", `{"num1":10,"num2":5}`),
	Entry("division by zero", `{"num1":10,"num2":0}`),
	Entry("an empty event", `{}`),
	Entry("negative numbers", `{"num1":-12,"num2":-4}`),
	Entry("fractions", `{"num1":0.1,"num2":0.2}`),
	Entry("negative zeros", `{"num1":-0.0,"num2":-0.0}`),
	Entry("an overflowing product", `{"num1":1e308,"num2":10}`),
	Entry("a subnormal number", `{"num1":5e-324,"num2":3}`),
	Entry("an integer beyond 2^53", `{"num1":9007199254740993,"num2":1}`),
	Entry("invalid: a string", `{"num1":"10","num2":2}`),
	Entry("invalid: null", `{"num1":null}`),
	Entry("invalid: an array event", `[]`),
}

// changeRow is the calculator changed in one place between invocations,
// and the two operation descriptions the runtime must name.
type changeRow struct {
	Change           func(*calcChange)
	Expected, Actual string // what the code asks for; what the log holds
	// SeenAfterEnd says whether a replay of the finished execution meets
	// the change: a change inside a finished Parallel is not, since its
	// branches are rebuilt from its payload and never run again.
	SeenAfterEnd bool
}

var changeRows = []TableEntry{
	Entry("the Parallel renamed", changeRow{
		Change:   func(c *calcChange) { c.parallel = "calculations-v2" },
		Expected: `CONTEXT/Parallel "calculations-v2"`, Actual: `CONTEXT/Parallel "calculations"`, SeenAfterEnd: true,
	}),
	Entry("a Step where the Parallel was", changeRow{
		Change:   func(c *calcChange) { c.asStep = true },
		Expected: `STEP/Step "calculations"`, Actual: `CONTEXT/Parallel "calculations"`, SeenAfterEnd: true,
	}),
	Entry("the first branch renamed", changeRow{
		Change:   func(c *calcChange) { c.branches[0] = "add" },
		Expected: `CONTEXT/ParallelBranch "add"`, Actual: `CONTEXT/ParallelBranch "addition"`,
	}),
	Entry("the branches reordered", changeRow{
		Change:   func(c *calcChange) { c.branches[0], c.branches[3] = c.branches[3], c.branches[0] },
		Expected: `CONTEXT/ParallelBranch "division"`, Actual: `CONTEXT/ParallelBranch "addition"`,
	}),
	Entry("a step renamed inside its branch", changeRow{
		Change:   func(c *calcChange) { c.steps[0] = "sum" },
		Expected: `STEP/Step "sum"`, Actual: `STEP/Step "addition"`,
	}),
}

// inOrder fixes the interleaving: branches run one after another.
func inOrder(uint64) *check.Scheduler { return check.InOrder() }

var _ = Describe("Replay", Label("local"), func() {
	DescribeTable("the replay checker passes for the calculator",
		func(input string) {
			rep := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator")).RequireReplay(GinkgoT(), input)
			Expect(rep).To(HaveReplayedWithoutExecuting())
			Expect(rep.Met(durable.OperationNew)).To(BeZero())
			if rep.Log.Status == types.ExecutionStatusSucceeded {
				Expect(rep.Met(durable.OperationReplayed)).To(BeNumerically(">=", 1), "the Parallel is answered from the log")
			}
		},
		calculatorInputs,
	)

	DescribeTable("a crash or a failed call at any checkpoint ends as the crash-free run does",
		func(input string) {
			sweep, err := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator")).Boundaries(context.Background(), input)
			Expect(sweep).To(SurviveEveryBoundary())
			Expect(err).NotTo(HaveOccurred())
			Expect(sweep.Runs).To(HaveLen(2 * sweep.Baseline.Calls))
			if sweep.Baseline.Result.Status == types.ExecutionStatusSucceeded {
				Expect(sweep.Baseline.Calls).To(BeNumerically(">=", 5), "the calculator checkpoints four branches and the Parallel")
			}
		},
		calculatorInputs,
	)

	It("does not run again a step that succeeded before the crash", func() {
		sweep := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator")).RequireCrashEveryBoundary(GinkgoT(), `{"num1":10,"num2":5}`)
		finishedBefore, unfinished := 0, 0
		for _, fr := range sweep.Runs {
			res := fr.Run.Result
			crash := crashEvent(res)
			Expect(crash).NotTo(BeZero(), "crash after call %d: no crashed invocation in the history", fr.K)
			runs := stepRuns(res)
			for _, op := range res.OpsOfType(types.OperationTypeStep) {
				if succeededAt(op) < crash {
					finishedBefore++
					Expect(runs[op.Name]).To(Equal(1), "crash after call %d: step %q had succeeded before the crash", fr.K, op.Name)
					Expect(res.Invocations[1].StepRuns).NotTo(ContainElement(HaveField("Name", op.Name)))
				} else {
					unfinished++
				}
			}
		}
		Expect(finishedBefore).To(BeNumerically(">", 0), "some crash came after a step succeeded")
		Expect(unfinished).To(BeNumerically(">", 0), "some crash came before a step succeeded")
	})

	It("replays every crashed execution's final log without work", func() {
		c := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator"))
		sweep := c.RequireCrashEveryBoundary(GinkgoT(), `{"num1":3,"num2":0}`)
		for _, fr := range sweep.Runs {
			log, err := fr.Run.Log()
			Expect(err).NotTo(HaveOccurred())
			rep, err := c.ReplayLog(context.Background(), log)
			Expect(err).NotTo(HaveOccurred(), "crash after call %d", fr.K)
			Expect(rep).To(HaveReplayedWithoutExecuting())
		}
	})

	DescribeTable("a handler changed between invocations fails with NonDeterministicExecutionError",
		func(r changeRow) {
			changed := unchangedCalc()
			r.Change(&changed)

			By("crashing the calculator after its first checkpoint and replaying with the changed handler")
			runner := harness.NewLocalRunner(redeployedAfterFirst(calculator, changed.invoker()),
				harness.WithScheduler(check.InOrder()), harness.WithFaults(harness.CrashAfterCheckpoint(1)))
			res, err := runner.RunJSON(context.Background(), `{"num1":10,"num2":5}`)
			Expect(err).NotTo(HaveOccurred())
			Expect(res).To(FailAsNonDeterministic(r.Expected, r.Actual))
			Expect(res.Invocations).To(HaveLen(2))
			Expect(stepRuns(res)).NotTo(HaveKey("sum"), "the changed step never ran")

			By("replaying the finished calculator's complete log with the changed handler")
			run := check.New(calculator, check.WithSchedule(inOrder)).MustRun(GinkgoT(), `{"num1":10,"num2":5}`)
			log, err := run.Log()
			Expect(err).NotTo(HaveOccurred())
			_, err = check.New(changed.invoker(), check.WithSchedule(inOrder)).ReplayLog(context.Background(), log)
			if r.SeenAfterEnd {
				Expect(err).To(BeDivergence("NonDeterministicExecutionError", r.Expected))
			} else {
				Expect(err).NotTo(HaveOccurred(), "a finished Parallel's branches are not run again")
			}
		},
		changeRows,
	)

	It("the replay checker reports a handler that does new work on replay", func() {
		run := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator")).MustRun(GinkgoT(), `{"num1":10,"num2":5}`)
		log, err := run.Log()
		Expect(err).NotTo(HaveOccurred())
		withAudit := durable.Handle(func(ctx durable.Context, ev function.Event) (function.Response, error) {
			r, err := function.Handler(ctx, ev)
			if err != nil {
				return r, err
			}
			_, err = durable.Step(ctx, "audit", func(durable.StepContext) (bool, error) { return true, nil })
			return r, err
		})
		rep, err := check.New(withAudit).ReplayLog(context.Background(), log)
		Expect(err).To(BeDivergence(`"audit"`, "not in the log"))
		Expect(rep.CheckpointCalls()).To(BeNumerically(">=", 1), "it tried to checkpoint the new step")
	})

	It("the replay checker reports a different result", func() {
		run := check.New(calculator, check.WithSeed(seed()), check.WithFunctionName("calculator")).MustRun(GinkgoT(), `{"num1":10,"num2":5}`)
		log, err := run.Log()
		Expect(err).NotTo(HaveOccurred())
		other := *log.Result + " "
		log.Result = &other
		_, err = check.New(calculator).ReplayLog(context.Background(), log)
		Expect(err).To(BeDivergence("result", `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`))
	})
})

// crashEvent is the EventId of the first InvocationCompleted that records a
// failed invocation (0 if none).
func crashEvent(res *harness.Result) int32 {
	for _, ev := range res.History {
		if ev.EventType == types.EventTypeInvocationCompleted && ev.InvocationCompletedDetails.Error != nil {
			return aws.ToInt32(ev.EventId)
		}
	}
	return 0
}

// succeededAt is the EventId of op's StepSucceeded event (max int32 if it
// has none).
func succeededAt(op *harness.Operation) int32 {
	for _, ev := range op.Events {
		if ev.EventType == types.EventTypeStepSucceeded {
			return aws.ToInt32(ev.EventId)
		}
	}
	return 1<<31 - 1
}

// decodeOutput decodes a replay's answer.
func decodeOutput[T any](rep *check.ReplayReport) T {
	GinkgoHelper()
	Expect(rep.Output).NotTo(BeNil(), "the replay answered nothing: %v", rep.InvokeErr)
	var v T
	Expect(json.Unmarshal([]byte(rep.Output.Result), &v)).To(Succeed(), fmt.Sprintf("result %s", rep.Output.Result))
	return v
}
