//go:build browser

// The browser test loads a timeline in a real headless Chromium (Debian's
// chromium package; make browser installs it) through chromedp. It is
// behind the browser build tag so make test needs no browser; make
// browser-test runs it, and .ci/run calls that.

package timeline_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/service"
	"github.com/dpcheck/dpcheck/harness/timeline"
)

// chromiumPath is the browser: $DPCHECK_CHROMIUM, else Debian's.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("DPCHECK_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no Chromium at %s (make browser installs Debian's chromium): %v", p, err)
	}
	return p
}

// screenshotPath is where the screenshot goes: $DPCHECK_SCREENSHOT, else
// $ARTIFACTS_DIR/timeline.png, else artifacts/timeline.png in the module.
func screenshotPath() string {
	if p := os.Getenv("DPCHECK_SCREENSHOT"); p != "" {
		return p
	}
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	return filepath.Join(dir, "timeline.png")
}

// browser starts a headless Chromium with a fresh profile, nothing in the
// background and no network but what the page asks for.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserCalculatorDivisionByZero serves the timelines of a backend
// holding the calculator run with num2 0, opens the list and then the
// execution's page in Chromium, and checks in the live DOM: the lanes in
// tree order, the failed division bar (drawn, with its error on hover,
// opening its failure entry on click), the counts 3 / 1, and that the
// page asked for nothing but itself. It saves a screenshot.
func TestBrowserCalculatorDivisionByZero(t *testing.T) {
	b := service.NewBackend()
	res := calculator(t, `{"num1":10,"num2":0}`, 1, harness.WithBackend(b), harness.WithFunctionName("calculator"), harness.WithExecutionName("division-by-zero"))
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", timeline.Handler(b)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ui/")); err != nil {
		t.Fatalf("the execution list: %v", err)
	}
	link := must(t, ctx, chromedp.AttributeValue(chromedp.CSS(`tr.execution a`), "href")).Value
	if !strings.Contains(link, "execution?arn=") {
		t.Fatalf("list link %q", link)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ui/"+link), chromedp.WaitVisible(chromedp.CSS(`#timeline`))); err != nil {
		t.Fatalf("the execution page: %v", err)
	}

	lanes := must(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("g.lane")].map(l => l.dataset.path)`))
	if !slices.Equal(lanes, calculatorLanes) {
		t.Errorf("lanes %v, want %v", lanes, calculatorLanes)
	}
	divBar := `g.lane[data-path="calculations/division/division"] rect.bar`
	type bar struct {
		Outcome, ErrorType, Title string
		Width                     float64
	}
	div := must(t, ctx, chromedp.Evaluate[bar](`(() => { const b = document.querySelector('`+divBar+`');
		return {Outcome: b.dataset.outcome, ErrorType: b.dataset.errorType, Title: b.querySelector("title").textContent,
			Width: b.getBoundingClientRect().width}; })()`))
	if div.Outcome != "FAILED" || div.ErrorType != "DivisionByZeroError" || div.Width <= 0 {
		t.Errorf("division bar %+v; want a drawn FAILED bar with DivisionByZeroError", div)
	}
	if !strings.Contains(div.Title, "Division by zero is not allowed") {
		t.Errorf("the division bar's hover text %q lacks the error", div.Title)
	}
	counts := must(t, ctx, chromedp.Evaluate[map[string]string](`Object.assign({}, document.querySelector("g.batch").dataset)`))
	if counts["reason"] != "ALL_COMPLETED" || counts["succeeded"] != "3" || counts["failed"] != "1" || counts["started"] != "0" {
		t.Errorf("batch %v, want ALL_COMPLETED 3 / 1 / 0", counts)
	}
	if band := must(t, ctx, chromedp.AttributeValue(chromedp.CSS(`g.band`), "data-outcome")).Value; band != "SUCCEEDED" {
		t.Errorf("band outcome %q, want SUCCEEDED", band)
	}
	// Clicking the failed bar follows its link and opens its failure entry.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(divBar))); err != nil {
		t.Fatalf("clicking the division bar: %v", err)
	}
	opened := must(t, ctx, chromedp.Poll[bool](`(() => { const d = document.querySelector("details.failure:target"); return d !== null && d.open; })()`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if !opened {
		t.Error("clicking the division bar did not open its failure entry")
	}
	// The page loaded nothing but itself.
	if res := must(t, ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name)`)); len(res) != 0 {
		t.Errorf("the page loaded %v; it must load nothing", res)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`history.replaceState(null, "", location.pathname + location.search); window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	png := must(t, ctx, chromedp.FullScreenshot(100)) // quality 100 is a PNG

	// Printed, every failure entry is open, so the errors are on paper.
	pdf := must(t, ctx, chromedp.PrintToPDF())
	if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("printing gave %d bytes that are not a PDF", len(pdf))
	}
	if closed := must(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("details.failure:not([open])").length`)); closed != 0 {
		t.Errorf("%d failure entries stayed closed for printing", closed)
	}

	out := screenshotPath()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of %s (%d bytes): %s", res.Name, len(png), out)
	fmt.Fprintln(os.Stderr, "timeline screenshot:", out)
}

// must runs an action and returns its value, failing t on an error.
func must[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
