package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Sizes of the drawing, in SVG user units (pixels on screen).
const (
	labelW     = 250 // the lane labels on the left
	colW       = 20  // one column
	breakW     = 44  // a clock break before a column with a Gap
	laneH      = 24
	barH       = 14
	headH      = 46 // the band labels and clock ticks above the lanes
	footH      = 22 // the event numbers below
	margin     = 24 // right of the drawing
	batchCharW = 7  // the width of a character of a batch label, generously
	indentW    = 14 // per depth level in the labels
)

// view is a Timeline with coordinates, for the page template.
type view struct {
	T      *Timeline
	Width  int
	Height int
	LanesH int // height of the lane area
	LaneH  int
	Title  string
	// Command, when set, is a command line that rebuilds the picture.
	Command  string
	Lanes    []laneView
	Bands    []bandView
	Breaks   []breakView
	Ticks    []tickView
	Failures []failureView
	Batches  []batchView
}

type laneView struct {
	*Lane
	ID          string
	Y, MidY     int
	LabelX      int
	Label, Kind string
	Bars        []barView
	Gaps        []gapView
	Marks       []markView
	Batch       *batchLabel
	Stripe      bool
}

type barView struct {
	Bar
	X, Y, W, H int
	Title      string
	Href       string // the failure entry, for a failed bar
	ErrorType  string
}

type gapView struct {
	Gap
	X1, X2, Y, TextX, TextY int
	Label, Title            string
}

type markView struct {
	Mark
	CX, CY int
	Title  string
}

type batchLabel struct {
	*Batch
	X, Y  int
	Text  string
	Total int
}

type bandView struct {
	Band
	X, W, LabelX int
	ErrorType    string
	Class        string
	Title        string
	Detail       string
	Short        string // the outcome in a word
}

type breakView struct {
	X, W  int
	Mid   int // the label's offset from X
	Label string
}

type tickView struct {
	X     int
	Event int // EventId
	Title string
}

type failureView struct {
	ID, OpID, Path, Line string
	Type, Message, Data  string
	Attempts             []string
}

type batchView struct {
	Path  string
	Batch *Batch
}

// xs is the left edge of every column.
func xs(cols []Column) []int {
	out := make([]int, len(cols))
	x := labelW
	for i, c := range cols {
		if c.Gap > 0 {
			x += breakW
		}
		out[i] = x
		x += colW
	}
	return out
}

// kind is an operation's type and subtype for a label.
func kind(l *Lane) string {
	k := strings.ToLower(string(l.Op.Type))
	if l.Op.SubType != "" {
		k = l.Op.SubType
	}
	return k
}

// duration prints a clock delay the way a reader says it.
func duration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.Round(time.Millisecond).String()
}

// errorText is an error's full text for a tooltip.
func errorText(e *types.ErrorObject) string {
	if e == nil {
		return ""
	}
	s := aws.ToString(e.ErrorType)
	if m := aws.ToString(e.ErrorMessage); m != "" {
		s += ": " + m
	}
	return s
}
