package timeline_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/timeline"
	"github.com/dpcheck/dpcheck/internal/batchfail"
)

// run drives handler with input to its end on a fresh fake.
func run(t *testing.T, invoker durable.Invoker, input string, opts ...harness.RunnerOption) *harness.Result {
	t.Helper()
	res, err := harness.NewLocalRunner(invoker, opts...).RunJSON(context.Background(), input)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

// calculator runs the calculator with input under seed (scheduler and
// jitter, as check.WithSeed).
func calculator(t *testing.T, input string, seed uint64, opts ...harness.RunnerOption) *harness.Result {
	t.Helper()
	opts = append([]harness.RunnerOption{harness.WithSeed(seed), harness.WithScheduler(check.Seeded(seed))}, opts...)
	return run(t, durable.Handle(function.Handler), input, opts...)
}

// retrying: one step that fails its first two attempts, with linear
// delays of 2 s and 3 s.
func retrying(ctx durable.Context, _ any) (string, error) {
	return durable.Step(ctx, "flaky", func(sc durable.StepContext) (string, error) {
		if sc.Attempt() < 3 {
			return "", errors.New("flaky: not yet")
		}
		return "ok", nil
	}, durable.WithRetry(durable.LinearRetry(3, 2*time.Second, time.Second)))
}

// earlyStop: a fail-fast Parallel whose branch "boom" fails at once while
// "slow" is inside a 10 s wait and "later" waits its turn (max concurrency
// 2): the batch stops with "slow" in flight and "later" never started.
func earlyStop(ctx durable.Context, _ any) (string, error) {
	_, err := durable.Parallel(ctx, "race", []durable.Branch[string]{
		{Name: "slow", Func: func(bc durable.Context) (string, error) {
			if err := durable.Wait(bc, "hold", 10*time.Second); err != nil {
				return "", err
			}
			return "slow", nil
		}},
		{Name: "boom", Func: func(bc durable.Context) (string, error) {
			return durable.Step(bc, "explode", func(durable.StepContext) (string, error) {
				return "", errors.New("boom: failed at once")
			}, durable.WithRetry(durable.NoRetry()))
		}},
		{Name: "later", Func: func(durable.Context) (string, error) { return "later", nil }},
	}, durable.WithMaxConcurrency(2))
	if batchfail.Settled(err) != nil {
		return "", err
	}
	return "stopped", nil
}

// waitAcross: a step, a 5 s wait, a step: the wait ends the first
// invocation and the second replays the first step.
func waitAcross(ctx durable.Context, _ any) (string, error) {
	a, err := durable.Step(ctx, "before", func(durable.StepContext) (string, error) { return "a", nil })
	if err != nil {
		return "", err
	}
	if err := durable.Wait(ctx, "pause", 5*time.Second); err != nil {
		return "", err
	}
	b, err := durable.Step(ctx, "after", func(durable.StepContext) (string, error) { return "b", nil })
	return a + b, err
}

// lane finds the lane at path, failing t if there is none.
func lane(t *testing.T, tl *timeline.Timeline, path string) *timeline.Lane {
	t.Helper()
	for _, l := range tl.Lanes {
		if l.Path == path {
			return l
		}
	}
	t.Fatalf("no lane %q; lanes: %v", path, paths(tl))
	return nil
}

func paths(tl *timeline.Timeline) []string {
	out := make([]string, len(tl.Lanes))
	for i, l := range tl.Lanes {
		out[i] = l.Path
	}
	return out
}

// page renders tl and parses the page.
func page(t *testing.T, tl *timeline.Timeline, opts timeline.Options) (*html.Node, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := timeline.Render(&buf, tl, opts); err != nil {
		t.Fatal(err)
	}
	return parse(t, buf.String()), buf.String()
}

// parse parses an HTML page.
func parse(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return doc
}

// attr is n's attribute key ("" if absent).
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasClass reports whether n's class list holds class.
func hasClass(n *html.Node, class string) bool {
	return n.Type == html.ElementNode && strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
}

// find returns every element under n with the class, in document order.
func find(n *html.Node, class string) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if hasClass(c, class) {
			out = append(out, c)
		}
	}
	return out
}

// byID returns the element with the id, or nil.
func byID(n *html.Node, id string) *html.Node {
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && attr(c, "id") == id {
			return c
		}
	}
	return nil
}

// text is the text content of n.
func text(n *html.Node) string {
	var sb strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			sb.WriteString(c.Data)
		}
	}
	return sb.String()
}
