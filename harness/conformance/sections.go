package conformance

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.yaml.in/yaml/v3"
)

func (rd *reader) asyncConfig(n *yaml.Node) (*AsyncConfig, error) {
	kvs, err := rd.pairs(n, "AsyncConfig")
	if err != nil {
		return nil, err
	}
	cfg := &AsyncConfig{}
	for _, kv := range kvs {
		path := join("AsyncConfig", kv[0].Value)
		var dst *float64
		switch kv[0].Value {
		case "PollIntervalSeconds":
			dst = &cfg.PollIntervalSeconds
		case "NoProgressTimeoutSeconds":
			dst = &cfg.NoProgressTimeoutSeconds
		default:
			return nil, rd.errf(kv[0], path, "unknown key (known: PollIntervalSeconds, NoProgressTimeoutSeconds)")
		}
		if *dst, err = rd.number(kv[1], path); err != nil {
			return nil, err
		}
		if *dst <= 0 {
			return nil, rd.errf(kv[1], path, "must be positive")
		}
	}
	return cfg, nil
}

func (rd *reader) callbackActions(n *yaml.Node) ([]CallbackAction, error) {
	items, err := rd.seq(n, "CallbackActions")
	if err != nil {
		return nil, err
	}
	var out []CallbackAction
	for i, item := range items {
		base := fmt.Sprintf("CallbackActions[%d]", i)
		kvs, err := rd.pairs(item, base)
		if err != nil {
			return nil, err
		}
		var a CallbackAction
		for _, kv := range kvs {
			path := join(base, kv[0].Value)
			switch kv[0].Value {
			case "CallbackName":
				a.CallbackName, err = rd.str(kv[1], path)
			case "Operation":
				var op string
				if op, err = rd.str(kv[1], path); err == nil {
					a.Operation = CallbackOperation(op)
					if !slices.Contains([]CallbackOperation{CallbackSuccess, CallbackFailure, CallbackHeartbeat}, a.Operation) {
						return nil, rd.errf(kv[1], path, "want success, failure or heartbeat, got %q", op)
					}
				}
			case "Payload":
				a.Payload, err = rd.value(kv[1], path, nil)
			case "Delay":
				if a.Delay, err = rd.number(kv[1], path); err == nil && a.Delay < 0 {
					return nil, rd.errf(kv[1], path, "must not be negative")
				}
			default:
				return nil, rd.errf(kv[0], path, "unknown key (known: CallbackName, Operation, Payload, Delay)")
			}
			if err != nil {
				return nil, err
			}
		}
		if a.CallbackName == "" || a.Operation == "" {
			return nil, rd.errf(item, base, "CallbackName and Operation are required")
		}
		if a.Operation == CallbackFailure {
			if _, ok := a.Payload.(map[string]any); a.Payload != nil && !ok {
				return nil, rd.errf(item, join(base, "Payload"), "a failure payload is a mapping of ErrorType, ErrorMessage, ErrorData, StackTrace")
			}
		}
		out = append(out, a)
	}
	return out, nil
}

func (rd *reader) expectedResult(n *yaml.Node) (*ExpectedResult, error) {
	kvs, err := rd.pairs(n, "ExpectedResult")
	if err != nil {
		return nil, err
	}
	res := &ExpectedResult{}
	for _, kv := range kvs {
		path := join("ExpectedResult", kv[0].Value)
		switch kv[0].Value {
		case "ExecutionStatus":
			if res.ExecutionStatus, err = rd.str(kv[1], path); err != nil {
				return nil, err
			}
			known := types.ExecutionStatus("").Values()
			if !slices.Contains(known, types.ExecutionStatus(res.ExecutionStatus)) {
				return nil, rd.errf(kv[1], path, "unknown status %q (known: %v)", res.ExecutionStatus, known)
			}
		case "Result":
			res.HasResult = true
			if res.Result, err = rd.value(kv[1], path, nil); err != nil {
				return nil, err
			}
		default:
			return nil, rd.errf(kv[0], path, "unknown key (known: ExecutionStatus, Result)")
		}
	}
	if res.ExecutionStatus == "" {
		return nil, rd.errf(n, "ExpectedResult.ExecutionStatus", "missing")
	}
	return res, nil
}

var eventType = reflect.TypeFor[types.Event]()

func (rd *reader) history(n *yaml.Node) ([]ExpectedEvent, error) {
	items, err := rd.seq(n, "ExpectedExecutionHistory")
	if err != nil {
		return nil, err
	}
	var out []ExpectedEvent
	seen := map[int]int{}
	knownTypes := types.EventType("").Values()
	for i, item := range items {
		path := fmt.Sprintf("ExpectedExecutionHistory[%d]", i)
		v, err := rd.value(item, path, eventType)
		if err != nil {
			return nil, err
		}
		fields, ok := v.(map[string]any)
		if !ok {
			return nil, rd.errf(item, path, "want a mapping (a partial event), got %s", kindName(item))
		}
		id, ok := fields["EventId"].(int64)
		if !ok || id < 1 {
			return nil, rd.errf(item, join(path, "EventId"), "required: an integer >= 1 (events are looked up by EventId)")
		}
		if prev, dup := seen[int(id)]; dup {
			return nil, rd.errf(item, join(path, "EventId"), "EventId %d is already used by ExpectedExecutionHistory[%d]", id, prev)
		}
		seen[int(id)] = i
		if et, ok := fields["EventType"].(string); ok && !isPattern(et) && !slices.Contains(knownTypes, types.EventType(et)) {
			return nil, rd.errf(item, join(path, "EventType"), "unknown event type %q", et)
		}
		out = append(out, ExpectedEvent{EventID: int(id), Fields: fields, Line: resolve(item).Line})
	}
	return out, nil
}

func (rd *reader) logs(n *yaml.Node) ([]LogExpectation, error) {
	items, err := rd.seq(n, "ExpectedLogs")
	if err != nil {
		return nil, err
	}
	var out []LogExpectation
	for i, item := range items {
		base := fmt.Sprintf("ExpectedLogs[%d]", i)
		kvs, err := rd.pairs(item, base)
		if err != nil {
			return nil, err
		}
		le := LogExpectation{Count: -1, MinCount: -1, MaxCount: -1}
		for _, kv := range kvs {
			path := join(base, kv[0].Value)
			switch kv[0].Value {
			case "match":
				if le.Match, err = rd.logMatch(kv[1], path); err != nil {
					return nil, err
				}
			case "count", "min_count", "max_count":
				c, err := rd.integer(kv[1], path)
				if err != nil {
					return nil, err
				}
				if c < 0 {
					return nil, rd.errf(kv[1], path, "must not be negative")
				}
				switch kv[0].Value {
				case "count":
					le.Count = c
				case "min_count":
					le.MinCount = c
				default:
					le.MaxCount = c
				}
			case "before", "after":
				anchors, err := rd.anchors(kv[1], path)
				if err != nil {
					return nil, err
				}
				if kv[0].Value == "after" {
					le.After = anchors
				} else {
					le.Before = anchors
				}
			default:
				return nil, rd.errf(kv[0], path, "unknown key (known: match, count, min_count, max_count, before, after)")
			}
		}
		if le.Match == nil {
			return nil, rd.errf(item, join(base, "match"), "required: a mapping of field to value or /regex/")
		}
		if le.Count < 0 && le.MinCount < 0 && le.MaxCount < 0 {
			le.MinCount = 1 // a bare match asks for at least one record
		}
		out = append(out, le)
	}
	return out, nil
}

// anchors reads a before/after list: each item a partial record, as match is.
func (rd *reader) anchors(n *yaml.Node, path string) ([]LogMatch, error) {
	items, err := rd.seq(n, path)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, rd.errf(n, path, "want at least one anchor record")
	}
	out := make([]LogMatch, len(items))
	for i, item := range items {
		if out[i], err = rd.logMatch(item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// logMatch reads a non-empty mapping of field to scalar, keeping each value's
// YAML type; a '/regex/' must compile once its ${NAME} references are filled.
func (rd *reader) logMatch(n *yaml.Node, path string) (LogMatch, error) {
	kvs, err := rd.pairs(n, path)
	if err != nil {
		return nil, err
	}
	if len(kvs) == 0 {
		return nil, rd.errf(n, path, "want at least one field")
	}
	m := LogMatch{}
	for _, kv := range kvs {
		fpath := join(path, kv[0].Value)
		v := resolve(kv[1])
		if v.Kind != yaml.ScalarNode {
			return nil, rd.errf(v, fpath, "want a string, number, boolean or null, got %s", kindName(v))
		}
		val, err := rd.scalar(v, fpath)
		if err != nil {
			return nil, err
		}
		if s, ok := val.(string); ok {
			if body, ok := logRegex(s); ok {
				if _, err := regexp.Compile(placeholderRE.ReplaceAllString(body, "x")); err != nil {
					return nil, rd.errf(v, fpath, "bad regular expression: %v", err)
				}
			}
		}
		m[kv[0].Value] = val
	}
	return m, nil
}
