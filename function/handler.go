package function

import (
	"errors"

	"github.com/dpcheck/dpcheck/durable"
)

// ParallelName is the name of the one Parallel operation the handler runs.
const ParallelName = "calculations"

// Handler is the calculator durable function: it validates the event, then
// runs the four operations as the branches of one Parallel and reports them.
func Handler(ctx durable.Context, ev Event) (Response, error) {
	if err := ev.validate(); err != nil {
		return Response{}, err
	}
	ctx.Logger().Info("calculating", "num1", ev.Num1, "num2", ev.Num2)

	branches := make([]durable.Branch[float64], len(operations))
	for i, op := range operations {
		branches[i] = durable.Branch[float64]{
			Name: op.name,
			Func: func(bctx durable.Context) (float64, error) {
				return durable.Step(bctx, op.name, func(sctx durable.StepContext) (float64, error) {
					sctx.Logger().Info(op.logMessage, "num1", ev.Num1, "num2", ev.Num2, "attempt", sctx.Attempt())
					return op.run(ev.Num1, ev.Num2)
				}, durable.WithRetry(op.retry))
			},
		}
	}
	res, err := durable.Parallel(ctx, ParallelName, branches, durable.WithCompletion(durable.AllCompleted()))
	if _, failed := errors.AsType[*durable.BatchError](err); err != nil && !failed {
		// Branch failures come as a *BatchError with res populated: the
		// response reports them and the execution succeeds, as in the seed.
		// What is left (a validation or system error, or the runtime's own
		// control flow) must reach the runtime unchanged.
		return Response{}, err
	}
	return respond(res), nil
}
