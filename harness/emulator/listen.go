package emulator

import (
	"fmt"
	"net"
)

// checkLoopback refuses a listen address that is reachable from other
// machines: the emulator runs arbitrary executables and has no
// authentication, so exposing it must be a deliberate choice.
func checkLoopback(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator: listen address %q: %w", addr, err)
	}
	if allow || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return &NonLoopbackError{Addr: addr}
}

// NonLoopbackError reports a listen address off the loopback interface
// without Config.AllowNonLoopback.
type NonLoopbackError struct{ Addr string }

func (e *NonLoopbackError) Error() string {
	return fmt.Sprintf("emulator: %q is not a loopback address; the emulator has no authentication and runs executables, so listening beyond 127.0.0.1 needs an explicit opt-in (--allow-non-loopback)", e.Addr)
}

// localURL is the URL processes on this machine use to reach a listener:
// an unspecified host (0.0.0.0, ::) becomes the loopback address.
func localURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// listenAddr is the configured host with the port the listener got; an
// empty host is what the listener reports.
func listenAddr(configured string, bound net.Addr) string {
	host, _, err := net.SplitHostPort(configured)
	tcp, ok := bound.(*net.TCPAddr)
	if err != nil || host == "" || !ok {
		return bound.String()
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}
