package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dpcheck/dpcheck/durable"
)

// upperJSON is step/1-6's serdes: JSON in which every string value is
// upper-cased on serialization; deserialization is plain JSON.
type upperJSON struct{}

func (upperJSON) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil, err
	}
	b, err = json.Marshal(upperStrings(generic))
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (upperJSON) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	return json.Unmarshal(raw, ptr)
}

func upperStrings(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ToUpper(x)
	case []any:
		for i := range x {
			x[i] = upperStrings(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = upperStrings(x[k])
		}
	}
	return v
}

// upperText is child/3-14's serdes for a string result: the stored payload
// is the upper-cased text itself, not JSON (the requirement expects the raw
// payload HELLO CHILD), and it reads back as that text.
type upperText struct{}

func (upperText) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("suites: upperText serializes strings, got %T", v)
	}
	return []byte(strings.ToUpper(s)), nil
}

func (upperText) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	p, ok := ptr.(*string)
	if !ok {
		return fmt.Errorf("suites: upperText deserializes into *string, got %T", ptr)
	}
	*p = data
	return nil
}

// wrapped is parallel/8-15's item serdes: v is stored as {"wrapped": v} and
// read back as v.
type wrapped struct{}

type wrappedEnvelope struct {
	Wrapped json.RawMessage `json:"wrapped"`
}

func (wrapped) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	inner, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(wrappedEnvelope{Wrapped: inner})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (wrapped) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	var env wrappedEnvelope
	if err := json.Unmarshal([]byte(data), &env); err != nil {
		return err
	}
	if env.Wrapped == nil {
		return fmt.Errorf("suites: payload %q is not a wrapped envelope", data)
	}
	return json.Unmarshal(env.Wrapped, ptr)
}

// prefixed is map/9-14's item serdes for a string result: the stored
// payload is "wrapped:<s>", read back by removing the prefix.
type prefixed struct{}

const wrappedPrefix = "wrapped:"

func (prefixed) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("suites: prefixed serializes strings, got %T", v)
	}
	return []byte(wrappedPrefix + s), nil
}

func (prefixed) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	p, ok := ptr.(*string)
	if !ok {
		return fmt.Errorf("suites: prefixed deserializes into *string, got %T", ptr)
	}
	s, found := strings.CutPrefix(data, wrappedPrefix)
	if !found {
		return fmt.Errorf("suites: payload %q does not start with %q", data, wrappedPrefix)
	}
	*p = s
	return nil
}

// opSerde is map/9-19's and 9-20's whole-result serdes: a BatchResult of
// strings, every item succeeded, is stored as "OPSERDE:" and the
// comma-joined results, and read back as the succeeded items of that list,
// with ALL_COMPLETED.
type opSerde struct{}

const opSerdePrefix = "OPSERDE:"

func (opSerde) Marshal(_ context.Context, _ durable.SerdesContext, v any) ([]byte, error) {
	br, ok := v.(durable.BatchResult[string])
	if !ok {
		return nil, fmt.Errorf("suites: opSerde serializes a BatchResult[string], got %T", v)
	}
	if br.HasFailure() || br.StartedCount() > 0 {
		return nil, fmt.Errorf("suites: opSerde holds only succeeded items, got %d failed and %d started", br.FailureCount(), br.StartedCount())
	}
	return []byte(opSerdePrefix + strings.Join(br.Results(), ",")), nil
}

func (opSerde) Unmarshal(_ context.Context, _ durable.SerdesContext, raw []byte, ptr any) error {
	data := string(raw)
	p, ok := ptr.(*durable.BatchResult[string])
	if !ok {
		return fmt.Errorf("suites: opSerde deserializes into *BatchResult[string], got %T", ptr)
	}
	s, found := strings.CutPrefix(data, opSerdePrefix)
	if !found {
		return fmt.Errorf("suites: payload %q does not start with %q", data, opSerdePrefix)
	}
	*p = durable.BatchResult[string]{Reason: durable.CompletionAllCompleted}
	if s == "" {
		return nil
	}
	for i, r := range strings.Split(s, ",") {
		p.Items = append(p.Items, durable.BatchItem[string]{Index: i, Status: durable.BatchItemSucceeded, Result: r})
	}
	return nil
}
