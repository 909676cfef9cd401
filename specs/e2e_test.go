package specs_test

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/dpcheck/dpcheck/harness/cloud"
)

// calcCase is one calculator execution as a client of the Lambda API sees
// it: the final status, the result, the error, and the history.
type calcCase struct {
	Input     string
	Status    types.ExecutionStatus
	Result    string // JSON, compared numerically (2 and 2.0 are equal)
	ErrorType string
	// DivisionFailed: the division step failed once, with no retry.
	DivisionFailed bool
}

var calculatorCases = []TableEntry{
	Entry("10 and 5 succeed", calcCase{
		Input: `{"num1":10,"num2":5}`, Status: types.ExecutionStatusSucceeded,
		Result: `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`,
	}),
	Entry("a division by zero is reported, not retried", calcCase{
		Input: `{"num1":10,"num2":0}`, Status: types.ExecutionStatusSucceeded,
		Result: `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
			`"results":{"Add":10,"Subtract":10,"Multiply":0},` +
			`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`,
		DivisionFailed: true,
	}),
	Entry("an invalid input fails the execution", calcCase{
		Input: `{"num1":"10","num2":2}`, Status: types.ExecutionStatusFailed, ErrorType: "InvalidInputError",
	}),
}

// runCalculator runs one case through t and checks what the Lambda API
// reports; the same code serves the local and the remote targets.
func runCalculator(t Target, c calcCase) {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := t.Run(ctx, "calculator", c.Input)
	Expect(err).NotTo(HaveOccurred(), "running the calculator on target %s", t.Name())
	Expect(res).To(HaveExecutionStatus(c.Status))
	if c.Result != "" {
		Expect(res.Output).NotTo(BeNil())
		Expect(*res.Output).To(MatchJSON(c.Result))
	}
	if c.ErrorType != "" {
		Expect(res.Error).NotTo(BeNil())
		Expect(aws.ToString(res.Error.ErrorType)).To(Equal(c.ErrorType))
		Expect(res.Operations).To(BeEmpty(), "rejected before any durable operation")
	}
	if c.DivisionFailed {
		Expect(res).To(HaveStepEvents("division", types.EventTypeStepStarted, 1))
		Expect(res).To(HaveStepEvents("division", types.EventTypeStepFailed, 1))
		Expect(res).To(HaveOperation("calculations", types.OperationStatusSucceeded))
	}
	Expect(res.History[len(res.History)-1].EventType).To(BeElementOf(
		types.EventTypeExecutionSucceeded, types.EventTypeExecutionFailed), "the history ends with the execution")
}

var _ = Describe("Calculator through the target", func() {
	DescribeTable("in process", Label("local"),
		func(c calcCase) { runCalculator(localTarget{}, c) },
		calculatorCases,
	)

	DescribeTable("through the Lambda API", Label("e2e"),
		func(c calcCase) {
			if target.Name() == cloud.TargetLocal {
				Skip("e2e specs need DPCHECK_TARGET=endpoint (with DPCHECK_ENDPOINT) or aws")
			}
			runCalculator(target, c)
		},
		calculatorCases,
	)
})
