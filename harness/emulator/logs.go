package emulator

import (
	"bytes"
	"io"
	"sync"
)

// maxLogLines bounds the output lines kept per execution; a function that
// prints more keeps its first lines and a count of the rest.
const maxLogLines = 10000

// maxLineBytes bounds one kept line; CloudWatch cuts events at 256 KiB.
const maxLineBytes = 256 << 10

// LogLine is one line a function process wrote to stdout or stderr while it
// held an invocation of the execution: what CloudWatch Logs would show in
// the function's log stream for that request.
type LogLine struct {
	Invocation int    // 1-based number of the invocation within the execution
	Line       string // without the line break
}

// lineWriter forwards a process's output unchanged and hands each complete
// line to line. One outputPipe reader writes to it, but Write is locked
// anyway.
type lineWriter struct {
	next    io.Writer
	line    func(string)
	mu      sync.Mutex
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	rest := p
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		w.partial = append(w.partial, rest[:i]...)
		w.line(string(bytes.TrimSuffix(w.partial, []byte("\r"))))
		w.partial = w.partial[:0]
		rest = rest[i+1:]
	}
	if len(w.partial)+len(rest) > maxLineBytes {
		// A line this long is cut, as CloudWatch cuts an event.
		w.partial = append(w.partial, rest[:max(0, maxLineBytes-len(w.partial))]...)
		w.line(string(w.partial))
		w.partial = w.partial[:0]
	} else {
		w.partial = append(w.partial, rest...)
	}
	if _, err := w.next.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// logLine attributes a line to the instance's invocation in flight, or to
// its last one (a line written after the answer); a line written before
// the first invocation (while the runtime starts) belongs to none.
func (inst *instance) logLine(line string) {
	inst.mu.Lock()
	inv := inst.last
	inst.mu.Unlock()
	if inv != nil && inst.pool.logLine != nil {
		inst.pool.logLine(inv, line)
	}
}

// logLine records a line of an invocation of one of the executions.
func (x *executions) logLine(inv *invocation, line string) {
	r := x.lookup(inv.arn)
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.logs) >= maxLogLines {
		r.logsDropped++
		return
	}
	r.logs = append(r.logs, LogLine{Invocation: inv.index, Line: line})
}
