package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	"github.com/floorops/floorops/store"
	"google.golang.org/grpc/codes"
)

// pendingAt counts loc beyond tolerance twice (assoc, then assoc2 agreeing)
// so the recount waits for a lead; it returns the recount.
func (e *countEnv) pendingAt(t *testing.T, n int, loc string, counted int64) *cyclecountv1.Count {
	t.Helper()
	first := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.assoc, first.GetId(), n, counted)
	rc := e.start(t, e.assoc2, loc, sub.GetRecountId())
	if sub := e.submit(t, e.assoc2, rc.GetId(), n, counted); sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_PENDING_APPROVAL {
		t.Fatalf("recount: %v", sub)
	}
	return rc
}

// TestCountWaitingForApprovalIsInProgress: a bin whose count waits for a
// lead is not planned, added or started again (never two open counts on a
// location), stays hidden from associates, and its approval posts the
// shortfall once.
func TestCountWaitingForApprovalIsInProgress(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 62
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	rc := e.pendingAt(t, n, loc, qty-8)

	_, err := e.cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: e.rid("add"), LocationCode: loc, Reason: "again"})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.cc.StartCount(e.assoc, &cyclecountv1.StartCountRequest{RequestId: e.rid("start"), LocationScan: loc})
	wantCode(t, err, codes.FailedPrecondition)
	today := time.Now().UTC().Format(time.DateOnly)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: e.rid("plan"), Date: today, CapacityCounts: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.GetTasks()) == 0 {
		t.Fatal("nothing planned")
	}
	for _, task := range plan.GetTasks() {
		if task.GetLocationCode() == loc {
			t.Fatalf("%s planned again (count %d) while count %d waits for approval", loc, task.GetId(), rc.GetId())
		}
	}
	bs, err := e.inv.GetBalances(e.assoc, &inventoryv1.GetBalancesRequest{LocationCode: loc})
	if err != nil || len(bs.GetBalances()) != 0 {
		t.Fatalf("while its count waits for a lead an associate reads %s: %v %v", loc, bs, err)
	}
	if _, err := e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: e.rid("ok"), CountId: rc.GetId(), Reason: "agreed"}); err != nil {
		t.Fatal(err)
	}
	if got := e.onHand(t, loc, sku, inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE); got != qty-8 {
		t.Fatalf("after approval %s holds %d, want %d", loc, got, qty-8)
	}
	e.checkLedger(t)
}

// TestApprovalRefusesAfterAnotherCountPosted: a count of the bin posted
// after the waiting count's snapshot (as one planned before the bin was
// treated as in progress could be) already booked the difference: the
// approval is refused and nothing is posted twice.
func TestApprovalRefusesAfterAnotherCountPosted(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 63
	loc, qty := e.face(t, n)
	rc := e.pendingAt(t, n, loc, qty-8)
	// A second count of the bin, started and posted after rc's snapshot.
	if err := e.n.srv.DB.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO counts (location_id, state, created_at, start_movement_id)
			SELECT location_id, 'posted', created_at, start_movement_id + 1 FROM counts WHERE id = ?`, rc.GetId())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`)
	_, err := e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: e.rid("ok"), CountId: rc.GetId(), Reason: "agreed"})
	wantCode(t, err, codes.FailedPrecondition)
	if got := e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`); got != before {
		t.Fatalf("a refused approval posted %d movements", got-before)
	}
	if _, err := e.cc.Reject(e.lead, &cyclecountv1.RejectRequest{RequestId: e.rid("no"), CountId: rc.GetId(), Reason: "counted since"}); err != nil {
		t.Fatal(err)
	}
}

// TestBlindCountLeaksNoQuantity: while a bin is counted blind, an
// associate reads its quantity from neither ATS's on hand nor a move's
// refusal; a lead still sees on hand.
func TestBlindCountLeaksNoQuantity(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 61
	sku := fmt.Sprintf("SKU-%04d", n)
	loc, qty := e.face(t, n)
	e.start(t, e.assoc, loc, 0)
	_, err := e.inv.GetAvailableToSell(e.assoc2, &inventoryv1.GetAvailableToSellRequest{Skus: []string{sku}})
	wantCode(t, err, codes.PermissionDenied) // associates read no ATS (TestAssociatesReadNoATS)
	if e.ats(t, sku).GetOnHand() < qty {
		t.Fatal("a lead lost the on hand figure")
	}
	// A putaway suggestion to consolidate there says not how many.
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	e.adjust(t, "STG-01", sku, "", "", 5)
	if _, err := pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("pa"), FromLocationScan: "STG-01", Sku: sku, Quantity: 5}); err != nil {
		t.Fatal(err)
	}
	sg, err := pa.SuggestLocation(e.assoc2, &putawayv1.SuggestLocationRequest{Scan: pickGTIN(n)})
	if err != nil {
		t.Fatal(err)
	}
	if s := sg.GetSuggestion(); s.GetStrategy() != putawayv1.Strategy_STRATEGY_CONSOLIDATE || strings.ContainsAny(s.GetReason(), "0123456789") {
		t.Fatalf("a putaway suggestion to consolidate tells the associate a bin's record: %v", s)
	}
	_, err = e.inv.MoveStock(e.assoc2, &inventoryv1.MoveStockRequest{RequestId: e.rid("mv"), FromLocationScan: loc, ToLocationScan: "A-01-09-A", Sku: sku, Quantity: 100000})
	wantCode(t, err, codes.FailedPrecondition)
	if rest := strings.NewReplacer(loc, "", sku, "", "100000", "").Replace(err.Error()); strings.Contains(rest, fmt.Sprint(qty)) {
		t.Fatalf("a move's refusal tells the associate the bin's record: %v", err)
	}
}

// TestNothingGoesIntoABinHeldForACount: a bin a short pick held for its
// count takes no units by an associate's move until it is counted; a lead
// may.
func TestNothingGoesIntoABinHeldForACount(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 67
	sku := fmt.Sprintf("SKU-%04d", n)
	list := e.startedList(t, order("SO-IN", sku, 3), "LPN-IN1")
	line := list.GetLines()[0]
	loc := line.GetLocationCode()
	if _, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: "short", PickListId: list.GetId(), LineId: line.GetId(),
		LocationScan: loc, FoundQuantity: 0, Reason: "empty"}); err != nil {
		t.Fatal(err)
	}
	from := ""
	for _, b := range balances(t, e.inv, e.lead, sku) {
		if b.GetLocationCode() != loc && b.GetStatus() == inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE && b.GetQuantity() > 1 {
			from = b.GetLocationCode()
		}
	}
	if from == "" {
		t.Skip("no other stock of the item to move")
	}
	_, err := e.inv.MoveStock(e.assoc, &inventoryv1.MoveStockRequest{RequestId: e.rid("in"), FromLocationScan: from, ToLocationScan: loc, Sku: sku, Quantity: 1})
	wantCode(t, err, codes.FailedPrecondition)
	if _, err := e.inv.MoveStock(e.lead, &inventoryv1.MoveStockRequest{RequestId: e.rid("in"), FromLocationScan: from, ToLocationScan: loc, Sku: sku, Quantity: 1}); err != nil {
		t.Fatalf("a lead's move into a held bin: %v", err)
	}
	// A putaway there, even with an override reason, waits for the count.
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	e.adjust(t, "STG-01", sku, "", "", 5)
	task, err := pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("pa"), FromLocationScan: "STG-01", Sku: sku, Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pa.ConfirmPutaway(e.assoc, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("pc"), TaskId: task.GetTask().GetId(), LocationScan: loc, Quantity: 5, OverrideReason: "room here"})
	wantCode(t, err, codes.FailedPrecondition)
}

// TestRecountsAreOnTodaysList: a recount (for a difference, or because
// stock moved) is planned for today and assigned, so it is in the day's
// list.
func TestRecountsAreOnTodaysList(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	const n = 65
	loc, qty := e.face(t, n)
	first := e.start(t, e.assoc, loc, 0)
	sub := e.submit(t, e.assoc, first.GetId(), n, qty-8)
	today := time.Now().UTC().Format(time.DateOnly)
	list, err := e.cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{Date: today})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range list.GetTasks() {
		if c.GetId() == sub.GetRecountId() {
			found = c.GetPlanDate() == today
		}
	}
	if !found {
		t.Fatalf("recount %d is not on today's list %v", sub.GetRecountId(), list.GetTasks())
	}
	_, err = e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: e.rid("far"), Date: time.Now().UTC().AddDate(2, 0, 0).Format(time.DateOnly), CapacityCounts: 5})
	wantCode(t, err, codes.InvalidArgument)
}

// TestNeverCountedBinsSayNever: a bin never counted is explained as never
// counted, not as days since a last count it never had.
func TestNeverCountedBinsSayNever(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	day := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: e.rid("plan"), Date: day, CapacityCounts: 20})
	if err != nil || len(plan.GetTasks()) == 0 {
		t.Fatalf("plan: %v %v", plan, err)
	}
	never := 0
	for _, task := range plan.GetTasks() {
		for _, r := range task.GetReasons() {
			if strings.Contains(r, "days since last count") || strings.Contains(r, "day since last count") {
				t.Fatalf("never-counted %s: %q", task.GetLocationCode(), r)
			}
			if strings.HasPrefix(r, "never counted") {
				never++
			}
		}
	}
	if never == 0 {
		t.Fatalf("no task says its bin was never counted: %v", plan.GetTasks())
	}
}

// TestApprovalIsAnotherLeads: a lead who counted the bin themselves, in the
// recount or in the count it agreed with, cannot approve its difference
// (nothing posts); a lead who did not count it can, and a lead may still
// reject their own, which only asks for another recount.
func TestApprovalIsAnotherLeads(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	for i, tc := range []struct {
		name          string
		first, second string // badges
	}{
		{"lead counted first", "B-LEAD", "B-ASSOC"},
		{"lead recounted", "B-ASSOC", "B-LEAD"},
	} {
		n := 62 + i
		loc, qty := e.face(t, n)
		by := map[string]context.Context{"B-LEAD": e.lead, "B-ASSOC": e.assoc}
		first := e.start(t, by[tc.first], loc, 0)
		sub := e.submit(t, by[tc.first], first.GetId(), n, qty-8)
		rc := e.start(t, by[tc.second], loc, sub.GetRecountId())
		if sub := e.submit(t, by[tc.second], rc.GetId(), n, qty-8); sub.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_PENDING_APPROVAL {
			t.Fatalf("%s: recount: %v", tc.name, sub)
		}
		before := e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`)
		_, err := e.cc.Approve(e.lead, &cyclecountv1.ApproveRequest{RequestId: e.rid("own"), CountId: rc.GetId(), Reason: "agreed"})
		wantCode(t, err, codes.FailedPrecondition)
		if got := e.count(t, `SELECT COUNT(*) FROM movements WHERE kind = 'count'`); got != before {
			t.Fatalf("%s: a refused approval posted %d movements", tc.name, got-before)
		}
		if i == 0 {
			ok, err := e.cc.Approve(e.admin, &cyclecountv1.ApproveRequest{RequestId: e.rid("other"), CountId: rc.GetId(), Reason: "two counts agree"})
			if err != nil || ok.GetCount().GetState() != cyclecountv1.CountState_COUNT_STATE_POSTED {
				t.Fatalf("%s: approval by a lead who did not count: %v %v", tc.name, ok, err)
			}
			continue
		}
		rej, err := e.cc.Reject(e.lead, &cyclecountv1.RejectRequest{RequestId: e.rid("lead-no"), CountId: rc.GetId(), Reason: "count again"})
		if err != nil || rej.GetRecountId() == 0 {
			t.Fatalf("%s: a lead rejecting their own count: %v %v", tc.name, rej, err)
		}
	}
}
