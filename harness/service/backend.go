package service

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// DefaultStart is where every Backend's virtual clock starts unless
// WithStartTime says otherwise, so histories are identical run to run.
var DefaultStart = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Limits are the service limits the backend enforces.
type Limits struct {
	MaxPayloadBytes          int // an operation's Payload (STEP, CONTEXT results and retry state)
	MaxErrorBytes            int // an ErrorObject, all fields together
	MaxExecutionPayloadBytes int // the execution input, and its result (output or EXECUTION update)
	MaxWaitSeconds           int32
}

// DefaultLimits are the Lambda durable-execution limits: 256 KiB per
// operation payload or error, 6 MiB for the execution input and result,
// waits and retry delays from 1 s up to one year.
var DefaultLimits = Limits{
	MaxPayloadBytes:          256 << 10,
	MaxErrorBytes:            256 << 10,
	MaxExecutionPayloadBytes: 6 << 20,
	MaxWaitSeconds:           31622400,
}

// BackendOption configures NewBackend.
type BackendOption func(*backendConfig)

type backendConfig struct {
	start             time.Time
	region, account   string
	limits            Limits
	pageSize          int
	executionTimeout  int32
	maxFailedAttempts int
	invoker           ChainedInvoker
	retention         time.Duration
	maxExecutions     int
	idSeed            uint64
}

// WithStartTime sets the virtual clock's starting instant.
func WithStartTime(t time.Time) BackendOption { return func(c *backendConfig) { c.start = t } }

// WithIDSeed derives the names and ids the backend mints for executions
// from seed (default 0): two backends with the same seed mint the same
// ARNs in the same order, two with different seeds different ones. A
// server that outlives its runs (dpcheck serve) gives each start a fresh
// seed, so an ARN never repeats across restarts.
func WithIDSeed(seed uint64) BackendOption { return func(c *backendConfig) { c.idSeed = seed } }

// WithRegion sets the region and account used in minted ARNs.
func WithRegion(region, account string) BackendOption {
	return func(c *backendConfig) { c.region, c.account = region, account }
}

// WithLimits replaces DefaultLimits.
func WithLimits(l Limits) BackendOption { return func(c *backendConfig) { c.limits = l } }

// WithEnvelopePageSize sets how many operations the invocation envelope
// carries before it hands out a NextMarker (default 100, as the service's
// default page); a small value exercises the runtime's state paging.
func WithEnvelopePageSize(n int) BackendOption { return func(c *backendConfig) { c.pageSize = n } }

// WithExecutionTimeout sets the default DurableConfig.ExecutionTimeout for
// executions that do not give one (default one day of virtual time).
func WithExecutionTimeout(d time.Duration) BackendOption {
	return func(c *backendConfig) { c.executionTimeout = int32(d / time.Second) }
}

// WithMaxFailedInvocations sets how many invocations in a row may fail
// (crash, error, invalid output) before the execution is failed (default 5,
// as the official local runner).
func WithMaxFailedInvocations(n int) BackendOption {
	return func(c *backendConfig) { c.maxFailedAttempts = n }
}

// Backend is an in-memory fake of the Lambda durable-execution service. Its
// API methods have exactly the signatures of *lambda.Client, so it is a
// durable.CheckpointClient and an HTTP front end can route requests
// straight to it. It is safe for concurrent use; all timestamps come from
// its virtual clock.
type Backend struct {
	cfg backendConfig

	mu  sync.RWMutex
	all []*execution // creation order
	// The indexes below are built once all holds more than indexMin
	// executions (most backends hold one); until then lookups scan all.
	execs      map[string]*execution
	byName     map[string]*execution   // function + "\x00" + execution name
	byFunction map[string][]*execution // creation order
	functions  map[string]bool         // functions registered without an execution yet (all of them once indexed)
	seq        uint64
	held       atomic.Int64 // len(all), readable without mu

	// finished executions in the order they ended, while eviction is on
	// (WithRetention, WithMaxExecutions); doneMu is a leaf lock.
	doneMu sync.Mutex
	done   []finishedExecution

	clock clock

	openCallbacks atomic.Int64 // STARTED callbacks of running executions
}

// NewBackend returns an empty backend whose clock reads DefaultStart.
func NewBackend(opts ...BackendOption) *Backend {
	b := &Backend{cfg: backendConfig{
		start:             DefaultStart,
		region:            "us-east-1",
		account:           "123456789012",
		limits:            DefaultLimits,
		pageSize:          100,
		executionTimeout:  86400,
		maxFailedAttempts: 5,
	}}
	// the options write the backend's own config: a local one would move
	// to the heap, as its address goes to functions unknown here
	for _, o := range opts {
		o(&b.cfg)
	}
	b.cfg.pageSize = max(b.cfg.pageSize, 1)
	b.clock.now = b.cfg.start
	return b
}

// StartExecutionInput describes a new durable execution (what an Invoke of
// a durable function carries).
type StartExecutionInput struct {
	FunctionName string
	Qualifier    string // "" means $LATEST
	// Version is the function version the qualifier resolved to (an
	// alias names a version), which GetDurableExecution reports as
	// Version; "" means the qualifier itself.
	Version       string
	ExecutionName string // "" means a generated name; a given name makes the start idempotent
	Payload       string // the raw input text, stored verbatim
	// NoPayload marks an input that was not given at all (a chained invoke
	// without one): InputPayload is then absent, not "", as the official
	// SDKs read a missing input as "{}" and fail on "".
	NoPayload        bool
	ExecutionTimeout int32 // seconds; 0 means the backend default
}

// RegisterFunction declares a function so ListDurableExecutionsByFunction
// knows it before any execution starts. StartExecution declares its
// function too.
func (b *Backend) RegisterFunction(name string) {
	b.mu.Lock()
	if b.functions == nil {
		b.functions = make(map[string]bool)
	}
	b.functions[name] = true
	b.mu.Unlock()
}

// StartExecution creates an execution, records ExecutionStarted and returns
// its ARN. The same execution name with the same payload returns the
// existing ARN; with another payload it fails with
// DurableExecutionAlreadyStartedException.
func (b *Backend) StartExecution(_ context.Context, in StartExecutionInput) (string, error) {
	return b.startExecution(in, "")
}

// startExecution is StartExecution with a chosen execution id ("" for a
// fresh one): a chained invoke names its target's execution before it
// starts it.
func (b *Backend) startExecution(in StartExecutionInput, id string) (string, error) {
	// function and execution names share the operation id alphabet
	if !opIDPattern(in.FunctionName) {
		return "", invalidParam("FunctionName %q is not a function name (1-64 of [a-zA-Z0-9_-])", in.FunctionName)
	}
	if in.ExecutionName != "" && !opIDPattern(in.ExecutionName) {
		return "", invalidParam("DurableExecutionName %q must be 1-64 of [a-zA-Z0-9_-]", in.ExecutionName)
	}
	if len(in.Payload) > b.cfg.limits.MaxExecutionPayloadBytes {
		return "", invalidParam("the input payload is %d bytes; the limit is %d", len(in.Payload), b.cfg.limits.MaxExecutionPayloadBytes)
	}
	timeout := in.ExecutionTimeout
	if timeout == 0 {
		timeout = b.cfg.executionTimeout
	}
	if timeout < 1 || timeout > 31622400 {
		return "", invalidParam("ExecutionTimeout %d is outside 1-31622400 seconds", timeout)
	}
	qualifier := in.Qualifier
	if qualifier == "" {
		qualifier = "$LATEST"
	}

	b.mu.Lock()
	if in.ExecutionName != "" {
		if e := b.byNameLocked(in.FunctionName, in.ExecutionName); e != nil {
			b.mu.Unlock()
			if e.input != in.Payload || e.noInput != in.NoPayload {
				return "", alreadyStarted("durable execution %q of function %s already started with a different input", in.ExecutionName, in.FunctionName)
			}
			return e.arn, nil
		}
	}
	b.seq++
	seq := b.seq
	name := in.ExecutionName
	if name == "" {
		name = uuidFrom("name", seq^b.cfg.idSeed)
	}
	if id == "" {
		id = uuidFrom("id", seq^b.cfg.idSeed)
	}
	e := &execution{
		b:            b,
		seq:          seq,
		id:           id,
		name:         name,
		function:     in.FunctionName,
		qualifier:    qualifier,
		version:      cmp.Or(in.Version, qualifier),
		input:        in.Payload,
		noInput:      in.NoPayload,
		timeoutSecs:  timeout,
		status:       types.ExecutionStatusRunning,
		notTruncated: aws.Bool(false),
		ops:          make([]*opRecord, 0, 16),
		dirty:        make([]*opRecord, 0, dirtyCap),
		history:      make([]types.Event, 0, historyCap),
	}
	e.functionArn = b.functionArn(in.FunctionName)
	e.arn = b.executionArn(in.FunctionName, qualifier, name, id)
	b.sweepLocked(1)
	b.addLocked(e)
	e.mu.Lock() // before publishing the lock order stays b.mu -> e.mu
	b.mu.Unlock()
	defer e.mu.Unlock()

	now := b.Now()
	e.start = now
	e.startExecutionLocked(now)
	return e.arn, nil
}

func (b *Backend) functionArn(function string) string {
	return "arn:aws:lambda:" + b.cfg.region + ":" + b.cfg.account + ":function:" + function
}

// executionArn is arn:aws:lambda:REGION:ACCOUNT:function:FN:QUALIFIER/
// durable-execution/NAME/ID (protocol §6.5).
func (b *Backend) executionArn(function, qualifier, name, id string) string {
	return b.functionArn(function) + ":" + qualifier + "/durable-execution/" + name + "/" + id
}

// dirtyCap is the room for changed operations a new execution starts
// with: more than one checkpoint of the calculator changes.
const dirtyCap = 8

// historyCap is the room a new execution's history starts with: enough for
// a small execution, and 23 events fill a 6 KiB allocation size class.
const historyCap = 23

// uuidFrom derives a UUID-shaped, deterministic identifier from a kind and
// a sequence number, so repeated runs produce identical ARNs and histories.
// It is built in place (one allocation): it runs for every execution and
// invocation.
func uuidFrom(kind string, seq uint64) string {
	h := fnv64(kind)
	hi := splitmix(h ^ seq)
	lo := splitmix(hi ^ seq)
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], hi)
	binary.BigEndian.PutUint64(raw[8:], lo)
	var x [32]byte
	hex.Encode(x[:], raw[:])
	var u [36]byte
	copy(u[0:8], x[0:8])
	u[8] = '-'
	copy(u[9:13], x[8:12])
	u[13], u[14] = '-', '4'
	copy(u[15:18], x[13:16])
	u[18], u[19] = '-', '8'
	copy(u[20:23], x[17:20])
	u[23] = '-'
	copy(u[24:36], x[20:32])
	return string(u[:])
}

// fnv64 is the FNV-1a 64 hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// splitmix is the SplitMix64 finalizer: a cheap, well-mixed bijection.
func splitmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// An ARN the backend does not hold (never started, or evicted) gets the
// error the service's model gives each route (protocol.md §2), always
// with the same message: ResourceNotFoundException (404) on the execution
// API (GetDurableExecution, GetDurableExecutionHistory,
// StopDurableExecution), InvalidParameterValueException (400) on the two
// calls an invocation makes (CheckpointDurableExecution,
// GetDurableExecutionState), whose model has no ResourceNotFoundException.

// existing finds an execution by ARN, or answers the service's
// ResourceNotFoundException.
func (b *Backend) existing(arn string) (*execution, error) {
	if e := b.lookup(&arn); e != nil {
		return e, nil
	}
	return nil, notFound("%s", b.unknownExecution(arn))
}

// invoked finds the execution an invocation's call names, or answers the
// service's InvalidParameterValueException.
func (b *Backend) invoked(arn string) (*execution, error) {
	if e := b.lookup(&arn); e != nil {
		return e, nil
	}
	return nil, invalidParam("%s", b.unknownExecution(arn))
}

// lookup finds an execution by ARN.
func (b *Backend) lookup(arn *string) *execution {
	if arn == nil {
		return nil
	}
	b.mu.RLock()
	e := b.byArnLocked(*arn)
	b.mu.RUnlock()
	return e
}

// indexMin is the execution count up to which lookups scan all rather
// than keep maps: a map per index per backend costs more than a short scan.
const indexMin = 8

// addLocked stores a new execution and indexes it. b.mu is held.
func (b *Backend) addLocked(e *execution) {
	b.all = append(b.all, e)
	b.held.Add(1)
	switch {
	case b.execs != nil:
		b.indexLocked(e)
	case len(b.all) > indexMin:
		b.execs = make(map[string]*execution, 2*len(b.all))
		b.byName = make(map[string]*execution, 2*len(b.all))
		b.byFunction = make(map[string][]*execution)
		if b.functions == nil {
			b.functions = make(map[string]bool)
		}
		for _, x := range b.all {
			b.indexLocked(x)
		}
	}
}

func (b *Backend) indexLocked(e *execution) {
	b.execs[e.arn] = e
	b.byName[e.function+"\x00"+e.name] = e
	b.byFunction[e.function] = append(b.byFunction[e.function], e)
	b.functions[e.function] = true
}

// byArnLocked finds an execution by ARN. b.mu is held.
func (b *Backend) byArnLocked(arn string) *execution {
	if b.execs != nil {
		return b.execs[arn]
	}
	for _, e := range b.all {
		if e.arn == arn {
			return e
		}
	}
	return nil
}

// byNameLocked finds an execution by function and execution name. b.mu is
// held.
func (b *Backend) byNameLocked(function, name string) *execution {
	if b.byName != nil {
		return b.byName[function+"\x00"+name]
	}
	for i := len(b.all) - 1; i >= 0; i-- { // the latest, as the map keeps it
		if e := b.all[i]; e.name == name && e.function == function {
			return e
		}
	}
	return nil
}

// functionLocked reports whether the function is known (registered or
// with an execution) and lists its executions in creation order, in a
// slice of the caller's own. b.mu is held.
func (b *Backend) functionLocked(function string) (bool, []*execution) {
	if b.byFunction != nil {
		return b.functions[function], append([]*execution(nil), b.byFunction[function]...)
	}
	var list []*execution
	for _, e := range b.all {
		if e.function == function {
			list = append(list, e)
		}
	}
	return b.functions[function] || list != nil, list
}

// Executions lists the ARNs of every execution, oldest first.
func (b *Backend) Executions() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]string, len(b.all))
	for i, e := range b.all {
		out[i] = e.arn
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// SharedExecution is what GetDurableExecution and the history report of an
// execution, as stored: see SharedHistory.
type SharedExecution struct {
	Arn, Name string
	Status    types.ExecutionStatus
	Input     *string            // nil when no input was given
	Result    *string            // set once the execution SUCCEEDED
	Error     *types.ErrorObject // set once it ended otherwise
	History   []types.Event
}

// SharedExecution returns the execution's status, payloads and history as
// stored, without the copies GetDurableExecution and
// GetDurableExecutionHistory make; the caller must not modify what they
// point to. Like SharedHistory it is for a runner that owns the backend.
func (b *Backend) SharedExecution(arn string) (SharedExecution, error) {
	e, err := b.existing(arn)
	if err != nil {
		return SharedExecution{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := SharedExecution{Arn: e.arn, Name: e.name, Status: e.status, History: e.history[:len(e.history):len(e.history)]}
	if !e.noInput {
		s.Input = &e.input
	}
	switch {
	case e.status == types.ExecutionStatusSucceeded:
		s.Result = e.result
	case !e.running():
		s.Error = e.errObj
	}
	return s, nil
}

// SharedHistory returns the execution's history events as stored, without
// the deep copy GetDurableExecutionHistory makes. Events are written once
// and never changed, and the slice is capped so a later append cannot write
// into it; the caller must not modify the events. It is for a runner that
// owns the backend and folds the history right after the execution ends.
func (b *Backend) SharedHistory(arn string) ([]types.Event, error) {
	s, err := b.SharedExecution(arn)
	return s.History, err
}
