package server_test

import (
	"context"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	returnsv1 "github.com/floorops/floorops/proto/floorops/returns/v1"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc/codes"
)

// retEnv is a node with a controlled clock for the returns flow.
type retEnv struct {
	*pickEnv
	rt    returnsv1.ReturnsServiceClient
	clock atomic.Int64
	t0    time.Time
}

func newRetEnv(t *testing.T) *retEnv {
	e := &retEnv{pickEnv: newPickEnv(t), t0: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	e.rt = returnsv1.NewReturnsServiceClient(e.n.conn)
	e.at(0)
	// Set before the next request: the write queue orders it before any
	// transaction that reads it.
	e.n.srv.DB.Now = func() time.Time { return time.Unix(0, e.clock.Load()).UTC() }
	return e
}

// at sets the node's clock to h hours after t0.
func (e *retEnv) at(h float64) {
	e.clock.Store(e.t0.Add(time.Duration(h * float64(time.Hour))).UnixNano())
}

// ship releases and picks an order of qty units of SKU-0003.
func (e *retEnv) ship(t *testing.T, orderID string, qty int) {
	t.Helper()
	list := e.startedList(t, order(orderID, "SKU-0003", qty), "LPN-R1")
	for _, l := range list.GetLines() {
		if _, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: e.rid("pick"), PickListId: list.GetId(), LineId: l.GetId(),
			LocationScan: l.GetLocationCode(), ItemScan: pickGTIN(3), Quantity: l.GetQuantity()}); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *retEnv) receive(t *testing.T, rma string, qty int64) *returnsv1.ReturnUnit {
	t.Helper()
	r, err := e.rt.ReceiveReturn(e.assoc, &returnsv1.ReceiveReturnRequest{RequestId: e.rid("ret"), RmaNumber: rma, RawScan: pickGTIN(3), Quantity: qty})
	if err != nil {
		t.Fatalf("receive against %q: %v", rma, err)
	}
	return r.GetUnit()
}

func (e *retEnv) grade(t *testing.T, id int64, g string) *returnsv1.ReturnUnit {
	t.Helper()
	r, err := e.rt.GradeUnit(e.assoc, &returnsv1.GradeUnitRequest{RequestId: e.rid("grade"), UnitId: id, Grade: g})
	if err != nil {
		t.Fatal(err)
	}
	return r.GetUnit()
}

func (e *retEnv) disposition(t *testing.T, ctx context.Context, id int64, d, reason string) *returnsv1.DispositionResponse {
	t.Helper()
	r, err := e.rt.Disposition(ctx, &returnsv1.DispositionRequest{RequestId: e.rid("disp"), UnitId: id, Disposition: d, OverrideReason: reason})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *retEnv) qtyAt(t *testing.T, loc, status string) int64 {
	t.Helper()
	return e.count(t, `SELECT COALESCE(SUM(b.qty), 0) FROM balances b JOIN locations l ON l.id = b.location_id JOIN items i ON i.id = b.item_id
		WHERE l.code = ? AND i.sku = 'SKU-0003' AND b.status = ?`, loc, status)
}

// TestReturnsEndToEnd is issue 12's "Done means": an RMA of units graded
// A, B, C, D whose rules say restock, restock, refurbish, dispose; ATS
// rises by exactly 2 at the moment of disposition; the putaway tasks exist
// and complete by scan; the other units stay quarantined; an override is
// recorded; an unexpected return and a second RMA beyond what shipped are
// exceptions; the SLA report is exact under a controlled clock; balances
// match the ledger.
func TestReturnsEndToEnd(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	e.adjust(t, "B-04-10-B", "SKU-0003", "", "", 30)
	e.ship(t, "SO-RET", 5)

	if _, err := e.rt.CreateRma(e.central, &returnsv1.CreateRmaRequest{RequestId: "rma-1", Rma: &returnsv1.Rma{
		RmaNumber: "RMA-1", OrderRef: "SO-RET", Channel: "shopify",
		Lines: []*returnsv1.RmaLine{{Sku: "SKU-0003", Quantity: 5, Reason: "unwanted"}}}}); err != nil {
		t.Fatal(err)
	}
	base := e.ats(t, "SKU-0003").GetAvailableToSell()

	// Five units at T0; an unexpected return at +1h; a second RMA for the
	// same order line, beyond what shipped, at +2h.
	var units []*returnsv1.ReturnUnit
	for range 5 {
		units = append(units, e.receive(t, "RMA-1", 1))
	}
	for _, u := range units {
		if len(u.GetExceptions()) != 0 || u.GetLocationCode() != "RET-01" {
			t.Fatalf("an authorized, shipped unit: %v", u)
		}
	}
	e.at(1)
	unexpected := e.receive(t, "", 1)
	if !slices.Equal(unexpected.GetExceptions(), []string{"return_unexpected"}) {
		t.Fatalf("unexpected return flagged %v", unexpected.GetExceptions())
	}
	e.at(2)
	if _, err := e.rt.CreateRma(e.central, &returnsv1.CreateRmaRequest{RequestId: "rma-2", Rma: &returnsv1.Rma{
		RmaNumber: "RMA-2", OrderRef: "SO-RET", Channel: "shopify",
		Lines: []*returnsv1.RmaLine{{Sku: "SKU-0003", Quantity: 1, Reason: "defective"}}}}); err != nil {
		t.Fatal(err)
	}
	beyond := e.receive(t, "RMA-2", 1)
	if !slices.Equal(beyond.GetExceptions(), []string{"return_over_shipped"}) {
		t.Fatalf("a return beyond the 5 shipped flagged %v", beyond.GetExceptions())
	}
	if n := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind IN ('return_unexpected', 'return_over_shipped')`); n != 2 {
		t.Fatalf("%d exceptions recorded, want 2", n)
	}
	if got := e.ats(t, "SKU-0003").GetAvailableToSell(); got != base {
		t.Fatalf("ATS %d after receiving ungraded returns, want %d", got, base)
	}

	want := []string{"restock", "restock", "refurbish", "dispose", "restock"}
	for i, g := range []string{"A", "B", "C", "D", "B"} {
		if u := e.grade(t, units[i].GetUnitId(), g); u.GetSuggestedDisposition() != want[i] {
			t.Fatalf("grade %s suggested %s, want %s", g, u.GetSuggestedDisposition(), want[i])
		}
	}
	e.grade(t, unexpected.GetUnitId(), "A")

	e.at(4)
	var tasks []int64
	for i, wantATS := range []int64{base + 1, base + 2} {
		d := e.disposition(t, e.assoc, units[i].GetUnitId(), "", "")
		if d.GetPutawayTaskId() == 0 {
			t.Fatalf("restocked unit without a putaway task: %v", d)
		}
		tasks = append(tasks, d.GetPutawayTaskId())
		if got := e.ats(t, "SKU-0003").GetAvailableToSell(); got != wantATS {
			t.Fatalf("ATS %d after restocking %d units, want %d", got, i+1, wantATS)
		}
	}
	e.at(10)
	e.disposition(t, e.assoc, units[2].GetUnitId(), "", "")
	e.at(30)
	e.disposition(t, e.assoc, units[3].GetUnitId(), "", "")
	// An associate may hold back what the rules restock, with a reason,
	// but not restock what they hold back.
	_, err := e.rt.Disposition(e.assoc, &returnsv1.DispositionRequest{RequestId: "no-reason", UnitId: units[4].GetUnitId(), Disposition: "quarantine"})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.rt.Disposition(e.assoc, &returnsv1.DispositionRequest{RequestId: "restock-c", UnitId: units[2].GetUnitId(), Disposition: "restock", OverrideReason: "looks fine"})
	wantCode(t, err, codes.FailedPrecondition) // already dispositioned
	e.at(79)
	e.disposition(t, e.assoc, units[4].GetUnitId(), "quarantine", "seal torn: check for a swap")
	if got := e.ats(t, "SKU-0003").GetAvailableToSell(); got != base+2 {
		t.Fatalf("ATS %d after every disposition, want %d", got, base+2)
	}
	if q := e.qtyAt(t, "QUAR-01", "quarantine"); q != 2 {
		t.Fatalf("%d units in QUAR-01, want the refurbished and disposed 2", q)
	}
	if q := e.qtyAt(t, "RET-01", "quarantine"); q != 3 {
		t.Fatalf("%d units quarantined at RET-01, want the held, unexpected and beyond-shipped 3", q)
	}

	// The restocked units' putaway tasks complete by scanning the shelf.
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	for _, id := range tasks {
		sug, err := pa.SuggestLocation(e.assoc, &putawayv1.SuggestLocationRequest{TaskId: id})
		if err != nil {
			t.Fatal(err)
		}
		done, err := pa.ConfirmPutaway(e.assoc, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("pa"), TaskId: id,
			LocationScan: sug.GetSuggestion().GetLocationCode(), Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		if done.GetTask().GetRemainingQuantity() != 0 {
			t.Fatalf("task %d after putaway: %v", id, done.GetTask())
		}
	}
	if q := e.qtyAt(t, "RET-01", "available"); q != 0 {
		t.Fatalf("%d restocked units still at RET-01", q)
	}
	if got := e.ats(t, "SKU-0003").GetAvailableToSell(); got != base+2 {
		t.Fatalf("ATS %d after putaway, want %d", got, base+2)
	}

	// The lead sees the override and the SLA clock on the RMA.
	rma, err := e.rt.GetRma(e.lead, &returnsv1.GetRmaRequest{RmaNumber: "RMA-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r := rma.GetRma(); r.GetLines()[0].GetReceivedQuantity() != 5 || len(r.GetUnits()) != 5 {
		t.Fatalf("RMA-1: %v", r)
	}
	held := rma.GetRma().GetUnits()[4]
	if held.GetDisposition() != "quarantine" || held.GetSuggestedDisposition() != "restock" || held.GetOverrideBy() != "B-ASSOC" || held.GetOverrideReason() == "" {
		t.Fatalf("override not recorded: %v", held)
	}
	if a := rma.GetRma().GetUnits()[0]; a.GetPutawayTime() == nil || a.GetDispositionTime().AsTime() != e.t0.Add(4*time.Hour) {
		t.Fatalf("SLA clock of the restocked unit: %v", a)
	}

	e.at(80)
	q, err := e.rt.ListQueue(e.lead, &returnsv1.ListQueueRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.GetUnits()) != 2 || q.GetUnits()[0].GetUnitId() != unexpected.GetUnitId() || q.GetUnits()[0].GetAgeHours() != 79 || q.GetUnits()[1].GetAgeHours() != 78 {
		t.Fatalf("queue by age: %v", q.GetUnits())
	}
	rep, err := e.rt.GetSlaReport(e.lead, &returnsv1.GetSlaReportRequest{SlaHours: 72})
	if err != nil {
		t.Fatal(err)
	}
	// Dispositioned after 4, 4, 10, 30 and 79 hours; sellable after 4 and 4.
	if rep.GetUnitsReceived() != 7 || rep.GetUnitsDispositioned() != 5 || rep.GetRestockedShare() != 0.4 ||
		rep.GetMedianHoursToDisposition() != 10 || rep.GetP90HoursToDisposition() != 79 ||
		rep.GetMedianHoursToSellable() != 4 || rep.GetP90HoursToSellable() != 4 || len(rep.GetBreaches()) != 3 {
		t.Fatalf("SLA report: %v", rep)
	}

	var disp []*eventv1.ReturnDispositioned
	for _, ev := range e.outboxEvents(t) {
		if d := ev.GetReturnDispositioned(); d != nil {
			disp = append(disp, d)
		}
	}
	if len(disp) != 5 || disp[0].GetShopifyDisposition() != "restocked" || disp[3].GetAmazonUnsellableClass() != "defective" ||
		!disp[4].GetOverridden() || disp[4].GetShopifyDisposition() != "processing_required" {
		t.Fatalf("ReturnDispositioned events: %v", disp)
	}
	e.checkLedger(t)
}

// TestReturnsOverREST: the web app's routes reach the same service, and a
// rule table with a gap is a 400 naming the cells.
func TestReturnsOverREST(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	code, out := n.rest(t, "POST", "/v1/auth/login", "", map[string]string{"badge": "B-LEAD", "pin": server.DemoPIN, "device_id": "rest-hh"})
	if code != http.StatusOK {
		t.Fatalf("login = %d %v", code, out)
	}
	token := out["token"].(string)
	code, out = n.rest(t, "GET", "/v1/returns/rules", token, nil)
	if rules, _ := out["rules"].([]any); code != http.StatusOK || len(rules) != 14 {
		t.Fatalf("GET rules = %d %v", code, out)
	}
	code, out = n.rest(t, "PUT", "/v1/returns/rules", token, map[string]any{"request_id": "gap", "rules": []map[string]any{
		{"condition": "A", "reason": "*", "category": "*", "disposition": "restock", "available": true, "location_type": "storage"}}})
	if code != http.StatusBadRequest {
		t.Fatalf("PUT a table with gaps = %d %v", code, out)
	}
	code, out = n.rest(t, "POST", "/v1/returns:receive", token, map[string]any{"request_id": "r-1", "rma_number": "RMA-NONE", "raw_scan": "SKU-0001", "quantity": 1})
	if code != http.StatusNotFound {
		t.Fatalf("receive against an unknown RMA = %d %v", code, out)
	}
	code, out = n.rest(t, "GET", "/v1/returns/sla-report?sla_hours=24", token, nil)
	if code != http.StatusOK {
		t.Fatalf("GET sla-report = %d %v", code, out)
	}
}
