package durable

import "strconv"

// Map runs fn on every item, each call in a context of its own (a
// MapIteration CONTEXT under the Map's), with the same completion,
// concurrency, early stop, summaries and replay as Parallel: items start in
// index order, at most WithMaxConcurrency at a time, and the batch stops
// when the completion config says so. Iterations are named
// "map-item-{index}" unless WithItemNamer says otherwise. Like Parallel, Map
// returns a *BatchError with the populated result when an item failed, and
// a zero result with a ValidationError or an unwinding error.
func Map[I, O any](ctx Context, name string, items []I, fn func(ctx Context, item I, index int) (O, error), opts ...BatchOption) (BatchResult[O], error) {
	c, err := internal(ctx)
	if err != nil {
		return BatchResult[O]{}, err
	}
	if fn == nil {
		return BatchResult[O]{}, &ValidationError{Message: "map " + quote(name) + " has no function"}
	}
	cfg, err := newBatchConfig(c, mapKind, name, len(items), opts)
	if err != nil {
		return BatchResult[O]{}, err
	}
	specs := make([]branchSpec, len(items))
	for i, item := range items {
		iname := "map-item-" + strconv.Itoa(i)
		if cfg.namer != nil {
			iname = cfg.namer(i)
		}
		specs[i] = branchSpec{name: iname, run: func(ic *dctx) (string, error) {
			v, err := fn(ic, item, i)
			if err != nil {
				return "", err
			}
			return cfg.itemAt(iname, ic.path).marshal(v)
		}}
	}
	return runBatch[O](c, ctx, name, cfg, specs)
}
