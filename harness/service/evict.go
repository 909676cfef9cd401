package service

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultRetention is how long the service keeps a finished execution
// when its function does not say (DurableConfig.RetentionPeriodInDays,
// default 14 days).
const DefaultRetention = 14 * 24 * time.Hour

// WithRetention makes the backend remove a finished execution once d of
// virtual time has passed since it ended, as the service drops histories
// after the retention period. 0 (the default) keeps them all.
func WithRetention(d time.Duration) BackendOption { return func(c *backendConfig) { c.retention = d } }

// WithMaxExecutions makes the backend hold at most n executions: past it,
// the finished ones go, the earliest finished first (a running execution
// is never removed). 0 (the default) sets no bound.
func WithMaxExecutions(n int) BackendOption { return func(c *backendConfig) { c.maxExecutions = n } }

// retentionDays is DurableConfig.RetentionPeriodInDays as the backend
// applies it: the retention rounded up to whole days, 14 when unset.
func (b *Backend) retentionDays() int32 {
	if b.cfg.retention <= 0 {
		return int32(DefaultRetention / (24 * time.Hour))
	}
	return int32((b.cfg.retention + 24*time.Hour - 1) / (24 * time.Hour))
}

// evicts reports whether finished executions are ever removed.
func (b *Backend) evicts() bool { return b.cfg.retention > 0 || b.cfg.maxExecutions > 0 }

// finishedExecution is an entry of the queue eviction takes executions
// from, in the order they finished.
type finishedExecution struct {
	e   *execution
	end time.Time
}

// noteFinished queues an execution that has just ended for eviction. It
// is called under the execution's lock; the queue's lock is a leaf.
func (b *Backend) noteFinished(e *execution, at time.Time) {
	if !b.evicts() {
		return
	}
	b.doneMu.Lock()
	b.done = append(b.done, finishedExecution{e, at})
	b.doneMu.Unlock()
}

// sweep removes what retention and the execution bound no longer allow.
// It runs after the clock moved and before an execution is added, so an
// evicted ARN is gone from the instant its retention ends.
func (b *Backend) sweep() {
	if !b.evicts() || !b.due(b.Now(), 0) {
		return
	}
	b.mu.Lock()
	b.sweepLocked(0)
	b.mu.Unlock()
}

// due reports whether the oldest finished execution must go, with room
// more executions about to be added.
func (b *Backend) due(now time.Time, room int) bool {
	b.doneMu.Lock()
	defer b.doneMu.Unlock()
	if len(b.done) == 0 {
		return false
	}
	expired := b.cfg.retention > 0 && !b.done[0].end.Add(b.cfg.retention).After(now)
	return expired || b.cfg.maxExecutions > 0 && b.count()+room > b.cfg.maxExecutions
}

// count is the number of executions held.
func (b *Backend) count() int { return int(b.held.Load()) }

// sweepLocked evicts while due, leaving room for more executions; b.mu is
// held.
func (b *Backend) sweepLocked(room int) {
	now := b.Now()
	for b.due(now, room) {
		b.doneMu.Lock()
		first := b.done[0]
		b.done[0] = finishedExecution{}
		b.done = b.done[1:]
		if len(b.done) == 0 {
			b.done = nil // let the drained array go
		}
		b.doneMu.Unlock()
		b.removeLocked(first.e)
	}
}

// removeLocked drops an execution and its index entries; b.mu is held.
func (b *Backend) removeLocked(e *execution) {
	bySeq := func(x *execution, seq uint64) int { return int(x.seq) - int(seq) }
	if i, ok := slices.BinarySearchFunc(b.all, e.seq, bySeq); ok {
		b.all = slices.Delete(b.all, i, i+1)
	}
	b.held.Add(-1)
	if b.execs == nil {
		return
	}
	delete(b.execs, e.arn)
	if key := e.function + "\x00" + e.name; b.byName[key] == e {
		delete(b.byName, key)
	}
	list := b.byFunction[e.function]
	if i, ok := slices.BinarySearchFunc(list, e.seq, bySeq); ok {
		b.byFunction[e.function] = slices.Delete(list, i, i+1)
	}
}

// unknownExecution is the message for an ARN the backend does not hold:
// for one it minted and has since evicted, why it is gone.
func (b *Backend) unknownExecution(arn string) string {
	if b.evicts() && b.minted(arn) {
		return fmt.Sprintf("durable execution %s no longer exists: finished executions are removed after %s (the retention period, in service time) or beyond the %s held",
			arn, retentionText(b.cfg.retention), boundText(b.cfg.maxExecutions))
	}
	return "durable execution " + arn + " does not exist"
}

func retentionText(d time.Duration) string {
	if d <= 0 {
		return "no time"
	}
	return d.String()
}

func boundText(n int) string {
	if n <= 0 {
		return "unbounded number"
	}
	return fmt.Sprintf("%d most recent", n)
}

// minted reports whether this backend issued arn: its function prefix is
// this backend's region and account, and its execution id is uuidFrom's
// for a sequence number already used, mixed with the backend's id seed.
// The id's version and variant nibbles hide four bits of the first half;
// the sixteen candidates are each checked in full.
func (b *Backend) minted(arn string) bool {
	prefix := "arn:aws:lambda:" + b.cfg.region + ":" + b.cfg.account + ":function:"
	if !strings.HasPrefix(arn, prefix) {
		return false
	}
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	if len(id) != 36 {
		return false
	}
	var hi uint64
	for _, c := range id[0:8] + id[9:13] + "0" + id[15:18] {
		v := strings.IndexRune("0123456789abcdef", c)
		if v < 0 {
			return false
		}
		hi = hi<<4 | uint64(v)
	}
	b.mu.RLock()
	last := b.seq
	b.mu.RUnlock()
	h := fnv64("id")
	for nibble := range uint64(16) {
		salted := unsplitmix(hi|nibble<<12) ^ h
		seq := salted ^ b.cfg.idSeed
		if seq >= 1 && seq <= last && uuidFrom("id", salted) == id {
			return true
		}
	}
	return false
}

// unsplitmix inverts splitmix.
func unsplitmix(z uint64) uint64 {
	z = unxorshift(z, 31)
	z *= inverse(0x94d049bb133111eb)
	z = unxorshift(z, 27)
	z *= inverse(0xbf58476d1ce4e5b9)
	z = unxorshift(z, 30)
	return z - 0x9e3779b97f4a7c15
}

// unxorshift inverts z ^ z>>s.
func unxorshift(y uint64, s uint) uint64 {
	x := y
	for range 64 / s {
		x = y ^ x>>s
	}
	return x
}

// inverse is the multiplicative inverse of an odd number modulo 2^64
// (Newton's iteration doubles the correct low bits each step).
func inverse(c uint64) uint64 {
	x := c
	for range 5 {
		x *= 2 - c*x
	}
	return x
}
