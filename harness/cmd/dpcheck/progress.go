package main

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// progress shows "N/M runs finished" on a terminal, rewriting one line; on
// anything else (a pipe, a file, a test's buffer) it shows nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer // nil: not a terminal
	shown bool
}

func newProgress(w io.Writer) *progress {
	if f, ok := w.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			return &progress{w: w}
		}
	}
	return &progress{}
}

func (p *progress) show(done, total int) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[Ksweep: %d/%d runs finished", done, total)
	p.shown = true
}

// clear removes the progress line before other output.
func (p *progress) clear() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
