package conncount_test

import (
	"net"
	"testing"

	"github.com/dpcheck/dpcheck/internal/conncount"
)

func TestCountsAcceptedConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := conncount.New(ln)
	defer l.Close()
	for want := int64(1); want <= 3; want++ {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		c.Close()
		if got := l.Accepted(); got != want {
			t.Errorf("Accepted %d after %d connections", got, want)
		}
	}
	l.Close()
	if _, err := l.Accept(); err == nil {
		t.Fatal("Accept on a closed listener succeeded")
	}
	if got := l.Accepted(); got != 3 {
		t.Errorf("Accepted %d after a failed Accept, want 3", got)
	}
}
