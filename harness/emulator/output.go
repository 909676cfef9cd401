package emulator

import (
	"bytes"
	"os"
	"sync"
	"time"
)

// syncMark is what the emulator writes into a process's output pipe to
// learn that every byte before it has been read: the pipe is first in,
// first out, and a write this short is atomic, so the reader meets the mark
// after everything the process wrote before the emulator wrote it. The
// reader strips marks, so the output is passed on unchanged.
var syncMark = []byte("\x00dpcheck-output-sync\x00")

// outputPipe carries a function process's stdout and stderr (one pipe, so
// their lines keep their order) to a lineWriter. The emulator keeps its own
// copy of the write end to write sync marks.
type outputPipe struct {
	r, w *os.File
	out  *lineWriter

	writeMu sync.Mutex // orders marks: the n-th written is the n-th read
	written uint64

	mu    sync.Mutex
	cond  *sync.Cond
	seen  uint64 // marks the reader has met
	ended bool   // the reader returned
	done  chan struct{}
}

func newOutputPipe(out *lineWriter) (*outputPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &outputPipe{r: r, w: w, out: out, done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	go p.read()
	return p, nil
}

// read copies the pipe to the lineWriter until every write end is closed
// (or the read end is), counting and stripping marks.
func (p *outputPipe) read() {
	defer close(p.done)
	buf := make([]byte, 32<<10)
	var carry []byte
	for {
		n, err := p.r.Read(buf)
		if n > 0 {
			data := append(carry, buf[:n]...)
			for {
				i := bytes.Index(data, syncMark)
				if i < 0 {
					break
				}
				_, _ = p.out.Write(data[:i])
				data = data[i+len(syncMark):]
				p.mu.Lock()
				p.seen++
				p.cond.Broadcast()
				p.mu.Unlock()
			}
			// A tail that may begin a mark waits for the next read.
			k := markPrefixAtEnd(data)
			_, _ = p.out.Write(data[:len(data)-k])
			carry = append([]byte(nil), data[len(data)-k:]...)
		}
		if err != nil {
			_, _ = p.out.Write(carry)
			p.mu.Lock()
			p.ended = true
			p.cond.Broadcast()
			p.mu.Unlock()
			return
		}
	}
}

// markPrefixAtEnd is the length of the longest end of data that is a
// proper prefix of syncMark.
func markPrefixAtEnd(data []byte) int {
	for k := min(len(data), len(syncMark)-1); k > 0; k-- {
		if bytes.Equal(syncMark[:k], data[len(data)-k:]) {
			return k
		}
	}
	return 0
}

// sync returns once everything the process wrote before the call has gone
// to the lineWriter (or the pipe is closed). A nil pipe has nothing to wait
// for.
func (p *outputPipe) sync() {
	if p == nil {
		return
	}
	p.writeMu.Lock()
	_, err := p.w.Write(syncMark)
	if err == nil {
		p.written++
	}
	want := p.written
	p.writeMu.Unlock()
	if err != nil {
		return // the write end is closed: the process is gone and finish drains the pipe
	}
	p.mu.Lock()
	for p.seen < want && !p.ended {
		p.cond.Wait()
	}
	p.mu.Unlock()
}

// finish is called once the process has exited: it closes the emulator's
// write end and waits for the reader to drain the pipe, at most grace
// long, as a child the process left behind may hold the pipe open.
func (p *outputPipe) finish(grace time.Duration) {
	p.writeMu.Lock()
	_ = p.w.Close()
	p.writeMu.Unlock()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.r.Close()
		<-p.done
	}
}
