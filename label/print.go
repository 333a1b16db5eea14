package label

import (
	"context"
	"fmt"
	"net"
	"time"
)

// printTimeout bounds a print job when ctx has no deadline: a printer that is
// off, out of labels or unreachable must not hang a packing station.
const printTimeout = 30 * time.Second

// Print sends ZPL raw to a Zebra printer's port (addr "host:9100"; a bare
// host means port 9100), the way a print server would: connect, write every
// byte, close. The printer prints when it has parsed each ^XA ... ^XZ format;
// a nil error means the printer accepted the bytes, not that labels came out.
func Print(ctx context.Context, addr string, zpl []byte) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("print to %s: %w", addr, err)
		}
	}()
	if len(zpl) == 0 {
		return invalidf("nothing to print")
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "9100")
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, printTimeout)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return err
	}
	// Close the connection if ctx is cancelled mid-write.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	_, werr := conn.Write(zpl)
	if !stop() {
		return ctx.Err()
	}
	if werr != nil {
		conn.Close()
		return werr
	}
	return conn.Close()
}
