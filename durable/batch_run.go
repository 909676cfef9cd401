package durable

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

type branchSpec struct {
	name string
	run  func(*dctx) (string, error)
}

// branchRun is shared between a branch's contexts and its Parallel: the
// abandon flag is set, under the checkpoint queue lock, by an early stop.
type branchRun struct {
	abandoned atomic.Bool
	task      *task // the goroutine running the branch
	path, id  string
}

// batchOutcome is a BatchResult before its results are deserialized.
type batchOutcome struct {
	items  []itemOutcome // started items, index order
	reason CompletionReason
	typed  any // the BatchResult read back with WithBatchResultSerdes; items and reason unset
}

// batchKind is what tells a Parallel from a Map on the wire.
type batchKind struct {
	sub         string // SubType of the batch's CONTEXT
	itemSub     string // SubType of each item's CONTEXT
	summaryType string // "type" of the summary recorded for a payload over 256 KiB
	what        string // the operation in messages
	itemWhat    string // an item in messages
}

var (
	parallelKind = &batchKind{sub: subParallel, itemSub: subBranch, summaryType: "ParallelResult", what: "parallel", itemWhat: "branch"}
	mapKind      = &batchKind{sub: subMap, itemSub: subMapIteration, summaryType: "MapResult", what: "map", itemWhat: "map iteration"}
)

type itemOutcome struct {
	index   int
	status  BatchItemStatus
	payload string
	errObj  *types.ErrorObject
}

// parallelRun coordinates one Parallel's branches. Whichever goroutine
// finishes a branch records it, decides on completion and admits the next
// branches, all under mu, so the decision and the branch checkpoints are
// consistent.
type parallelRun struct {
	pctx  *dctx // the Parallel's own context; branches are its children
	cfg   *batchConfig
	specs []branchSpec
	max   int

	mu         sync.Mutex
	next       int // next index to admit (indexes counted from their records are skipped)
	recorded   int // 1 + the highest index with a branch record found on resume
	alive      int // branch goroutines running
	suspended  int // branches suspended (they keep their slot)
	succeeded  int
	failedN    int
	stopped    bool
	reason     CompletionReason
	items      []itemOutcome // by index; status 0 = never started
	runs       []*branchRun
	done       chan struct{}
	parentTask *task
	serial     serialRun // branches waiting to run one after another (launch.go)
}

// batch is Parallel and Map without generics: it runs specs as the items of
// the batch operation name, of kind cfg.kind.
func (c *dctx) batch(base context.Context, name string, cfg *batchConfig, specs []branchSpec) (*batchOutcome, error) {
	k := cfg.kind
	if err := c.enter(); err != nil {
		return nil, err
	}
	path := c.nextPath()
	cfg.path = path
	cfg.result.setID(path)
	id := hashID(path)
	rec, err := c.lookup(id, types.OperationTypeContext, k.sub, name)
	if err != nil {
		return nil, err
	}
	ref := c.ref(id, types.OperationTypeContext, k.sub, name)
	pctx := c.newChild(base, path, ref)
	replayChildren := rec != nil && rec.Status == types.OperationStatusSucceeded && rec.ContextDetails != nil && aws.ToBool(rec.ContextDetails.ReplayChildren)
	mode := modeOf(rec)
	if replayChildren {
		mode = OperationResumed
	}
	c.observe(id, name, types.OperationTypeContext, k.sub, mode)
	switch {
	case rec == nil:
		if err := c.send(ref.update(types.OperationActionStart), false); err != nil {
			return nil, err
		}
	case replayChildren:
		return pctx.replaySummary(rec, cfg, specs)
	case rec.Status == types.OperationStatusSucceeded:
		var payload string
		if rec.ContextDetails != nil {
			payload = aws.ToString(rec.ContextDetails.Result)
		}
		return decodeBatchPayload(payload, cfg, name)
	case terminal(rec.Status):
		var o *types.ErrorObject
		if rec.ContextDetails != nil {
			o = rec.ContextDetails.Error
		}
		return nil, childErrorFrom(name, o)
	}

	p := &parallelRun{pctx: pctx, cfg: cfg, specs: specs, max: len(specs),
		items: make([]itemOutcome, len(specs)), runs: make([]*branchRun, len(specs)),
		done: make(chan struct{}), parentTask: c.task}
	if cfg.maxConcurrencySet {
		p.max = cfg.maxConcurrency
	}
	if rec != nil {
		if err := p.countRecorded(); err != nil {
			if err == errSuspended {
				return nil, c.suspend()
			}
			return nil, err
		}
	}
	p.mu.Lock()
	if stop, reason := p.decideLocked(p.succeeded, p.failedN, -1, 0); stop {
		p.stopLocked(reason)
	}
	p.serial.caller = true
	p.admitLocked()
	works := p.callerWorksLocked()
	finished := p.alive == 0
	p.mu.Unlock()
	if !finished {
		c.exec.seq.block(c.task)
		if works {
			p.work()
		}
		<-p.done
		c.exec.seq.start(c.task)
	}

	if err := c.live(); err != nil {
		return nil, err
	}
	if !p.stopped {
		return nil, c.suspend() // branches suspended and none can make progress
	}
	// Branches start in index order, so every index below one admitted,
	// counted or recorded was started: the items are a prefix 0..n-1, and
	// one without an outcome was in flight when the batch stopped.
	out := &batchOutcome{reason: p.reason}
	for i := range max(p.next, p.recorded) {
		it := p.items[i]
		it.index = i
		if it.status == 0 {
			it.status = BatchItemStarted
		}
		out.items = append(out.items, it)
	}
	u := ref.update(types.OperationActionSucceed)
	payload, err := encodeBatchPayload(out, cfg)
	if err != nil {
		return nil, err
	}
	if len(payload) > maxPayloadBytes {
		payload = encodeSummary(out, k)
		u.ContextOptions = &types.ContextOptions{ReplayChildren: aws.Bool(true)}
	}
	u.Payload = aws.String(payload)
	if err := c.enter(); err != nil {
		return nil, err
	}
	if err := c.send(u, true); err != nil {
		return nil, err
	}
	return out, nil
}

// countRecorded runs when a Parallel resumes: every branch with a terminal
// record finished in an earlier invocation, before the batch could stop, so
// its outcome counts before the first completion decision, in index order,
// and it takes no slot; then that decision is the one the earlier run made
// with the same outcomes, and no live branch can stop the batch ahead of
// it. A FLAT branch has no record and runs again instead.
func (p *parallelRun) countRecorded() error {
	if p.cfg.nesting == NestingFlat {
		return nil
	}
	e := p.pctx.exec
	for i := range p.specs {
		path := childPath(p.pctx.path, i+1)
		id := hashID(path)
		rec := e.get(id)
		if rec == nil {
			continue
		}
		p.recorded = i + 1
		if !terminal(rec.Status) {
			continue
		}
		// No user code runs, unless the branch was recorded with
		// ReplayChildren: then its function replays here, on the caller's
		// goroutine.
		r := p.pctx.runContext(p.pctx.Context, id, path, p.cfg.kind.itemSub, p.specs[i].name, false, nil, nil, p.specs[i].run)
		if r.err != nil {
			return r.err
		}
		p.setOutcome(i, r)
	}
	return nil
}

// setOutcome counts branch i's outcome.
func (p *parallelRun) setOutcome(i int, r ctxRun) {
	it := &p.items[i]
	if r.errObj != nil {
		it.status, it.errObj = BatchItemFailed, r.errObj
		p.failedN++
	} else {
		it.status, it.payload = BatchItemSucceeded, r.payload
		p.succeeded++
	}
}

// admitLocked starts branches in index order while slots are free, skipping
// those counted from their records.
func (p *parallelRun) admitLocked() {
	e := p.pctx.exec
	for !p.stopped && !e.failed.Load() && p.next < len(p.specs) && p.alive+p.suspended < p.max && !p.pctx.abandoned() {
		i := p.next
		p.next++
		if p.items[i].status != 0 {
			continue
		}
		path := childPath(p.pctx.path, i+1)
		br := &branchRun{path: path, id: hashID(path)}
		p.runs[i] = br
		p.items[i].status = BatchItemStarted
		br.task = e.seq.newTask(br.id, p.specs[i].name)
		p.alive++
		p.launchLocked(i)
	}
}

// stopLocked ends the batch: branches still in flight are abandoned.
func (p *parallelRun) stopLocked(reason CompletionReason) {
	e := p.pctx.exec
	e.qmu.Lock()
	p.stopQLocked(reason)
	e.qmu.Unlock()
}

// stopQLocked is stopLocked with the checkpoint queue lock held: once the
// abandon flags are set no update of those branches can be queued.
func (p *parallelRun) stopQLocked(reason CompletionReason) {
	p.stopped, p.reason = true, reason
	for _, br := range p.runs {
		if br != nil {
			br.abandoned.Store(true)
		}
	}
}

// runBranch runs branch i on a goroutine of its own.
func (p *parallelRun) runBranch(i int) {
	growStack(i % stackPad)
	p.branch(i)
}

// branch runs branch i on the calling goroutine.
func (p *parallelRun) branch(i int) {
	br := p.runs[i]
	e, t := p.pctx.exec, br.task
	e.seq.start(t)
	defer e.seq.exit(t)
	var r ctxRun
	if err := p.pctx.live(); err != nil {
		r.err = err
	} else if br.abandoned.Load() {
		r.err = errAbandoned
	} else {
		r = p.pctx.runContext(p.pctx.Context, br.id, br.path, p.cfg.kind.itemSub, p.specs[i].name, p.cfg.nesting == NestingFlat, br, nil, p.specs[i].run)
	}
	e.seq.yield(t) // a turn boundary before the branch's terminal checkpoint
	p.finish(i, r)
}

// finish records branch i's outcome, decides on completion and admits more
// branches; the last goroutine out wakes the Parallel's caller.
func (p *parallelRun) finish(i int, r ctxRun) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.alive--
	switch {
	case r.err == errSuspended && !p.stopped:
		p.suspended++
	case r.err != nil, p.stopped:
		// abandoned, unwound, or finished after the stop decision: STARTED
	default:
		p.completeLocked(i, r)
	}
	p.admitLocked()
	if p.alive == 0 {
		p.pctx.exec.seq.wake(p.parentTask)
		close(p.done)
	}
}

// completeLocked counts branch i's outcome and decides on completion. The
// branch's terminal update is queued fire-and-forget: the next blocking
// update carries it (at the latest the Parallel's SUCCEED, or the end of
// the invocation when the batch suspends), so the SUCCEEDs and FAILs of
// branches finishing together share a checkpoint call. It is queued under
// the checkpoint queue lock together with the decision: it is refused (and
// the branch not counted) if an enclosing stop abandoned the branch or the
// execution failed, and the abandon flags of the stop it triggers are set
// before anything else can be queued, so no update of an abandoned branch
// follows it.
func (p *parallelRun) completeLocked(i int, r ctxRun) {
	s, f := p.succeeded, p.failedN
	if r.errObj != nil {
		f++
	} else {
		s++
	}
	st := BatchItemSucceeded
	if r.errObj != nil {
		st = BatchItemFailed
	}
	stop, reason := p.decideLocked(s, f, i, st)
	e := p.pctx.exec
	e.qmu.Lock()
	defer e.qmu.Unlock()
	if r.final != nil {
		if _, err := e.enqueueLocked(*r.final, r.owner); err != nil {
			return
		}
	}
	p.setOutcome(i, r)
	if stop {
		p.stopQLocked(reason)
	}
}

// decideLocked asks the completion config whether the batch stops with s
// successes and f failures; item just finished with status st (-1: none
// did). A ShouldComplete that panics fails the execution.
func (p *parallelRun) decideLocked(s, f, item int, st BatchItemStatus) (stop bool, reason CompletionReason) {
	defer func() {
		if v := recover(); v != nil {
			p.pctx.exec.fail(&PanicError{Value: v})
			stop, reason = false, 0
		}
	}()
	return p.cfg.completion.decide(s, f, len(p.specs), func() BatchProgress {
		bp := BatchProgress{TotalCount: len(p.specs), SuccessCount: s, FailureCount: f, CompletedCount: s + f,
			Items: make([]BatchItemProgress, len(p.specs))}
		for k, it := range p.items {
			status := it.status
			if k == item {
				status = st
			}
			bp.Items[k] = BatchItemProgress{Index: k, Name: p.specs[k].name, Status: status}
		}
		return bp
	})
}
