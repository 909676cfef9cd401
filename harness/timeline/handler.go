package timeline

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

// Source is where Handler finds executions: every ARN, oldest first, and
// the Lambda API reads a Result is collected with. *service.Backend is one.
type Source interface {
	harness.ExecutionReader
	Executions() []string
}

//go:embed index.html.tmpl
var indexSource string

var index = template.Must(template.New("index").Parse(indexSource))

// Handler serves the timelines of src's executions: at its root the list
// of executions, newest first, and at execution?arn=ARN the page of one.
// Links are relative, so it works under any prefix with
// http.StripPrefix; dpcheck serve mounts it at /ui/.
func Handler(src Source) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "timeline: method not allowed", http.StatusMethodNotAllowed)
			return
		}
		switch strings.TrimPrefix(r.URL.Path, "/") {
		case "":
			serveIndex(w, r, src)
		case "execution":
			serveExecution(w, r, src)
		default:
			http.Error(w, "timeline: no page "+r.URL.Path, http.StatusNotFound)
		}
	})
}

// entry is one execution in the list.
type entry struct {
	Arn, Name, Function, Status string
	Start, Duration             string
	Link                        string
}

func serveIndex(w http.ResponseWriter, r *http.Request, src Source) {
	arns := slices.Clone(src.Executions())
	slices.Reverse(arns)
	entries := make([]entry, 0, len(arns))
	for _, arn := range arns {
		out, err := src.GetDurableExecution(r.Context(), &lambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false)})
		if err != nil {
			continue // gone since it was listed
		}
		e := entry{Arn: arn, Name: aws.ToString(out.DurableExecutionName), Function: functionName(arn), Status: string(out.Status),
			Link: "execution?arn=" + url.QueryEscape(arn)}
		if out.StartTimestamp != nil {
			e.Start = out.StartTimestamp.UTC().Format(time.DateTime)
			if out.EndTimestamp != nil {
				e.Duration = duration(out.EndTimestamp.Sub(*out.StartTimestamp))
			}
		}
		entries = append(entries, e)
	}
	write(w, index, map[string]any{"Executions": entries})
}

func serveExecution(w http.ResponseWriter, r *http.Request, src Source) {
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		http.Error(w, "timeline: the arn query parameter is missing", http.StatusBadRequest)
		return
	}
	res, err := harness.CollectResult(r.Context(), src, arn)
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			http.Error(w, "timeline: no execution "+arn, http.StatusNotFound)
			return
		}
		http.Error(w, "timeline: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := Render(&buf, Build(res), Options{Title: functionName(arn) + " · " + res.Name}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func write(w http.ResponseWriter, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, fmt.Sprintf("timeline: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// functionName is the function part of an execution ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER/durable-execution/…).
func functionName(arn string) string {
	fn, _, _ := strings.Cut(arn, "/")
	parts := strings.Split(fn, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return fn
}
