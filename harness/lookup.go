package harness

import (
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Op returns the first operation named name, or nil.
func (r *Result) Op(name string) *Operation { return r.OpN(name, 0) }

// OpN returns the n-th (0-based) operation named name, in history order,
// or nil.
func (r *Result) OpN(name string, n int) *Operation {
	for _, op := range r.Operations {
		if op.Name == name {
			if n == 0 {
				return op
			}
			n--
		}
	}
	return nil
}

// OpsNamed returns every operation named name, in history order.
func (r *Result) OpsNamed(name string) []*Operation {
	return r.filter(func(op *Operation) bool { return op.Name == name })
}

// OpAt returns the operation at index i of Operations, or nil.
func (r *Result) OpAt(i int) *Operation {
	if i < 0 || i >= len(r.Operations) {
		return nil
	}
	return r.Operations[i]
}

// OpByID returns the operation with the given wire id, or nil.
func (r *Result) OpByID(id string) *Operation { return r.opByID(id) }

// OpsOfType returns the operations of type t (and, when subTypes are
// given, one of those subtypes).
func (r *Result) OpsOfType(t types.OperationType, subTypes ...string) []*Operation {
	return r.filter(func(op *Operation) bool {
		if op.Type != t {
			return false
		}
		if len(subTypes) == 0 {
			return true
		}
		for _, s := range subTypes {
			if op.SubType == s {
				return true
			}
		}
		return false
	})
}

// OpsWithStatus returns the operations whose final status is s.
func (r *Result) OpsWithStatus(s types.OperationStatus) []*Operation {
	return r.filter(func(op *Operation) bool { return op.Status == s })
}

// TopLevel returns the operations with no parent.
func (r *Result) TopLevel() []*Operation {
	return r.filter(func(op *Operation) bool { return op.Parent == nil })
}

func (r *Result) filter(keep func(*Operation) bool) []*Operation {
	var out []*Operation
	for _, op := range r.Operations {
		if keep(op) {
			out = append(out, op)
		}
	}
	return out
}

// Child returns the first direct child named name, or nil.
func (o *Operation) Child(name string) *Operation {
	for _, c := range o.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Descendants returns every operation below o, depth first.
func (o *Operation) Descendants() []*Operation {
	var out []*Operation
	for _, c := range o.Children {
		out = append(out, c)
		out = append(out, c.Descendants()...)
	}
	return out
}

// Path is the names of o's ancestors, outermost first, joined by "/"
// ("" for a top-level operation).
func (o *Operation) Path() string {
	if o.Parent == nil {
		return ""
	}
	if p := o.Parent.Path(); p != "" {
		return p + "/" + o.Parent.Name
	}
	return o.Parent.Name
}

// EventsOfType returns the history events of the given types, in order.
func (r *Result) EventsOfType(ts ...types.EventType) []types.Event {
	var out []types.Event
	for _, ev := range r.History {
		for _, t := range ts {
			if ev.EventType == t {
				out = append(out, ev)
				break
			}
		}
	}
	return out
}

// EventTypes lists the history's event types in order.
func (r *Result) EventTypes() []types.EventType {
	out := make([]types.EventType, len(r.History))
	for i, ev := range r.History {
		out[i] = ev.EventType
	}
	return out
}

// CountEvents counts the events of type t that concern operation op
// (nil: of any operation).
func (r *Result) CountEvents(t types.EventType, op *Operation) int {
	n := 0
	for _, ev := range r.History {
		if ev.EventType == t && (op == nil || (ev.Id != nil && *ev.Id == op.Id)) {
			n++
		}
	}
	return n
}
