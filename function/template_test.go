package function_test

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestTemplate checks the deployment properties of ../template.yaml that the
// e2e path and the README rely on, and that the Makefile holds what SAM calls.
func TestTemplate(t *testing.T) {
	tmpl := readTemplate(t, "../template.yaml")
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}

	check := func(path string, want any) {
		t.Helper()
		if got := lookup(tmpl, path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	check("Transform", "AWS::Serverless-2016-10-31")
	check("Resources.MathFunction.Type", "AWS::Serverless::Function")
	check("Resources.MathFunction.Metadata.BuildMethod", "makefile")
	check("Resources.MathFunction.Properties.CodeUri", ".")
	check("Resources.MathFunction.Properties.Runtime", "provided.al2023")
	check("Resources.MathFunction.Properties.Handler", "bootstrap")
	check("Resources.MathFunction.Properties.Architectures", []any{"x86_64"})
	check("Resources.MathFunction.Properties.AutoPublishAlias", "live")
	check("Resources.MathFunction.Properties.DurableConfig", map[string]any{
		"ExecutionTimeout":      300,
		"RetentionPeriodInDays": 5,
	})
	check("Resources.MathFunction.Properties.Policies", []any{map[string]any{
		"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicDurableExecutionRolePolicy",
	}})
	check("Outputs.MathFunction.Value", map[string]any{"Ref": "MathFunction"})
	check("Outputs.MathFunctionAliasArn.Value", map[string]any{"Ref": "MathFunction.Alias"})

	resources, _ := lookup(tmpl, "Resources").(map[string]any)
	if len(resources) != 1 {
		t.Errorf("template has %d resources, want only MathFunction", len(resources))
	}

	// SAM runs `make build-<LogicalId>` for a makefile build.
	for id := range resources {
		if !regexp.MustCompile(`(?m)^build-` + regexp.QuoteMeta(id) + `:`).Match(makefile) {
			t.Errorf("Makefile has no build-%s target for sam build", id)
		}
	}
	// The binary must be built for the architecture the template declares.
	arch := map[string]string{"x86_64": "amd64", "arm64": "arm64"}
	archs, _ := lookup(tmpl, "Resources.MathFunction.Properties.Architectures").([]any)
	if len(archs) == 1 {
		want := "LAMBDA_GOARCH ?= " + arch[fmt.Sprint(archs[0])]
		if !strings.Contains(string(makefile), want) {
			t.Errorf("Makefile does not set %q to match Architectures %v", want, archs)
		}
	}
}

// readTemplate parses a CloudFormation template, turning short-form tags
// (!Ref, !GetAtt, !Sub, ...) into their long forms ({"Ref": ...}, {"Fn::GetAtt": [...]}).
func readTemplate(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	v, err := cfnValue(doc.Content[0])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: top level is not a mapping", path)
	}
	return m
}

func cfnValue(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			val, err := cfnValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := cfnValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			v = n.Value
			break
		}
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
	case yaml.AliasNode:
		return cfnValue(n.Alias)
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
	}

	switch tag := n.Tag; {
	case tag == "!Ref":
		return map[string]any{"Ref": v}, nil
	case tag == "!GetAtt":
		if s, ok := v.(string); ok { // !GetAtt Res.Attr is short for [Res, Attr]
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
		return map[string]any{"Fn::GetAtt": v}, nil
	case tag == "!Condition":
		return map[string]any{"Condition": v}, nil
	case strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!"):
		return map[string]any{"Fn::" + tag[1:]: v}, nil
	}
	return v, nil
}

// lookup follows a dotted path of mapping keys; nil when a key is missing.
func lookup(v any, path string) any {
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

func TestCfnValueTags(t *testing.T) {
	src := `
a: !Ref Fn
b: !GetAtt Fn.Arn
c: !Sub "arn:${AWS::Partition}:x"
d: !Join ["", [a, !Ref B]]
e: !GetAtt [Fn, Arn]
f: 3
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	got, err := cfnValue(doc.Content[0])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"a": map[string]any{"Ref": "Fn"},
		"b": map[string]any{"Fn::GetAtt": []any{"Fn", "Arn"}},
		"c": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:x"},
		"d": map[string]any{"Fn::Join": []any{"", []any{"a", map[string]any{"Ref": "B"}}}},
		"e": map[string]any{"Fn::GetAtt": []any{"Fn", "Arn"}},
		"f": 3,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}
