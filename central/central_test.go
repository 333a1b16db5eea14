package central_test

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorops/floorops/central"
	centralv1 "github.com/floorops/floorops/proto/floorops/central/v1"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func ats(seq int64, sku string, n, version int64) *eventv1.Event {
	return &eventv1.Event{Seq: seq, NodeId: "n1", OccurTime: timestamppb.New(time.Unix(1700000000+seq, 0)),
		Payload: &eventv1.Event_AvailabilityChanged{AvailabilityChanged: &eventv1.AvailabilityChanged{Sku: sku, OnHand: n, AvailableToSell: n, Version: version}}}
}

type fixture struct {
	up   upstreamv1.UpstreamServiceClient
	cen  centralv1.CentralServiceClient
	ctx  context.Context
	anon context.Context
}

func newFixture(t *testing.T) fixture {
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
	g := central.NewGRPCServer(c)
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	bounded, cancel := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancel)
	return fixture{up: upstreamv1.NewUpstreamServiceClient(conn), cen: centralv1.NewCentralServiceClient(conn),
		ctx: metadata.AppendToOutgoingContext(bounded, "authorization", "Bearer "+key), anon: bounded}
}

func (f fixture) network(t *testing.T, sku string) *centralv1.NetworkAvailability {
	t.Helper()
	r, err := f.cen.GetNetworkAvailability(f.ctx, &centralv1.GetNetworkAvailabilityRequest{Skus: []string{sku}})
	if err != nil {
		t.Fatal(err)
	}
	return r.GetSkus()[0]
}

func TestPushDedupesAndStopsAtAGap(t *testing.T) {
	f := newFixture(t)
	batch := &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(1, "A", 5, 1), ats(2, "A", 7, 2)}}
	for range 2 { // the retry of a batch central applied changes nothing
		r, err := f.up.PushEvents(f.ctx, batch)
		if err != nil || r.GetAckedThroughSeq() != 2 {
			t.Fatalf("push: %v, %v", r, err)
		}
	}
	// A gap: seq 4 without 3 is not applied, and is an error naming the
	// seq central holds.
	r, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(4, "A", 9, 4)}})
	if status.Code(err) != codes.FailedPrecondition || appliedSeq(err) != "2" {
		t.Fatalf("push past a gap: %v, %v", r, err)
	}
	if got := f.network(t, "A"); got.GetAvailableToSell() != 7 || got.GetNodes()[0].GetVersion() != 2 {
		t.Errorf("network ATS of A: %v", got)
	}
	nodes, err := f.cen.ListNodes(f.ctx, &centralv1.ListNodesRequest{})
	if err != nil || len(nodes.GetNodes()) != 1 || nodes.GetNodes()[0].GetEventCount() != 2 {
		t.Errorf("nodes: %v, %v", nodes, err)
	}
}

func TestOlderVersionNeverOverwritesATS(t *testing.T) {
	f := newFixture(t)
	// Seq order and version order disagree only if a node is broken; the
	// version still wins.
	if _, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(1, "A", 5, 3), ats(2, "A", 9, 2)}}); err != nil {
		t.Fatal(err)
	}
	if got := f.network(t, "A"); got.GetAvailableToSell() != 5 {
		t.Errorf("ATS after an older version: %v", got)
	}
}

func TestMalformedEventIsRejectedThenSkippedWhenParked(t *testing.T) {
	f := newFixture(t)
	bad := &eventv1.Event{Seq: 2, NodeId: "n1", OccurTime: timestamppb.Now()}
	r, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(1, "A", 5, 1), bad, ats(3, "A", 6, 2)}})
	if err != nil || r.GetAckedThroughSeq() != 1 || r.GetRejected().GetSeq() != 2 {
		t.Fatalf("push with a malformed event: %v, %v", r, err)
	}
	r, err = f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(3, "A", 6, 2)},
		Parked: []*upstreamv1.ParkedEvent{{Seq: 2, Reason: r.GetRejected().GetReason()}}})
	if err != nil || r.GetAckedThroughSeq() != 3 || r.GetRejected() != nil {
		t.Fatalf("push after parking: %v, %v", r, err)
	}
	if got := f.network(t, "A"); got.GetAvailableToSell() != 6 {
		t.Errorf("network ATS: %v", got)
	}
}

func TestOnlyANodesKeyPushesItsEvents(t *testing.T) {
	f := newFixture(t)
	_, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n2", Events: []*eventv1.Event{ats(1, "A", 5, 1)}})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("n1's key pushing for n2: %v", err)
	}
	_, err = f.up.PushEvents(f.anon, &upstreamv1.PushEventsRequest{NodeId: "n1"})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("no key: %v", err)
	}
	bad := metadata.AppendToOutgoingContext(f.anon, "authorization", "Bearer fck_nope")
	if _, err := f.cen.ListNodes(bad, &centralv1.ListNodesRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("a wrong key: %v", err)
	}
}
