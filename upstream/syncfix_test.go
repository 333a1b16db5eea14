package upstream_test

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/floorops/floorops/central"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// smallCentral is a reference central on loopback with its own database
// and the given gRPC options (a small receive limit), and a client signed
// in as node n1.
func smallCentral(t *testing.T, opts ...grpc.ServerOption) (*central.Central, upstreamv1.UpstreamServiceClient, context.Context) {
	t.Helper()
	ctx := context.Background()
	c, err := central.Open(ctx, filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	key, err := c.CreateKey(ctx, "n1")
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := central.NewGRPCServer(c, opts...)
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return c, upstreamv1.NewUpstreamServiceClient(conn), metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+key)
}

func trafficDB(t *testing.T, n int) (*store.DB, *floor) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := newFloor(t, db)
	f.traffic(t, n)
	return db, f
}

// The node's batches stay under central's receive limit by bytes, however
// many events Batch allows.
func TestBatchesAreCappedByBytes(t *testing.T) {
	db, _ := trafficDB(t, 150)
	c, client, ctx := smallCentral(t, grpc.MaxRecvMsgSize(16<<10))
	p := &upstream.Pusher{DB: db, NodeID: "n1", Client: client, Logger: discard(), Batch: 5000, MaxBytes: 12 << 10}
	if err := upstream.EnsureCursor(ctx, db, upstream.Sink); err != nil {
		t.Fatal(err)
	}
	last := lastSeq(t, db)
	for i := 0; ; i++ {
		n, err := p.PushOnce(ctx)
		if err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		if n == 0 {
			break
		}
	}
	if acked, _ := upstream.Cursor(ctx, db.Reader(), upstream.Sink); acked != last {
		t.Fatalf("acked %d, want %d", acked, last)
	}
	assertInStep(t, db, c)
}

// A batch central refuses as too large is halved until it fits.
func TestResourceExhaustedHalvesTheBatch(t *testing.T) {
	db, _ := trafficDB(t, 150)
	c, client, ctx := smallCentral(t, grpc.MaxRecvMsgSize(16<<10))
	p := &upstream.Pusher{DB: db, NodeID: "n1", Client: client, Logger: discard(), Batch: 5000, MaxBytes: 4 << 20}
	if err := upstream.EnsureCursor(ctx, db, upstream.Sink); err != nil {
		t.Fatal(err)
	}
	last := lastSeq(t, db)
	exhausted := 0
	for i := 0; i < 100; i++ {
		n, err := p.PushOnce(ctx)
		if status.Code(err) == codes.ResourceExhausted {
			exhausted++
			continue
		}
		if err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		if n == 0 {
			break
		}
	}
	if exhausted == 0 {
		t.Error("central never refused a batch: the test proves nothing")
	}
	if acked, _ := upstream.Cursor(ctx, db.Reader(), upstream.Sink); acked != last {
		t.Fatalf("acked %d, want %d after %d refusals", acked, last, exhausted)
	}
	assertInStep(t, db, c)
}

// A central that is not where the node is (a new or restored central: it
// holds fewer of the node's events than the node's cursor says) answers
// FailedPrecondition with its applied seq; the node keeps its cursor,
// records the error for sync status and the metric, and backs off.
func TestOutOfStepCentralIsAVisibleError(t *testing.T) {
	db, f := trafficDB(t, 20)
	_, client, ctx := smallCentral(t)
	p := &upstream.Pusher{DB: db, NodeID: "n1", Client: client, Logger: discard()}
	if err := upstream.EnsureCursor(ctx, db, upstream.Sink); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PushOnce(ctx); err != nil {
		t.Fatal(err)
	}
	acked, _ := upstream.Cursor(ctx, db.Reader(), upstream.Sink)
	f.traffic(t, 5)

	// The node now talks to a central that has never seen it.
	_, fresh, fctx := smallCentral(t)
	p.Client = fresh
	_, err := p.PushOnce(fctx)
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("push to a central out of step: %v", err)
	}
	var applied string
	for _, d := range status.Convert(err).Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok && ei.GetReason() == central.GapReason {
			applied = ei.GetMetadata()[central.AppliedSeqKey]
		}
	}
	if applied != "0" {
		t.Errorf("gap answer names applied seq %q, want 0", applied)
	}
	if now, _ := upstream.Cursor(ctx, db.Reader(), upstream.Sink); now != acked {
		t.Errorf("cursor moved from %d to %d on an out-of-step answer", acked, now)
	}
	st, err := upstream.ReadStatus(ctx, db.Reader(), upstream.Sink)
	if err != nil || st.LastError == "" {
		t.Errorf("status after an out-of-step answer: %+v, %v", st, err)
	}
}

// A cursor past the node's last seq is not this node's: OutOfRange naming
// the last seq, from Watch and from the availability feed.
func TestCursorAheadOfTheNodeIsOutOfRange(t *testing.T) {
	srv := startPlainNode(t)
	newFloor(t, srv.DB).traffic(t, 3)
	last := lastSeq(t, srv.DB)
	feed, ctx := feedClient(t, srv)
	lastOf := func(err error) string {
		for _, d := range status.Convert(err).Details() {
			if ei, ok := d.(*errdetails.ErrorInfo); ok && ei.GetReason() == upstream.CursorAheadReason {
				return ei.GetMetadata()["last_seq"]
			}
		}
		return ""
	}
	want := strconv.FormatInt(last, 10)
	stream, err := feed.Watch(ctx, &upstreamv1.WatchRequest{AfterSeq: last + 10})
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.OutOfRange || lastOf(err) != want {
		t.Errorf("Watch ahead of the node: %v (last_seq %q, want %s)", err, lastOf(err), want)
	}
	_, err = feed.ListAvailabilityChanges(ctx, &upstreamv1.ListAvailabilityChangesRequest{AfterSeq: last + 1})
	if status.Code(err) != codes.OutOfRange || lastOf(err) != want {
		t.Errorf("availability feed ahead of the node: %v", err)
	}
	if _, err := feed.ListAvailabilityChanges(ctx, &upstreamv1.ListAvailabilityChangesRequest{AfterSeq: last}); err != nil {
		t.Errorf("availability feed at the last seq: %v", err)
	}
}
