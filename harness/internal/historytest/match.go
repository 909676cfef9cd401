package historytest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.yaml.in/yaml/v3"

	"github.com/dpcheck/dpcheck/durable/wire"
)

// TB is the part of testing.TB the checks use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// EventTypes is the history's event types as strings, for exact sequence
// checks.
func EventTypes(events []types.Event) string {
	names := make([]string, len(events))
	for i, ev := range events {
		names[i] = string(ev.EventType)
	}
	return strings.Join(names, " ")
}

// OpIDs is the operations' ids joined by spaces, for exact sequence
// checks.
func OpIDs(ops []types.Operation) string {
	ids := make([]string, len(ops))
	for i, op := range ops {
		ids[i] = aws.ToString(op.Id)
	}
	return strings.Join(ids, " ")
}

// Match checks events against expectations written in the official
// conformance format (a YAML list of partial events keyed by EventId), with
// the official matcher's rules: every listed key must exist, {} and '*'
// match anything, ${NAME} binds on first sight and must agree afterwards,
// ${/re/} is a regular expression, other scalars compare as text.
func Match(t TB, events []types.Event, expected string) {
	t.Helper()
	var exp []map[string]any
	if err := yaml.Unmarshal([]byte(expected), &exp); err != nil {
		t.Fatalf("bad expectation YAML: %v", err)
	}
	actual := map[string]any{}
	for i := range events {
		v, err := wire.ToValue(events[i], wire.Seconds)
		if err != nil {
			t.Fatalf("event %d does not encode: %v", i+1, err)
		}
		actual[fmt.Sprint(aws.ToInt32(events[i].EventId))] = v
	}
	binds := map[string]string{}
	for _, e := range exp {
		id := fmt.Sprint(e["EventId"])
		act, ok := actual[id]
		if !ok {
			t.Errorf("EventId %s: missing (history has %d events)", id, len(events))
			continue
		}
		if err := matchValue("EventId "+id, e, act, binds); err != nil {
			t.Errorf("%v\nactual: %v", err, act)
		}
	}
}

var (
	placeholder = regexp.MustCompile(`^\$\{([A-Za-z0-9_]+)\}$`)
	regexHolder = regexp.MustCompile(`^\$\{/(.*)/\}$`)
)

func matchValue(path string, exp, act any, binds map[string]string) error {
	switch e := exp.(type) {
	case map[string]any:
		a, ok := act.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %v", path, act)
		}
		for k, v := range e {
			av, ok := a[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", path, k)
			}
			if err := matchValue(path+"."+k, v, av, binds); err != nil {
				return err
			}
		}
		return nil
	case []any:
		a, ok := act.([]any)
		if !ok || len(a) != len(e) {
			return fmt.Errorf("%s: want a list of %d, got %v", path, len(e), act)
		}
		for i := range e {
			if err := matchValue(fmt.Sprintf("%s[%d]", path, i), e[i], a[i], binds); err != nil {
				return err
			}
		}
		return nil
	case string:
		got := fmt.Sprint(act)
		if e == "*" {
			return nil
		}
		if m := regexHolder.FindStringSubmatch(e); m != nil {
			if !regexp.MustCompile(m[1]).MatchString(got) {
				return fmt.Errorf("%s: %q does not match /%s/", path, got, m[1])
			}
			return nil
		}
		if m := placeholder.FindStringSubmatch(e); m != nil {
			if prev, ok := binds[m[1]]; ok && prev != got {
				return fmt.Errorf("%s: ${%s} is %q here but was %q before", path, m[1], got, prev)
			}
			binds[m[1]] = got
			return nil
		}
		if got != e {
			return fmt.Errorf("%s: got %q, want %q", path, got, e)
		}
		return nil
	}
	if got, want := fmt.Sprint(act), fmt.Sprint(exp); got != want {
		return fmt.Errorf("%s: got %s, want %s", path, got, want)
	}
	return nil
}
