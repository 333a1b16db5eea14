//go:build unix

package label

import (
	"net"
	"strconv"
	"syscall"
	"testing"
)

// refusingAddr returns a loopback address where nothing listens and nothing
// can start to: the port is held by a bound socket that never listens, so a
// connect is refused. Closing a listener and reusing its port would race with
// every other test on the machine that asks for a free port.
func refusingAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}
