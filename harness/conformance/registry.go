package conformance

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
)

// HandlerFunc builds the handler for one run of a requirement. t gives it the
// runner features it registered for; a fresh Tools is passed for every run, so
// state a handler keeps in its closure is per execution.
type HandlerFunc func(t *Tools) durable.Invoker

// Plain adapts an invoker that needs no runner feature.
func Plain(inv durable.Invoker) HandlerFunc {
	return func(*Tools) durable.Invoker { return inv }
}

// Entry is a registered handler and the runner features it asked for.
type Entry struct {
	Handler HandlerFunc
	// Crash: the handler calls Tools.Crash to end an invocation the way a
	// process exit does.
	Crash bool
	// Callbacks: the execution opens callbacks that the target must answer
	// (with the requirement's CallbackActions, or by leaving them to time out).
	Callbacks bool
}

// Option asks for a runner feature when registering.
type Option func(*Entry)

// NeedsCrash enables Tools.Crash for the handler.
func NeedsCrash() Option { return func(e *Entry) { e.Crash = true } }

// NeedsCallbacks marks a handler whose execution waits on callbacks; targets
// without FeatureCallbacks skip it with the reason.
func NeedsCallbacks() Option { return func(e *Entry) { e.Callbacks = true } }

// Registry maps requirement keys ("suite/id") to handlers. It is filled once,
// before any run, and read-only afterwards.
type Registry struct {
	entries   map[string]Entry
	functions harness.Functions
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{entries: map[string]Entry{}, functions: harness.Functions{}}
}

// RegisterFunction adds a function that the handlers' chained invokes reach
// by name (the invoke suite's targets): in process, and served under that
// name by `dpcheck serve`. Like Register it panics on a malformed name, a
// function that is not exactly one of Durable and Plain, or a duplicate.
func (r *Registry) RegisterFunction(name string, f harness.Function) {
	if !functionNameRE.MatchString(name) {
		panic(fmt.Sprintf("conformance: register function %q: a name is 1-64 of [a-zA-Z0-9_-]", name))
	}
	if (f.Durable == nil) == (f.Plain == nil) {
		panic(fmt.Sprintf("conformance: register function %q: set exactly one of Durable and Plain", name))
	}
	if _, dup := r.functions[name]; dup {
		panic(fmt.Sprintf("conformance: register function %q: already registered", name))
	}
	r.functions[name] = f
}

// Functions returns the registered chained-invoke targets; the map is the
// registry's own and must not be changed.
func (r *Registry) Functions() harness.Functions { return r.functions }

var functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// Register adds the handler for requirement key "suite/id". Registering is
// program assembly: a malformed key, a nil handler or a key registered twice is
// a bug and panics.
func (r *Registry) Register(key string, h HandlerFunc, opts ...Option) {
	suite, id, ok := strings.Cut(key, "/")
	if !ok || suite == "" || id == "" || strings.Contains(id, "/") {
		panic(fmt.Sprintf("conformance: register %q: key must be suite/id, e.g. step/1-1", key))
	}
	if h == nil {
		panic(fmt.Sprintf("conformance: register %q: nil handler", key))
	}
	if _, dup := r.entries[key]; dup {
		panic(fmt.Sprintf("conformance: register %q: already registered", key))
	}
	e := Entry{Handler: h}
	for _, o := range opts {
		o(&e)
	}
	r.entries[key] = e
}

// Lookup returns the entry registered for key.
func (r *Registry) Lookup(key string) (Entry, bool) {
	e, ok := r.entries[key]
	return e, ok
}

// Keys lists the registered keys, sorted.
func (r *Registry) Keys() []string {
	keys := make([]string, 0, len(r.entries))
	for k := range r.entries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		sa, ia, _ := strings.Cut(a, "/")
		sb, ib, _ := strings.Cut(b, "/")
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		return naturalCompare(ia, ib)
	})
	return keys
}
