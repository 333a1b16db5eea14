package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	returnsv1 "github.com/floorops/floorops/proto/floorops/returns/v1"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Issue 12's black-box QA findings in returns, each over gRPC.

// wantField asserts err is InvalidArgument naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, codes.InvalidArgument)
	if v := violations(err); !slices.Contains(v, field) {
		t.Fatalf("violations %v, want one on %s (%v)", v, field, err)
	}
}

// setRule replaces, in the node's rule table, the rule for cell
// condition/reason/* with disposition d.
func (e *retEnv) setRule(t *testing.T, condition, reason, d string) {
	t.Helper()
	got, err := e.rt.GetRules(e.lead, &returnsv1.GetRulesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	rules := got.GetRules()
	found := false
	for _, r := range rules {
		if r.GetCondition() == condition && r.GetReason() == reason && r.GetCategory() == "*" {
			found = true
			r.Disposition, r.Available, r.LocationType = d, d == "restock", "quarantine"
			if d == "restock" {
				r.LocationType = "storage"
			}
		}
	}
	if !found {
		t.Fatalf("no rule %s/%s/*", condition, reason)
	}
	if _, err := e.rt.SetRules(e.lead, &returnsv1.SetRulesRequest{RequestId: e.rid("rules"), Rules: rules}); err != nil {
		t.Fatal(err)
	}
}

// TestReturnsDispositionAppliesTheSuggestionSeen: an empty disposition
// takes the suggestion GradeUnit answered; when the rules changed since,
// it is refused (grade again), never an unrecorded override, and never an
// associate's restock of units the rules held back when graded.
func TestReturnsDispositionAppliesTheSuggestionSeen(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	a := e.receive(t, "", 1)
	d := e.receive(t, "", 1)
	if s := e.grade(t, a.GetUnitId(), "A").GetSuggestedDisposition(); s != "restock" {
		t.Fatalf("A suggested %s", s)
	}
	if s := e.grade(t, d.GetUnitId(), "D").GetSuggestedDisposition(); s != "dispose" {
		t.Fatalf("D suggested %s", s)
	}
	e.setRule(t, "A", "*", "quarantine")
	e.setRule(t, "D", "*", "restock")
	base := e.ats(t, "SKU-0003").GetAvailableToSell()
	for _, id := range []int64{a.GetUnitId(), d.GetUnitId()} {
		_, err := e.rt.Disposition(e.assoc, &returnsv1.DispositionRequest{RequestId: e.rid("disp"), UnitId: id})
		wantCode(t, err, codes.FailedPrecondition)
	}
	if got := e.ats(t, "SKU-0003").GetAvailableToSell(); got != base {
		t.Fatalf("ATS %d after refused dispositions, want %d", got, base)
	}
	// Graded again, the associate sees today's suggestion and applies it.
	e.grade(t, a.GetUnitId(), "A")
	if u := e.disposition(t, e.assoc, a.GetUnitId(), "", "").GetUnit(); u.GetDisposition() != "quarantine" || u.GetOverrideBy() != "" {
		t.Fatalf("after regrading: %v", u)
	}
	e.checkLedger(t)
}

// TestReturnsSerialsAreChecked: a serial-tracked item is received one unit
// at a time with its serial; a serial returned before, or one the serial
// record places in stock, is received and flagged.
func TestReturnsSerialsAreChecked(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	const n = 87
	sku := fmt.Sprintf("SKU-%04d", n)
	if _, err := e.inv.UpsertItem(e.admin, &inventoryv1.UpsertItemRequest{RequestId: "serial-tracked", Item: &inventoryv1.Item{Sku: sku, SerialTracked: true}}); err != nil {
		t.Fatal(err)
	}
	// A count places SN0001.. in the item's pick face.
	cc := cyclecountv1.NewCycleCountServiceClient(e.n.conn)
	var face string
	var qty int64
	for _, b := range balances(t, e.inv, e.lead, sku) {
		if c := b.GetLocationCode(); c[len(c)-1] == 'A' && b.GetStatus() == inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE {
			face, qty = c, b.GetQuantity()
		}
	}
	start, err := cc.StartCount(e.assoc, &cyclecountv1.StartCountRequest{RequestId: e.rid("start"), LocationScan: face})
	if err != nil {
		t.Fatal(err)
	}
	var serials []string
	for i := int64(1); i <= qty; i++ {
		serials = append(serials, fmt.Sprintf("SN%04d", i))
	}
	if _, err := cc.SubmitCount(e.assoc, &cyclecountv1.SubmitCountRequest{RequestId: e.rid("submit"), CountId: start.GetCount().GetId(),
		Lines: []*cyclecountv1.CountedLine{{ItemScan: pickGTIN(n), Quantity: qty, Serials: serials}}}); err != nil {
		t.Fatal(err)
	}

	recv := func(serial string, qty int64) (*returnsv1.ReturnUnit, error) {
		r, err := e.rt.ReceiveReturn(e.assoc, &returnsv1.ReceiveReturnRequest{RequestId: e.rid("ret"), RawScan: pickGTIN(n), Quantity: qty, Serial: serial})
		return r.GetUnit(), err
	}
	_, err = recv("", 1)
	wantField(t, err, "serial")
	_, err = recv("SN9000", 2)
	wantField(t, err, "serial")
	_, err = recv("", 2)
	wantField(t, err, "serial")
	u, err := recv("SN9000", 1)
	if err != nil || !slices.Equal(u.GetExceptions(), []string{"return_unexpected"}) || u.GetSerial() != "SN9000" {
		t.Fatalf("first return of SN9000: %v %v", u, err)
	}
	for range 2 {
		u, err = recv("SN9000", 1)
		if err != nil || !slices.Contains(u.GetExceptions(), "return_serial_repeated") {
			t.Fatalf("SN9000 again: %v %v", u, err)
		}
	}
	u, err = recv("SN0001", 1)
	if err != nil || !slices.Contains(u.GetExceptions(), "return_serial_in_stock") || slices.Contains(u.GetExceptions(), "return_serial_repeated") {
		t.Fatalf("SN0001, in stock at %s: %v %v", face, u, err)
	}
	if got := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind IN ('return_serial_repeated', 'return_serial_in_stock')`); got != 3 {
		t.Fatalf("%d serial exceptions recorded, want 3", got)
	}
	// An item not serial tracked is received in any quantity without one.
	if _, err := e.rt.ReceiveReturn(e.assoc, &returnsv1.ReceiveReturnRequest{RequestId: e.rid("ret"), RawScan: pickGTIN(3), Quantity: 2}); err != nil {
		t.Fatal(err)
	}
}

// TestReturnsPastExpiryIsExpired: units whose expiry is past at receipt
// and at grading (the node's clock) are expired without the associate
// ticking it, so the rules never suggest restocking them.
func TestReturnsPastExpiryIsExpired(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t) // the clock is 2026-03-02
	recv := func(expiry string) *returnsv1.ReturnUnit {
		r, err := e.rt.ReceiveReturn(e.assoc, &returnsv1.ReceiveReturnRequest{RequestId: e.rid("ret"), RawScan: pickGTIN(10), Quantity: 1,
			Lot: "L1", Expiry: expiry})
		if err != nil {
			t.Fatal(err)
		}
		return r.GetUnit()
	}
	past, today, later := recv("2026-03-01"), recv("2026-03-02"), recv("2026-03-03")
	if !past.GetExpired() || today.GetExpired() || later.GetExpired() {
		t.Fatalf("expired at receipt: %v %v %v", past.GetExpired(), today.GetExpired(), later.GetExpired())
	}
	if g := e.grade(t, past.GetUnitId(), "A"); !g.GetExpired() || g.GetSuggestedDisposition() != "dispose" || g.GetReason() != "expired" {
		t.Fatalf("past expiry graded: %v", g)
	}
	// A day later, units that were good at receipt are past their expiry.
	e.at(24)
	if g := e.grade(t, today.GetUnitId(), "A"); !g.GetExpired() || g.GetSuggestedDisposition() != "dispose" {
		t.Fatalf("expired since receipt, graded: %v", g)
	}
	if g := e.grade(t, later.GetUnitId(), "A"); g.GetExpired() || g.GetSuggestedDisposition() != "restock" {
		t.Fatalf("not yet expired, graded: %v", g)
	}
}

// TestReturnsLeaveTheReturnsLocationOnlyByTheWorkflow: an associate cannot
// move returned units out of a returns location by hand (their
// disposition would be stranded); a lead may, as a correction.
func TestReturnsLeaveTheReturnsLocationOnlyByTheWorkflow(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	e.receive(t, "", 2)
	move := func(who string) error {
		ctx := e.assoc
		if who == "lead" {
			ctx = e.lead
		}
		_, err := e.inv.MoveStock(ctx, &inventoryv1.MoveStockRequest{RequestId: e.rid("move"), FromLocationScan: "RET-01", ToLocationScan: "QUAR-01",
			Sku: "SKU-0003", Quantity: 1, Status: inventoryv1.StockStatus_STOCK_STATUS_QUARANTINE})
		return err
	}
	wantCode(t, move("assoc"), codes.FailedPrecondition)
	if q := e.qtyAt(t, "RET-01", "quarantine"); q != 2 {
		t.Fatalf("%d units at RET-01 after a refused move, want 2", q)
	}
	if err := move("lead"); err != nil {
		t.Fatalf("a lead's correction: %v", err)
	}
	e.checkLedger(t)
}

// TestReturnsOrderRefMustMatchTheRMA: an order_ref scanned with an RMA
// that is for another order is refused on order_ref.
func TestReturnsOrderRefMustMatchTheRMA(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	if _, err := e.rt.CreateRma(e.central, &returnsv1.CreateRmaRequest{RequestId: "rma-1", Rma: &returnsv1.Rma{
		RmaNumber: "RMA-1", OrderRef: "SO-1", Channel: "shopify",
		Lines: []*returnsv1.RmaLine{{Sku: "SKU-0003", Quantity: 2, Reason: "unwanted"}}}}); err != nil {
		t.Fatal(err)
	}
	recv := func(order string) (*returnsv1.ReturnUnit, error) {
		r, err := e.rt.ReceiveReturn(e.assoc, &returnsv1.ReceiveReturnRequest{RequestId: e.rid("ret"), RmaNumber: "RMA-1", OrderRef: order,
			RawScan: pickGTIN(3), Quantity: 1})
		return r.GetUnit(), err
	}
	_, err := recv("SO-2")
	wantField(t, err, "order_ref")
	for _, order := range []string{"SO-1", ""} {
		if u, err := recv(order); err != nil || u.GetOrderRef() != "SO-1" {
			t.Fatalf("order_ref %q: %v %v", order, u, err)
		}
	}
}

// TestReturnsQueuePages: the queue pages oldest first with
// next_page_token, like other lists.
func TestReturnsQueuePages(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	var want []int64
	for i := range 5 {
		e.at(float64(i % 3)) // two units share a receipt time with another
		want = append(want, e.receive(t, "", 1).GetUnitId())
	}
	want = []int64{want[0], want[3], want[1], want[4], want[2]}
	var got []int64
	token := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("the queue never ends")
		}
		q, err := e.rt.ListQueue(e.lead, &returnsv1.ListQueueRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range q.GetUnits() {
			got = append(got, u.GetUnitId())
		}
		if token = q.GetNextPageToken(); token == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("queue paged %v, want %v", got, want)
	}
	_, err := e.rt.ListQueue(e.lead, &returnsv1.ListQueueRequest{PageToken: "garbage"})
	wantField(t, err, "page_token")
}

// TestReturnsBadInputKinds: control characters in a scan are refused as
// such (not looked up and echoed), an unknown SKU on an RMA is NotFound,
// and a rule marking units available that are not restocked names the
// field.
func TestReturnsBadInputKinds(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	_, err := e.rt.ReceiveReturn(e.assoc, &returnsv1.ReceiveReturnRequest{RequestId: e.rid("ret"), RawScan: "SKU-\x000003", Quantity: 1})
	wantField(t, err, "raw_scan")
	if strings.Contains(err.Error(), "\x00") {
		t.Fatalf("the refusal echoes the NUL: %q", err)
	}
	// A refusal before the transaction leaves no request recorded.
	if n := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind = 'return_unexpected'`); n != 0 {
		t.Fatalf("%d units flagged after a refused scan", n)
	}
	_, err = e.rt.CreateRma(e.central, &returnsv1.CreateRmaRequest{RequestId: "rma-x", Rma: &returnsv1.Rma{
		RmaNumber: "RMA-X", OrderRef: "SO-1", Channel: "shopify",
		Lines: []*returnsv1.RmaLine{{Sku: "SKU-NOPE", Quantity: 1, Reason: "unwanted"}}}})
	wantCode(t, err, codes.NotFound)
	if _, err := e.rt.GetRma(e.lead, &returnsv1.GetRmaRequest{RmaNumber: "RMA-X"}); status.Code(err) != codes.NotFound {
		t.Fatalf("half-written RMA: %v", err)
	}

	got, err := e.rt.GetRules(e.lead, &returnsv1.GetRulesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	rules := got.GetRules()
	for i, r := range rules {
		if r.GetDisposition() == "restock" {
			rules[i].Available = false
			_, err = e.rt.SetRules(e.lead, &returnsv1.SetRulesRequest{RequestId: e.rid("rules"), Rules: rules})
			wantField(t, err, fmt.Sprintf("rules[%d].available", i))
			break
		}
	}
}

// TestListRmasByOrder: an order label on a returned parcel finds its RMAs
// by order reference, however many RMAs came since (the node filters; a
// client does not page through every RMA), over gRPC and REST.
func TestListRmasByOrder(t *testing.T) {
	t.Parallel()
	e := newRetEnv(t)
	for i, order := range []string{"SO-7", "SO-8", "SO-7", "SO-9"} {
		if _, err := e.rt.CreateRma(e.central, &returnsv1.CreateRmaRequest{RequestId: fmt.Sprintf("rma-%d", i), Rma: &returnsv1.Rma{
			RmaNumber: fmt.Sprintf("RMA-%d", i), OrderRef: order, Channel: "shopify",
			Lines: []*returnsv1.RmaLine{{Sku: "SKU-0003", Quantity: 1, Reason: "unwanted"}}}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.rt.ListRmas(e.lead, &returnsv1.ListRmasRequest{OrderRef: "SO-7", PageSize: 1})
	if err != nil || len(got.GetRmas()) != 1 || got.GetRmas()[0].GetRmaNumber() != "RMA-2" || got.GetNextPageToken() == "" {
		t.Fatalf("first page of SO-7's RMAs: %v %v", got, err)
	}
	next, err := e.rt.ListRmas(e.lead, &returnsv1.ListRmasRequest{OrderRef: "SO-7", PageSize: 1, PageToken: got.GetNextPageToken()})
	if err != nil || len(next.GetRmas()) != 1 || next.GetRmas()[0].GetRmaNumber() != "RMA-0" {
		t.Fatalf("second page of SO-7's RMAs: %v %v", next, err)
	}
	if none, err := e.rt.ListRmas(e.lead, &returnsv1.ListRmasRequest{OrderRef: "SO-404"}); err != nil || len(none.GetRmas()) != 0 {
		t.Fatalf("an order with no RMA: %v %v", none, err)
	}
	_, err = e.rt.ListRmas(e.lead, &returnsv1.ListRmasRequest{OrderRef: strings.Repeat("S", 65)})
	wantField(t, err, "order_ref")

	code, out := e.n.rest(t, "POST", "/v1/auth/login", "", map[string]string{"badge": "B-ASSOC", "pin": server.DemoPIN, "device_id": "rest-rma"})
	if code != http.StatusOK {
		t.Fatalf("login = %d %v", code, out)
	}
	code, out = e.n.rest(t, "GET", "/v1/rmas?order_ref=SO-9", out["token"].(string), nil)
	if rmas, _ := out["rmas"].([]any); code != http.StatusOK || len(rmas) != 1 {
		t.Fatalf("GET /v1/rmas?order_ref=SO-9 = %d %v", code, out)
	}
}
