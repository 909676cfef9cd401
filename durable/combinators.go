package durable

// The combinators record what the official SDKs record: each is a CONTEXT
// operation (SubType RunInChildContext, named as given) made at the next
// position of ctx, after the futures it waits for, with no children of its
// own (Select's branches excepted). Its result is the combined value; its
// failure records the deciding future's error (type and message), and the
// caller gets a *CombinatorError (PromiseCombinatorError on the wire). A
// finished combinator replays from its record without waiting for its
// futures, so Race, Any and Select return the recorded winner whatever
// finishes first on the replay.

// All waits for every future and returns their values in order. It fails
// with the first failed future's error in argument order: a failure
// decides even when an earlier future cannot finish in this invocation.
// Empty input returns an empty slice.
func All[O any](ctx Context, name string, fs []*Future[O], opts ...ChildOption) ([]O, error) {
	cfg := childOptions(opts)
	payload, err := combine(ctx, name, cfg, func(c *dctx) (string, error) {
		if err := awaitInOrder(c.exec, cores(fs), true); err != nil {
			return "", err
		}
		out := make([]O, len(fs))
		for i, f := range fs {
			out[i] = f.value
		}
		return cfg.io.marshal(out)
	})
	if err != nil {
		return nil, err
	}
	var out []O
	return out, cfg.io.unmarshal(payload, &out)
}

// AllSettled waits for every future and returns each one's outcome in
// order; it fails only when one of them cannot finish in this invocation
// (then it suspends).
func AllSettled[O any](ctx Context, name string, fs []*Future[O], opts ...ChildOption) ([]Settled[O], error) {
	cfg := childOptions(opts)
	payload, err := combine(ctx, name, cfg, func(c *dctx) (string, error) {
		suspended := false
		for _, f := range fs {
			f.core.await()
			switch {
			case suspends(f.core.err):
				suspended = true
			case f.core.control():
				return "", f.core.err
			}
		}
		if suspended {
			return "", errSuspended
		}
		out := make([]Settled[O], len(fs))
		for i, f := range fs {
			if f.core.err != nil {
				out[i].Err = f.core.err
			} else {
				out[i].Value = f.value
			}
		}
		return cfg.io.marshal(out)
	})
	if err != nil {
		return nil, err
	}
	var out []Settled[O]
	return out, cfg.io.unmarshal(payload, &out)
}

// Join waits for every future, of any result types, and returns nil or the
// first failed future's error in argument order as a *CombinatorError. The
// values are then read with each future's Result. It records {} on success.
func Join(ctx Context, name string, fs []Awaitable, opts ...ChildOption) error {
	cores := make([]*future, len(fs))
	for i, f := range fs {
		cores[i] = f.awaitable()
	}
	cfg := childOptions(opts)
	_, err := combine(ctx, name, cfg, func(c *dctx) (string, error) {
		if err := awaitInOrder(c.exec, cores, false); err != nil {
			return "", err
		}
		return cfg.io.marshal(Void{})
	})
	return err
}

// Any returns the value of the first future to succeed, in the order they
// settle. When every future failed it fails with AggregateError "All
// promises were rejected", as Promise.any; when none succeeded and some
// cannot finish in this invocation it suspends. Empty input fails.
func Any[O any](ctx Context, name string, fs []*Future[O], opts ...ChildOption) (O, error) {
	var zero O
	cfg := childOptions(opts)
	payload, err := combine(ctx, name, cfg, func(c *dctx) (string, error) {
		i, err := awaitFirst(c.exec, cores(fs), func(f *future) bool { return f.err == nil })
		if err != nil {
			return "", err
		}
		if i < 0 {
			return "", &recordedError{typ: "AggregateError", msg: "All promises were rejected"}
		}
		return cfg.io.marshal(fs[i].value)
	})
	if err != nil {
		return zero, err
	}
	var out O
	return out, cfg.io.unmarshal(payload, &out)
}

// Race returns the outcome of the first future to settle, success or
// failure; futures that cannot finish in this invocation do not take part
// unless none can, and then Race suspends. Empty input is a
// *ValidationError, recorded nowhere (Promise.race([]) never settles).
func Race[O any](ctx Context, name string, fs []*Future[O], opts ...ChildOption) (O, error) {
	var zero O
	if len(fs) == 0 {
		return zero, &ValidationError{Message: "Race " + quote(name) + ": no futures"}
	}
	cfg := childOptions(opts)
	payload, err := combine(ctx, name, cfg, func(c *dctx) (string, error) {
		i, err := awaitFirst(c.exec, cores(fs), func(*future) bool { return true })
		if err != nil {
			return "", err
		}
		if err := fs[i].core.err; err != nil {
			return "", recordOf(err)
		}
		return cfg.io.marshal(fs[i].value)
	})
	if err != nil {
		return zero, err
	}
	var out O
	return out, cfg.io.unmarshal(payload, &out)
}

// selectRecord is what Select records: the winner's name and outcome.
type selectRecord[O any] struct {
	Winner  string     `json:"winner"`
	Outcome Settled[O] `json:"outcome"`
}

// Select runs each branch with Go inside its own CONTEXT and returns the
// name and outcome of the first to settle, as Race does: the record holds
// both, so a replay returns the same winner. A failed winner is returned
// as a *CombinatorError around the branch's error, with its name. The
// losing branches run on until they finish or suspend, before Select
// records its result. Empty or
// duplicate branch names are a *ValidationError, recorded nowhere.
func Select[O any](ctx Context, name string, branches []Branch[O], opts ...ChildOption) (winner string, value O, err error) {
	var zero O
	if len(branches) == 0 {
		return "", zero, &ValidationError{Message: "Select " + quote(name) + ": no branches"}
	}
	seen := make(map[string]bool, len(branches))
	for _, b := range branches {
		if seen[b.Name] {
			return "", zero, &ValidationError{Message: "Select " + quote(name) + ": duplicate branch name " + quote(b.Name)}
		}
		seen[b.Name] = true
	}
	cfg := childOptions(opts)
	payload, err := combine(ctx, name, cfg, func(c *dctx) (string, error) {
		fs := make([]*Future[O], len(branches))
		for i, b := range branches {
			fs[i] = Go(c, b.Name, b.Func)
		}
		i, err := awaitFirst(c.exec, cores(fs), func(*future) bool { return true })
		if err != nil {
			return "", err
		}
		rec := selectRecord[O]{Winner: branches[i].Name, Outcome: Settled[O]{Value: fs[i].value, Err: fs[i].core.err}}
		return cfg.io.marshal(rec)
	})
	if err != nil {
		return "", zero, err
	}
	var rec selectRecord[O]
	if err := cfg.io.unmarshal(payload, &rec); err != nil {
		return "", zero, err
	}
	if e := rec.Outcome.Err; e != nil {
		r := recordOf(e)
		return rec.Winner, zero, &CombinatorError{Name: name, ErrorType: r.typ, Message: r.msg, Errors: []error{e}}
	}
	return rec.Winner, rec.Outcome.Value, nil
}

func childOptions(opts []ChildOption) *childConfig {
	cfg := &childConfig{}
	for _, o := range opts {
		o(cfg)
	}
	return cfg
}

func cores[O any](fs []*Future[O]) []*future {
	out := make([]*future, len(fs))
	for i, f := range fs {
		out[i] = f.core
	}
	return out
}

// combine runs body as the combinator's CONTEXT operation name, at the
// next position of ctx, and returns its payload; a recorded failure comes
// back as a *CombinatorError.
func combine(ctx Context, name string, cfg *childConfig, body func(*dctx) (string, error)) (string, error) {
	c, err := internal(ctx)
	if err != nil {
		return "", err
	}
	if err := c.enter(); err != nil {
		return "", err
	}
	path := c.nextPath()
	cfg.io = c.serdesFor(cfg.serdes, "combinator", name).at(path)
	r := c.runContext(ctx, hashID(path), path, subChild, name, false, nil, cfg.summary, body)
	payload, errObj, err := c.settleContext(r)
	if err != nil {
		return "", err
	}
	if errObj != nil {
		return "", combinatorErrorFrom(name, errObj)
	}
	return payload, nil
}

// awaitInOrder waits for fs in argument order. A control error (a
// suspension excepted) unwinds at once; a failure is returned as recorded,
// at once when failFast, else after every future settled. A future that
// cannot finish in this invocation makes the result a suspension unless a
// failure decided.
func awaitInOrder(e *execution, fs []*future, failFast bool) error {
	var first error
	suspended := false
	for _, f := range fs {
		f.await()
		switch {
		case f.err == nil:
		case suspends(f.err):
			suspended = true
		case f.control():
			return f.err
		case failFast:
			return recordOf(f.err)
		case first == nil:
			first = recordOf(f.err)
		}
	}
	if first != nil {
		return first
	}
	if suspended {
		return errSuspended
	}
	return nil
}

// awaitFirst waits until a settled future satisfies wins and returns the
// first such in settlement order. With none, once every future settled, it
// returns -1, or the suspension when some could not finish in this
// invocation; a control error other than a suspension unwinds at once.
func awaitFirst(e *execution, fs []*future, wins func(*future) bool) (int, error) {
	best, bestOrder := -1, uint64(0)
	var unwind error
	suspended := false
	scan := func() bool {
		best, unwind, suspended = -1, nil, false
		all := true
		for i, f := range fs {
			order, ok := f.settled()
			switch {
			case !ok:
				all = false
			case suspends(f.err):
				suspended = true
			case f.control():
				unwind = f.err
				return true
			case wins(f) && (best < 0 || order < bestOrder):
				best, bestOrder = i, order
			}
		}
		return best >= 0 || all
	}
	awaitFutures(e, fs, scan)
	switch {
	case unwind != nil:
		return -1, unwind
	case best >= 0:
		return best, nil
	case suspended:
		return -1, errSuspended
	}
	return -1, nil
}
