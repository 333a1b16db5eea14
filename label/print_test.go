package label

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestPrint stands up a fake Zebra printer on a loopback port and checks it
// receives exactly the ZPL bytes, then the end of the connection.
func TestPrint(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan []byte, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			received <- nil
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn) // until Print closes the connection
		received <- b
	}()

	zpl, err := renderZPL(t, Location{Code: "A-01-02-B"}, LPN{SSCC: "106141411234567897"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := Print(ctx, ln.Addr().String(), zpl); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-received:
		if !bytes.Equal(got, zpl) {
			t.Errorf("printer received %d bytes, want the %d sent:\n%s", len(got), len(zpl), got)
		}
	case <-ctx.Done():
		t.Fatal("printer received nothing")
	}
}

func TestPrintUnreachable(t *testing.T) {
	t.Parallel()
	addr := refusingAddr(t) // the printer is off
	err := Print(t.Context(), addr, []byte("^XA^XZ"))
	if err == nil {
		t.Fatal("Print to a closed port succeeded")
	}
	if errors.Is(err, ErrInvalid) {
		t.Errorf("an unreachable printer is not invalid input: %v", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("err = %v, want the dial error wrapped", err)
	}
}

func TestPrintCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := Print(ctx, "127.0.0.1:9", []byte("^XA^XZ"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// renderZPL concatenates the ZPL of several labels, as a batch print job.
func renderZPL(t *testing.T, labels ...any) ([]byte, error) {
	t.Helper()
	var b bytes.Buffer
	for _, l := range labels {
		if err := Render(&b, FormatZPL, l); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}
