package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
)

// fuzzRoutes are the emulator's routes; {arn}, {fn} and {id} are filled in
// from the fuzz input. The last entry takes the whole path from the input.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/2025-12-01/durable-executions/{arn}/checkpoint"},
	{"GET", "/2025-12-01/durable-executions/{arn}/state"},
	{"GET", "/2025-12-01/durable-executions/{arn}"},
	{"GET", "/2025-12-01/durable-executions/{arn}/history"},
	{"GET", "/2025-12-01/functions/{fn}/durable-executions"},
	{"POST", "/2025-12-01/durable-executions/{arn}/stop"},
	{"POST", "/2025-12-01/durable-execution-callbacks/{id}/succeed"},
	{"POST", "/2025-12-01/durable-execution-callbacks/{id}/fail"},
	{"POST", "/2025-12-01/durable-execution-callbacks/{id}/heartbeat"},
	{"POST", "/2015-03-31/functions/{fn}/invocations"},
	{"GET", inspectPath + "{arn}"},
	{"PUT", ""},
}

// fuzzServer is one emulator per fuzzing process, serving an in-process
// echo function, with one finished execution whose ARN the inputs may use.
var fuzzServer = sync.OnceValues(func() (*Server, string) {
	echo := durable.Handle(func(_ durable.Context, in any) (any, error) { return in, nil })
	s, err := New(Config{Functions: []Function{{Name: "echo", Invoker: echo}}})
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	s.http.Handler.ServeHTTP(rec, httptest.NewRequest("POST", "/2015-03-31/functions/echo:$LATEST/invocations", strings.NewReader(`{"a":1}`)))
	return s, rec.Header().Get("X-Amz-Durable-Execution-Arn")
})

// FuzzRequests sends one request per input, built from a route, a target
// (an ARN, function name or callback id, or the whole path), a query, a
// header value and a body, to the emulator's handler. Whatever the input,
// it must answer, never panic, never with a 500 (bad input is the
// client's error), and every error must have the AWS shape: JSON with
// __type and message, and X-Amzn-ErrorType naming the same code.
func FuzzRequests(f *testing.F) {
	s, arn := fuzzServer()
	f.Cleanup(func() { _ = s.Close() })
	for route := range fuzzRoutes {
		f.Add(uint8(route), "\x00", "", "", []byte(`{}`))
	}
	f.Add(uint8(0), "\x00", "", "", []byte(`{"CheckpointToken":"forged","Updates":[{"Id":"a","Type":"STEP","Action":"START"}]}`))
	f.Add(uint8(1), "\x00", "MaxItems=x&Marker=1", "", []byte(nil))
	f.Add(uint8(3), "\x00", "MaxItems=2147483648&ReverseOrder=maybe", "", []byte(nil))
	f.Add(uint8(4), "echo", "Statuses=RUNNING&Statuses=NOPE&StartedAfter=yesterday", "", []byte(nil))
	f.Add(uint8(5), "\x00", "", "", []byte(`{"ErrorType":"E","ErrorMessage":1}`))
	f.Add(uint8(9), "echo:$LATEST", "Qualifier=live", "Event", []byte(`{"num1":`))
	f.Add(uint8(9), "arn:aws:lambda:eu-west-9:999999999999:function:echo:live", "", "DryRun", []byte(`[]`))
	f.Add(uint8(11), "/2025-12-01/durable-executions/%zz/state", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, route uint8, target, query, header string, body []byte) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		if target == "\x00" {
			target = arn
		}
		path := r.path
		if path == "" {
			path = "/" + strings.TrimLeft(target, "/")
		}
		for _, p := range []string{"{arn}", "{fn}", "{id}"} {
			path = strings.ReplaceAll(path, p, url.PathEscape(target))
		}
		u := &url.URL{Path: path, RawQuery: query}
		req, err := http.NewRequestWithContext(context.Background(), r.method, "http://emulator"+u.RequestURI(), bytes.NewReader(body))
		if err != nil {
			return // not an HTTP request at all: no server sees it
		}
		if r.method == "PUT" {
			req.Method = strings.ToUpper(strings.TrimSpace(header))
			if req.Method == "" {
				req.Method = "DELETE"
			}
		} else if !strings.ContainsAny(header, "\r\n\x00") {
			req.Header.Set("X-Amz-Invocation-Type", header)
			req.Header.Set("X-Amz-Durable-Execution-Name", header)
			req.Header.Set(FaultHeader, header)
		}
		rec := httptest.NewRecorder()
		s.http.Handler.ServeHTTP(rec, req)
		checkAnswer(t, req, rec)
	})
}

func checkAnswer(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body)
	}
	if rec.Code < 400 {
		return
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Type == "" || e.Message == "" {
		t.Fatalf("%s %s: %d with a body not in the AWS error shape (%v): %s", req.Method, req.URL, rec.Code, err, rec.Body)
	}
	if h := rec.Header().Get("X-Amzn-ErrorType"); h != e.Type {
		t.Fatalf("%s %s: X-Amzn-ErrorType %q, __type %q", req.Method, req.URL, h, e.Type)
	}
}

// FuzzRuntimeAPI sends one request per input to the Runtime API a function
// process polls, with one invocation waiting and one in flight. It must
// answer without panicking, with the Runtime API's JSON error shape for
// what it refuses, and hand a posted response to the invocation it names,
// unchanged.
func FuzzRuntimeAPI(f *testing.F) {
	f.Add("GET", "/2018-06-01/runtime/invocation/next", []byte(nil))
	f.Add("POST", "/2018-06-01/runtime/invocation/11111111-2222-4333-8444-555555555555/response", []byte(`{"Status":"SUCCEEDED","Result":"1"}`))
	f.Add("POST", "/2018-06-01/runtime/invocation/11111111-2222-4333-8444-555555555555/error", []byte(`{"errorMessage":"boom","errorType":"E"}`))
	f.Add("POST", "/2018-06-01/runtime/invocation/66666666-7777-4888-9999-aaaaaaaaaaaa/response", []byte(`{}`))
	f.Add("POST", "/2018-06-01/runtime/init/error", []byte(`{"errorType":`))
	f.Add("DELETE", "/2018-06-01/runtime/invocation/next", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		inFlight := &pending{inv: &invocation{requestID: "11111111-2222-4333-8444-555555555555", payload: []byte(`{}`)}, done: make(chan outcome, 1)}
		waiting := &pending{inv: &invocation{requestID: "66666666-7777-4888-9999-aaaaaaaaaaaa", payload: []byte(`{"next":true}`)}, done: make(chan outcome, 1)}
		inst := &instance{work: make(chan *pending, 1), dead: make(chan struct{}), current: inFlight}
		inst.work <- waiting
		req, err := http.NewRequestWithContext(context.Background(), method, "http://runtime"+path, bytes.NewReader(body))
		if err != nil || req.URL.Path != path {
			return
		}
		rec := httptest.NewRecorder()
		inst.runtimeAPI().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e functionError
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorType == "" {
				t.Fatalf("%s %s: %d with a body not in the Runtime API error shape: %s", method, path, rec.Code, rec.Body)
			}
			return
		}
		if method == "POST" && req.URL.Path == "/2018-06-01/runtime/invocation/11111111-2222-4333-8444-555555555555/response" {
			select {
			case o := <-inFlight.done:
				if o.err != nil || !bytes.Equal(o.body, body) {
					t.Fatalf("the response reached the invocation as %q, %v; posted %q", o.body, o.err, body)
				}
			default:
				t.Fatalf("an accepted response never reached its invocation")
			}
		}
	})
}
