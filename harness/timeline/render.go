package timeline

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/harness"
)

//go:embed page.html.tmpl
var pageSource string

var page = template.Must(template.New("page").Parse(pageSource))

// Options adjust a rendered page.
type Options struct {
	// Title replaces the page title (default: the execution's name).
	Title string
	// Command is shown as the command line that rebuilds the picture.
	Command string
}

// Render writes the self-contained HTML page of t (inline CSS and SVG, a
// few lines of inline script that only open the error details; nothing
// is fetched).
func Render(w io.Writer, t *Timeline, opts Options) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, newView(t, opts)); err != nil {
		return fmt.Errorf("timeline: rendering %s: %w", t.Name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile builds the timeline of res and writes its page to path.
func WriteFile(path string, res *harness.Result, opts Options) error {
	var buf bytes.Buffer
	if err := Render(&buf, Build(res), opts); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	return nil
}

func newView(t *Timeline, opts Options) *view {
	x := xs(t.Columns)
	right := labelW
	if n := len(x); n > 0 {
		right = x[n-1] + colW
	}
	v := &view{T: t, Title: opts.Title, Command: opts.Command, Width: right + margin, LanesH: len(t.Lanes) * laneH, LaneH: laneH}
	if v.Title == "" {
		v.Title = "execution " + t.Name
	}
	v.Height = headH + v.LanesH + footH
	v.bands(x)
	for i, c := range t.Columns {
		if c.Gap > 0 {
			v.Breaks = append(v.Breaks, breakView{X: x[i] - breakW, W: breakW, Mid: breakW / 2, Label: "+" + duration(c.Gap)})
		}
		if c.Event >= 0 {
			v.Ticks = append(v.Ticks, tickView{X: x[i] + colW/2, Event: c.Event + 1,
				Title: fmt.Sprintf("event %d at +%s", c.Event+1, duration(c.At.Sub(t.Start)))})
		}
	}
	for i, l := range t.Lanes {
		v.Lanes = append(v.Lanes, v.lane(i, l, x))
	}
	return v
}

func (v *view) bands(x []int) {
	for _, b := range v.T.Bands {
		bv := bandView{Band: b, X: x[b.From], W: x[b.To] + colW - x[b.From], ErrorType: errorType(b.Error)}
		bv.LabelX = bv.X + 3
		switch {
		case b.Error != nil:
			bv.Class = "failed"
		case b.Outcome == "PENDING":
			bv.Class = "pending"
		case b.Outcome == "SUCCEEDED":
			bv.Class = "succeeded"
		case b.Outcome == Running:
			bv.Class = "running"
		default:
			bv.Class = "failed"
		}
		bv.Detail, bv.Short = b.Outcome, shortOutcome(b)
		if b.Error != nil {
			bv.Detail = errorText(b.Error)
		}
		if len(b.Faults) > 0 {
			bv.Detail += " (injected: " + strings.Join(b.Faults, "; ") + ")"
		}
		bv.Title = fmt.Sprintf("invocation %d: %s", b.Index, bv.Detail)
		v.Bands = append(v.Bands, bv)
	}
}

func (v *view) lane(i int, l *Lane, x []int) laneView {
	y := headH + i*laneH
	lv := laneView{Lane: l, ID: "lane-" + l.Op.Id, Y: y, MidY: y + laneH/2, LabelX: 8 + l.Depth*indentW,
		Label: l.Op.Name, Kind: kind(l), Stripe: i%2 == 1}
	if lv.Label == "" {
		lv.Label = "(" + l.Op.Id + ")"
	}
	if l.Unrecorded {
		lv.Kind += " · never checkpointed"
	}
	failed := v.failure(l)
	for _, b := range l.Bars {
		bv := barView{Bar: b, X: x[b.From] + 1, Y: y + (laneH-barH)/2, H: barH, ErrorType: errorType(b.Error)}
		bv.W = x[b.To] + colW - 1 - bv.X
		bv.Title = fmt.Sprintf("%s · %s", l.Path, strings.ToLower(b.Outcome))
		if b.Attempt > 0 {
			bv.Title = fmt.Sprintf("%s · attempt %d · %s", l.Path, b.Attempt, strings.ToLower(b.Outcome))
		}
		if b.Error != nil {
			bv.Title += "\n" + errorText(b.Error)
		}
		if failed != "" && b.Error != nil {
			bv.Href = "#" + failed
		}
		lv.Bars = append(lv.Bars, bv)
	}
	for _, g := range l.Gaps {
		gv := gapView{Gap: g, X1: x[g.From] + colW, X2: max(x[g.To], x[g.From]+colW+4), Y: lv.MidY}
		gv.TextX, gv.TextY = (gv.X1+gv.X2)/2, y+8
		gv.Label = fmt.Sprintf("%s %ds", g.Kind, g.Seconds)
		if g.Kind == "retry" {
			gv.Label = fmt.Sprintf("retry in %ds", g.Seconds)
		}
		gv.Title = fmt.Sprintf("%s · %s · %s", l.Path, gv.Label, strings.ToLower(g.Outcome))
		if g.Outcome == Abandoned || g.Outcome == string(types.OperationStatusCancelled) {
			gv.Label += " · " + strings.ToLower(g.Outcome)
		}
		lv.Gaps = append(lv.Gaps, gv)
	}
	for _, m := range l.Marks {
		mv := markView{Mark: m, CX: x[m.Column] + colW/2, CY: lv.MidY}
		mv.Title = fmt.Sprintf("%s %s in invocation %d", l.Path, m.Mode, m.Invocation)
		if m.Inferred {
			mv.Title += " (inferred from the history)"
		}
		lv.Marks = append(lv.Marks, mv)
	}
	if b := l.Batch; b != nil {
		end := 0
		for _, bar := range l.Bars {
			end = max(end, x[bar.To]+colW)
		}
		bl := &batchLabel{Batch: b, X: max(end, labelW) + 6, Y: lv.MidY + 4, Total: b.Total()}
		reason := b.Reason
		if reason == "" {
			reason = "no result yet"
		}
		bl.Text = fmt.Sprintf("%s · %d succeeded · %d failed · %d started", reason, b.Succeeded, b.Failed, b.Started)
		v.Width = max(v.Width, bl.X+len(bl.Text)*batchCharW+margin)
		lv.Batch = bl
		v.Batches = append(v.Batches, batchView{Path: l.Path, Batch: b})
	}
	return lv
}

// failure adds the failure entry of a lane whose operation or one of its
// attempts failed, and returns its element id ("" if none).
func (v *view) failure(l *Lane) string {
	var attempts []string
	for _, b := range l.Bars {
		if b.Error != nil && b.Attempt > 0 {
			attempts = append(attempts, fmt.Sprintf("attempt %d: %s", b.Attempt, errorText(b.Error)))
		}
	}
	e := l.Op.Error
	if e == nil && len(attempts) == 0 {
		return ""
	}
	if e != nil && len(attempts) == 1 {
		attempts = nil // the one attempt's error is the operation's
	}
	f := failureView{ID: "err-" + l.Op.Id, OpID: l.Op.Id, Path: l.Path, Attempts: attempts}
	if e != nil {
		f.Line = harness.ErrorLine(e)
		f.Type, f.Message, f.Data = aws.ToString(e.ErrorType), aws.ToString(e.ErrorMessage), aws.ToString(e.ErrorData)
	} else {
		f.Line = fmt.Sprintf("%s after failed attempts; %s", strings.ToLower(l.Outcome), attempts[len(attempts)-1])
	}
	v.Failures = append(v.Failures, f)
	return f.ID
}

// shortOutcome is a band's outcome in a word that fits a narrow band.
func shortOutcome(b Band) string {
	switch {
	case b.Error != nil && aws.ToString(b.Error.ErrorType) == "Runtime.ExitError":
		return "crashed"
	case b.Error != nil:
		return "failed"
	case b.Outcome == string(types.OperationStatusPending):
		return "pending"
	case b.Outcome == string(types.ExecutionStatusSucceeded):
		return "done"
	case b.Outcome == Running:
		return "running"
	}
	return strings.ToLower(b.Outcome)
}
