package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse reads a requirement from data; file is used in error messages only.
// Data over MaxFileBytes, or expanding to over MaxNodes nodes, is refused.
func Parse(file, suite, id string, data []byte) (*Requirement, error) {
	if len(data) > MaxFileBytes {
		return nil, tooLarge(file)
	}
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
	if err := checkExpansion(file, root); err != nil {
		return nil, err
	}
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
