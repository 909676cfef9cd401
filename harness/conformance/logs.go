package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// LogRecord is one record a handler logged, as the fields a CloudWatch JSON log
// line would have: "message", "level" (INFO, WARN, ...) and every attribute,
// group members as "group.key", all as strings.
type LogRecord map[string]string

// logSink collects records from every invocation of one run. Records below
// INFO are not captured, as Lambda's default log level drops them.
type logSink struct {
	mu      sync.Mutex
	records []LogRecord
}

func (s *logSink) snapshot() []LogRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// logger returns a logger that captures into s and forwards to next (nil: only
// capture). Once dead is set (the invocation crashed) it drops everything.
func (s *logSink) logger(next *slog.Logger, dead *atomic.Bool) *slog.Logger {
	var h slog.Handler
	if next != nil {
		h = next.Handler()
	}
	return slog.New(&captureHandler{sink: s, next: h, dead: dead})
}

type captureHandler struct {
	sink   *logSink
	next   slog.Handler
	dead   *atomic.Bool // nil: the invocation cannot crash
	attrs  map[string]string
	prefix string // open groups, "a.b."
}

func (h *captureHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || (h.next != nil && h.next.Enabled(ctx, l))
}

func (h *captureHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.dead != nil && h.dead.Load() {
		return nil
	}
	if r.Level >= slog.LevelInfo {
		rec := LogRecord{}
		maps.Copy(rec, h.attrs)
		r.Attrs(func(a slog.Attr) bool {
			addAttr(rec, h.prefix, a)
			return true
		})
		rec["message"] = r.Message
		rec["level"] = r.Level.String()
		h.sink.mu.Lock()
		h.sink.records = append(h.sink.records, rec)
		h.sink.mu.Unlock()
	}
	if h.next != nil && h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func (h *captureHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = maps.Clone(h.attrs)
	if c.attrs == nil {
		c.attrs = map[string]string{}
	}
	for _, a := range as {
		addAttr(c.attrs, h.prefix, a)
	}
	if h.next != nil {
		c.next = h.next.WithAttrs(as)
	}
	return &c
}

func (h *captureHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + name + "."
	if h.next != nil {
		c.next = h.next.WithGroup(name)
	}
	return &c
}

func addAttr(dst map[string]string, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			addAttr(dst, p, g)
		}
		return
	}
	if a.Key != "" {
		dst[prefix+a.Key] = v.String()
	}
}

// LogMismatch reports an ExpectedLogs entry whose count does not hold.
type LogMismatch struct {
	Index       int // position in ExpectedLogs
	Expectation LogExpectation
	Matched     int
	Records     []LogRecord // everything the handler logged
}

func (m *LogMismatch) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "ExpectedLogs[%d] (match %s) wants %s, found %d\n",
		m.Index, renderInline(m.Expectation.Match), countText(m.Expectation), m.Matched)
	fmt.Fprintf(&sb, "  logged (%d records):", len(m.Records))
	for _, r := range m.Records {
		fmt.Fprintf(&sb, "\n    [%s] %s", r["level"], r["message"])
	}
	return sb.String()
}

func countText(le LogExpectation) string {
	var parts []string
	if le.Count >= 0 {
		parts = append(parts, fmt.Sprintf("exactly %d", le.Count))
	}
	if le.MinCount >= 0 {
		parts = append(parts, fmt.Sprintf("at least %d", le.MinCount))
	}
	if le.MaxCount >= 0 {
		parts = append(parts, fmt.Sprintf("at most %d", le.MaxCount))
	}
	return strings.Join(parts, " and ")
}

// CheckLogs counts, for each expectation, the records whose fields all match,
// and returns the first expectation whose count does not hold. Values written
// '/regex/' are searched as regular expressions after ${NAME} substitution
// (bound values quoted); others must equal the field.
func CheckLogs(exps []LogExpectation, records []LogRecord, b Bindings) (*LogMismatch, error) {
	for i, le := range exps {
		type matcher func(string) bool
		fields := map[string]matcher{}
		for k, want := range le.Match {
			if len(want) >= 2 && strings.HasPrefix(want, "/") && strings.HasSuffix(want, "/") {
				re, err := regexp.Compile(b.substituteString(want[1:len(want)-1], true))
				if err != nil {
					return nil, fmt.Errorf("conformance: ExpectedLogs[%d].match.%s: %w", i, k, err)
				}
				fields[k] = re.MatchString
				continue
			}
			lit := b.substituteString(want, false)
			fields[k] = func(s string) bool { return s == lit }
		}
		n := 0
		for _, r := range records {
			ok := true
			for k, m := range fields {
				v, present := r[k]
				if !present || !m(v) {
					ok = false
					break
				}
			}
			if ok {
				n++
			}
		}
		if (le.Count >= 0 && n != le.Count) || (le.MinCount >= 0 && n < le.MinCount) || (le.MaxCount >= 0 && n > le.MaxCount) {
			return &LogMismatch{Index: i, Expectation: le, Matched: n, Records: records}, nil
		}
	}
	return nil, nil
}

// ParseLogLine reads one line a function process wrote as the record
// CloudWatch would show: a JSON object (the structured logging of the SDKs
// and of log/slog) gives its fields, nested ones as "group.key", every value
// as a string (strings as they are, other values as JSON text), with slog's
// "msg" as "message" when there is none; any other line is a record whose
// message is the line. It returns false for a record below INFO, which
// Lambda's default log level drops.
func ParseLogLine(line string) (LogRecord, bool) {
	var fields map[string]any
	if err := json.Unmarshal([]byte(line), &fields); err != nil || fields == nil {
		return LogRecord{"message": line}, true
	}
	rec := LogRecord{}
	flattenLogFields(rec, "", fields)
	if _, ok := rec["message"]; !ok {
		if msg, ok := rec["msg"]; ok {
			rec["message"] = msg
		}
	}
	switch strings.ToUpper(rec["level"]) {
	case "DEBUG", "TRACE":
		return rec, false
	}
	return rec, true
}

func flattenLogFields(rec LogRecord, prefix string, fields map[string]any) {
	for k, v := range fields {
		switch v := v.(type) {
		case map[string]any:
			flattenLogFields(rec, prefix+k+".", v)
		case string:
			rec[prefix+k] = v
		default:
			raw, _ := json.Marshal(v)
			rec[prefix+k] = string(raw)
		}
	}
}
