package conncount

import (
	"net"
	"sync/atomic"
)

// Listener is a net.Listener that counts the connections it accepts.
type Listener struct {
	net.Listener
	accepted atomic.Int64
}

// New wraps ln.
func New(ln net.Listener) *Listener { return &Listener{Listener: ln} }

// Accept accepts the next connection and counts it.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// Accepted is how many connections Accept has returned.
func (l *Listener) Accepted() int64 { return l.accepted.Load() }
