package timeline_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/service"
	"github.com/dpcheck/dpcheck/harness/timeline"
)

func get(t *testing.T, srv *httptest.Server, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHandler: under a prefix, the list shows every execution newest
// first with a link to its page; each page is that execution's timeline;
// a bad request gets a clear status.
func TestHandler(t *testing.T) {
	t.Parallel()
	b := service.NewBackend()
	inputs := []string{`{"num1":10,"num2":5}`, `{"num1":10,"num2":0}`, `{"num1":"x"}`}
	var arns []string
	for i, in := range inputs {
		res := run(t, durable.Handle(function.Handler), in, harness.WithBackend(b), harness.WithFunctionName("calculator"),
			harness.WithExecutionName("run-"+string(rune('a'+i))))
		arns = append(arns, res.Arn)
	}
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", timeline.Handler(b)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	code, body := get(t, srv, "GET", "/ui/")
	if code != 200 {
		t.Fatalf("GET /ui/: %d", code)
	}
	doc := parse(t, body)
	rows := find(doc, "execution")
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	for i, row := range rows {
		want := arns[len(arns)-1-i]
		if attr(row, "data-arn") != want || attr(row, "data-function") != "calculator" {
			t.Errorf("row %d: %s, want %s (newest first)", i, attr(row, "data-arn"), want)
		}
	}
	if got := attr(rows[0], "data-status"); got != "FAILED" {
		t.Errorf("newest status %s, want FAILED (bad input)", got)
	}
	var link string
	for n := range rows[1].Descendants() {
		if n.Data == "a" {
			link = attr(n, "href")
		}
	}
	if link != "execution?arn="+url.QueryEscape(arns[1]) {
		t.Fatalf("link %q", link)
	}
	code, body = get(t, srv, "GET", "/ui/"+link)
	if code != 200 {
		t.Fatalf("GET the execution page: %d %s", code, body)
	}
	page := parse(t, body)
	main := byID(page, "timeline")
	if main == nil || attr(main, "data-name") != "run-b" || attr(main, "data-lanes") != "9" {
		t.Errorf("the page is not run-b's timeline")
	}
	if bs := find(page, "batch"); len(bs) != 1 || attr(bs[0], "data-failed") != "1" {
		t.Errorf("run-b's batch label missing or wrong")
	}

	for _, tc := range []struct {
		method, path string
		code         int
		says         string
	}{
		{"GET", "/ui/execution?arn=" + url.QueryEscape(arns[0]+"x"), 404, "no execution"},
		{"GET", "/ui/execution", 400, "arn query parameter is missing"},
		{"GET", "/ui/nothing", 404, "no page"},
		{"POST", "/ui/", 405, "method not allowed"},
	} {
		code, body := get(t, srv, tc.method, tc.path)
		if code != tc.code || !strings.Contains(body, tc.says) {
			t.Errorf("%s %s: %d %q, want %d saying %q", tc.method, tc.path, code, body, tc.code, tc.says)
		}
	}
}

func TestHandlerEmpty(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(timeline.Handler(service.NewBackend()))
	defer srv.Close()
	code, body := get(t, srv, "GET", "/")
	if code != 200 || byID(parse(t, body), "none") == nil {
		t.Errorf("empty list: %d, want 200 and the no-execution note", code)
	}
}
