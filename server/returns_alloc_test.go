package server_test

import (
	"testing"

	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	"google.golang.org/grpc/codes"
)

// sellOutElsewhere allocates every sellable unit of SKU-0003 already on the
// node to one order, so the next order can only be allocated from stock
// that arrives after.
func (e *retEnv) sellOutElsewhere(t *testing.T) {
	t.Helper()
	if n := e.ats(t, "SKU-0003").GetAvailableToSell(); n > 0 {
		if _, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: e.rid("rel"),
			Orders: []*pickingv1.ReleaseOrder{order("SO-ALL", "SKU-0003", int(n))}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.ats(t, "SKU-0003").GetAvailableToSell(); n != 0 {
		t.Fatalf("ATS %d after allocating all of SKU-0003", n)
	}
}

// restock receives qty unexpected units of SKU-0003, grades them A and
// restocks them, returning their putaway task.
func (e *retEnv) restock(t *testing.T, qty int64) int64 {
	t.Helper()
	u := e.receive(t, "", qty)
	if g := e.grade(t, u.GetUnitId(), "A"); g.GetSuggestedDisposition() != "restock" {
		t.Fatalf("grade A suggested %s", g.GetSuggestedDisposition())
	}
	d := e.disposition(t, e.assoc, u.GetUnitId(), "", "")
	if d.GetPutawayTaskId() == 0 {
		t.Fatalf("restocked units without a putaway task: %v", d)
	}
	return d.GetPutawayTaskId()
}

// TestRestockedReturnAllocatedBeforePutaway: restocked returns are on sale
// at the returns location from the moment they are dispositioned, so an
// order may be allocated them there before they are put away. Putaway then
// never takes the allocated unit away from under its pick: putting away
// both units is refused, putting away the free one shrinks the task to it,
// and the pick at the returns location succeeds with the allocation backed
// all along.
func TestRestockedReturnAllocatedBeforePutaway(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	e.sellOutElsewhere(t)
	task := e.restock(t, 2)
	if a := e.ats(t, "SKU-0003"); a.GetAvailableToSell() != 2 {
		t.Fatalf("ATS after restocking 2 units: %v", a)
	}
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	sug, err := pa.SuggestLocation(e.assoc, &putawayv1.SuggestLocationRequest{TaskId: task})
	if err != nil {
		t.Fatal(err)
	}
	shelf := sug.GetSuggestion().GetLocationCode()

	// An order for 1 arrives while the associate walks to the shelf.
	list := e.startedList(t, order("SO-RET1", "SKU-0003", 1), "LPN-R9")
	if len(list.GetLines()) != 1 || list.GetLines()[0].GetLocationCode() != "RET-01" {
		t.Fatalf("pick lines %v, want one at RET-01", list.GetLines())
	}
	if a := e.ats(t, "SKU-0003"); a.GetAvailableToSell() != 1 {
		t.Fatalf("ATS after allocating 1 of the restocked units: %v", a)
	}

	// Both units may not go: one is promised to the order, at RET-01.
	_, err = pa.ConfirmPutaway(e.assoc, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("pa"), TaskId: task, LocationScan: shelf, Quantity: 2})
	wantCode(t, err, codes.FailedPrecondition)
	if q := e.qtyAt(t, "RET-01", "available"); q != 2 {
		t.Fatalf("%d units at RET-01 after a refused putaway, want 2", q)
	}
	e.checkLedger(t)

	done, err := pa.ConfirmPutaway(e.assoc, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("pa"), TaskId: task, LocationScan: shelf, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	if tk := done.GetTask(); tk.GetState() != putawayv1.TaskState_TASK_STATE_DONE || tk.GetQuantity() != 1 || tk.GetRemainingQuantity() != 0 {
		t.Fatalf("task after putting away the free unit: %v", tk)
	}
	if q := e.qtyAt(t, "RET-01", "available"); q != 1 {
		t.Fatalf("%d units at RET-01 after putaway, want the allocated 1", q)
	}
	if a := e.ats(t, "SKU-0003"); a.GetAvailableToSell() != 1 {
		t.Fatalf("ATS after putaway: %v", a)
	}
	e.checkLedger(t) // the allocation is backed: nothing allocated beyond what a balance holds

	// The pick at the returns location finds its unit.
	l := list.GetLines()[0]
	if _, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: e.rid("pick"), PickListId: list.GetId(), LineId: l.GetId(),
		LocationScan: l.GetLocationCode(), ItemScan: pickGTIN(3), Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	if q := e.qtyAt(t, "RET-01", "available"); q != 0 {
		t.Fatalf("%d units at RET-01 after the pick", q)
	}
	if a := e.ats(t, "SKU-0003"); a.GetAvailableToSell() != 1 {
		t.Fatalf("ATS after the pick: %v", a)
	}
	e.checkLedger(t)
}

// TestPutawayTaskShrinksToUnallocated: a task whose units were all
// allocated at their source closes when it is next asked for, and a lead's
// ad-hoc task on allocated storage stock is refused, so no putaway source
// ever moves promised units.
func TestPutawayTaskShrinksToUnallocated(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	e.sellOutElsewhere(t)
	task := e.restock(t, 1)
	e.startedList(t, order("SO-RET2", "SKU-0003", 1), "LPN-R8")
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	_, err := pa.SuggestLocation(e.assoc, &putawayv1.SuggestLocationRequest{TaskId: task})
	wantCode(t, err, codes.FailedPrecondition)
	if n := e.count(t, `SELECT COUNT(*) FROM putaway_tasks WHERE id = ? AND state = 'cancelled' AND cancel_reason <> ''`, task); n != 1 {
		t.Fatalf("the task of allocated units is not closed")
	}
	if q := e.qtyAt(t, "RET-01", "available"); q != 1 {
		t.Fatalf("%d units at RET-01, want the allocated 1", q)
	}

	// Storage stock all promised to SO-ALL: a lead may not task it away.
	e.adjust(t, "B-04-10-B", "SKU-0003", "", "", 3)
	if _, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: e.rid("rel"),
		Orders: []*pickingv1.ReleaseOrder{order("SO-ALL2", "SKU-0003", 3)}}); err != nil {
		t.Fatal(err)
	}
	_, err = pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("adhoc"), FromLocationScan: "B-04-10-B", Sku: "SKU-0003", Quantity: 3})
	wantCode(t, err, codes.FailedPrecondition)
	e.checkLedger(t)
}
