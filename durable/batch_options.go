package durable

import "fmt"

// NestingMode says whether each item of a Parallel or Map is a CONTEXT
// operation of its own.
type NestingMode int

const (
	// NestingNormal (the default) records each item as a CONTEXT (SubType
	// ParallelBranch or MapIteration) under the batch's own.
	NestingNormal NestingMode = iota
	// NestingFlat records no item operations: each item's operations are
	// parented to the batch's context directly.
	NestingFlat
)

// BatchOption configures one Parallel or Map.
type BatchOption interface {
	applyBatch(*batchConfig)
}

type batchOptionFunc func(*batchConfig)

func (f batchOptionFunc) applyBatch(c *batchConfig) { f(c) }

type batchConfig struct {
	maxConcurrency    int
	maxConcurrencySet bool
	completion        CompletionConfig
	nesting           NestingMode
	itemSerdes        Serdes                 // nil: the handler's
	resultSerdes      Serdes                 // nil: the plain JSON payload
	item              opSerdes               // itemSerdes bound to the batch; no item id
	result            opSerdes               // resultSerdes bound to the batch
	path              string                 // the batch's positional path, once begun
	namer             func(index int) string // set by WithItemNamer
	kind              *batchKind
	// encodeResult and decodeResult store the whole BatchResult with
	// resultSerdes; they are set by the generic Parallel or Map, which
	// know the result type.
	encodeResult func(*batchOutcome) (string, error)
	decodeResult func(string) (any, error)
}

// WithMaxConcurrency bounds the items in flight (default: all). A suspended
// item keeps its slot. n below 1 is a ValidationError.
func WithMaxConcurrency(n int) BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.maxConcurrency, c.maxConcurrencySet = n, true })
}

// WithCompletion sets when the batch stops (default: fail-fast).
func WithCompletion(cc CompletionConfig) BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.completion = cc })
}

// WithNesting sets NestingNormal (default) or NestingFlat.
func WithNesting(n NestingMode) BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.nesting = n })
}

// WithBatchSerdes sets how each item's result is stored (default JSON).
func WithBatchSerdes(s Serdes) BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.itemSerdes = s })
}

// WithBatchResultSerdes sets how the whole BatchResult is stored in the
// batch's own checkpoint (default: the plain JSON payload
// {"all":[…],"completionReason":"…"}). Marshal receives the
// BatchResult[O]; Unmarshal a *BatchResult[O].
func WithBatchResultSerdes(s Serdes) BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.resultSerdes = s })
}

// WithItemNamer names each item from its index (default "map-item-{index}"
// for Map, the Branch's Name for Parallel); close over the items to name
// them by value. It must be deterministic.
func WithItemNamer(namer func(index int) string) BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.namer = namer })
}

// newBatchConfig applies opts for the batch name, of total items of kind k,
// made in dc.
func newBatchConfig(dc *dctx, k *batchKind, name string, total int, opts []BatchOption) (*batchConfig, error) {
	c := &batchConfig{kind: k}
	for _, o := range opts {
		if o == nil {
			return nil, &ValidationError{Message: fmt.Sprintf("a nil option given to %s", k.what)}
		}
		o.applyBatch(c)
	}
	if c.maxConcurrencySet && c.maxConcurrency < 1 {
		return nil, &ValidationError{Message: fmt.Sprintf("max concurrency must be at least 1, got: %d", c.maxConcurrency)}
	}
	c.item = dc.serdesFor(c.itemSerdes, k.itemWhat, "")
	c.result = dc.serdesFor(c.resultSerdes, k.what, name)
	return c, c.completion.validate(total)
}

// itemAt is the item serdes for the item name at the positional path.
func (c *batchConfig) itemAt(name, path string) opSerdes {
	io := c.item.at(path)
	io.name = name
	return io
}
