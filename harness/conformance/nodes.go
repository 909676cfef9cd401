package conformance

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

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
