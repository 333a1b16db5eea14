package upstream_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"github.com/floorops/floorops/server"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// feedClient signs in to the node with an integration API key, as central
// would.
func feedClient(t *testing.T, srv *server.Server) (upstreamv1.ChangeFeedServiceClient, context.Context) {
	t.Helper()
	key, err := srv.Auth.CreateAPIKey(context.Background(), "central")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return upstreamv1.NewChangeFeedServiceClient(conn), metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+key)
}

func startPlainNode(t *testing.T) *server.Server {
	t.Helper()
	srv, err := server.New(context.Background(), server.Config{
		DBPath: filepath.Join(t.TempDir(), "node.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", NodeID: "n1",
		Logger: discard(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	<-srv.Ready()
	t.Cleanup(func() { cancel(); <-done })
	return srv
}

func TestWatchCatchesUpThenTails(t *testing.T) {
	srv := startPlainNode(t)
	f := newFloor(t, srv.DB)
	f.traffic(t, 20)
	feed, ctx := feedClient(t, srv)
	stream, err := feed.Watch(ctx, &upstreamv1.WatchRequest{AfterSeq: 3})
	if err != nil {
		t.Fatal(err)
	}
	caughtUp := lastSeq(t, srv.DB)
	var got []*eventv1.Event
	for int64(len(got)) < caughtUp-3 {
		r, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.GetEvent())
	}
	f.traffic(t, 5) // live: committed after the stream caught up
	for int64(len(got)) < lastSeq(t, srv.DB)-3 {
		r, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.GetEvent())
	}
	want, err := inventory.ReadOutbox(context.Background(), srv.DB.Reader(), "n1", 3, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if !proto.Equal(got[i], w.Event) {
			t.Fatalf("event %d: got %v, want %v", i, got[i], w.Event)
		}
	}
	// The envelope says who, from where, and which request caused it.
	for _, ev := range got {
		if ev.GetNodeId() != "n1" || ev.GetUserBadge() != lead.Badge || ev.GetDeviceId() != lead.Device ||
			ev.GetRequestId() == "" || ev.GetOccurTime() == nil {
			t.Fatalf("envelope of seq %d: %v", ev.GetSeq(), ev)
		}
	}
}

func TestWatchFromAPrunedCursorSaysTakeASnapshot(t *testing.T) {
	srv := startPlainNode(t)
	f := newFloor(t, srv.DB)
	f.traffic(t, 10)
	if err := upstream.EnsureCursor(context.Background(), srv.DB, upstream.Sink); err != nil {
		t.Fatal(err)
	}
	// Nothing is acknowledged: pruning removes nothing, however old.
	if through, err := upstream.Prune(context.Background(), srv.DB, 0); err != nil || through != 0 {
		t.Fatalf("prune with nothing acknowledged: through %d, %v", through, err)
	}
	ackThrough(t, srv.DB, 8)
	srv.DB.Now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	through, err := upstream.Prune(context.Background(), srv.DB, 24*time.Hour)
	if err != nil || through != 8 {
		t.Fatalf("prune: through %d, %v; want 8 (acknowledged and old)", through, err)
	}
	var left int64
	if err := srv.DB.Reader().QueryRow(`SELECT MIN(seq) FROM outbox`).Scan(&left); err != nil || left != 9 {
		t.Fatalf("oldest event left: %d, %v", left, err)
	}
	feed, ctx := feedClient(t, srv)
	stream, err := feed.Watch(ctx, &upstreamv1.WatchRequest{AfterSeq: 2})
	if err == nil {
		_, err = stream.Recv()
	}
	st := status.Convert(err)
	if st.Code() != codes.FailedPrecondition {
		t.Fatalf("watch from a pruned cursor: %v", err)
	}
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if info.GetReason() != upstream.CursorPrunedReason || info.GetMetadata()["oldest_seq"] != "9" {
		t.Errorf("details: %v", st.Details())
	}
	// From the oldest retained seq on, the feed works.
	stream, err = feed.Watch(ctx, &upstreamv1.WatchRequest{AfterSeq: 8})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetEvent().GetSeq() != 9 {
		t.Fatalf("watch after 8: %v, %v", r, err)
	}
}

func ackThrough(t *testing.T, db *store.DB, seq int64) {
	t.Helper()
	if err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE upstream_cursor SET acked_seq = ? WHERE sink = ?`, seq, upstream.Sink)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotAndCompactedFeed(t *testing.T) {
	srv := startPlainNode(t)
	f := newFloor(t, srv.DB)
	f.traffic(t, 23)
	feed, ctx := feedClient(t, srv)
	snap, err := feed.Snapshot(ctx, &upstreamv1.SnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ats := map[string]*upstreamv1.SkuAvailability{}
	var units int64
	var asOf int64
	for {
		r, err := snap.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		asOf = r.GetAsOfSeq()
		for _, b := range r.GetBalances() {
			units += b.GetQuantity()
		}
		for _, a := range r.GetAvailability() {
			ats[a.GetSku()] = a
		}
	}
	if asOf != lastSeq(t, srv.DB) {
		t.Errorf("as_of_seq %d, last seq %d", asOf, lastSeq(t, srv.DB))
	}
	var sum int64
	for _, a := range ats {
		sum += a.GetAvailableToSell()
	}
	if len(ats) != 5 || sum != units || units == 0 {
		t.Errorf("snapshot: %d SKUs, ATS %d, balances %d units", len(ats), sum, units)
	}
	// Compacted: one entry per SKU however many changes, latest version.
	page, err := feed.ListAvailabilityChanges(ctx, &upstreamv1.ListAvailabilityChangesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.GetChanges()) != 5 {
		t.Fatalf("compacted feed: %v", page.GetChanges())
	}
	for _, c := range page.GetChanges() {
		s := ats[c.GetSku()]
		if c.GetAvailableToSell() != s.GetAvailableToSell() || c.GetVersion() != s.GetVersion() || c.GetVersion() < 4 {
			t.Errorf("feed %v, snapshot %v", c, s)
		}
	}
	f.traffic(t, 1) // one SKU changes
	next, err := feed.ListAvailabilityChanges(ctx, &upstreamv1.ListAvailabilityChangesRequest{AfterSeq: page.GetNextAfterSeq()})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.GetChanges()) != 1 || next.GetChanges()[0].GetVersion() != ats[next.GetChanges()[0].GetSku()].GetVersion()+1 {
		t.Errorf("after one change: %v", next.GetChanges())
	}
}

func TestDigestMatchesAtCentral(t *testing.T) {
	tc := newCentral(t)
	srv := startNode(t, filepath.Join(t.TempDir(), "node.db"), tc, 100)
	f := newFloor(t, srv.DB)
	f.traffic(t, 30)
	digest := func() {
		if err := srv.DB.Write(context.Background(), func(tx *store.Tx) error { return inventory.EmitDigest(context.Background(), tx) }); err != nil {
			t.Fatal(err)
		}
	}
	digest()
	tc.waitAcked(lastSeq(t, srv.DB))
	nodes, err := tc.c.Nodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if nodes[0].GetLastDigestSeq() != lastSeq(t, srv.DB) || !nodes[0].GetLastDigestMatched() {
		t.Fatalf("after a digest in step: %v", nodes[0])
	}
	// Drift: stock changes at the node without an event central sees.
	if err := srv.DB.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE balances SET qty = qty + 1`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	digest()
	tc.waitAcked(lastSeq(t, srv.DB))
	nodes, err = tc.c.Nodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if nodes[0].GetLastDigestMatched() {
		t.Errorf("a drifted node's digest matched: %v", nodes[0])
	}
}

func TestWatchRefusesABadCursor(t *testing.T) {
	srv := startPlainNode(t)
	feed, ctx := feedClient(t, srv)
	stream, err := feed.Watch(ctx, &upstreamv1.WatchRequest{AfterSeq: -1})
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("watch after -1: %v", err)
	}
	if _, err := feed.ListAvailabilityChanges(ctx, &upstreamv1.ListAvailabilityChangesRequest{PageSize: 5001}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("page of 5001: %v", err)
	}
}
