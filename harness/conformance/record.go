package conformance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.yaml.in/yaml/v3"
)

// Record rewrites the requirement file at req.Path so that its ExpectedResult
// and ExpectedExecutionHistory describe exec, for a person to review before it
// is committed. Everything else in the file stays. In the recorded history:
//
//   - every event but ExecutionStarted (EventId 1, implicit in the format) is listed;
//   - operation ids become placeholders named after the operation (${STEP1},
//     ${CTX_P1}, ${CTX_B2}, ${WAIT1}, ...), ParentIds included, so the file does
//     not depend on the id scheme;
//   - EventTimestamp and the execution's Name become '*'; timestamps and
//     RequestIds inside details are left out; callback ids and ARNs become '*';
//   - the values of generated Variables are replaced by their ${NAME}.
func Record(req *Requirement, exec *Execution, b Bindings) error {
	hist, err := RecordHistory(exec.History, variableValues(req, b))
	if err != nil {
		return err
	}
	result := map[string]any{"ExecutionStatus": exec.Status}
	if exec.Status == string(types.ExecutionStatusSucceeded) {
		result["Result"] = replaceVariables(DecodeResult(exec.Result), variableValues(req, b))
	}
	data, err := os.ReadFile(req.Path)
	if err != nil {
		return fmt.Errorf("conformance: record %s: %w", req.Path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("conformance: record %s: %w", req.Path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("conformance: record %s: not a requirement mapping", req.Path)
	}
	root := doc.Content[0]
	setKey(root, "ExpectedResult", resultNode(result))
	setKey(root, "ExpectedExecutionHistory", toNode(hist))

	var out bytes.Buffer
	if bytes.HasPrefix(data, []byte("---")) {
		out.WriteString("---\n")
	}
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("conformance: record %s: %w", req.Path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("conformance: record %s: %w", req.Path, err)
	}
	return writeFileAtomic(req.Path, out.Bytes())
}

// resultNode keeps ExecutionStatus before Result, as the official files do.
func resultNode(result map[string]any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, k := range []string{"ExecutionStatus", "Result"} {
		if v, ok := result[k]; ok {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, toNode(v))
		}
	}
	return n
}

// setKey replaces the value of key in a mapping node, or appends the pair.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

func writeFileAtomic(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("conformance: record %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".record-*")
	if err != nil {
		return fmt.Errorf("conformance: record %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("conformance: record %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("conformance: record %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), info.Mode().Perm()); err != nil {
		return fmt.Errorf("conformance: record %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("conformance: record %s: %w", path, err)
	}
	return nil
}

// RecordHistory turns an actual history into expected events as Record writes
// them; vars maps variable names to their values in this run.
func RecordHistory(events []types.Event, vars map[string]string) ([]any, error) {
	values, err := HistoryValues(events)
	if err != nil {
		return nil, err
	}
	ids := idNamer{names: map[string]string{}, counts: map[string]int{}}
	var out []any
	for _, v := range values {
		ev, ok := v.(map[string]any)
		if !ok || stringForm(ev["EventId"]) == "1" {
			continue
		}
		et, _ := ev["EventType"].(string)
		st, _ := ev["SubType"].(string)
		rec := map[string]any{}
		for k, x := range ev {
			switch k {
			case "EventTimestamp":
				rec[k] = "*"
			case "Id":
				rec[k] = ids.name(x, idPrefix(et, st))
			case "Name":
				rec[k] = x
				if strings.HasPrefix(et, "Execution") {
					rec[k] = "*" // the execution name differs run to run
				}
			case "ParentId":
				rec[k] = ids.name(x, "ID")
			default:
				rec[k] = recordDetail(x)
			}
		}
		out = append(out, replaceVariables(rec, vars))
	}
	return out, nil
}

// recordDetail drops the run-specific members of a details object.
func recordDetail(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range v {
			switch {
			case strings.HasSuffix(k, "Timestamp") || k == "RequestId":
			case k == "CallbackId" || k == "DurableExecutionArn":
				m[k] = "*"
			default:
				m[k] = recordDetail(x)
			}
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = recordDetail(x)
		}
		return l
	}
	return v
}

type idNamer struct {
	names  map[string]string
	counts map[string]int
}

// name gives an operation id a placeholder on first sight, then reuses it.
func (n *idNamer) name(id any, prefix string) any {
	s, ok := id.(string)
	if !ok {
		return id
	}
	if p, ok := n.names[s]; ok {
		return p
	}
	n.counts[prefix]++
	p := fmt.Sprintf("${%s%d}", prefix, n.counts[prefix])
	n.names[s] = p
	return p
}

func idPrefix(eventType, subType string) string {
	switch {
	case strings.HasPrefix(eventType, "Step"):
		return "STEP"
	case strings.HasPrefix(eventType, "Wait"):
		return "WAIT"
	case strings.HasPrefix(eventType, "Callback"):
		return "CB"
	case strings.HasPrefix(eventType, "ChainedInvoke"):
		return "INVOKE"
	case strings.HasPrefix(eventType, "Execution"):
		return "EXEC"
	case strings.HasPrefix(eventType, "Context"):
		switch subType {
		case "Parallel":
			return "CTX_P"
		case "ParallelBranch":
			return "CTX_B"
		case "Map":
			return "CTX_M"
		case "MapIteration":
			return "CTX_I"
		}
		return "CTX"
	}
	return "ID"
}

// variableValues maps each generated Variable of req to its value in b: the
// values that change from run to run.
func variableValues(req *Requirement, b Bindings) map[string]string {
	vars := map[string]string{}
	for _, v := range req.Variables {
		if s, ok := b[v.Name].(string); ok && v.GenLen > 0 {
			vars[v.Name] = s
		}
	}
	return vars
}

// replaceVariables writes ${NAME} wherever a variable's value appears in a
// string, longest values first so one value inside another is not split.
func replaceVariables(v any, vars map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = replaceVariables(x, vars)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = replaceVariables(x, vars)
		}
		return l
	case string:
		names := make([]string, 0, len(vars))
		for k := range vars {
			names = append(names, k)
		}
		slices.SortFunc(names, func(a, b string) int {
			if d := len(vars[b]) - len(vars[a]); d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		for _, k := range names {
			v = strings.ReplaceAll(v, vars[k], "${"+k+"}")
		}
		return v
	}
	return v
}
