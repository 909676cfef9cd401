package conformance

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// LogRecord is one record a handler logged, as the fields a CloudWatch JSON log
// line would have: "message", "level" (INFO, WARN, ...) and every attribute,
// group members as "group.key". Values keep their JSON type: string, bool,
// a number (json.Number, int64, uint64 or float64), nil, or a list.
type LogRecord map[string]any

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
	attrs  map[string]any
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
		c.attrs = map[string]any{}
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

func addAttr(dst map[string]any, prefix string, a slog.Attr) {
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
		dst[prefix+a.Key] = attrValue(v)
	}
}

// attrValue is the value a JSON log handler would write for v, with its type.
func attrValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindBool:
		return v.Bool()
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return v.Uint64()
	case slog.KindFloat64:
		return v.Float64()
	case slog.KindAny:
		if v.Any() == nil {
			return nil
		}
	}
	return v.String()
}
