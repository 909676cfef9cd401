package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.yaml.in/yaml/v3"
)

// ReadFile reads one requirement file. The suite is the name of the folder that
// holds it and the id is the file name without its extension.
func ReadFile(path string) (*Requirement, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ReadError{File: path, Problem: err.Error()}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &ReadError{File: path, Problem: err.Error()}
	}
	suite := filepath.Base(filepath.Dir(abs))
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return Parse(path, suite, id, data)
}

// Load reads the requirement files named by paths; a directory contributes every
// .yaml and .yml file below it. The result is sorted by suite, then by id in
// natural order (1-2 before 1-10). Two files with the same suite/id are an error.
func Load(paths ...string) ([]*Requirement, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, &ReadError{File: p, Problem: err.Error()}
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, &ReadError{File: p, Problem: err.Error()}
		}
	}
	var reqs []*Requirement
	seen := map[string]string{}
	for _, f := range files {
		r, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[r.Key()]; dup {
			return nil, &ReadError{File: f, Problem: fmt.Sprintf("requirement %s is also defined by %s", r.Key(), prev)}
		}
		seen[r.Key()] = f
		reqs = append(reqs, r)
	}
	slices.SortFunc(reqs, func(a, b *Requirement) int {
		if c := strings.Compare(a.Suite, b.Suite); c != 0 {
			return c
		}
		return naturalCompare(a.ID, b.ID)
	})
	return reqs, nil
}

// naturalCompare orders strings with runs of digits compared as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na - nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// Parse reads a requirement from data; file is used in error messages only.
func Parse(file, suite, id string, data []byte) (*Requirement, error) {
	rd := &reader{file: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &ReadError{File: file, Problem: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		docs = append(docs, &doc)
	}
	switch {
	case len(docs) == 0:
		return nil, &ReadError{File: file, Problem: "empty file: want one requirement"}
	case len(docs) > 1:
		return nil, &ReadError{File: file, Line: docs[1].Line, Problem: fmt.Sprintf("%d YAML documents: a requirement file holds exactly one", len(docs))}
	}
	root := docs[0]
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, rd.errf(root, "", "want a mapping of requirement keys, got %s", kindName(root))
	}
	req := &Requirement{Suite: suite, ID: id, Path: file}
	if err := rd.requirement(root, req); err != nil {
		return nil, err
	}
	return req, nil
}

type reader struct{ file string }

func (rd *reader) errf(n *yaml.Node, key, format string, args ...any) *ReadError {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &ReadError{File: rd.file, Line: line, Key: key, Problem: fmt.Sprintf(format, args...)}
}

// pairs returns the key and value nodes of a mapping, rejecting non-string and
// duplicate keys.
func (rd *reader) pairs(n *yaml.Node, path string) ([][2]*yaml.Node, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, rd.errf(n, path, "want a mapping, got %s", kindName(n))
	}
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, rd.errf(k, path, "mapping keys must be plain strings")
		}
		if k.Value == "<<" {
			return nil, rd.errf(k, join(path, k.Value), "merge keys are not supported")
		}
		if seen[k.Value] {
			return nil, rd.errf(k, join(path, k.Value), "key given twice")
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out, nil
}

func (rd *reader) requirement(root *yaml.Node, req *Requirement) error {
	kvs, err := rd.pairs(root, "")
	if err != nil {
		return err
	}
	var inputNode *yaml.Node
	for _, kv := range kvs {
		k, v := kv[0].Value, kv[1]
		switch k {
		case "description":
			req.Description, err = rd.str(v, k)
		case "handler":
			req.Handler, err = rd.str(v, k)
		case "invocations":
			req.Invocations, err = rd.str(v, k)
		case "optional":
			req.Optional, err = rd.boolean(v, k)
		case "async": // informational twin of AsyncInvoke in the official files
			_, err = rd.boolean(v, k)
		case "AsyncInvoke":
			req.AsyncInvoke, err = rd.boolean(v, k)
		case "Variables":
			req.Variables, err = rd.variables(v)
		case "Input":
			inputNode = v
			req.Input, err = rd.value(v, k, nil)
		case "AsyncConfig":
			req.AsyncConfig, err = rd.asyncConfig(v)
		case "CallbackActions":
			req.CallbackActions, err = rd.callbackActions(v)
		case "ExpectedResult":
			req.ExpectedResult, err = rd.expectedResult(v)
		case "ExpectedExecutionHistory":
			req.ExpectedExecutionHistory, err = rd.history(v)
		case "ExpectedLogs":
			req.ExpectedLogs, err = rd.logs(v)
		case "DefaultRetryParameters":
			var val any
			if val, err = rd.value(v, k, nil); err == nil {
				m, ok := val.(map[string]any)
				if !ok {
					return rd.errf(v, k, "want a mapping, got %s", kindName(v))
				}
				req.DefaultRetryParameters = m
			}
		default:
			return rd.errf(kv[0], k, "unknown key (known: description, handler, invocations, optional, async, AsyncInvoke, AsyncConfig, Variables, Input, CallbackActions, ExpectedResult, ExpectedExecutionHistory, ExpectedLogs, DefaultRetryParameters)")
		}
		if err != nil {
			return err
		}
	}
	if req.ExpectedResult == nil && len(req.ExpectedExecutionHistory) == 0 {
		return rd.errf(root, "", "the requirement checks nothing: give ExpectedResult or ExpectedExecutionHistory")
	}
	if inputNode != nil {
		defined := map[string]bool{}
		for _, v := range req.Variables {
			defined[v.Name] = true
		}
		if name := undefinedReference(req.Input, defined); name != "" {
			return rd.errf(inputNode, "Input", "refers to ${%s}, which Variables does not define", name)
		}
	}
	return nil
}

var (
	nameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	genStrRE = regexp.MustCompile(`^\$\{GEN_STR:([0-9]+)\}$`)
)

func (rd *reader) variables(n *yaml.Node) ([]Variable, error) {
	kvs, err := rd.pairs(n, "Variables")
	if err != nil {
		return nil, err
	}
	var vars []Variable
	for _, kv := range kvs {
		k, v := kv[0], resolve(kv[1])
		path := join("Variables", k.Value)
		if !nameRE.MatchString(k.Value) {
			return nil, rd.errf(k, path, "variable names are letters, digits and _, not starting with a digit")
		}
		if v.Kind != yaml.ScalarNode {
			return nil, rd.errf(v, path, "want a scalar value or ${GEN_STR:N}, got %s", kindName(v))
		}
		variable := Variable{Name: k.Value}
		switch {
		case v.ShortTag() != "!!str":
			variable.Value = pythonString(v)
		case genStrRE.MatchString(v.Value):
			n, err := strconv.Atoi(genStrRE.FindStringSubmatch(v.Value)[1])
			if err != nil || n < 1 || n > 1024 {
				return nil, rd.errf(v, path, "GEN_STR length must be 1..1024, got %q", v.Value)
			}
			variable.GenLen = n
		case strings.HasPrefix(v.Value, "${GEN_"):
			return nil, rd.errf(v, path, "unknown generator %q (known: ${GEN_STR:N})", v.Value)
		default:
			variable.Value = v.Value
		}
		vars = append(vars, variable)
	}
	return vars, nil
}

// pythonString renders a non-string scalar as the official runner's str() does.
func pythonString(n *yaml.Node) string {
	switch n.ShortTag() {
	case "!!null":
		return "None"
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil && b {
			return "True"
		}
		return "False"
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return n.Value
}

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
				mkvs, err := rd.pairs(kv[1], path)
				if err != nil {
					return nil, err
				}
				le.Match = map[string]string{}
				for _, m := range mkvs {
					if le.Match[m[0].Value], err = rd.str(m[1], join(path, m[0].Value)); err != nil {
						return nil, err
					}
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
				if _, err := rd.value(kv[1], path, nil); err != nil {
					return nil, err
				}
				le.Anchored = true
			default:
				return nil, rd.errf(kv[0], path, "unknown key (known: match, count, min_count, max_count, before, after)")
			}
		}
		if len(le.Match) == 0 {
			return nil, rd.errf(item, join(base, "match"), "required: a mapping of field to value or /regex/")
		}
		if le.Count < 0 && le.MinCount < 0 && le.MaxCount < 0 {
			le.MinCount = 1 // a bare match asks for at least one record
		}
		out = append(out, le)
	}
	return out, nil
}

func (rd *reader) seq(n *yaml.Node, path string) ([]*yaml.Node, error) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		return nil, rd.errf(n, path, "want a list, got %s", kindName(n))
	}
	return n.Content, nil
}

func (rd *reader) str(n *yaml.Node, path string) (string, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", rd.errf(n, path, "want a string, got %s", kindName(n))
	}
	return n.Value, nil
}

func (rd *reader) boolean(n *yaml.Node, path string) (bool, error) {
	n = resolve(n)
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		return false, rd.errf(n, path, "want true or false, got %s", kindName(n))
	}
	return b, nil
}

func (rd *reader) number(n *yaml.Node, path string) (float64, error) {
	n = resolve(n)
	var f float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&f) != nil {
		return 0, rd.errf(n, path, "want a number, got %s", kindName(n))
	}
	return f, nil
}

func (rd *reader) integer(n *yaml.Node, path string) (int, error) {
	n = resolve(n)
	var i int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
		return 0, rd.errf(n, path, "want an integer, got %s", kindName(n))
	}
	return i, nil
}

// value turns a node into a plain Go value: map[string]any, []any, string,
// int64, float64, bool or nil. When shape is a struct type, mapping keys must be
// its field names, recursively, so a typo in an expected event is reported at
// read time rather than as a mismatch. Scalars are never checked against shape:
// any of them may be a placeholder.
func (rd *reader) value(n *yaml.Node, path string, shape reflect.Type) (any, error) {
	n = resolve(n)
	shape = deref(shape)
	switch n.Kind {
	case yaml.MappingNode:
		kvs, err := rd.pairs(n, path)
		if err != nil {
			return nil, err
		}
		if shape != nil && len(kvs) > 0 && !isObject(shape) {
			return nil, rd.errf(n, path, "holds a %s, not a mapping", shape)
		}
		m := make(map[string]any, len(kvs))
		for _, kv := range kvs {
			k := kv[0].Value
			var sub reflect.Type
			if shape != nil {
				f, ok := shape.FieldByName(k)
				if !ok || !f.IsExported() {
					return nil, rd.errf(kv[0], join(path, k), "unknown key: %s has %s", shape.Name(), strings.Join(fieldNames(shape), ", "))
				}
				sub = f.Type
			}
			if m[k], err = rd.value(kv[1], join(path, k), sub); err != nil {
				return nil, err
			}
		}
		return m, nil
	case yaml.SequenceNode:
		if shape != nil && shape.Kind() != reflect.Slice {
			return nil, rd.errf(n, path, "holds a %s, not a list", shape)
		}
		var elem reflect.Type
		if shape != nil {
			elem = shape.Elem()
		}
		l := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := rd.value(c, fmt.Sprintf("%s[%d]", path, i), elem)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return rd.scalar(n, path)
	}
	return nil, rd.errf(n, path, "unsupported YAML node (%s)", kindName(n))
}

func (rd *reader) scalar(n *yaml.Node, path string) (any, error) {
	var err error
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err = n.Decode(&b); err == nil {
			return b, nil
		}
	case "!!int":
		var i int64
		if err = n.Decode(&i); err == nil {
			return i, nil
		}
	case "!!float":
		var f float64
		if err = n.Decode(&f); err == nil {
			return f, nil
		}
	default: // !!str, !!timestamp, !!binary: kept as written
		if s := n.Value; strings.HasPrefix(s, "${/") && strings.HasSuffix(s, "/}") && !placeholderRE.MatchString(s) {
			if _, err := regexp.Compile(s[3 : len(s)-2]); err != nil {
				return nil, rd.errf(n, path, "bad regular expression: %v", err)
			}
		}
		return n.Value, nil
	}
	return nil, rd.errf(n, path, "cannot read %q: %v", n.Value, err)
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("string %q", n.Value)
		}
		return fmt.Sprintf("%s %s", strings.TrimPrefix(n.ShortTag(), "!!"), n.Value)
	}
	return "an empty document"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var timeType = reflect.TypeFor[time.Time]()

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// isObject reports whether values of t are JSON objects on the wire: structs,
// except timestamps, which are epoch numbers.
func isObject(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != timeType
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if f.IsExported() {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	return names
}
