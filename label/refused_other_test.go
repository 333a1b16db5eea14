//go:build !unix

package label

import (
	"net"
	"testing"
)

// refusingAddr returns a loopback port that was free a moment ago. Without
// unix sockets to hold it, another process could take it in between; the
// unix build holds the port instead.
func refusingAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
