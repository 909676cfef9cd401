package conformance

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is the readable report:
//
//	step/1-11: event 3 (StepFailed, line 20) differs at StepFailedDetails.RetryDetails.CurrentAttempt: expected 1, got 2
//	  expected:
//	    EventType: StepFailed
//	    ...
//	  actual:
//	    EventType: StepFailed
//	    ...
//	  bindings: ID1="c4ca4238a0b92382"
//	  actual history:
//	      1 ExecutionStarted id="…"
//	      2 StepStarted Step id="c4ca4238a0b92382"
//	  >   3 StepFailed Step id="c4ca4238a0b92382" error=Error: boom retry={"CurrentAttempt":2,…}
//	    ...
//
// A result mismatch reads "execution status: expected SUCCEEDED, got FAILED" or
// "result differs: expected result …, got …" with the bindings.
func (m *Mismatch) Error() string {
	if m.Requirement == "" {
		return m.report()
	}
	return m.Requirement + ": " + m.report()
}

// report is the text of Error without the requirement key.
func (m *Mismatch) report() string {
	var sb strings.Builder
	if m.EventID == 0 {
		if m.Path != "Result" {
			return "execution " + m.Problem
		}
		fmt.Fprintf(&sb, "result differs: %s\n  bindings: %s", m.Problem, m.Bindings)
		return sb.String()
	}
	what := fmt.Sprintf("event %d", m.EventID)
	if et, ok := fieldOf(m.Expected, "EventType").(string); ok {
		what += " (" + et
		if m.Line > 0 {
			what += fmt.Sprintf(", line %d", m.Line)
		}
		what += ")"
	}
	if m.Path != "" {
		fmt.Fprintf(&sb, "%s differs at %s: %s\n", what, m.Path, m.Problem)
	} else {
		fmt.Fprintf(&sb, "%s: %s\n", what, m.Problem)
	}
	sb.WriteString("  expected:\n" + indent(renderYAML(m.Expected), "    "))
	if m.Actual != nil {
		sb.WriteString("  actual:\n" + indent(renderYAML(m.Actual), "    "))
	}
	fmt.Fprintf(&sb, "  bindings: %s\n", m.Bindings)
	sb.WriteString("  actual history:\n")
	for _, ev := range m.History {
		mark := "    "
		if stringForm(fieldOf(ev, "EventId")) == fmt.Sprint(m.EventID) {
			mark = "  > "
		}
		sb.WriteString(mark + eventSummary(ev) + "\n")
	}
	return strings.TrimRight(sb.String(), "\n")
}

// eventSummary is one line of the history listing: id, type, subtype, name, ids
// and, for failures, the error.
func eventSummary(ev any) string {
	parts := []string{fmt.Sprintf("%3s", stringForm(fieldOf(ev, "EventId")))}
	for _, k := range []string{"EventType", "SubType"} {
		if s, ok := fieldOf(ev, k).(string); ok {
			parts = append(parts, s)
		}
	}
	for _, k := range []string{"Name", "Id", "ParentId"} {
		if s, ok := fieldOf(ev, k).(string); ok {
			parts = append(parts, fmt.Sprintf("%s=%s", strings.ToLower(k[:1])+k[1:], strconv.Quote(s)))
		}
	}
	if m, ok := ev.(map[string]any); ok {
		for k, d := range m {
			if !strings.HasSuffix(k, "Details") {
				continue
			}
			if errObj := fieldOf(fieldOf(d, "Error"), "Payload"); errObj != nil {
				parts = append(parts, fmt.Sprintf("error=%v: %v", fieldOf(errObj, "ErrorType"), fieldOf(errObj, "ErrorMessage")))
			}
			if r := fieldOf(d, "RetryDetails"); r != nil {
				parts = append(parts, "retry="+renderInline(r))
			}
		}
	}
	return strings.Join(parts, " ")
}

func fieldOf(v any, key string) any {
	if m, ok := v.(map[string]any); ok {
		return m[key]
	}
	return nil
}

// renderInline is a one-line rendering: JSON, strings quoted.
func renderInline(v any) string {
	if v == nil {
		return "null"
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// renderYAML renders a generic value as block YAML, identifying keys first.
func renderYAML(v any) string {
	var sb strings.Builder
	enc := yaml.NewEncoder(&sb)
	enc.SetIndent(2)
	if err := enc.Encode(toNode(v)); err != nil {
		return renderInline(v) + "\n"
	}
	_ = enc.Close()
	return sb.String()
}

// toNode builds a YAML node for a generic value with keys in report order.
func toNode(v any) *yaml.Node {
	switch v := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, k := range orderedKeys(v) {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, toNode(v[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, x := range v {
			n.Content = append(n.Content, toNode(x))
		}
		return n
	case json.Number:
		tag := "!!int"
		if _, err := v.Int64(); err != nil {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String()}
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v)}
	}
	return &n
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var sb strings.Builder
	for _, l := range lines {
		if l != "" {
			sb.WriteString(prefix + l)
		}
	}
	return sb.String()
}
