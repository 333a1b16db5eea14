package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	returnsv1 "github.com/floorops/floorops/proto/floorops/returns/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fillAt is the units the record holds at loc, of every item and status.
func (e *countEnv) fillAt(t *testing.T, loc string) int64 {
	t.Helper()
	resp, err := e.inv.GetBalances(e.lead, &inventoryv1.GetBalancesRequest{LocationCode: loc})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, b := range resp.GetBalances() {
		n += b.GetQuantity()
	}
	return n
}

// tellsNone fails t when the refusal err, message or details, states any
// of the figures: what an associate must not read about a bin.
func tellsNone(t *testing.T, err error, figures ...int64) {
	t.Helper()
	st := status.Convert(err)
	text := st.Message() + fmt.Sprint(st.Details())
	for _, f := range figures {
		if regexp.MustCompile(`(^|[^0-9-])` + strconv.FormatInt(f, 10) + `([^0-9]|$)`).MatchString(text) {
			t.Errorf("the refusal tells %d: %v", f, err)
		}
	}
}

// TestRefusalsIntoACountedBinTellNoRecord: a move or a putaway into a bin
// being counted blind, refused for room, tells the associate nothing of
// what the record holds there (nor its capacity, the room being capacity
// minus fill); a lead still reads the figures. The same for a putaway
// task whose units are no longer all at its source.
func TestRefusalsIntoACountedBinTellNoRecord(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	const bin, much = "A-01-01-A", 4321
	e.adjust(t, "STG-01", "SKU-0001", "", "", much)
	fill := e.fillAt(t, bin)
	loc, err := e.inv.GetLocation(e.lead, &inventoryv1.GetLocationRequest{Code: bin})
	if err != nil {
		t.Fatal(err)
	}
	capacity := loc.GetLocation().GetCapacity()
	if capacity == 0 || fill == 0 || capacity-fill >= much {
		t.Fatalf("%s holds %d of %d: the test needs a bin short of room", bin, fill, capacity)
	}
	e.start(t, e.assoc, bin, 0)

	move := &inventoryv1.MoveStockRequest{FromLocationScan: "STG-01", ToLocationScan: bin, Sku: "SKU-0001", Quantity: much}
	for _, who := range []context.Context{e.assoc, e.assoc2} {
		move.RequestId = e.rid("move")
		_, err := e.inv.MoveStock(who, move)
		wantCode(t, err, codes.FailedPrecondition)
		tellsNone(t, err, fill, capacity, capacity-fill)
	}
	move.RequestId = e.rid("move")
	_, err = e.inv.MoveStock(e.lead, move)
	wantCode(t, err, codes.FailedPrecondition)

	task, err := pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("task"), FromLocationScan: "STG-01", Sku: "SKU-0001", Quantity: much})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pa.ConfirmPutaway(e.assoc2, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("confirm"), TaskId: task.GetTask().GetId(),
		LocationScan: bin, Quantity: much, OverrideReason: "slot looked empty"})
	wantCode(t, err, codes.FailedPrecondition)
	tellsNone(t, err, fill, capacity, capacity-fill)

	// Units left the task's source outside putaway: the associate is not
	// told what is left there.
	const left = 1234
	e.adjust(t, "STG-01", "SKU-0001", "", "", left-much)
	_, err = pa.ConfirmPutaway(e.assoc2, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("confirm"), TaskId: task.GetTask().GetId(),
		LocationScan: "B-01-01-A", Quantity: 10, OverrideReason: "here"})
	wantCode(t, err, codes.FailedPrecondition)
	tellsNone(t, err, left)
	_, err = pa.SuggestLocation(e.assoc2, &putawayv1.SuggestLocationRequest{TaskId: task.GetTask().GetId()})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPutawayPassesOverABinBeingCounted: a bin with a count being counted
// is never suggested (stock put there would spoil the count), a
// reservation made before the count started no longer directs stock there
// (putting it there needs an override reason), and once the count is
// submitted the bin is suggested again.
func TestPutawayPassesOverABinBeingCounted(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	const bin = "A-01-01-A" // SKU-0001's pick face: consolidation's choice
	e.adjust(t, "STG-01", "SKU-0001", "", "", 10)
	task := func() int64 {
		t.Helper()
		resp, err := pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("task"), FromLocationScan: "STG-01", Sku: "SKU-0001", Quantity: 5})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetTask().GetId()
	}
	suggest := func(id int64) string {
		t.Helper()
		resp, err := pa.SuggestLocation(e.assoc2, &putawayv1.SuggestLocationRequest{TaskId: id})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetSuggestion().GetLocationCode()
	}
	reserved := task()
	if got := suggest(reserved); got != bin {
		t.Fatalf("before the count the suggestion is %s, want %s", got, bin)
	}
	c := e.start(t, e.assoc, bin, 0)
	fresh := task()
	for _, id := range []int64{fresh, reserved} {
		if got := suggest(id); got == bin {
			t.Fatalf("task %d is directed to %s while it is being counted", id, bin)
		}
	}
	_, err := pa.ConfirmPutaway(e.assoc2, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("confirm"), TaskId: reserved, LocationScan: bin, Quantity: 5})
	wantCode(t, err, codes.InvalidArgument)
	if got := violations(err); len(got) != 1 || got[0] != "override_reason" {
		t.Fatalf("field violations %v, want override_reason", got)
	}
	e.submit(t, e.assoc, c.GetId(), 1, e.fillAt(t, bin))
	if got := suggest(fresh); got != bin {
		t.Fatalf("after the count the suggestion is %s, want %s", got, bin)
	}
}

// TestWorkflowLocationsAreNotCounted: a location whose stock belongs to a
// workflow (a returns location's units waiting to be graded, a dock's or
// staging lane's waiting for putaway, a ship lane's picked for orders) is
// neither started, added nor planned as a count: counting RET-01 wrote off
// every ungraded unit and stranded them. Storage and quarantine still are.
func TestWorkflowLocationsAreNotCounted(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	e.adjust(t, "STG-01", "SKU-0001", "", "", 5)
	for _, loc := range []string{"RET-01", "STG-01", "DOCK-01", "SHIP-01"} {
		_, err := e.cc.StartCount(e.assoc, &cyclecountv1.StartCountRequest{RequestId: e.rid("start"), LocationScan: loc})
		wantCode(t, err, codes.FailedPrecondition)
		_, err = e.cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: e.rid("add"), LocationCode: loc, Reason: "check"})
		wantCode(t, err, codes.FailedPrecondition)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: e.rid("plan"), Date: today, CapacityCounts: 100000})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range plan.GetTasks() {
		l, err := e.inv.GetLocation(e.lead, &inventoryv1.GetLocationRequest{Code: task.GetLocationCode()})
		if err != nil {
			t.Fatal(err)
		}
		switch l.GetLocation().GetType() {
		case inventoryv1.LocationType_LOCATION_TYPE_STORAGE, inventoryv1.LocationType_LOCATION_TYPE_PICKFACE:
		default:
			t.Fatalf("planned count %d of %s, a %v location", task.GetId(), task.GetLocationCode(), l.GetLocation().GetType())
		}
	}
	if _, err := e.cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: e.rid("add"), LocationCode: "QUAR-01", Reason: "held stock"}); err != nil {
		t.Fatalf("a count of quarantine: %v", err)
	}
}

// TestReturnSerialOnAnItemNotSerialTracked: a serial on a returned unit of
// an item that is not serial tracked is refused on the serial field, as a
// lot on an item that is not lot tracked is, and nothing is received.
func TestReturnSerialOnAnItemNotSerialTracked(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	rt := returnsv1.NewReturnsServiceClient(e.n.conn)
	for _, req := range []*returnsv1.ReceiveReturnRequest{
		{RawScan: "SKU-0001", Quantity: 1, Serial: "X"},
		{RawScan: "SKU-0001", Quantity: 1, Lot: "L1"},
	} {
		req.RequestId = e.rid("ret")
		_, err := rt.ReceiveReturn(e.assoc, req)
		wantCode(t, err, codes.InvalidArgument)
		want := "serial"
		if req.GetLot() != "" {
			want = "lot"
		}
		if got := violations(err); len(got) != 1 || got[0] != want {
			t.Fatalf("field violations %v, want %s", got, want)
		}
	}
	if n := e.count(t, `SELECT COUNT(*) FROM return_units`); n != 0 {
		t.Fatalf("%d returned units stored", n)
	}
	if _, err := rt.ReceiveReturn(e.assoc, &returnsv1.ReceiveReturnRequest{RequestId: e.rid("ret"), RawScan: "SKU-0001", Quantity: 1}); err != nil {
		t.Fatalf("the same unit without a serial: %v", err)
	}
}

// TestAssociatesReadNoATS: an associate may not read available-to-sell,
// over gRPC or REST (no floor screen uses it, and a SKU's ATS less the
// balances an associate may read gave the record of a bin being counted
// blind); a lead and a channel read every figure, none a made-up zero.
func TestAssociatesReadNoATS(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 69
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, _ := e.face(t, n)
	for _, counting := range []bool{false, true} {
		if counting {
			e.start(t, e.assoc, loc, 0)
		}
		for _, who := range []context.Context{e.assoc, e.assoc2} {
			_, err := e.inv.GetAvailableToSell(who, &inventoryv1.GetAvailableToSellRequest{Skus: []string{sku}})
			wantCode(t, err, codes.PermissionDenied)
		}
		if code, out := e.n.rest(t, "GET", "/v1/ats?skus="+sku, restToken(t, e.n, "B-ASSOC2"), nil); code != http.StatusForbidden {
			t.Fatalf("an associate's GET /v1/ats = %d %v, want 403", code, out)
		}
		for _, who := range []context.Context{e.lead, e.central} {
			resp, err := e.inv.GetAvailableToSell(who, &inventoryv1.GetAvailableToSellRequest{Skus: []string{sku}})
			if err != nil {
				t.Fatal(err)
			}
			if a := resp.GetAvailability()[0]; a.GetOnHand() == 0 || a.GetAvailableToSell() != a.GetOnHand()-a.GetAllocated() {
				t.Fatalf("ATS read %v", a)
			}
		}
		code, out := e.n.rest(t, "GET", "/v1/ats?skus="+sku, restToken(t, e.n, "B-LEAD"), nil)
		a, _ := out["availability"].([]any)
		if code != http.StatusOK || len(a) != 1 || a[0].(map[string]any)["on_hand"] == "0" {
			t.Fatalf("a lead's GET /v1/ats = %d %v", code, out)
		}
	}
}
