package central_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/central"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"github.com/floorops/floorops/store"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// appliedSeq is the applied_seq of a gap answer's ErrorInfo.
func appliedSeq(err error) string {
	for _, d := range status.Convert(err).Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok && ei.GetReason() == central.GapReason {
			return ei.GetMetadata()[central.AppliedSeqKey]
		}
	}
	return ""
}

func TestImplausibleEventsAreRejectedThenParked(t *testing.T) {
	avail := func(seq int64, a *eventv1.AvailabilityChanged) *eventv1.Event {
		return &eventv1.Event{Seq: seq, NodeId: "n1", OccurTime: timestamppb.Now(), Payload: &eventv1.Event_AvailabilityChanged{AvailabilityChanged: a}}
	}
	for name, bad := range map[string]*eventv1.AvailabilityChanged{
		"empty sku":             {Sku: " ", Version: 1},
		"control char in sku":   {Sku: "A\n1", Version: 1},
		"negative on_hand":      {Sku: "A", OnHand: -1, Version: 1},
		"negative allocated":    {Sku: "A", Allocated: -3, Version: 1},
		"ats above the bound":   {Sku: "A", OnHand: 5, AvailableToSell: central.MaxQuantity + 1, Version: 1},
		"on_hand above a bound": {Sku: "A", OnHand: 1 << 62, Version: 1},
		"zero version":          {Sku: "A", OnHand: 1},
		"version above a bound": {Sku: "A", OnHand: 1, Version: central.MaxQuantity + 1},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			r, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(1, "A", 5, 1), avail(2, bad), ats(3, "A", 6, 2)}})
			if err != nil || r.GetAckedThroughSeq() != 1 || r.GetRejected().GetSeq() != 2 {
				t.Fatalf("push: %v, %v", r, err)
			}
			r, err = f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(3, "A", 6, 2)},
				Parked: []*upstreamv1.ParkedEvent{{Seq: 2, Reason: "x"}}})
			if err != nil || r.GetAckedThroughSeq() != 3 {
				t.Fatalf("push after parking: %v, %v", r, err)
			}
			if got := f.network(t, "A"); got.GetAvailableToSell() != 6 {
				t.Errorf("network ATS: %v", got)
			}
		})
	}
}

func TestParkedIsHonouredOnlyForRejectedSeqs(t *testing.T) {
	f := newFixture(t)
	if _, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(1, "A", 5, 1)}}); err != nil {
		t.Fatal(err)
	}
	// Seq 2 was never sent, let alone rejected: naming it parked skips nothing.
	_, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(3, "A", 9, 3)},
		Parked: []*upstreamv1.ParkedEvent{{Seq: 2, Reason: "made up"}}})
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("parking a seq central never rejected: %v", err)
	}
	if got := f.network(t, "A"); got.GetAvailableToSell() != 5 {
		t.Errorf("network ATS after a made-up park: %v", got)
	}
	nodes, err := f.cen.ListNodes(f.ctx, nil)
	if err != nil || len(nodes.GetNodes()[0].GetParkedSeqs()) != 0 || nodes.GetNodes()[0].GetAppliedThroughSeq() != 1 {
		t.Errorf("nodes: %v, %v", nodes, err)
	}
}

func TestPushNeedsANodeIDAndTakesAnyBearerCase(t *testing.T) {
	f := newFixture(t)
	if _, err := f.up.PushEvents(f.ctx, &upstreamv1.PushEventsRequest{Events: []*eventv1.Event{ats(1, "A", 5, 1)}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("empty node_id: %v", err)
	}
	md, _ := metadata.FromOutgoingContext(f.ctx)
	key := md.Get("authorization")[0][len("Bearer "):]
	lower := metadata.AppendToOutgoingContext(f.anon, "authorization", "bearer "+key)
	if r, err := f.up.PushEvents(lower, &upstreamv1.PushEventsRequest{NodeId: "n1", Events: []*eventv1.Event{ats(1, "A", 5, 1)}}); err != nil || r.GetAckedThroughSeq() != 1 {
		t.Errorf("lower-case bearer: %v, %v", r, err)
	}
}

func TestCentralRefusesANodeDatabaseAndNeverCreatesOnOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	node := filepath.Join(dir, "node.db")
	db, err := store.Open(ctx, node)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var fe *floorops.Error
	if _, err := central.Open(ctx, node); !errors.As(err, &fe) || fe.Code != floorops.EPRECONDITION {
		t.Errorf("central on a node database: %v", err)
	}
	missing := filepath.Join(dir, "missing.db")
	if _, err := central.OpenExisting(ctx, missing); !errors.As(err, &fe) || fe.Code != floorops.ENOTFOUND {
		t.Errorf("OpenExisting of a missing file: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenExisting created %s: %v", missing, err)
	}
	// And the node refuses central's database.
	cdb := filepath.Join(dir, "central.db")
	c, err := central.Open(ctx, cdb)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := store.Open(ctx, cdb); !errors.As(err, &fe) || fe.Code != floorops.EPRECONDITION {
		t.Errorf("a node on central's database: %v", err)
	}
}
