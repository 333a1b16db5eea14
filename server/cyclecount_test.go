package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/cyclecount"
	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

type countEnv struct {
	*pickEnv
	cc     cyclecountv1.CycleCountServiceClient
	assoc2 context.Context
}

func newCountEnv(t *testing.T) *countEnv {
	t.Helper()
	e := newPickEnv(t)
	if err := e.n.srv.Auth.AddUser(context.Background(), auth.User{Badge: "B-ASSOC2", Name: "Second Associate", Role: auth.Associate}, server.DemoPIN); err != nil {
		t.Fatal(err)
	}
	return &countEnv{pickEnv: e, cc: cyclecountv1.NewCycleCountServiceClient(e.n.conn), assoc2: e.n.login(t, "B-ASSOC2")}
}

// face is the pick face (level A) of demo item n and what the record holds
// there.
func (e *countEnv) face(t *testing.T, n int) (string, int64) {
	t.Helper()
	for _, b := range balances(t, e.inv, e.lead, fmt.Sprintf("SKU-%04d", n)) {
		if c := b.GetLocationCode(); c[len(c)-1] == 'A' && b.GetStatus() == inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE {
			return c, b.GetQuantity()
		}
	}
	t.Fatalf("SKU-%04d has no pick face stock", n)
	return "", 0
}

// onHand is the units of sku at loc in status st.
func (e *countEnv) onHand(t *testing.T, loc, sku string, st inventoryv1.StockStatus) int64 {
	t.Helper()
	resp, err := e.inv.GetBalances(e.lead, &inventoryv1.GetBalancesRequest{LocationCode: loc, Sku: sku})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, b := range resp.GetBalances() {
		if b.GetStatus() == st {
			n += b.GetQuantity()
		}
	}
	return n
}

func (e *countEnv) start(t *testing.T, who context.Context, loc string, countID int64) *cyclecountv1.Count {
	t.Helper()
	resp, err := e.cc.StartCount(who, &cyclecountv1.StartCountRequest{RequestId: e.rid("start"), LocationScan: loc, CountId: countID})
	if err != nil {
		t.Fatalf("start count of %s: %v", loc, err)
	}
	return resp.GetCount()
}

func (e *countEnv) submit(t *testing.T, who context.Context, countID int64, n int, qty int64) *cyclecountv1.SubmitCountResponse {
	t.Helper()
	resp, err := e.cc.SubmitCount(who, &cyclecountv1.SubmitCountRequest{RequestId: e.rid("submit"), CountId: countID,
		Lines: []*cyclecountv1.CountedLine{{ItemScan: pickGTIN(n), Quantity: qty}}})
	if err != nil {
		t.Fatalf("submit count %d: %v", countID, err)
	}
	return resp
}

func (e *countEnv) reconciled(t *testing.T, countID int64) *eventv1.CountReconciled {
	t.Helper()
	for _, ev := range e.outboxEvents(t) {
		if r := ev.GetCountReconciled(); r != nil && r.GetCountId() == countID {
			return r
		}
	}
	return nil
}

// TestCountWithinTolerancePosts: an associate scans a pick face, counts
// it blind, and a difference within the C-class tolerance posts at once:
// counted minus snapshot in the ledger, CountReconciled emitted, a retry
// answered the same, a second count of the same bin refused.
func TestCountWithinTolerancePosts(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 61 // class C
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	c := e.start(t, e.assoc, loc, 0)
	if len(c.GetLines()) != 0 {
		t.Fatalf("a blind count shows the associate %v", c.GetLines())
	}
	_, err := e.cc.StartCount(e.assoc2, &cyclecountv1.StartCountRequest{RequestId: "again", LocationScan: loc})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.cc.StartCount(e.assoc, &cyclecountv1.StartCountRequest{RequestId: "ship", LocationScan: "SHIP-01"})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: "ship-add", LocationCode: "SHIP-01"})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.cc.StartCount(e.assoc, &cyclecountv1.StartCountRequest{RequestId: "nowhere", LocationScan: "Z-09-09-Z"})
	wantCode(t, err, codes.NotFound)

	for _, tc := range []struct {
		name  string
		req   *cyclecountv1.SubmitCountRequest
		field string
	}{
		{"nothing counted, not confirmed empty", &cyclecountv1.SubmitCountRequest{RequestId: "bad-1", CountId: c.GetId()}, "lines"},
		{"not an item", &cyclecountv1.SubmitCountRequest{RequestId: "bad-2", CountId: c.GetId(),
			Lines: []*cyclecountv1.CountedLine{{ItemScan: pickGTIN(n), Quantity: 1}, {ItemScan: loc, Quantity: 1}}}, "lines[1].item_scan"},
		{"negative quantity", &cyclecountv1.SubmitCountRequest{RequestId: "bad-3", CountId: c.GetId(),
			Lines: []*cyclecountv1.CountedLine{{ItemScan: pickGTIN(n), Quantity: -1}}}, "lines[0].quantity"},
		{"lot on an untracked item", &cyclecountv1.SubmitCountRequest{RequestId: "bad-4", CountId: c.GetId(),
			Lines: []*cyclecountv1.CountedLine{{ItemScan: pickGTIN(n), Lot: "L1", Quantity: 1}}}, "lines[0].lot"},
	} {
		_, err := e.cc.SubmitCount(e.assoc, tc.req)
		wantCode(t, err, codes.InvalidArgument)
		if v := violations(err); len(v) != 1 || v[0] != tc.field {
			t.Errorf("%s: violations %v, want [%s]", tc.name, v, tc.field)
		}
	}
	req := &cyclecountv1.SubmitCountRequest{RequestId: "count-1", CountId: c.GetId(),
		Lines: []*cyclecountv1.CountedLine{{ItemScan: pickGTIN(n), Quantity: qty - 1}}}
	sub, err := e.cc.SubmitCount(e.assoc, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.cc.SubmitCount(e.assoc, req)
	if err != nil || again.GetOutcome() != sub.GetOutcome() {
		t.Fatalf("retried submit: %v %v", again, err)
	}
	if sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED || sub.GetCount().GetState() != cyclecountv1.CountState_COUNT_STATE_POSTED {
		t.Fatalf("within tolerance: %v", sub)
	}
	for _, l := range sub.GetCount().GetLines() {
		if l.SnapshotQuantity != nil || l.AdjustmentQuantity != nil {
			t.Fatalf("the associate is shown the record: %v", l)
		}
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != qty-1 {
		t.Fatalf("after the count %s holds %d, want %d", loc, got, qty-1)
	}
	if got := e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`); got != 1 {
		t.Fatalf("%d count movements, want 1 (a retry posts once)", got)
	}
	r := e.reconciled(t, c.GetId())
	if r == nil || len(r.GetLines()) != 1 || r.GetLines()[0].GetCountedQuantity() != qty-1 ||
		r.GetLines()[0].GetSnapshotQuantity() != qty || r.GetLines()[0].GetAdjustmentQuantity() != -1 || r.GetCountedBy() != "B-ASSOC" {
		t.Fatalf("CountReconciled = %v", r)
	}
	acc, err := e.cc.GetAccuracy(e.lead, &cyclecountv1.GetAccuracyRequest{})
	if err != nil || len(acc.GetRows()) != 1 {
		t.Fatalf("accuracy: %v %v", acc, err)
	}
	if a := acc.GetRows()[0]; a.GetAbcClass() != "C" || a.GetPositionsCounted() != 1 || a.GetPositionsWithinTolerance() != 1 ||
		a.GetRecordAccuracyPercent() != 100 || a.GetUnitsAdjusted() != 1 || a.GetQuantityAccuracyPercent() != 100*float64(qty-1)/float64(qty) {
		t.Fatalf("accuracy row %v", a)
	}
	// The bin is free to count again.
	e.start(t, e.assoc, loc, 0)
	e.checkLedger(t)
}

// TestCountBeyondToleranceIsRecountedAndApproved: a count beyond tolerance
// opens a recount that its counter may not take; another associate's
// recount that agrees waits for a lead, who sees both counts, and whose
// approval (reason required) posts the difference.
func TestCountBeyondToleranceIsRecountedAndApproved(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 62
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	first := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.assoc, first.GetId(), n, qty-8)
	if sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_RECOUNT || sub.GetRecountId() == 0 {
		t.Fatalf("beyond tolerance: %v", sub)
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != qty {
		t.Fatalf("a count beyond tolerance changed the record: %d, want %d", got, qty)
	}
	_, err := e.cc.StartCount(e.assoc, &cyclecountv1.StartCountRequest{RequestId: "own-recount", LocationScan: loc, CountId: sub.GetRecountId()})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.cc.RemoveTask(e.lead, &cyclecountv1.RemoveTaskRequest{RequestId: "rm-recount", CountId: sub.GetRecountId(), Reason: "skip"})
	wantCode(t, err, codes.FailedPrecondition)
	rc := e.start(t, e.assoc2, loc, sub.GetRecountId())
	sub2 := e.submit(t, e.assoc2, rc.GetId(), n, qty-8)
	if sub2.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_PENDING_APPROVAL {
		t.Fatalf("agreeing recount: %v", sub2)
	}
	_, err = e.cc.ListPendingApprovals(e.assoc, &cyclecountv1.ListPendingApprovalsRequest{})
	wantCode(t, err, codes.PermissionDenied)
	pend, err := e.cc.ListPendingApprovals(e.lead, &cyclecountv1.ListPendingApprovalsRequest{})
	if err != nil || len(pend.GetApprovals()) != 1 {
		t.Fatalf("pending approvals: %v %v", pend, err)
	}
	pa := pend.GetApprovals()[0]
	if pa.GetCount().GetId() != rc.GetId() || pa.GetPrevious().GetId() != first.GetId() ||
		pa.GetCount().GetLines()[0].GetSnapshotQuantity() != qty || pa.GetPrevious().GetLines()[0].GetCountedQuantity() != qty-8 {
		t.Fatalf("pending approval shows %v", pa)
	}
	_, err = e.cc.Approve(e.assoc, &cyclecountv1.ApproveRequest{RequestId: "assoc-ok", CountId: rc.GetId(), Reason: "ok"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: "no-reason", CountId: rc.GetId()})
	wantCode(t, err, codes.InvalidArgument)
	ok, err := e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: "approve", CountId: rc.GetId(), Reason: "two counts agree"})
	if err != nil || ok.GetCount().GetState() != cyclecountv1.CountState_COUNT_STATE_POSTED || ok.GetCount().GetDecidedBy() != "B-LEAD" {
		t.Fatalf("approve: %v %v", ok, err)
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != qty-8 {
		t.Fatalf("after approval %s holds %d, want %d", loc, got, qty-8)
	}
	if r := e.reconciled(t, rc.GetId()); r == nil || r.GetApprovedBy() != "B-LEAD" || r.GetLines()[0].GetAdjustmentQuantity() != -8 {
		t.Fatalf("CountReconciled = %v", r)
	}
	_, err = e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: "approve-twice", CountId: rc.GetId(), Reason: "again"})
	wantCode(t, err, codes.FailedPrecondition)
	if got := e.count(t, `SELECT COUNT(*) FROM count_events WHERE count_id IN (?, ?)`, first.GetId(), rc.GetId()); got < 6 {
		t.Fatalf("%d steps ledgered for the count and its recount, want every step", got)
	}
	e.checkLedger(t)
}

// TestCountDuringWhichStockMovedIsNotPosted: units put into the bin while
// it was being counted make the count ambiguous: nothing is posted, and the
// location is recounted.
func TestCountDuringWhichStockMovedIsNotPosted(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 63
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	c := e.start(t, e.assoc, loc, 0)
	e.adjust(t, loc, sku, "", "", 2)
	sub := e.submit(t, e.assoc, c.GetId(), n, qty)
	if sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_STOCK_MOVED || sub.GetRecountId() == 0 {
		t.Fatalf("count during a move: %v", sub)
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != qty+2 {
		t.Fatalf("%s holds %d, want %d (nothing posted)", loc, got, qty+2)
	}
	if e.reconciled(t, c.GetId()) != nil || e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`) != 0 {
		t.Fatal("an ambiguous count was posted")
	}
	// The recount, by anyone, compares with the record as it is now.
	rc := e.start(t, e.assoc, loc, sub.GetRecountId())
	if got := e.submit(t, e.assoc, rc.GetId(), n, qty+2); got.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("recount: %v", got)
	}
}

// TestApprovalAfterPicksPostsTheDifference: a count waits hours for its
// approval while the bin is picked; the approval posts counted minus
// snapshot, so the picks since are not overwritten.
func TestApprovalAfterPicksPostsTheDifference(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 66
	sku := fmt.Sprintf("SKU-%04d", n)
	list := e.startedList(t, order("SO-CC", sku, 2), "LPN-CC1")
	line := list.GetLines()[0]
	loc := line.GetLocationCode()
	qty := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE)
	first := e.start(t, e.assoc, loc, 0)
	if sub := e.submit(t, e.assoc, first.GetId(), n, qty-6); sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_RECOUNT {
		t.Fatalf("first count: %v", sub)
	}
	rc := e.start(t, e.assoc2, loc, first.GetId()+1)
	if sub := e.submit(t, e.assoc2, rc.GetId(), n, qty-6); sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_PENDING_APPROVAL {
		t.Fatalf("recount: %v", sub)
	}
	if _, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: "pick", PickListId: list.GetId(), LineId: line.GetId(),
		LocationScan: loc, ItemScan: pickGTIN(n), Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	pend, err := e.cc.ListPendingApprovals(e.lead, &cyclecountv1.ListPendingApprovalsRequest{})
	if err != nil || len(pend.GetApprovals()) != 1 {
		t.Fatalf("pending: %v %v", pend, err)
	}
	var out int64
	for _, m := range pend.GetApprovals()[0].GetMovements() {
		out += m.GetQuantity()
	}
	if out != -2 {
		t.Fatalf("movements since the count net %d, want the pick's -2", out)
	}
	if _, err := e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: "approve", CountId: rc.GetId(), Reason: "agreed"}); err != nil {
		t.Fatal(err)
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != qty-2-6 {
		t.Fatalf("after approval %s holds %d, want %d (snapshot %d, counted %d, 2 picked since)", loc, got, qty-8, qty, qty-6)
	}
	e.checkLedger(t)
}

// TestShortPickCountReleasesTheHold: a short pick holds its bin for a
// count; an associate may not move stock out of it meanwhile; posting the
// count closes the request, writes off the units really missing and puts
// the bin back on sale.
func TestShortPickCountReleasesTheHold(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 67
	sku := fmt.Sprintf("SKU-%04d", n)
	// A loose policy for C items, so the count posts without a recount.
	if _, err := e.cc.SetPolicy(e.lead, &cyclecountv1.SetPolicyRequest{RequestId: "lead-pol", Policy: &cyclecountv1.Policy{}}); err == nil {
		t.Fatal("a lead set the counting policy")
	}
	pol := &cyclecountv1.Policy{ClassA: &cyclecountv1.Tolerance{Units: 1}, ClassB: &cyclecountv1.Tolerance{Units: 2}, ClassC: &cyclecountv1.Tolerance{Units: 10}}
	if _, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "pol", Policy: pol}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{}); err != nil || got.GetPolicy().GetClassC().GetUnits() != 10 {
		t.Fatalf("policy: %v %v", got, err)
	}
	list := e.startedList(t, order("SO-SH", sku, 3), "LPN-SH1")
	line := list.GetLines()[0]
	loc := line.GetLocationCode()
	qty := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE)
	sh, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: "short", PickListId: list.GetId(), LineId: line.GetId(),
		LocationScan: loc, FoundQuantity: 0, Reason: "empty"})
	if err != nil {
		t.Fatal(err)
	}
	held := e.ats(t, sku).GetAvailableToSell()
	// No plan yet today: the held bin's count is on the list at once.
	if listed, err := e.cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{Date: time.Now().UTC().Format(time.DateOnly)}); err != nil ||
		len(listed.GetTasks()) == 0 || listed.GetTasks()[0].GetLocationCode() != loc || listed.GetTasks()[0].GetCountRequestId() != sh.GetCountRequestId() {
		t.Fatalf("today's tasks after a short pick before any plan: %v %v; want the count of %s first", listed, err, loc)
	}
	_, err = e.inv.MoveStock(e.assoc, &inventoryv1.MoveStockRequest{RequestId: "move-out", FromLocationScan: loc, ToLocationScan: "A-01-09-A", Sku: sku, Quantity: 1})
	wantCode(t, err, codes.FailedPrecondition)

	// The short pick's count is planned first, and says why.
	today := time.Now().UTC().Format(time.DateOnly)
	_, err = e.cc.PlanCounts(e.assoc, &cyclecountv1.PlanCountsRequest{RequestId: "assoc-plan", Date: today, CapacityCounts: 5})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "no-capacity", Date: today})
	wantCode(t, err, codes.InvalidArgument)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "plan", Date: today, CapacityCounts: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.GetTasks()) != 5 {
		t.Fatalf("planned %d counts, want the capacity of 5", len(plan.GetTasks()))
	}
	top := plan.GetTasks()[0]
	if top.GetLocationCode() != loc || top.GetTaskKind() != "triggered" || len(top.GetReasons()) == 0 ||
		!strings.Contains(top.GetReasons()[0], "short pick") {
		t.Fatalf("first planned count %v, want the short pick's at %s", top, loc)
	}
	for _, task := range plan.GetTasks() {
		if len(task.GetReasons()) == 0 || task.GetScore() < 0 {
			t.Errorf("planned count of %s does not explain itself: %v", task.GetLocationCode(), task)
		}
	}
	replan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "replan", Date: today, CapacityCounts: 5})
	if err != nil || len(replan.GetTasks()) != 5 {
		t.Fatalf("replanning the day: %v %v", replan, err)
	}
	listed, err := e.cc.ListTasks(e.assoc, &cyclecountv1.ListTasksRequest{Date: today})
	if err != nil || len(listed.GetTasks()) != 5 || listed.GetTasks()[0].GetLocationCode() != loc {
		t.Fatalf("listed tasks after a replan: %v %v", listed, err)
	}
	top = listed.GetTasks()[0]
	last := listed.GetTasks()[4]
	_, err = e.cc.RemoveTask(e.assoc, &cyclecountv1.RemoveTaskRequest{RequestId: "assoc-rm", CountId: last.GetId(), Reason: "no time"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.cc.RemoveTask(e.lead, &cyclecountv1.RemoveTaskRequest{RequestId: "rm-no-reason", CountId: last.GetId()})
	wantCode(t, err, codes.InvalidArgument)
	if rm, err := e.cc.RemoveTask(e.lead, &cyclecountv1.RemoveTaskRequest{RequestId: "rm", CountId: last.GetId(), Reason: "aisle closed"}); err != nil ||
		rm.GetTask().GetState() != cyclecountv1.CountState_COUNT_STATE_REMOVED {
		t.Fatalf("remove: %v %v", rm, err)
	}
	if listed, err := e.cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{Date: today}); err != nil || len(listed.GetTasks()) != 4 {
		t.Fatalf("tasks after a removal: %v %v", listed, err)
	}
	if _, err := e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "assign", CountId: top.GetId(), Badge: "B-ASSOC"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.cc.StartCount(e.assoc2, &cyclecountv1.StartCountRequest{RequestId: "not-mine", LocationScan: loc})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: "add-twice", LocationCode: loc, Reason: "again"})
	wantCode(t, err, codes.FailedPrecondition)

	c := e.start(t, e.assoc, loc, 0)
	if c.GetId() != top.GetId() {
		t.Fatalf("started count %d at %s, want its planned task %d", c.GetId(), loc, top.GetId())
	}
	if c.GetCountRequestId() != sh.GetCountRequestId() {
		t.Fatalf("count answers request %d, want the short pick's %d", c.GetCountRequestId(), sh.GetCountRequestId())
	}
	sub := e.submit(t, e.assoc, c.GetId(), n, qty-3) // the 3 really are gone
	if sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("count: %v", sub)
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_QUARANTINE); got != 0 {
		t.Fatalf("%d units still quarantined at %s", got, loc)
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != qty-3 {
		t.Fatalf("%s holds %d, want %d", loc, got, qty-3)
	}
	if got := e.ats(t, sku).GetAvailableToSell(); got != held+qty-3 {
		t.Fatalf("ATS after the count %d, want %d: the bin sells again", got, held+qty-3)
	}
	if e.count(t, `SELECT COUNT(*) FROM count_requests WHERE status = 'open'`) != 0 {
		t.Fatal("the count request is still open")
	}
	if _, err := e.inv.MoveStock(e.assoc, &inventoryv1.MoveStockRequest{RequestId: "move-after", FromLocationScan: loc, ToLocationScan: "A-01-09-A", Sku: sku, Quantity: 1}); err != nil {
		t.Fatalf("move out after the count: %v", err)
	}
	e.checkLedger(t)
}

// TestCountBelowAllocationsReallocates: a count that finds a bin empty
// while orders are allocated there takes those allocations off it: the
// lines are allocated elsewhere or backordered, never left promised stock
// that is gone.
func TestCountBelowAllocationsReallocates(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 69
	sku := fmt.Sprintf("SKU-%04d", n)
	pol := &cyclecountv1.Policy{ClassA: &cyclecountv1.Tolerance{Units: 1}, ClassB: &cyclecountv1.Tolerance{Units: 1}, ClassC: &cyclecountv1.Tolerance{Units: 1000}}
	if _, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "pol", Policy: pol}); err != nil {
		t.Fatal(err)
	}
	total := e.ats(t, sku).GetAvailableToSell()
	list := e.startedList(t, order("SO-ALL", sku, int(total)), "LPN-AL1")
	loc := ""
	for _, l := range list.GetLines() {
		if c := l.GetLocationCode(); c[len(c)-1] == 'A' {
			loc = c
		}
	}
	if loc == "" {
		t.Fatalf("no line at the pick face: %v", list.GetLines())
	}
	lost := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE)
	c := e.start(t, e.assoc, loc, 0)
	sub, err := e.cc.SubmitCount(e.assoc, &cyclecountv1.SubmitCountRequest{RequestId: "empty", CountId: c.GetId(), ConfirmedEmpty: true})
	if err != nil || sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("empty count: %v %v", sub, err)
	}
	if got := e.count(t, `SELECT COALESCE(SUM(a.qty), 0) FROM allocations a JOIN locations l ON l.id = a.location_id WHERE l.code = ?`, loc); got != 0 {
		t.Fatalf("%d units still allocated at the empty %s", got, loc)
	}
	var backordered int64
	for _, ev := range e.outboxEvents(t) {
		if b := ev.GetBackordered(); b != nil && b.GetOrderId() == "SO-ALL" && b.GetCause() == "cycle_count" {
			for _, l := range b.GetLines() {
				backordered += l.GetQuantity()
			}
		}
	}
	if backordered != lost {
		t.Fatalf("backordered %d, want the %d units the count found gone (all stock was allocated)", backordered, lost)
	}
	if got := e.ats(t, sku).GetAvailableToSell(); got != 0 {
		t.Fatalf("ATS %d, want 0", got)
	}
	e.checkLedger(t)
}

// TestCountOverREST: the web app counts through the REST face: a start, a
// submit by path, and the lead's approval list.
func TestCountOverREST(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 71
	loc, qty := e.face(t, n)
	assoc, lead := restToken(t, e.n, "B-ASSOC"), restToken(t, e.n, "B-LEAD")
	code, out := e.n.rest(t, "POST", "/v1/counts", assoc, map[string]any{"request_id": "rest-start", "location_scan": loc})
	if code != http.StatusOK {
		t.Fatalf("start over REST = %d %v", code, out)
	}
	id := out["count"].(map[string]any)["id"].(string)
	code, out = e.n.rest(t, "POST", "/v1/counts/"+id+":submit", assoc, map[string]any{"request_id": "rest-submit",
		"lines": []map[string]any{{"item_scan": pickGTIN(n), "quantity": qty}}})
	if code != http.StatusOK || out["outcome"] != "COUNT_OUTCOME_POSTED" {
		t.Fatalf("submit over REST = %d %v", code, out)
	}
	code, out = e.n.rest(t, "POST", "/v1/counts/"+id+":submit", assoc, map[string]any{"request_id": "rest-submit-2"})
	if code != http.StatusBadRequest {
		t.Fatalf("empty submit over REST = %d %v, want 400", code, out)
	}
	if code, out = e.n.rest(t, "GET", "/v1/counts:pending-approval", lead, nil); code != http.StatusOK {
		t.Fatalf("pending approvals over REST = %d %v", code, out)
	}
	if code, _ = e.n.rest(t, "GET", "/v1/count-policy", assoc, nil); code != http.StatusForbidden {
		t.Fatalf("an associate read the count policy over REST: %d", code)
	}
}

// TestPlanFillsCapacityAndKeepsReplacedTasks: locations already being
// counted, or with a count open for another day, do not use up a day's
// capacity (the next location fills the slot); replanning a day keeps the
// counts it replaces (removed, with a "replaced" step) and never hands
// their ids out again.
func TestPlanFillsCapacityAndKeepsReplacedTasks(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format(time.DateOnly) }
	first, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "plan-1", Date: day(1), CapacityCounts: 2})
	if err != nil || len(first.GetTasks()) != 2 {
		t.Fatalf("plan for tomorrow: %v %v", first, err)
	}
	blocked := map[string]bool{}
	for _, task := range first.GetTasks() {
		blocked[task.GetLocationCode()] = true
	}
	for _, capacity := range []int32{1, 3} {
		plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: e.rid("plan-2"), Date: day(2), CapacityCounts: capacity})
		if err != nil {
			t.Fatal(err)
		}
		if int32(len(plan.GetTasks())) != capacity {
			t.Fatalf("capacity %d planned %d counts", capacity, len(plan.GetTasks()))
		}
		for _, task := range plan.GetTasks() {
			if blocked[task.GetLocationCode()] {
				t.Fatalf("planned %s, which already has an open count", task.GetLocationCode())
			}
		}
	}
	prev, err := e.cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{Date: day(2)})
	if err != nil || len(prev.GetTasks()) != 3 {
		t.Fatalf("day 2's tasks: %v %v", prev, err)
	}
	if _, err := e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "assign-1", CountId: prev.GetTasks()[0].GetId(), Badge: "B-ASSOC"}); err != nil {
		t.Fatal(err)
	}
	maxID := int64(0)
	for _, task := range prev.GetTasks() {
		maxID = max(maxID, task.GetId())
	}
	replan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "plan-3", Date: day(2), CapacityCounts: 3})
	if err != nil || len(replan.GetTasks()) != 3 {
		t.Fatalf("replan: %v %v", replan, err)
	}
	for _, task := range replan.GetTasks() {
		if task.GetId() <= maxID {
			t.Fatalf("replan handed out count id %d again", task.GetId())
		}
	}
	for _, task := range prev.GetTasks() {
		if n := e.count(t, `SELECT COUNT(*) FROM counts WHERE id = ? AND state = 'removed'`, task.GetId()); n != 1 {
			t.Fatalf("replaced count %d is gone or not removed", task.GetId())
		}
		if n := e.count(t, `SELECT COUNT(*) FROM count_events WHERE count_id = ? AND step = 'replaced'`, task.GetId()); n != 1 {
			t.Fatalf("replaced count %d has no replaced step", task.GetId())
		}
	}
	if n := e.count(t, `SELECT COUNT(*) FROM count_events WHERE count_id = ? AND step = 'assigned'`, prev.GetTasks()[0].GetId()); n != 1 {
		t.Fatal("the replaced count's assigned step was erased")
	}
}

// TestPlanDatesAndOverdue: a plan for a past day, or more than 366 days
// ahead, is refused on date; a plan a year ahead finds every location past its class's interval, so its
// tasks are overdue and say how many days.
func TestPlanDatesAndOverdue(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	for _, d := range []string{"1900-01-01", time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), "2100-01-01"} {
		_, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "bad-" + d, Date: d, CapacityCounts: 3})
		wantCode(t, err, codes.InvalidArgument)
		if v := violations(err); len(v) != 1 || v[0] != "date" {
			t.Fatalf("plan for %s: violations %v, want date", d, v)
		}
	}
	far := time.Now().UTC().AddDate(0, 0, 366).Format(time.DateOnly) // the furthest day planned, past class C's 365 days
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "far", Date: far, CapacityCounts: 3})
	if err != nil || len(plan.GetTasks()) != 3 {
		t.Fatalf("plan for %s: %v %v", far, plan, err)
	}
	for _, task := range plan.GetTasks() {
		if task.GetTaskKind() != "overdue" || !strings.HasPrefix(task.GetReasons()[0], "overdue: ") {
			t.Fatalf("task %v on %s is not overdue", task, far)
		}
		for _, r := range task.GetReasons() {
			if strings.HasPrefix(r, "0 days since last count") {
				t.Fatalf("task of %s on %s: %q", task.GetLocationCode(), far, r)
			}
		}
	}
}

// TestAssignTaskNeedsAnActiveBadge: a count is given only to a user that
// exists and is not disabled.
func TestAssignTaskNeedsAnActiveBadge(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "plan", Date: time.Now().UTC().Format(time.DateOnly), CapacityCounts: 1})
	if err != nil || len(plan.GetTasks()) != 1 {
		t.Fatalf("plan: %v %v", plan, err)
	}
	id := plan.GetTasks()[0].GetId()
	_, err = e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "nobody", CountId: id, Badge: "B-NOBODY"})
	wantCode(t, err, codes.NotFound)
	if _, err := e.n.srv.Auth.DisableUser(context.Background(), "disable", "B-ASSOC2", auth.Principal{Badge: "B-ADMIN", Role: auth.Admin}); err != nil {
		t.Fatal(err)
	}
	_, err = e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "disabled", CountId: id, Badge: "B-ASSOC2"})
	wantCode(t, err, codes.InvalidArgument)
	if v := violations(err); len(v) != 1 || v[0] != "badge" {
		t.Fatalf("assigning a disabled badge: violations %v, want badge", v)
	}
	if _, err := e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "ok", CountId: id, Badge: "B-ASSOC"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "anyone", CountId: id}); err != nil {
		t.Fatal(err)
	}
}

// TestShortPickTasksCarryTheirRequest: a short pick's planned count names
// the count request it answers from the moment it is planned, and a short
// pick at a bin that already has an open count makes that count a
// triggered one at once, not at the next replan.
func TestShortPickTasksCarryTheirRequest(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	short := func(n int, so, lpn string, openFirst bool) (string, int64, int64) {
		list := e.startedList(t, order(so, fmt.Sprintf("SKU-%04d", n), 3), lpn)
		line := list.GetLines()[0]
		loc := line.GetLocationCode()
		var added int64
		if openFirst {
			a, err := e.cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: e.rid("add"), LocationCode: loc, Reason: "looks low"})
			if err != nil {
				t.Fatal(err)
			}
			added = a.GetTask().GetId()
		}
		sh, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: e.rid("short"), PickListId: list.GetId(), LineId: line.GetId(),
			LocationScan: loc, FoundQuantity: 0, Reason: "empty"})
		if err != nil {
			t.Fatal(err)
		}
		return loc, sh.GetCountRequestId(), added
	}
	locA, reqA, added := short(67, "SO-SH1", "LPN-SH1", true)
	locB, reqB, _ := short(68, "SO-SH2", "LPN-SH2", false)
	today := time.Now().UTC().Format(time.DateOnly)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "plan", Date: today, CapacityCounts: 3})
	if err != nil || len(plan.GetTasks()) != 3 {
		t.Fatalf("plan: %v %v", plan, err)
	}
	// The count added at A, triggered by its short pick, is kept at the
	// head of the day; B's short pick is planned next; both take capacity.
	if first, second := plan.GetTasks()[0], plan.GetTasks()[1]; first.GetId() != added || first.GetCountRequestId() != reqA ||
		second.GetLocationCode() != locB || second.GetTaskKind() != "triggered" || second.GetCountRequestId() != reqB {
		t.Fatalf("the day's first counts %v, %v; want the added count at %s answering request %d, then the short pick's at %s answering request %d",
			first, second, locA, reqA, locB, reqB)
	}
	listed, err := e.cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, task := range listed.GetTasks() {
		if task.GetId() == added {
			found = true
			if task.GetLocationCode() != locA || task.GetTaskKind() != "triggered" || task.GetCountRequestId() != reqA {
				t.Fatalf("open count at %s after its short pick: %v, want triggered answering request %d", locA, task, reqA)
			}
		}
	}
	if !found {
		t.Fatalf("the count added at %s is not listed", locA)
	}
}

// TestBlindCountAnswersLeaveTheRecordUnset: every count answer an
// associate gets leaves the snapshot and the adjustment unset, never a
// made-up figure; a lead's answer carries both.
func TestBlindCountAnswersLeaveTheRecordUnset(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 72
	loc, qty := e.face(t, n)
	assoc, lead := restToken(t, e.n, "B-ASSOC"), restToken(t, e.n, "B-LEAD")
	lines := func(out map[string]any) []any {
		c, _ := out["count"].(map[string]any)
		l, _ := c["lines"].([]any)
		return l
	}
	code, out := e.n.rest(t, "POST", "/v1/counts", assoc, map[string]any{"request_id": "blind-start", "location_scan": loc})
	if code != http.StatusOK {
		t.Fatalf("start = %d %v", code, out)
	}
	id := out["count"].(map[string]any)["id"].(string)
	code, out = e.n.rest(t, "POST", "/v1/counts/"+id+":submit", assoc, map[string]any{"request_id": "blind-submit",
		"lines": []map[string]any{{"item_scan": pickGTIN(n), "quantity": qty - 8}}})
	if code != http.StatusOK || out["outcome"] != "COUNT_OUTCOME_RECOUNT" || len(lines(out)) != 1 {
		t.Fatalf("submit = %d %v", code, out)
	}
	for _, l := range lines(out) {
		for _, f := range []string{"snapshot_quantity", "adjustment_quantity"} {
			if v, ok := l.(map[string]any)[f]; ok {
				t.Errorf("the associate's answer sets %s = %v", f, v)
			}
		}
	}
	// The lead, submitting the recount, sees the record.
	rid := out["recount_id"].(string)
	if code, out = e.n.rest(t, "POST", "/v1/counts", lead, map[string]any{"request_id": "lead-start", "location_scan": loc, "count_id": rid}); code != http.StatusOK {
		t.Fatalf("lead start = %d %v", code, out)
	}
	code, out = e.n.rest(t, "POST", "/v1/counts/"+rid+":submit", lead, map[string]any{"request_id": "lead-submit",
		"lines": []map[string]any{{"item_scan": pickGTIN(n), "quantity": qty - 8}}})
	if code != http.StatusOK || len(lines(out)) != 1 {
		t.Fatalf("lead submit = %d %v", code, out)
	}
	l := lines(out)[0].(map[string]any)
	if l["snapshot_quantity"] != fmt.Sprint(qty) || l["adjustment_quantity"] != "-8" {
		t.Fatalf("the lead's answer shows %v", l)
	}
}

// TestApprovalOfAShortfallNoLongerThereIsRefused: two counts agree the
// bin is short, then a lead moves most of it out; the shortfall can no
// longer be posted as counted, so the approval is refused (nothing posted,
// no event, still waiting) and the lead rejects it for a recount.
func TestApprovalOfAShortfallNoLongerThereIsRefused(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 73
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	first := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.assoc, first.GetId(), n, qty-10)
	rc := e.start(t, e.assoc2, loc, sub.GetRecountId())
	if sub := e.submit(t, e.assoc2, rc.GetId(), n, qty-10); sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_PENDING_APPROVAL {
		t.Fatalf("recount: %v", sub)
	}
	e.adjust(t, loc, sku, "", "", -(qty - 1))
	_, err := e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: "approve-gone", CountId: rc.GetId(), Reason: "agreed"})
	wantCode(t, err, codes.FailedPrecondition)
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != 1 {
		t.Fatalf("after a refused approval %s holds %d, want 1", loc, got)
	}
	if e.reconciled(t, rc.GetId()) != nil || e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`) != 0 ||
		e.count(t, `SELECT COUNT(*) FROM count_history`) != 0 {
		t.Fatal("a refused approval posted")
	}
	if _, err := e.cc.Reject(e.lead, &cyclecountv1.RejectRequest{RequestId: "reject-gone", CountId: rc.GetId(), Reason: "stock moved"}); err != nil {
		t.Fatal(err)
	}
	e.checkLedger(t)
}

// TestRejectedRecountIsForSomeoneWhoHasNotCounted: after a lead rejects
// two agreeing counts, neither associate who counted may take the recount;
// a lead may.
func TestRejectedRecountIsForSomeoneWhoHasNotCounted(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 76
	loc, qty := e.face(t, n)
	first := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.assoc, first.GetId(), n, qty-8)
	rc := e.start(t, e.assoc2, loc, sub.GetRecountId())
	e.submit(t, e.assoc2, rc.GetId(), n, qty-8)
	rej, err := e.cc.Reject(e.lead, &cyclecountv1.RejectRequest{RequestId: "reject", CountId: rc.GetId(), Reason: "looks wrong"})
	if err != nil {
		t.Fatal(err)
	}
	for i, who := range []context.Context{e.assoc, e.assoc2} {
		_, err := e.cc.StartCount(who, &cyclecountv1.StartCountRequest{RequestId: fmt.Sprintf("retake-%d", i), LocationScan: loc, CountId: rej.GetRecountId()})
		wantCode(t, err, codes.FailedPrecondition)
		_, err = e.cc.StartCount(who, &cyclecountv1.StartCountRequest{RequestId: fmt.Sprintf("retake-loc-%d", i), LocationScan: loc})
		wantCode(t, err, codes.FailedPrecondition)
	}
	e.start(t, e.lead, loc, rej.GetRecountId())
}

// TestLeadSubmittingAStartedCountIsItsCounter: a lead who submits the
// figures of a count an associate started is who counted it, in the
// answer and the event.
func TestLeadSubmittingAStartedCountIsItsCounter(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 75
	loc, qty := e.face(t, n)
	c := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.lead, c.GetId(), n, qty)
	if sub.GetCount().GetCountedBy() != "B-LEAD" {
		t.Fatalf("counted_by %q, want the lead who submitted", sub.GetCount().GetCountedBy())
	}
	if r := e.reconciled(t, c.GetId()); r == nil || r.GetCountedBy() != "B-LEAD" {
		t.Fatalf("CountReconciled = %v", r)
	}
}

// TestCountTotalsAreBounded: a position's counted units, after packs, and
// the number of lines a count carries are bounded, so a typo or a replayed
// scan cannot post billions of units.
func TestCountTotalsAreBounded(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 63
	loc, qty := e.face(t, n)
	c := e.start(t, e.assoc, loc, 0)
	many := make([]*cyclecountv1.CountedLine, 10001)
	for i := range many {
		many[i] = &cyclecountv1.CountedLine{ItemScan: pickGTIN(n), Quantity: 1}
	}
	for _, tc := range []struct {
		name  string
		lines []*cyclecountv1.CountedLine
		field string
	}{
		{"cases beyond the position limit", []*cyclecountv1.CountedLine{{ItemScan: robustGTIN(n, true), Quantity: 10000000}}, "lines[0].quantity"},
		{"lines adding up beyond it", []*cyclecountv1.CountedLine{{ItemScan: pickGTIN(n), Quantity: 6000000}, {ItemScan: robustGTIN(n, true), Quantity: 400000}}, "lines[1].quantity"},
		{"too many lines", many, "lines"},
	} {
		_, err := e.cc.SubmitCount(e.assoc, &cyclecountv1.SubmitCountRequest{RequestId: e.rid("big"), CountId: c.GetId(), Lines: tc.lines})
		wantCode(t, err, codes.InvalidArgument)
		if v := violations(err); len(v) != 1 || v[0] != tc.field {
			t.Errorf("%s: violations %v, want [%s]", tc.name, v, tc.field)
		}
	}
	if e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`) != 0 {
		t.Fatal("a refused count posted")
	}
	if sub := e.submit(t, e.assoc, c.GetId(), n, qty); sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("the real count: %v", sub)
	}
}

// TestSetPolicyNeedsEveryClass: a policy missing, or missing a class, is
// refused on that field and leaves the policy in force as it was; a whole
// policy replaces it.
func TestSetPolicyNeedsEveryClass(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	tol := &cyclecountv1.Tolerance{Units: 2, Percent: 3, ValueCents: 400}
	for _, tc := range []struct {
		name   string
		policy *cyclecountv1.Policy
		fields []string
	}{
		{"no policy", nil, []string{"policy"}},
		{"class A only", &cyclecountv1.Policy{ClassA: tol}, []string{"policy.class_b", "policy.class_c"}},
		{"no class C", &cyclecountv1.Policy{ClassA: tol, ClassB: tol}, []string{"policy.class_c"}},
	} {
		_, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: e.rid("sp"), Policy: tc.policy})
		wantCode(t, err, codes.InvalidArgument)
		if v := violations(err); fmt.Sprint(v) != fmt.Sprint(tc.fields) {
			t.Errorf("%s: violations %v, want %v", tc.name, v, tc.fields)
		}
	}
	got, err := e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{})
	if err != nil || got.GetPolicy().GetClassA().GetUnits() != 1 || got.GetPolicy().GetClassC().GetPercent() != 10 {
		t.Fatalf("after refused updates the policy is %v %v, want the defaults", got, err)
	}
	whole := &cyclecountv1.Policy{ClassA: tol, ClassB: tol, ClassC: &cyclecountv1.Tolerance{}}
	set, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "sp-whole", Policy: whole})
	if err != nil || set.GetPolicy().GetClassB().GetValueCents() != 400 || set.GetPolicy().GetClassC().GetUnits() != 0 {
		t.Fatalf("whole policy: %v %v", set, err)
	}
}

// pending makes a count of demo item n's pick face that two associates
// agree is 8 short: it waits for a lead. It returns the recount's id.
func (e *countEnv) pending(t *testing.T, n int) int64 {
	t.Helper()
	loc, qty := e.face(t, n)
	first := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.assoc, first.GetId(), n, qty-8)
	rc := e.start(t, e.assoc2, loc, sub.GetRecountId())
	if s := e.submit(t, e.assoc2, rc.GetId(), n, qty-8); s.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_PENDING_APPROVAL {
		t.Fatalf("agreeing recount of %s: %v", loc, s)
	}
	return rc.GetId()
}

// TestPendingApprovalsArePaged: the counts waiting for a lead come a page
// at a time, oldest first, with a token for the next page like every list.
func TestPendingApprovalsArePaged(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	want := []int64{e.pending(t, 81), e.pending(t, 82), e.pending(t, 83)}
	var got []int64
	token := ""
	for page := 0; ; page++ {
		resp, err := e.cc.ListPendingApprovals(e.lead, &cyclecountv1.ListPendingApprovalsRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetApprovals()) > 2 {
			t.Fatalf("page %d holds %d approvals, page size 2", page, len(resp.GetApprovals()))
		}
		for _, a := range resp.GetApprovals() {
			got = append(got, a.GetCount().GetId())
		}
		if token = resp.GetNextPageToken(); token == "" || page > 3 {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged approvals %v, want %v", got, want)
	}
	_, err := e.cc.ListPendingApprovals(e.lead, &cyclecountv1.ListPendingApprovalsRequest{PageToken: "bogus"})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.cc.ListPendingApprovals(e.lead, &cyclecountv1.ListPendingApprovalsRequest{PageSize: -1})
	wantCode(t, err, codes.InvalidArgument)
}

// TestRecountGoesToAnotherAssociateOnTheFloor: a count beyond tolerance is
// recounted by someone else at once: the recount is assigned to a signed-in
// associate who has not counted the bin in this chain; when everyone on the
// floor has, it is left for a lead to assign, and a lead cannot give it to
// any earlier counter of the chain (they could not start it).
func TestRecountGoesToAnotherAssociateOnTheFloor(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 86
	loc, qty := e.face(t, n)
	first := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.assoc, first.GetId(), n, qty-8)
	task := func(id int64) *cyclecountv1.Count {
		t.Helper()
		resp, err := e.cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range resp.GetTasks() {
			if c.GetId() == id {
				return c
			}
		}
		t.Fatalf("count %d not among the open tasks", id)
		return nil
	}
	if got := task(sub.GetRecountId()).GetAssignedTo(); got != "B-ASSOC2" {
		t.Fatalf("recount assigned to %q, want the other associate on the floor", got)
	}
	_, err := e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "to-first", CountId: sub.GetRecountId(), Badge: "B-ASSOC"})
	wantCode(t, err, codes.FailedPrecondition)
	rc := e.start(t, e.assoc2, loc, sub.GetRecountId())
	e.submit(t, e.assoc2, rc.GetId(), n, qty-8)
	rej, err := e.cc.Reject(e.lead, &cyclecountv1.RejectRequest{RequestId: "reject", CountId: rc.GetId(), Reason: "looks wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if got := task(rej.GetRecountId()).GetAssignedTo(); got != "" {
		t.Fatalf("third count assigned to %q, but both associates on the floor counted the bin", got)
	}
	for i, badge := range []string{"B-ASSOC", "B-ASSOC2"} {
		_, err := e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: fmt.Sprintf("to-%d", i), CountId: rej.GetRecountId(), Badge: badge})
		wantCode(t, err, codes.FailedPrecondition)
	}
	if _, err := e.cc.AssignTask(e.lead, &cyclecountv1.AssignTaskRequest{RequestId: "to-lead", CountId: rej.GetRecountId(), Badge: "B-LEAD"}); err != nil {
		t.Fatalf("assign the third count to a lead: %v", err)
	}
}

// TestBlindCountHidesTheRecordFromAssociates: from the moment a bin's count
// is on the list until it is counted an associate reads no quantities of
// it, neither its balances nor its movements (a lead does); its check code
// is still shown, since the counter must scan it. Once the count is
// submitted the bin reads again.
func TestBlindCountHidesTheRecordFromAssociates(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 85
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	e.adjust(t, loc, sku, "", "", 1) // a movement at the bin
	qty++
	visible := func(who context.Context) (balances, movements int) {
		t.Helper()
		for _, req := range []*inventoryv1.GetBalancesRequest{{LocationCode: loc}, {Sku: sku}} {
			resp, err := e.inv.GetBalances(who, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range resp.GetBalances() {
				if b.GetLocationCode() == loc {
					balances++
				}
			}
		}
		for _, req := range []*inventoryv1.ListMovementsRequest{{LocationCode: loc}, {Sku: sku}} {
			resp, err := e.inv.ListMovements(who, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range resp.GetMovements() {
				if m.GetFromLocationCode() == loc || m.GetToLocationCode() == loc {
					movements++
				}
			}
		}
		return balances, movements
	}
	if b, m := visible(e.assoc); b == 0 || m == 0 {
		t.Fatalf("before the count an associate sees %d balances and %d movements at %s", b, m, loc)
	}
	// Once a lead has put the bin on the list, whoever is given it cannot
	// look it up before starting.
	task, err := e.cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: "add-hidden", LocationCode: loc, Reason: "looks low"})
	if err != nil {
		t.Fatal(err)
	}
	if b, m := visible(e.assoc); b != 0 || m != 0 {
		t.Fatalf("with a count on the list an associate sees %d balances and %d movements at %s", b, m, loc)
	}
	c := e.start(t, e.assoc, loc, task.GetTask().GetId())
	if b, m := visible(e.assoc); b != 0 || m != 0 {
		t.Fatalf("during a blind count an associate sees %d balances and %d movements at %s", b, m, loc)
	}
	if b, m := visible(e.assoc2); b != 0 || m != 0 {
		t.Fatalf("during a blind count another associate sees %d balances and %d movements at %s", b, m, loc)
	}
	if b, m := visible(e.lead); b == 0 || m == 0 {
		t.Fatalf("during a count a lead sees %d balances and %d movements at %s", b, m, loc)
	}
	if got, err := e.inv.GetLocation(e.assoc, &inventoryv1.GetLocationRequest{Code: loc}); err != nil || got.GetLocation().GetCheckCode() == "" {
		t.Fatalf("the counter's location lookup: %v %v", got, err)
	}
	if sub := e.submit(t, e.assoc, c.GetId(), n, qty); sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("exact count: %v", sub)
	}
	if b, m := visible(e.assoc); b == 0 || m == 0 {
		t.Fatalf("after the count an associate sees %d balances and %d movements at %s", b, m, loc)
	}
}

// TestShortPickAfterThePlanGoesToTheFront: a short pick made after the
// day's plan puts its bin's count at the front of today's tasks at once:
// a planned task moves there (the same count, now triggered by the
// request), and a bin not on the plan gets a new count there.
func TestShortPickAfterThePlanGoesToTheFront(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	today := time.Now().UTC().Format(time.DateOnly)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "plan", Date: today, CapacityCounts: 1000})
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]*cyclecountv1.Count{}
	for _, c := range plan.GetTasks() {
		planned[c.GetLocationCode()] = c
	}
	onPlan, offPlan := 91, 93
	locOn, _ := e.face(t, onPlan)
	locOff, _ := e.face(t, offPlan)
	if planned[locOn] == nil || planned[locOff] == nil || plan.GetTasks()[0].GetLocationCode() == locOn {
		t.Fatalf("%s and %s are not both planned behind other tasks: %v", locOn, locOff, plan.GetTasks())
	}
	if _, err := e.cc.RemoveTask(e.lead, &cyclecountv1.RemoveTaskRequest{RequestId: "rm", CountId: planned[locOff].GetId(), Reason: "not today"}); err != nil {
		t.Fatal(err)
	}
	short := func(n int, tote string) int64 {
		t.Helper()
		list := e.startedList(t, order("SO-"+tote, fmt.Sprintf("SKU-%04d", n), 2), tote)
		line := list.GetLines()[0]
		sh, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: e.rid("short"), PickListId: list.GetId(), LineId: line.GetId(),
			LocationScan: line.GetLocationCode(), FoundQuantity: 0, Reason: "empty"})
		if err != nil {
			t.Fatal(err)
		}
		return sh.GetCountRequestId()
	}
	reqOn := short(onPlan, "LPN-TR1")
	reqOff := short(offPlan, "LPN-TR2")
	listed, err := e.cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{Date: today, PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	top := listed.GetTasks()
	if len(top) < 2 || top[0].GetLocationCode() != locOn || top[1].GetLocationCode() != locOff {
		t.Fatalf("today's first tasks %v, want the short-picked bins %s and %s", top, locOn, locOff)
	}
	if top[0].GetId() != planned[locOn].GetId() || top[0].GetCountRequestId() != reqOn || top[0].GetTaskKind() != "triggered" ||
		!strings.Contains(top[0].GetReasons()[0], "short pick") {
		t.Fatalf("the planned task moved to the front: %v, want count %d answering request %d", top[0], planned[locOn].GetId(), reqOn)
	}
	if top[1].GetCountRequestId() != reqOff || top[1].GetPlanDate() != today || top[1].GetTaskKind() != "triggered" {
		t.Fatalf("the short-picked bin off the plan: %v, want a triggered task for request %d", top[1], reqOff)
	}
	// A triggered count holds its bin off sale until it posts: it is never
	// removed.
	_, err = e.cc.RemoveTask(e.lead, &cyclecountv1.RemoveTaskRequest{RequestId: "rm-triggered", CountId: top[0].GetId(), Reason: "not today"})
	wantCode(t, err, codes.FailedPrecondition)
	// Replanning the day keeps both triggered counts: they head the answer
	// and take two of its three counts.
	replan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "replan", Date: today, CapacityCounts: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := replan.GetTasks()
	if len(got) != 3 || got[0].GetId() != top[0].GetId() || got[1].GetId() != top[1].GetId() || got[2].GetTaskKind() == "triggered" {
		t.Fatalf("replan of 3 with two triggered counts kept: %v, want counts %d and %d then one more", got, top[0].GetId(), top[1].GetId())
	}
	again, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "replan-2", Date: today, CapacityCounts: 2})
	if err != nil || len(again.GetTasks()) != 2 || again.GetTasks()[0].GetId() != top[0].GetId() {
		t.Fatalf("replan of 2 with two triggered counts kept: %v, %v; want just those two", again, err)
	}
}

// TestSerialsAreCountedPerUnit: for a serial-tracked item the associate
// scans the serial of every unit counted. The node's serial record is
// where a posted count last found each serial (the ledger keeps
// quantities, not units): a later count shows a lead the serials found
// that the record had at another bin, and those the record had at this bin
// that were not found; posting moves the record to what was counted.
func TestSerialsAreCountedPerUnit(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n, other = 87, 89
	sku := fmt.Sprintf("SKU-%04d", n)
	if _, err := e.inv.UpsertItem(e.admin, &inventoryv1.UpsertItemRequest{RequestId: "serial-tracked", Item: &inventoryv1.Item{Sku: sku, SerialTracked: true}}); err != nil {
		t.Fatal(err)
	}
	locA, qty := e.face(t, n)
	serials := func(from, to int64) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprintf("SN%04d", i))
		}
		return out
	}
	submit := func(who context.Context, countID int64, lines ...*cyclecountv1.CountedLine) (*cyclecountv1.SubmitCountResponse, error) {
		return e.cc.SubmitCount(who, &cyclecountv1.SubmitCountRequest{RequestId: e.rid("submit"), CountId: countID, Lines: lines})
	}
	first := e.start(t, e.assoc, locA, 0)
	for _, bad := range [][]string{serials(1, qty-1), append(serials(1, qty-1), "SN0001"), nil} {
		_, err := submit(e.assoc, first.GetId(), &cyclecountv1.CountedLine{ItemScan: pickGTIN(n), Quantity: qty, Serials: bad})
		wantCode(t, err, codes.InvalidArgument)
	}
	_, err := submit(e.assoc, first.GetId(), &cyclecountv1.CountedLine{ItemScan: pickGTIN(n), Quantity: qty, Serials: serials(1, qty)},
		&cyclecountv1.CountedLine{ItemScan: pickGTIN(other), Quantity: 1, Serials: []string{"SN9999"}})
	wantCode(t, err, codes.InvalidArgument) // the other item is not serial tracked
	sub, err := submit(e.assoc, first.GetId(), &cyclecountv1.CountedLine{ItemScan: pickGTIN(n), Quantity: qty, Serials: serials(1, qty)})
	if err != nil || sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED || len(sub.GetCount().GetLines()[0].GetSerials()) != int(qty) {
		t.Fatalf("exact count with every serial: %v %v", sub, err)
	}
	if got := e.count(t, `SELECT COUNT(*) FROM serials s JOIN locations l ON l.id = s.location_id WHERE l.code = ?`, locA); got != qty {
		t.Fatalf("the serial record places %d serials at %s, want %d", got, locA, qty)
	}
	// One unit is found in the bin next door: the record moves it by hand.
	locB, qtyB := e.face(t, other)
	e.adjust(t, locA, sku, "", "", -1)
	e.adjust(t, locB, sku, "", "", 1)
	cb := e.start(t, e.lead, locB, 0)
	subB, err := submit(e.lead, cb.GetId(), &cyclecountv1.CountedLine{ItemScan: pickGTIN(other), Quantity: qtyB},
		&cyclecountv1.CountedLine{ItemScan: pickGTIN(n), Quantity: 1, Serials: []string{"SN0001"}})
	if err != nil || subB.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("count of %s: %v %v", locB, subB, err)
	}
	var lineB *cyclecountv1.CountLine
	for _, l := range subB.GetCount().GetLines() {
		if l.GetSku() == sku {
			lineB = l
		}
	}
	if lineB == nil || fmt.Sprint(lineB.GetSerialsFromElsewhere()) != "[SN0001]" || len(lineB.GetMissingSerials()) != 0 {
		t.Fatalf("%s's line at %s: %v, want SN0001 shown as recorded elsewhere", sku, locB, lineB)
	}
	// Back at the first bin, one serial is not there and a new one is.
	ca := e.start(t, e.assoc, locA, 0)
	subA, err := submit(e.assoc, ca.GetId(), &cyclecountv1.CountedLine{ItemScan: pickGTIN(n), Quantity: qty - 1, Serials: append(serials(3, qty), "SN-NEW")})
	if err != nil || subA.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("recount of %s: %v %v", locA, subA, err)
	}
	if l := subA.GetCount().GetLines()[0]; len(l.GetMissingSerials()) != 0 || len(l.GetSerialsFromElsewhere()) != 0 || len(l.GetSerials()) != int(qty-1) {
		t.Fatalf("an associate's answer shows the record's serials: %v", l)
	}
	where := func(sn string) string {
		t.Helper()
		var code string
		if err := e.n.srv.DB.Reader().QueryRow(`SELECT COALESCE((SELECT l.code FROM serials s JOIN locations l ON l.id = s.location_id WHERE s.serial = ?), '')`, sn).Scan(&code); err != nil {
			t.Fatal(err)
		}
		return code
	}
	if where("SN0001") != locB || where("SN0002") != "" || where("SN-NEW") != locA || where("SN0003") != locA {
		t.Fatalf("serial record after the counts: SN0001 at %q, SN0002 at %q, SN-NEW at %q", where("SN0001"), where("SN0002"), where("SN-NEW"))
	}
	missing := e.count(t, `SELECT COUNT(*) FROM count_serials WHERE count_id = ? AND serial = 'SN0002' AND in_snapshot = 1 AND counted = 0`, ca.GetId())
	if missing != 1 {
		t.Fatalf("the count of %s does not hold SN0002 as missing", locA)
	}
}

// TestSetPolicySchedulingSettings: the plan's scheduling settings (zero
// checks' share of capacity, the weights of differences found next door)
// read as DefaultPolicy's until an admin sets them, are refused out of
// range on their field, and read back as set.
func TestSetPolicySchedulingSettings(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	def := cyclecount.DefaultPolicy()
	got, err := e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{})
	if err != nil || got.GetPolicy().GetZeroCheckMaxShare() != def.ZeroCheckMaxShare ||
		got.GetPolicy().GetNeighbourVarianceHazard() != def.NeighbourVarianceHazard ||
		got.GetPolicy().GetNeighbourItemVarianceHazard() != def.NeighbourItemVarianceHazard {
		t.Fatalf("default scheduling settings: %v %v", got, err)
	}
	tol := &cyclecountv1.Tolerance{Units: 2}
	_, err = e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "sp-bad", Policy: &cyclecountv1.Policy{ClassA: tol, ClassB: tol, ClassC: tol,
		ZeroCheckMaxShare: proto.Float64(1.5), NeighbourItemVarianceHazard: proto.Float64(-1)}})
	wantCode(t, err, codes.InvalidArgument)
	if v := violations(err); fmt.Sprint(v) != "[policy.zero_check_max_share policy.neighbour_item_variance_hazard]" {
		t.Errorf("violations %v", v)
	}
	set, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "sp-sched", Policy: &cyclecountv1.Policy{ClassA: tol, ClassB: tol, ClassC: tol,
		ZeroCheckMaxShare: proto.Float64(0.2), NeighbourVarianceHazard: proto.Float64(0)}})
	if err != nil {
		t.Fatal(err)
	}
	got, err = e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{})
	for _, p := range []*cyclecountv1.Policy{set.GetPolicy(), got.GetPolicy()} {
		if err != nil || p.GetZeroCheckMaxShare() != 0.2 || p.GetNeighbourVarianceHazard() != 0 || p.GetNeighbourItemVarianceHazard() != def.NeighbourItemVarianceHazard {
			t.Errorf("after setting: %v %v", p, err)
		}
	}
}

// TestZeroCheckConfirmedEmptyIsTheBinsLastCount: a pick empties a bin, the
// day's plan checks it is empty, the associate confirms it empty; that
// count (no lines, so no count history) is the bin's last count, so the
// next day's plan does not check it again and its touches start over.
func TestZeroCheckConfirmedEmptyIsTheBinsLastCount(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 77
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	list := e.startedList(t, order("SO-ZERO", sku, int(qty)), "LPN-Z1")
	e.pickAll(t, list)
	if e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE) != 0 ||
		e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind = 'location_emptied' AND location_id = (SELECT id FROM locations WHERE code = ?)`, loc) == 0 {
		t.Fatalf("picking %d of %s did not empty %s", qty, sku, loc)
	}
	zeroCheckAt := func(date, rid string) *cyclecountv1.Count {
		t.Helper()
		plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: rid, Date: date, CapacityCounts: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range plan.GetTasks() {
			if task.GetLocationCode() == loc && task.GetTaskKind() == "zero-check" {
				return task
			}
		}
		return nil
	}
	today := time.Now().UTC().Format(time.DateOnly)
	task := zeroCheckAt(today, "plan-today")
	if task == nil {
		t.Fatalf("no zero check of %s after a pick emptied it", loc)
	}
	e.start(t, e.assoc, loc, task.GetId())
	sub, err := e.cc.SubmitCount(e.assoc, &cyclecountv1.SubmitCountRequest{RequestId: "zero", CountId: task.GetId(), ConfirmedEmpty: true})
	if err != nil || sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
		t.Fatalf("zero check confirmed empty: %v %v", sub, err)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	if again := zeroCheckAt(tomorrow, "plan-tomorrow"); again != nil {
		t.Fatalf("%s confirmed empty today is checked again tomorrow: %v", loc, again)
	}
}
