package timeline_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/check"
	"github.com/dpcheck/dpcheck/harness/timeline"
)

// TestRenderCalculator checks the page's DOM hooks for the calculator with
// num2 0: the lanes in tree order, the division bar failed with its error
// on hover and a link to its failure entry, the counts, the band.
func TestRenderCalculator(t *testing.T) {
	t.Parallel()
	res := calculator(t, `{"num1":10,"num2":0}`, 1)
	doc, _ := page(t, timeline.Build(res), timeline.Options{Command: "dpcheck run calculator '{\"num1\":10,\"num2\":0}' --html out.html"})
	main := byID(doc, "timeline")
	if main == nil || attr(main, "data-lanes") != "9" || attr(main, "data-status") != "SUCCEEDED" || attr(main, "data-invocations") != "1" {
		t.Fatalf("main#timeline missing or wrong: %v", main)
	}
	var got []string
	for _, l := range find(doc, "lane") {
		got = append(got, attr(l, "data-path"))
		if attr(l, "id") != "lane-"+attr(l, "data-op-id") {
			t.Errorf("lane %s id %q, want lane-<op id>", attr(l, "data-path"), attr(l, "id"))
		}
	}
	if !slices.Equal(got, calculatorLanes) {
		t.Errorf("lanes %v, want %v", got, calculatorLanes)
	}
	var division *struct{ bar, lane string }
	for _, l := range find(doc, "lane") {
		if attr(l, "data-path") != "calculations/division/division" {
			continue
		}
		bars := find(l, "bar")
		if len(bars) != 1 {
			t.Fatalf("division lane has %d bars, want 1", len(bars))
		}
		b := bars[0]
		if attr(b, "data-outcome") != "FAILED" || attr(b, "data-error-type") != "DivisionByZeroError" || attr(b, "data-attempt") != "1" {
			t.Errorf("division bar attributes %v", b.Attr)
		}
		if tip := text(b); !strings.Contains(tip, "DivisionByZeroError: Division by zero is not allowed") {
			t.Errorf("division bar title %q lacks the error", tip)
		}
		link := b.Parent
		want := "#err-" + attr(l, "data-op-id")
		if link.Data != "a" || attr(link, "href") != want {
			t.Errorf("the division bar is not a link to %s", want)
		}
		division = &struct{ bar, lane string }{attr(b, "data-outcome"), attr(l, "data-op-id")}
	}
	if division == nil {
		t.Fatal("no division lane")
	}
	entry := byID(doc, "err-"+division.lane)
	if entry == nil || entry.Data != "details" || !strings.Contains(text(entry), "Division by zero is not allowed") {
		t.Errorf("no failure details for the division step")
	}
	batches := find(doc, "batch")
	if len(batches) != 1 {
		t.Fatalf("%d batch labels, want 1", len(batches))
	}
	b := batches[0]
	for k, want := range map[string]string{"data-reason": "ALL_COMPLETED", "data-succeeded": "3", "data-failed": "1", "data-started": "0", "data-total": "4"} {
		if got := attr(b, k); got != want {
			t.Errorf("batch %s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(text(b), "ALL_COMPLETED · 3 succeeded · 1 failed · 0 started") {
		t.Errorf("batch label %q", text(b))
	}
	if bands := find(doc, "band"); len(bands) != 1 || attr(bands[0], "data-outcome") != "SUCCEEDED" || attr(bands[0], "id") != "inv-1" {
		t.Errorf("bands: want one, inv-1, SUCCEEDED")
	}
	if c := byID(doc, "command"); c == nil || !strings.Contains(text(c), "--html out.html") {
		t.Error("the command line is not shown")
	}
}

// TestRenderSelfContained: the page loads nothing (no src, no link, no
// URL but the SVG namespace) and escapes names and payloads.
func TestRenderSelfContained(t *testing.T) {
	t.Parallel()
	evil := `<img src=x onerror=alert(1)>`
	res := run(t, durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, evil, func(durable.StepContext) (string, error) { return evil, nil })
	}), `{"x":"</script><script>alert(2)</script>"}`)
	doc, out := page(t, timeline.Build(res), timeline.Options{})
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "img", "iframe", "object", "embed", "image", "use":
			t.Errorf("the page has a <%s> element", n.Data)
		case "link": // only the empty inline icon, which stops a favicon request
			if attr(n, "rel") != "icon" || attr(n, "href") != "data:," {
				t.Errorf("the page links %s", attr(n, "href"))
			}
		}
		if n.Data == "script" && !strings.Contains(text(n), "openTarget") {
			t.Errorf("a script other than the page's own: %q", text(n))
		}
		for _, a := range n.Attr {
			if a.Key == "src" || (a.Key == "href" && !strings.HasPrefix(a.Val, "#") && a.Val != "data:,") || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s %s=%q>: the page must load nothing and run no handler", n.Data, a.Key, a.Val)
			}
		}
	}
	for _, re := range []string{`(?i)@import`, `(?i)fetch\(`, `(?i)XMLHttpRequest`, `url\((?:[^#)][^)]*)\)`} {
		if m := regexp.MustCompile(re).FindString(out); m != "" {
			t.Errorf("the page has %q: it must not load anything", m)
		}
	}
	urls := regexp.MustCompile(`https?://[^\s"'<>)]+`).FindAllString(out, -1)
	for _, u := range urls {
		if u != "http://www.w3.org/2000/svg" {
			t.Errorf("the page names %s", u)
		}
	}
	if !strings.Contains(out, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("the step's name is not on the page, escaped")
	}
}

// TestRenderMarksAndGaps: retry and wait gaps and replay marks carry their
// hooks and labels.
func TestRenderMarksAndGaps(t *testing.T) {
	t.Parallel()
	doc, _ := page(t, timeline.Build(run(t, durable.Handle(retrying), "{}")), timeline.Options{})
	gaps := find(doc, "gap")
	var labels []string
	for _, g := range gaps {
		labels = append(labels, attr(g, "data-kind")+"/"+attr(g, "data-seconds")+"/"+strings.TrimSpace(text(g)))
	}
	if len(labels) != 2 || !strings.HasSuffix(labels[0], "retry in 2s") || !strings.HasPrefix(labels[1], "retry/3/") {
		t.Errorf("gaps %v, want retry 2 s and 3 s, labelled", labels)
	}
	if n := len(find(doc, "bar")); n != 3 {
		t.Errorf("%d bars, want 3 attempts", n)
	}
	var breaks []string
	for _, b := range find(doc, "break") {
		breaks = append(breaks, strings.TrimSpace(text(b)))
	}
	if !slices.Equal(breaks, []string{"+2s", "+3s"}) {
		t.Errorf("clock breaks %v, want +2s +3s", breaks)
	}
	doc, _ = page(t, timeline.Build(run(t, durable.Handle(waitAcross), "{}")), timeline.Options{})
	marks := find(doc, "mark")
	if len(marks) != 2 || attr(marks[0], "data-mode") != "replayed" || attr(marks[0], "data-invocation") != "2" {
		t.Errorf("want two replay marks in invocation 2, got %d", len(marks))
	}
	if bands := find(doc, "band"); len(bands) != 2 || attr(bands[0], "data-outcome") != "PENDING" {
		t.Errorf("want two bands, the first PENDING")
	}
}

// TestRenderUnrecordedItem: a batch item only the payload knows is a lane
// flagged unrecorded and labelled so, drawn abandoned.
func TestRenderUnrecordedItem(t *testing.T) {
	t.Parallel()
	res := run(t, durable.Handle(earlyStop), "{}", harness.WithScheduler(check.Prefer("boom")))
	doc, _ := page(t, timeline.Build(res), timeline.Options{})
	var ghost *html.Node
	for _, l := range find(doc, "lane") {
		if attr(l, "data-unrecorded") == "true" {
			ghost = l
		}
	}
	if ghost == nil || attr(ghost, "data-path") != "race/item 0" || attr(ghost, "data-outcome") != "ABANDONED" || !strings.Contains(text(ghost), "never checkpointed") {
		t.Fatal("no lane for the unrecorded item 0, labelled and abandoned")
	}
	if bars := find(ghost, "bar"); len(bars) != 1 || attr(bars[0], "data-outcome") != "ABANDONED" {
		t.Error("item 0 has no abandoned bar")
	}
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.html")
	if err := timeline.WriteFile(path, calculator(t, `{"num1":10,"num2":5}`, 1), timeline.Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Fatalf("%v: %.40q", err, b)
	}
	err = timeline.WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir.html"), calculator(t, `{}`, 1), timeline.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "timeline: ") {
		t.Errorf("writing into a missing directory: %v, want a timeline: error", err)
	}
}
