package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// pickGTIN is a demo item's 14-digit each GTIN (see SeedDemo).
func pickGTIN(n int) string {
	body := fmt.Sprintf("0614141%05d", n)
	d, _ := scan.GS1CheckDigit(body)
	return "0" + body + string(d)
}

// pickGS1 is a GS1 label (bracketed form) carrying a GTIN and a lot.
func pickGS1(n int, lot string) string { return "(01)" + pickGTIN(n) + "(10)" + lot }

type pickEnv struct {
	n                           *node
	pk                          pickingv1.PickingServiceClient
	inv                         inventoryv1.InventoryServiceClient
	central, lead, assoc, admin context.Context
	requestCounter              int
}

func newPickEnv(t *testing.T) *pickEnv {
	n := startNode(t)
	return &pickEnv{
		n: n, pk: pickingv1.NewPickingServiceClient(n.conn), inv: inventoryv1.NewInventoryServiceClient(n.conn),
		central: metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+server.DemoAPIKey),
		lead:    n.login(t, "B-LEAD"), assoc: n.login(t, "B-ASSOC"), admin: n.login(t, "B-ADMIN"),
	}
}

func (e *pickEnv) rid(prefix string) string {
	e.requestCounter++
	return fmt.Sprintf("%s-%d", prefix, e.requestCounter)
}

func (e *pickEnv) adjust(t *testing.T, loc, sku, lot, expiry string, delta int64) {
	t.Helper()
	if _, err := e.inv.AdjustStock(e.lead, &inventoryv1.AdjustStockRequest{RequestId: e.rid("adj"), LocationCode: loc, Sku: sku,
		Lot: lot, Expiry: expiry, Delta: delta, Reason: "found"}); err != nil {
		t.Fatalf("adjust %s %s: %v", loc, sku, err)
	}
}

func (e *pickEnv) ats(t *testing.T, sku string) *inventoryv1.Availability {
	t.Helper()
	resp, err := e.inv.GetAvailableToSell(e.lead, &inventoryv1.GetAvailableToSellRequest{Skus: []string{sku}})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetAvailability()[0]
}

func (e *pickEnv) block(t *testing.T, code string) {
	t.Helper()
	l, err := e.inv.GetLocation(e.admin, &inventoryv1.GetLocationRequest{Code: code})
	if err != nil {
		t.Fatal(err)
	}
	l.GetLocation().Blocked = true
	if _, err := e.inv.UpsertLocation(e.admin, &inventoryv1.UpsertLocationRequest{RequestId: e.rid("blk"), Location: l.GetLocation()}); err != nil {
		t.Fatal(err)
	}
}

func order(id string, lines ...any) *pickingv1.ReleaseOrder {
	o := &pickingv1.ReleaseOrder{OrderId: id, Channel: pickingv1.Channel_CHANNEL_SHOPIFY, Priority: 5,
		ShipBy: timestamppb.New(time.Now().Add(24 * time.Hour))}
	for i := 0; i < len(lines); i += 2 {
		o.Lines = append(o.Lines, &pickingv1.ReleaseOrderLine{Sku: lines[i].(string), Quantity: int64(lines[i+1].(int))})
	}
	return o
}

// outboxEvents decodes every event in the outbox.
func (e *pickEnv) outboxEvents(t *testing.T) []*eventv1.Event {
	t.Helper()
	rows, err := e.n.srv.DB.Reader().Query(`SELECT payload FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []*eventv1.Event
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		ev := &eventv1.Event{}
		if err := proto.Unmarshal(b, ev); err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func (e *pickEnv) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.n.srv.DB.Reader().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkLedger recomputes every balance from the movements and compares, and
// checks no balance is allocated beyond what it holds.
func (e *pickEnv) checkLedger(t *testing.T) {
	t.Helper()
	const diff = `WITH ledger AS (
			SELECT to_location_id AS loc, item_id, lot, expiry, to_status AS status, to_lpn AS lpn, qty FROM movements WHERE to_location_id IS NOT NULL
			UNION ALL
			SELECT from_location_id, item_id, lot, expiry, from_status, from_lpn, -qty FROM movements WHERE from_location_id IS NOT NULL),
		sums AS (SELECT loc, item_id, lot, expiry, status, lpn, SUM(qty) AS qty FROM ledger GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT COUNT(*) FROM (
			SELECT loc, item_id, lot, expiry, status, lpn, qty FROM sums WHERE qty <> 0
			EXCEPT SELECT location_id, item_id, lot, expiry, status, lpn, qty FROM balances WHERE qty > 0
			UNION ALL
			SELECT location_id, item_id, lot, expiry, status, lpn, qty FROM balances WHERE qty > 0
			EXCEPT SELECT loc, item_id, lot, expiry, status, lpn, qty FROM sums WHERE qty <> 0)`
	if n := e.count(t, diff); n != 0 {
		t.Fatalf("%d balances differ from the ledger", n)
	}
	over := e.count(t, `SELECT COUNT(*) FROM (SELECT a.item_id, a.location_id, a.lot, a.expiry, a.lpn, SUM(a.qty) AS held,
			COALESCE((SELECT b.qty FROM balances b WHERE b.item_id = a.item_id AND b.location_id = a.location_id AND b.lot = a.lot
				AND b.expiry = a.expiry AND b.lpn = a.lpn AND b.status = 'available'), 0) AS onhand
		FROM allocations a GROUP BY 1, 2, 3, 4, 5) WHERE held > onhand`)
	if over != 0 {
		t.Fatalf("%d balances are allocated beyond what they hold", over)
	}
	if a, b := e.count(t, `SELECT COALESCE(SUM(qty), 0) FROM allocations`),
		e.count(t, `SELECT COALESCE(SUM(qty - picked_qty - short_qty), 0) FROM pick_tasks WHERE state = 'open'`); a != b {
		t.Fatalf("allocations hold %d units, open pick lines %d", a, b)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM pick_tasks t WHERE t.allocation_id IS NOT NULL
		AND (t.state <> 'open' OR NOT EXISTS (SELECT 1 FROM allocations a WHERE a.id = t.allocation_id))`); n != 0 {
		t.Fatalf("%d pick lines point at an allocation they no longer hold", n)
	}
}

func TestPickingEndToEnd(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)

	// FEFO: SKU-0004 (lot tracked) has its pick face lot expiring in ~6
	// months; an earlier lot sits in reserve and must be allocated first.
	early := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	e.adjust(t, "C-04-10-C", "SKU-0004", "EARLY1", early, 5)
	// Extra SKU-0002 in reserve for the short pick's reallocation.
	e.adjust(t, "B-04-10-B", "SKU-0002", "", "", 20)
	// SKU-0005 only at its pick face, so a short there backorders.
	e.block(t, "A-01-05-B")
	sku3 := e.ats(t, "SKU-0003").GetAvailableToSell()

	// Bad input, unknown SKUs and duplicates change nothing.
	_, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: "bad-1", Orders: []*pickingv1.ReleaseOrder{{}}})
	wantCode(t, err, codes.InvalidArgument)
	if diff := cmp.Diff([]string{"orders[0].order_id", "orders[0].channel", "orders[0].ship_by", "orders[0].lines"}, violations(err)); diff != "" {
		t.Errorf("field violations (-want +got):\n%s", diff)
	}
	// An unknown SKU refuses its own order only (see reports_test.go).
	unk, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: "bad-2",
		Orders: []*pickingv1.ReleaseOrder{order("SO-10", "NOPE", 1)}})
	if err != nil || unk.GetResults()[0].GetOutcome() != pickingv1.ReleaseOutcome_RELEASE_OUTCOME_UNKNOWN_SKU {
		t.Fatalf("release of an unknown SKU = %v, %v", unk, err)
	}
	_, err = e.pk.GetOrder(e.lead, &pickingv1.GetOrderRequest{OrderId: "SO-10"})
	wantCode(t, err, codes.NotFound) // the refused order was not half-written
	_, err = e.pk.ReleaseOrders(e.assoc, &pickingv1.ReleaseOrdersRequest{RequestId: "bad-3", Orders: []*pickingv1.ReleaseOrder{order("SO-9", "SKU-0001", 1)}})
	wantCode(t, err, codes.PermissionDenied)

	rel, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: "rel-1", Orders: []*pickingv1.ReleaseOrder{
		order("SO-1", "SKU-0004", 7, "SKU-0001", 2),
		order("SO-2", "SKU-0002", 3, "SKU-0005", 2),
		order("SO-3", "SKU-0003", int(sku3)+4),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if l := rel.GetOrders()[0].GetLines()[0]; l.GetAllocatedQuantity() != 7 || l.GetBackorderedQuantity() != 0 {
		t.Fatalf("SO-1 line 1 = %v", l)
	}
	if l := rel.GetOrders()[2].GetLines()[0]; l.GetAllocatedQuantity() != sku3 || l.GetBackorderedQuantity() != 4 {
		t.Fatalf("SO-3 partial allocation = %v, want %d allocated and 4 backordered", l, sku3)
	}
	if a := e.ats(t, "SKU-0003"); a.GetAvailableToSell() != 0 || a.GetAllocated() != sku3 {
		t.Fatalf("ATS of SKU-0003 after allocating all of it: %v", a)
	}
	re, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: "rel-2", Orders: []*pickingv1.ReleaseOrder{order("SO-1", "SKU-0001", 1)}})
	if err != nil || re.GetResults()[0].GetOutcome() != pickingv1.ReleaseOutcome_RELEASE_OUTCOME_CONFLICT {
		t.Fatalf("re-releasing SO-1 with other lines = %v, %v; want a conflict for it", re, err)
	}

	// A cluster list of SO-1 and SO-2, lines in walk order.
	_, err = e.pk.CreatePickLists(e.assoc, &pickingv1.CreatePickListsRequest{RequestId: "pl-0", Type: pickingv1.PickListType_PICK_LIST_TYPE_CLUSTER})
	wantCode(t, err, codes.PermissionDenied)
	lists, err := e.pk.CreatePickLists(e.lead, &pickingv1.CreatePickListsRequest{RequestId: "pl-1",
		Type: pickingv1.PickListType_PICK_LIST_TYPE_CLUSTER, OrderIds: []string{"SO-1", "SO-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(lists.GetPickLists()) != 1 {
		t.Fatalf("lists = %v", lists.GetPickLists())
	}
	list := lists.GetPickLists()[0]
	var lineLocs []string
	fefo := map[string]int64{}
	var prevSeq int64 = -1
	for _, l := range list.GetLines() {
		lineLocs = append(lineLocs, l.GetLocationCode())
		loc, err := e.inv.GetLocation(e.lead, &inventoryv1.GetLocationRequest{Code: l.GetLocationCode()})
		if err != nil {
			t.Fatal(err)
		}
		if seq := loc.GetLocation().GetWalkSequence(); seq < prevSeq {
			t.Fatalf("lines not in walk order: %v", lineLocs)
		}
		prevSeq = loc.GetLocation().GetWalkSequence()
		if l.GetSku() == "SKU-0004" {
			fefo[l.GetLot()] += l.GetQuantity()
		}
	}
	if fefo["EARLY1"] != 5 || fefo["L260404"] != 2 {
		t.Fatalf("FEFO allocation of SKU-0004 by lot = %v, want EARLY1:5 L260404:2", fefo)
	}

	// Totes: a cluster list needs one per order, and tote labels only.
	_, err = e.pk.StartPickList(e.assoc, &pickingv1.StartPickListRequest{RequestId: "st-0", PickListId: list.GetId(), ToteScans: []string{"LPN-T1"}})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.pk.StartPickList(e.assoc, &pickingv1.StartPickListRequest{RequestId: "st-1", PickListId: list.GetId(), ToteScans: []string{"LPN-T1", "A-01-01-A"}})
	wantCode(t, err, codes.InvalidArgument)
	started, err := e.pk.StartPickList(e.assoc, &pickingv1.StartPickListRequest{RequestId: "st-2", PickListId: list.GetId(), ToteScans: []string{"LPN-T1", "LPN-T2"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"LPN-T1", "LPN-T2"}, started.GetPickList().GetTotes()); diff != "" {
		t.Fatalf("totes (-want +got):\n%s", diff)
	}
	_, err = e.pk.NextLine(e.assoc, &pickingv1.NextLineRequest{PickListId: 999})
	wantCode(t, err, codes.NotFound)

	var reallocated, shortCount int64
	refusalsTested := false
	for step := 0; ; step++ {
		if step > 20 {
			t.Fatal("pick list never finished")
		}
		next, err := e.pk.NextLine(e.assoc, &pickingv1.NextLineRequest{PickListId: list.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if next.GetDone() {
			break
		}
		l := next.GetLine()
		wantTote := map[string]string{"SO-1": "LPN-T1", "SO-2": "LPN-T2"}[l.GetOrderId()]
		if l.GetTote() != wantTote {
			t.Fatalf("line %v goes to tote %s, want %s", l, l.GetTote(), wantTote)
		}
		n := 0
		fmt.Sscanf(l.GetSku(), "SKU-%d", &n)
		itemScan := pickGTIN(n)
		if l.GetLotRequired() {
			itemScan = pickGS1(n, l.GetLot())
		}
		confirm := func(id, locScan, item string, qty int64) (*pickingv1.ConfirmPickResponse, error) {
			return e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: id, PickListId: list.GetId(), LineId: l.GetId(),
				LocationScan: locScan, ItemScan: item, Quantity: qty})
		}
		switch {
		case l.GetSku() == "SKU-0004" && !refusalsTested:
			refusalsTested = true
			before := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind = 'rejected_scan'`)
			for _, tc := range []struct {
				name          string
				loc, item     string
				qty           int64
				code          codes.Code
				recordsReject bool
			}{
				{"wrong location", "A-01-09-A", itemScan, 1, codes.InvalidArgument, true},
				{"wrong check code", wrongCheck(l.GetLocationCode()), itemScan, 1, codes.InvalidArgument, true},
				{"not a location", pickGTIN(4), itemScan, 1, codes.InvalidArgument, true},
				{"wrong item", l.GetLocationCode(), pickGTIN(1), 1, codes.FailedPrecondition, true},
				{"wrong lot", l.GetLocationCode(), pickGS1(4, "NOTIT"), 1, codes.FailedPrecondition, true},
				{"no lot on a lot-tracked item", l.GetLocationCode(), pickGTIN(4), 1, codes.InvalidArgument, true},
				{"over-pick", l.GetLocationCode(), itemScan, l.GetQuantity() + 1, codes.FailedPrecondition, true},
				{"zero quantity", l.GetLocationCode(), itemScan, 0, codes.InvalidArgument, false},
			} {
				_, err := confirm(e.rid("bad-pick"), tc.loc, tc.item, tc.qty)
				if got := status.Code(err); got != tc.code {
					t.Fatalf("%s: code %v (%v), want %v", tc.name, got, err, tc.code)
				}
			}
			if got := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind = 'rejected_scan'`) - before; got != 7 {
				t.Fatalf("refused scans recorded %d rejected_scan exceptions, want 7", got)
			}
			// The check code confirms the location; a retried confirm picks once.
			check := locationCheckCode(t, e, l.GetLocationCode())
			first, err := confirm("pick-retry", check, itemScan, l.GetQuantity())
			if err != nil {
				t.Fatal(err)
			}
			again, err := confirm("pick-retry", check, itemScan, l.GetQuantity())
			if err != nil || again.GetMovement().GetId() != first.GetMovement().GetId() {
				t.Fatalf("retried confirm: %v %v, first movement %d", again, err, first.GetMovement().GetId())
			}
			if first.GetLine().GetState() != pickingv1.LineState_LINE_STATE_PICKED || first.GetMovement().GetToLpn() != "LPN-T1" {
				t.Fatalf("after the pick: %v", first)
			}
		case l.GetSku() == "SKU-0002" && l.GetLocationCode() == "A-01-02-A":
			// One unit there of three: the rest comes from reserve.
			sh, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: e.rid("short"), PickListId: list.GetId(), LineId: l.GetId(),
				LocationScan: l.GetLocationCode(), ItemScan: itemScan, FoundQuantity: 1, Reason: "empty"})
			if err != nil {
				t.Fatal(err)
			}
			if sh.GetCountRequestId() == 0 || sh.GetBackorderedQuantity() != 0 || len(sh.GetReallocatedLines()) == 0 {
				t.Fatalf("short pick with stock elsewhere: %v", sh)
			}
			for _, r := range sh.GetReallocatedLines() {
				if r.GetLocationCode() == "A-01-02-A" || r.GetTote() != "LPN-T2" {
					t.Fatalf("reallocated line %v", r)
				}
				reallocated += r.GetQuantity()
			}
			shortCount++
		case l.GetSku() == "SKU-0005":
			_, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: e.rid("short"), PickListId: list.GetId(), LineId: l.GetId(),
				LocationScan: l.GetLocationCode(), FoundQuantity: 5, Reason: "empty"})
			wantCode(t, err, codes.InvalidArgument) // found more than the line: not short
			sh, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: e.rid("short"), PickListId: list.GetId(), LineId: l.GetId(),
				LocationScan: l.GetLocationCode(), FoundQuantity: 0, Reason: "empty"})
			if err != nil {
				t.Fatal(err)
			}
			if sh.GetBackorderedQuantity() != 2 || len(sh.GetReallocatedLines()) != 0 {
				t.Fatalf("short pick with no stock elsewhere: %v", sh)
			}
			shortCount++
		default:
			if _, err := confirm(e.rid("pick"), l.GetLocationCode(), itemScan, l.GetQuantity()); err != nil {
				t.Fatalf("pick %v: %v", l, err)
			}
		}
	}
	if !refusalsTested || reallocated != 2 || shortCount != 2 {
		t.Fatalf("reallocated %d units over %d shorts", reallocated, shortCount)
	}
	// The short locations are queued for counts, and their missing units
	// no longer count toward ATS.
	for _, code := range []string{"A-01-02-A", "A-01-05-A"} {
		if n := e.count(t, `SELECT COUNT(*) FROM count_requests c JOIN locations l ON l.id = c.location_id WHERE l.code = ? AND c.status = 'open'`, code); n != 1 {
			t.Fatalf("%s has %d open count requests", code, n)
		}
	}
	if n := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind = 'short_pick'`); n != 2 {
		t.Fatalf("short_pick exceptions = %d", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM balances b JOIN locations l ON l.id = b.location_id
		WHERE l.code IN ('A-01-02-A', 'A-01-05-A') AND b.status = 'quarantine'`); n != 2 {
		t.Fatalf("missing units were not quarantined in place (%d balances)", n)
	}

	// Completing: the drop lane must be a ship lane.
	_, err = e.pk.CompletePickList(e.assoc, &pickingv1.CompletePickListRequest{RequestId: "done-0", PickListId: list.GetId(), ShipLocationScan: "A-01-01-B"})
	wantCode(t, err, codes.FailedPrecondition)
	done, err := e.pk.CompletePickList(e.assoc, &pickingv1.CompletePickListRequest{RequestId: "done-1", PickListId: list.GetId(), ShipLocationScan: "SHIP-02"})
	if err != nil {
		t.Fatal(err)
	}
	// SO-2 has 2 units backordered after its short: it is not picked.
	if diff := cmp.Diff([]string{"SO-1"}, done.GetPickedOrderIds()); diff != "" {
		t.Fatalf("picked orders (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"SO-2"}, done.GetBackorderedOrderIds()); diff != "" {
		t.Fatalf("backordered orders (-want +got):\n%s", diff)
	}
	if n := e.count(t, `SELECT COALESCE(SUM(b.qty), 0) FROM balances b JOIN locations l ON l.id = b.location_id WHERE l.code = 'SHIP-02' AND b.lpn = 'LPN-T1'`); n != 9 {
		t.Fatalf("SHIP-02 holds %d units on LPN-T1, want SO-1's 9", n)
	}
	so2, err := e.pk.GetOrder(e.lead, &pickingv1.GetOrderRequest{OrderId: "SO-2"})
	if err != nil {
		t.Fatal(err)
	}
	if l := so2.GetOrder().GetLines()[1]; l.GetBackorderedQuantity() != 2 || l.GetShortQuantity() != 2 || l.GetPickedQuantity() != 0 {
		t.Fatalf("SO-2 line 2 after a short with no stock elsewhere: %v", l)
	}

	// Cancels: after picking (return to stock), before listing (units released), unknown.
	canc, err := e.pk.CancelOrder(e.central, &pickingv1.CancelOrderRequest{RequestId: "c-1", OrderId: "SO-1", Reason: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	var returned int64
	for _, r := range canc.GetReturnTasks() {
		if r.GetLocationCode() != "SHIP-02" || r.GetTote() != "LPN-T1" {
			t.Fatalf("return task %v", r)
		}
		returned += r.GetQuantity()
	}
	if returned != 9 || canc.GetOrder().GetState() != pickingv1.OrderState_ORDER_STATE_CANCELLED {
		t.Fatalf("cancel after picking: %v", canc)
	}
	e.putBackReturns(t, canc.GetReturnTasks(), "SO-1")
	_, err = e.pk.CancelOrder(e.central, &pickingv1.CancelOrderRequest{RequestId: "c-2", OrderId: "SO-1"})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.pk.CancelOrder(e.central, &pickingv1.CancelOrderRequest{RequestId: "c-3", OrderId: "SO-404"})
	wantCode(t, err, codes.NotFound)
	if _, err := e.pk.CancelOrder(e.central, &pickingv1.CancelOrderRequest{RequestId: "c-4", OrderId: "SO-3"}); err != nil {
		t.Fatal(err)
	}
	if a := e.ats(t, "SKU-0003"); a.GetAllocated() != 0 || a.GetAvailableToSell() != sku3 {
		t.Fatalf("ATS of SKU-0003 after cancelling its order: %v", a)
	}

	// Events upstream.
	var allocated, picked, shorts, backorders, avail int
	for _, ev := range e.outboxEvents(t) {
		switch p := ev.GetPayload().(type) {
		case *eventv1.Event_OrderAllocated:
			allocated++
			if p.OrderAllocated.GetOrderId() == "SO-1" && p.OrderAllocated.GetLines()[0].GetAllocatedQuantity() != 7 {
				t.Errorf("OrderAllocated %v", p.OrderAllocated)
			}
		case *eventv1.Event_Picked:
			picked++
			if p.Picked.GetMovementId() == 0 || p.Picked.GetTote() == "" {
				t.Errorf("Picked %v", p.Picked)
			}
		case *eventv1.Event_ShortPicked:
			shorts++
			if p.ShortPicked.GetCountRequestId() == 0 || p.ShortPicked.GetReason() != "empty" {
				t.Errorf("ShortPicked %v", p.ShortPicked)
			}
		case *eventv1.Event_Backordered:
			backorders++
			b := p.Backordered
			want := map[string]string{"SO-3": "release", "SO-2": "short_pick"}[b.GetOrderId()]
			if b.GetCause() != want || b.GetLines()[0].GetQuantity() != map[string]int64{"SO-3": 4, "SO-2": 2}[b.GetOrderId()] {
				t.Errorf("Backordered %v", b)
			}
		case *eventv1.Event_AvailabilityChanged:
			if p.AvailabilityChanged.GetSku() == "SKU-0004" {
				avail++
			}
		}
	}
	if allocated != 3 || picked < 5 || shorts != 2 || backorders != 2 || avail == 0 {
		t.Fatalf("events: %d allocated, %d picked, %d short picked, %d backordered, %d SKU-0004 availability",
			allocated, picked, shorts, backorders, avail)
	}
	e.checkLedger(t)
}

// putBackReturns checks that the return tasks of a cancelled order were
// handed to putaway, puts each back where the node directs, and checks the
// units are sellable again.
func (e *pickEnv) putBackReturns(t *testing.T, returns []*pickingv1.ReturnTask, orderID string) {
	t.Helper()
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	want := map[string]int64{} // SKU -> units to put back
	for _, r := range returns {
		if !r.GetHandedToPutaway() {
			t.Fatalf("return task %v of a completed list was not handed to putaway", r)
		}
		want[r.GetSku()] += r.GetQuantity()
	}
	tasks, err := pa.ListTasks(e.lead, &putawayv1.ListTasksRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, task := range tasks.GetTasks() {
		if task.GetReference() != "cancelled order "+orderID {
			continue
		}
		got[task.GetSku()] += task.GetRemainingQuantity()
		before := e.ats(t, task.GetSku()).GetAvailableToSell()
		sug, err := pa.SuggestLocation(e.assoc, &putawayv1.SuggestLocationRequest{TaskId: task.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pa.ConfirmPutaway(e.assoc, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("putback"), TaskId: task.GetId(),
			LocationScan: sug.GetSuggestion().GetLocationCode(), Quantity: task.GetRemainingQuantity()}); err != nil {
			t.Fatal(err)
		}
		if after := e.ats(t, task.GetSku()).GetAvailableToSell(); after != before+task.GetRemainingQuantity() {
			t.Fatalf("ATS of %s went %d -> %d putting back %d units", task.GetSku(), before, after, task.GetRemainingQuantity())
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("putaway tasks for %s's returns (-want +got):\n%s", orderID, diff)
	}
}

// wrongCheck is a valid check code that is not the location's.
func wrongCheck(code string) string { return paWrongCheckCode(scan.CheckCode(code)) }

func locationCheckCode(t *testing.T, e *pickEnv, code string) string {
	t.Helper()
	l, err := e.inv.GetLocation(e.lead, &inventoryv1.GetLocationRequest{Code: code})
	if err != nil {
		t.Fatal(err)
	}
	return l.GetLocation().GetCheckCode()
}

// TestPickingNoOversellUnderRace races 50 releases for the last units of an
// item, then picks every list concurrently with retried confirmations and
// cancels of some orders mid-pick: nothing is allocated or picked beyond
// what is on hand, and every unit is accounted for.
func TestPickingNoOversellUnderRace(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	const sku, racers = "SKU-0007", 50
	onHand := e.ats(t, sku).GetAvailableToSell()
	each := onHand/25 + 1 // 50 orders want about twice what there is

	var wg sync.WaitGroup
	errs := make(chan error, 4*racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: fmt.Sprintf("race-rel-%d", i),
				Orders: []*pickingv1.ReleaseOrder{order(fmt.Sprintf("RACE-%d", i), sku, int(each))}})
			errs <- err
		}()
	}
	wg.Wait()
	for range racers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var allocated int64
	for i := range racers {
		o, err := e.pk.GetOrder(e.lead, &pickingv1.GetOrderRequest{OrderId: fmt.Sprintf("RACE-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		l := o.GetOrder().GetLines()[0]
		if l.GetAllocatedQuantity()+l.GetBackorderedQuantity() != each {
			t.Fatalf("order line %v does not account for its %d units", l, each)
		}
		allocated += l.GetAllocatedQuantity()
	}
	if allocated != onHand {
		t.Fatalf("allocated %d of %d on hand", allocated, onHand)
	}
	if a := e.ats(t, sku); a.GetAvailableToSell() != 0 || a.GetAllocated() != onHand {
		t.Fatalf("ATS after allocating everything: %v", a)
	}

	lists, err := e.pk.CreatePickLists(e.lead, &pickingv1.CreatePickListsRequest{RequestId: "race-pl",
		Type: pickingv1.PickListType_PICK_LIST_TYPE_DISCRETE, MaxLists: racers})
	if err != nil {
		t.Fatal(err)
	}
	for i, pl := range lists.GetPickLists() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.pk.StartPickList(e.assoc, &pickingv1.StartPickListRequest{RequestId: fmt.Sprintf("race-st-%d", i),
				PickListId: pl.GetId(), ToteScans: []string{fmt.Sprintf("LPN-R%d", i)}}); err != nil {
				errs <- err
				return
			}
			if i%5 == 0 { // central cancels some orders while they are picked
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := e.pk.CancelOrder(e.central, &pickingv1.CancelOrderRequest{RequestId: fmt.Sprintf("race-c-%d", i), OrderId: pl.GetOrderIds()[0]})
					errs <- err
				}()
			}
			for j, l := range pl.GetLines() {
				req := &pickingv1.ConfirmPickRequest{RequestId: fmt.Sprintf("race-pick-%d-%d", i, j), PickListId: pl.GetId(), LineId: l.GetId(),
					LocationScan: l.GetLocationCode(), ItemScan: pickGTIN(7), Quantity: l.GetQuantity()}
				var pair sync.WaitGroup
				ids := make([]int64, 2)
				for k := range 2 { // the handheld retries before the first answer arrives
					pair.Add(1)
					go func() {
						defer pair.Done()
						resp, err := e.pk.ConfirmPick(e.assoc, req)
						if err != nil && status.Code(err) != codes.FailedPrecondition {
							errs <- err
						}
						ids[k] = resp.GetMovement().GetId()
					}()
				}
				pair.Wait()
				if ids[0] != 0 && ids[1] != 0 && ids[0] != ids[1] {
					errs <- fmt.Errorf("a retried confirm picked twice: movements %v", ids)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	pickedUnits := e.count(t, `SELECT COALESCE(SUM(picked_qty), 0) FROM pick_tasks`)
	if moved := e.count(t, `SELECT COALESCE(SUM(m.qty), 0) FROM movements m JOIN items i ON i.id = m.item_id WHERE m.kind = 'pick' AND i.sku = ?`, sku); moved != pickedUnits {
		t.Fatalf("ledger picked %d units, pick lines %d", moved, pickedUnits)
	}
	a := e.ats(t, sku)
	if a.GetOnHand()+pickedUnits != onHand {
		t.Fatalf("on hand %d + picked %d != %d at the start", a.GetOnHand(), pickedUnits, onHand)
	}
	returned := e.count(t, `SELECT COALESCE(SUM(qty), 0) FROM pick_returns`)
	t.Logf("%d on hand, %d orders of %d: %d lists, %d units picked, %d returned from cancelled orders",
		onHand, racers, each, len(lists.GetPickLists()), pickedUnits, returned)
	cancelledPicked := e.count(t, `SELECT COALESCE(SUM(t.picked_qty), 0) FROM pick_tasks t JOIN pick_orders o ON o.id = t.order_id WHERE o.state = 'cancelled'`)
	if returned != cancelledPicked {
		t.Fatalf("return tasks hold %d units, cancelled orders had %d picked", returned, cancelledPicked)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM allocations a JOIN pick_tasks t ON t.allocation_id = a.id JOIN pick_orders o ON o.id = t.order_id WHERE o.state = 'cancelled'`); n != 0 {
		t.Fatalf("%d allocations left on cancelled orders", n)
	}
	// Dropping the totes hands the cancelled orders' units to putaway.
	for i, pl := range lists.GetPickLists() {
		if _, err := e.pk.CompletePickList(e.assoc, &pickingv1.CompletePickListRequest{RequestId: fmt.Sprintf("race-done-%d", i),
			PickListId: pl.GetId(), ShipLocationScan: pl.GetShipLocationCode()}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(t, `SELECT COUNT(*) FROM pick_returns WHERE state = 'open'`); n != 0 {
		t.Fatalf("%d return tasks were not handed to putaway when their lists completed", n)
	}
	if tasked := e.count(t, `SELECT COALESCE(SUM(qty), 0) FROM putaway_tasks WHERE ref LIKE 'cancelled order %'`); tasked != returned {
		t.Fatalf("putaway tasks hold %d units of cancelled orders, return tasks %d", tasked, returned)
	}
	e.checkLedger(t)
}
