package harness

import (
	"fmt"
	"slices"
	"sync"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/service"
)

// Registry maps function names to in-process handlers, for the dpcheck
// command, the conformance runner and the emulator.
type Registry struct {
	mu sync.RWMutex
	m  map[string]durable.Invoker
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: make(map[string]durable.Invoker)} }

// Register adds a function; a name may be registered once.
func (r *Registry) Register(name string, inv durable.Invoker) error {
	if name == "" || inv == nil {
		return fmt.Errorf("harness: Register needs a name and an invoker")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		return fmt.Errorf("harness: function %q is already registered", name)
	}
	r.m[name] = inv
	return nil
}

// MustRegister is Register for package initialisation: it panics on error.
func (r *Registry) MustRegister(name string, inv durable.Invoker) {
	if err := r.Register(name, inv); err != nil {
		panic(err)
	}
}

// Lookup finds a function, or returns *UnknownFunctionError listing the
// known names.
func (r *Registry) Lookup(name string) (durable.Invoker, error) {
	r.mu.RLock()
	inv := r.m[name]
	r.mu.RUnlock()
	if inv == nil {
		return nil, &service.UnknownFunctionError{Name: name, Known: r.Names()}
	}
	return inv, nil
}

// Names lists the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
