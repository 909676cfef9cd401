package emulator_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/harness/emulator"
)

// Sequential synchronous invokes of the calculator through the real
// aws-sdk-go-v2 client: the real bootstrap as a child process (one warm
// instance), and the same handler in process. Inputs alternate num2 5 and 0.
func BenchmarkInvoke(b *testing.B) {
	for _, bc := range []struct {
		name string
		fn   func() emulator.Function
	}{
		{"bootstrap", func() emulator.Function { return emulator.Function{Name: "calculator", Executable: bootstrap(b)} }},
		{"in-process", calculator},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, lc := start(b, emulator.Config{Functions: []emulator.Function{bc.fn()}, MaxInstances: 1})
			c := ctx(b)
			for i := 0; b.Loop(); i++ {
				out, err := lc.Invoke(c, &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(fmt.Sprintf(`{"num1":%d,"num2":%d}`, i, 5*(i%2)))})
				if err != nil || out.FunctionError != nil {
					b.Fatal(err, aws.ToString(out.FunctionError))
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
		})
	}
}
