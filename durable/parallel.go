package durable

import (
	"fmt"
	"strconv"
)

// Branch is one function run by Parallel. An empty Name defaults to
// "parallel-branch-{index}".
type Branch[O any] struct {
	Name string
	Func func(Context) (O, error)
}

// Parallel runs the branches concurrently, each in a context of its own, and
// returns a BatchResult. When the result's Status is failed (a branch
// failed) the error is a *BatchError and the result is populated; any other
// error (a ValidationError, returned before anything is recorded, or an
// unwinding one: suspension, early stop of an enclosing batch, a failed
// checkpoint, non-determinism) comes with a zero result and must be passed
// up unchanged. The Parallel is recorded SUCCEEDED with the BatchResult as
// payload either way; on replay a finished Parallel is rebuilt from it
// without running any branch, and returns the same *BatchError.
func Parallel[O any](ctx Context, name string, branches []Branch[O], opts ...BatchOption) (BatchResult[O], error) {
	c, err := internal(ctx)
	if err != nil {
		return BatchResult[O]{}, err
	}
	cfg, err := newBatchConfig(c, parallelKind, name, len(branches), opts)
	if err != nil {
		return BatchResult[O]{}, err
	}
	specs := make([]branchSpec, len(branches))
	for i, b := range branches {
		if b.Func == nil {
			return BatchResult[O]{}, &ValidationError{Message: fmt.Sprintf("branch %d of parallel %q has no Func", i, name)}
		}
		f, bname := b.Func, b.Name
		switch {
		case cfg.namer != nil:
			bname = cfg.namer(i)
		case bname == "":
			bname = "parallel-branch-" + strconv.Itoa(i)
		}
		specs[i] = branchSpec{name: bname, run: func(bc *dctx) (string, error) {
			v, err := f(bc)
			if err != nil {
				return "", err
			}
			return cfg.itemAt(bname, bc.path).marshal(v)
		}}
	}
	return runBatch[O](c, ctx, name, cfg, specs)
}

// runBatch runs the batch and turns its outcome into a BatchResult[O]: the
// typed half of the engine Parallel and Map share.
func runBatch[O any](c *dctx, ctx Context, name string, cfg *batchConfig, specs []branchSpec) (BatchResult[O], error) {
	if cfg.resultSerdes != nil {
		cfg.encodeResult = func(out *batchOutcome) (string, error) {
			r, err := typedResult[O](out, cfg, specs)
			if err != nil {
				return "", err
			}
			return cfg.result.marshal(r)
		}
		cfg.decodeResult = func(payload string) (any, error) {
			var r BatchResult[O]
			err := cfg.result.unmarshal(payload, &r)
			return r, err
		}
	}
	out, err := c.batch(ctx, name, cfg, specs)
	if err != nil {
		return BatchResult[O]{}, err
	}
	if out.typed != nil {
		return withBatchError(name, out.typed.(BatchResult[O]))
	}
	r, err := typedResult[O](out, cfg, specs)
	if err != nil {
		return BatchResult[O]{}, err
	}
	return withBatchError(name, r)
}

// typedResult deserializes each succeeded item's result and rebuilds each
// failed item's error.
func typedResult[O any](out *batchOutcome, cfg *batchConfig, specs []branchSpec) (BatchResult[O], error) {
	res := BatchResult[O]{Items: make([]BatchItem[O], len(out.items)), Reason: out.reason}
	for k, it := range out.items {
		// filled in place: a local would move to the heap, as its Result's
		// address goes to the serdes
		bi := &res.Items[k]
		bi.Index, bi.Name, bi.Status = it.index, specs[it.index].name, it.status
		switch it.status {
		case BatchItemSucceeded:
			io := cfg.itemAt(bi.Name, "")
			if !isDefaultSerdes(io.sd) { // JSONSerdes ignores the id: spare the path
				io.id = childPath(cfg.path, it.index+1)
			}
			if err := io.unmarshal(it.payload, &bi.Result); err != nil {
				return BatchResult[O]{}, err
			}
		case BatchItemFailed:
			bi.Err = childErrorFrom(bi.Name, it.errObj)
		}
	}
	return res, nil
}
