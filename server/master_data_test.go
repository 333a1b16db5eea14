package server_test

import (
	"context"
	"math"
	"net/http"
	"testing"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/server"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// TestItemUpdatesNeverWipeStock: an update writes only what it names (or,
// without a mask, what it sets), a SKU spelled differently from the stored
// one is refused rather than merged, and a barcode of an item with stock
// is dropped only when the caller says so. The QA-WIDGET case from the
// floor: a near-empty upsert of qa-widget wiped the GTINs, description and
// cost of an item with 132 units on hand, and its barcode then failed at
// receiving.
func TestItemUpdatesNeverWipeStock(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	admin, lead := n.login(t, "B-ADMIN"), n.login(t, "B-LEAD")
	each, cs := "04006381333931", "14006381333938"
	full := &inventoryv1.Item{Sku: "QA-WIDGET", Description: "QA widget, blue", UnitCostCents: 1250, AbcClass: "B",
		Gtins: []*inventoryv1.Gtin{{Gtin: each, PackQty: 1}, {Gtin: cs, PackQty: 12}}}
	if _, err := inv.UpsertItem(admin, &inventoryv1.UpsertItemRequest{RequestId: "qa-create", Item: full}); err != nil {
		t.Fatal(err)
	}
	if _, err := inv.AdjustStock(lead, &inventoryv1.AdjustStockRequest{RequestId: "qa-stock", LocationCode: "A-01-01-C", Sku: "QA-WIDGET", Delta: 132, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	mask := func(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }
	for _, tt := range []struct {
		name       string
		req        *inventoryv1.UpsertItemRequest
		code       codes.Code
		violations []string
		want       *inventoryv1.Item // stored afterwards; nil: unchanged
	}{
		{name: "other spelling of a stored SKU", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "qa-widget"}},
			code: codes.FailedPrecondition, violations: []string{"item.sku"}},
		{name: "no mask writes only what is set", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET", AbcClass: "A"}},
			want: &inventoryv1.Item{Sku: "QA-WIDGET", Description: "QA widget, blue", UnitCostCents: 1250, AbcClass: "A", Gtins: full.Gtins}},
		{name: "dropping a GTIN with stock behind it", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET", Gtins: full.Gtins[1:]}},
			code: codes.FailedPrecondition, violations: []string{"item.gtins"}},
		{name: "an empty GTIN list under a mask is dropping too", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET"}, UpdateMask: mask("gtins")},
			code: codes.FailedPrecondition, violations: []string{"item.gtins"}},
		{name: "a mask clears what it names", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET"}, UpdateMask: mask("description")},
			want: &inventoryv1.Item{Sku: "QA-WIDGET", UnitCostCents: 1250, AbcClass: "A", Gtins: full.Gtins}},
		{name: "unknown mask path", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET"}, UpdateMask: mask("colour")},
			code: codes.InvalidArgument, violations: []string{"update_mask"}},
		{name: "cost beyond any SKU", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET", UnitCostCents: math.MaxInt64}},
			code: codes.InvalidArgument, violations: []string{"item.unit_cost_cents"}},
		{name: "control characters in the description", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET", Description: "blue\x07"}},
			code: codes.InvalidArgument, violations: []string{"item.description"}},
		{name: "pack size beyond any case", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET", Gtins: []*inventoryv1.Gtin{{Gtin: each, PackQty: math.MaxInt32}}}},
			code: codes.InvalidArgument, violations: []string{"item.gtins[0].pack_qty"}},
		{name: "dropping a GTIN when the caller says so", req: &inventoryv1.UpsertItemRequest{Item: &inventoryv1.Item{Sku: "QA-WIDGET", Gtins: full.Gtins[:1]}, AllowGtinRemoval: true},
			want: &inventoryv1.Item{Sku: "QA-WIDGET", UnitCostCents: 1250, AbcClass: "A", Gtins: full.Gtins[:1]}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := inv.GetItem(admin, &inventoryv1.GetItemRequest{Sku: "QA-WIDGET"})
			if err != nil {
				t.Fatal(err)
			}
			tt.req.RequestId = "qa-" + tt.name
			_, err = inv.UpsertItem(admin, tt.req)
			wantCode(t, err, tt.code)
			if diff := cmp.Diff(tt.violations, violations(err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			want := tt.want
			if want == nil {
				want = before.GetItem()
			}
			after, err := inv.GetItem(admin, &inventoryv1.GetItemRequest{Sku: "QA-WIDGET"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, after.GetItem(), protocmp.Transform()); diff != "" {
				t.Errorf("stored item (-want +got):\n%s", diff)
			}
		})
	}
	// The each barcode still scans to the item.
	r, err := inv.ResolveScan(lead, &inventoryv1.ResolveScanRequest{Raw: each})
	if err != nil || r.GetItem().GetSku() != "QA-WIDGET" {
		t.Fatalf("scan of %s after the updates = %v, %v", each, r, err)
	}
}

// TestLocationChangesKeepStockMeaning: a location holding stock keeps its
// type (storage and pick face may trade), zone and a capacity no lower than
// what is there; an empty one may change freely, and an update leaves what
// it does not name alone.
func TestLocationChangesKeepStockMeaning(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	admin := n.login(t, "B-ADMIN")
	const stocked, empty = "A-01-01-A", "A-01-01-C" // demo SKU-0001's pick face; an empty reserve slot
	get := func(code string) *inventoryv1.Location {
		t.Helper()
		l, err := inv.GetLocation(admin, &inventoryv1.GetLocationRequest{Code: code})
		if err != nil {
			t.Fatal(err)
		}
		return l.GetLocation()
	}
	onHand := int64(0)
	for _, b := range balances(t, inv, admin, "SKU-0001") {
		if b.GetLocationCode() == stocked {
			onHand += b.GetQuantity()
		}
	}
	if onHand == 0 {
		t.Fatalf("demo %s holds no SKU-0001", stocked)
	}
	walk := get(stocked).GetWalkSequence()
	mask := func(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }
	type loc = inventoryv1.Location
	for _, tt := range []struct {
		name       string
		loc        *loc
		mask       *fieldmaskpb.FieldMask
		code       codes.Code
		violations []string
		check      func(*loc) bool // of the stored location afterwards
	}{
		{name: "stocked to ship lane", loc: &loc{Code: stocked, Type: inventoryv1.LocationType_LOCATION_TYPE_SHIP},
			code: codes.FailedPrecondition, violations: []string{"location.type"}},
		{name: "stocked to quarantine", loc: &loc{Code: stocked, Type: inventoryv1.LocationType_LOCATION_TYPE_QUARANTINE},
			code: codes.FailedPrecondition, violations: []string{"location.type"}},
		{name: "stocked to another zone", loc: &loc{Code: stocked, Zone: "B"},
			code: codes.FailedPrecondition, violations: []string{"location.zone"}},
		{name: "stocked capacity below its units", loc: &loc{Code: stocked, Capacity: onHand - 1},
			code: codes.FailedPrecondition, violations: []string{"location.capacity"}},
		{name: "capacity beyond any location", loc: &loc{Code: stocked, Capacity: math.MaxInt64},
			code: codes.InvalidArgument, violations: []string{"location.capacity"}},
		{name: "control characters in the zone", loc: &loc{Code: empty, Zone: "A\x00"},
			code: codes.InvalidArgument, violations: []string{"location.zone"}},
		{name: "stocked pick face to storage keeps its meaning", loc: &loc{Code: stocked, Type: inventoryv1.LocationType_LOCATION_TYPE_STORAGE},
			check: func(l *loc) bool {
				return l.GetType() == inventoryv1.LocationType_LOCATION_TYPE_STORAGE && l.GetZone() == "A"
			}},
		{name: "block keeps what is left out", loc: &loc{Code: stocked, Blocked: true},
			check: func(l *loc) bool {
				return l.GetBlocked() && l.GetZone() == "A" && l.GetWalkSequence() == walk && l.GetCapacity() == 120
			}},
		{name: "unblock names blocked", loc: &loc{Code: stocked}, mask: mask("blocked"),
			check: func(l *loc) bool { return !l.GetBlocked() && l.GetCapacity() == 120 }},
		{name: "empty to ship lane", loc: &loc{Code: empty, Type: inventoryv1.LocationType_LOCATION_TYPE_SHIP, Zone: "S"},
			check: func(l *loc) bool {
				return l.GetType() == inventoryv1.LocationType_LOCATION_TYPE_SHIP && l.GetZone() == "S"
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := get(tt.loc.GetCode())
			_, err := inv.UpsertLocation(admin, &inventoryv1.UpsertLocationRequest{RequestId: "loc-" + tt.name, Location: tt.loc, UpdateMask: tt.mask})
			wantCode(t, err, tt.code)
			if diff := cmp.Diff(tt.violations, violations(err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			after := get(tt.loc.GetCode())
			switch {
			case tt.check == nil && after.String() != before.String():
				t.Errorf("refused change rewrote the location: %v -> %v", before, after)
			case tt.check != nil && !tt.check(after):
				t.Errorf("stored location = %v", after)
			}
		})
	}
}

// TestLocationAllocationsHoldItsType: units promised to an order keep their
// location's type, so a picker is never sent to pick out of quarantine.
func TestLocationAllocationsHoldItsType(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	const face = "A-01-02-A" // demo SKU-0002's pick face, allocated first
	if _, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: "md-rel", Orders: []*pickingv1.ReleaseOrder{order("SO-MD-1", "SKU-0002", 1)}}); err != nil {
		t.Fatal(err)
	}
	if got := e.count(t, `SELECT COALESCE(SUM(a.qty), 0) FROM allocations a JOIN locations l ON l.id = a.location_id WHERE l.code = ?`, face); got != 1 {
		t.Fatalf("%d units allocated at %s, want 1", got, face)
	}
	_, err := e.inv.UpsertLocation(e.admin, &inventoryv1.UpsertLocationRequest{RequestId: "md-quar",
		Location: &inventoryv1.Location{Code: face, Type: inventoryv1.LocationType_LOCATION_TYPE_QUARANTINE}})
	wantCode(t, err, codes.FailedPrecondition)
	l, err := e.inv.GetLocation(e.admin, &inventoryv1.GetLocationRequest{Code: face})
	if err != nil || l.GetLocation().GetType() != inventoryv1.LocationType_LOCATION_TYPE_PICKFACE {
		t.Fatalf("%s after the refused retype = %v, %v", face, l, err)
	}
}

// TestLocationCodesScanAsLocations: a code the scanner reads as something
// else (a check code, a PO, an LPN, a badge) is refused, over gRPC and REST.
func TestLocationCodesScanAsLocations(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	admin := n.login(t, "B-ADMIN")
	token := restToken(t, n, "B-ADMIN")
	for _, tt := range []struct {
		code string
		ok   bool
	}{
		{"42", false}, {"PO-01", false}, {"LPN000123", false}, {"B-LEAD", false}, {"SO-1", false}, {"RMA-7", false},
		{"A 01", false}, {"A-09-09-A", true}, {"dock-09", true},
	} {
		t.Run(tt.code, func(t *testing.T) {
			_, err := inv.UpsertLocation(admin, &inventoryv1.UpsertLocationRequest{RequestId: "code-" + tt.code,
				Location: &inventoryv1.Location{Code: tt.code, Zone: "Z", Type: inventoryv1.LocationType_LOCATION_TYPE_STORAGE}})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, codes.InvalidArgument)
			if diff := cmp.Diff([]string{"location.code"}, violations(err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			code, out := n.rest(t, "POST", "/v1/locations", token, map[string]any{"request_id": "rest-code-" + tt.code,
				"location": map[string]any{"code": tt.code, "zone": "Z", "type": "LOCATION_TYPE_STORAGE"}})
			if code != http.StatusBadRequest {
				t.Errorf("REST POST /v1/locations %q = %d %v, want 400", tt.code, code, out)
			}
		})
	}
}

// TestPurchaseOrderUpdatesKeepWhatTheyLeaveOut: an upsert without
// expected_date keeps it, and no line may be ordered below what the dock
// has received on it.
func TestPurchaseOrderUpdatesKeepWhatTheyLeaveOut(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	central := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+server.DemoAPIKey)
	assoc := n.login(t, "B-ASSOC")
	po := &receivingv1.PurchaseOrder{PoNumber: "PO-MD-1", Vendor: "ACME", ExpectedDate: "2030-05-01", Lines: []*receivingv1.PurchaseOrderLine{
		{Sku: "SKU-0001", OrderedQuantity: 36}, {Sku: "SKU-0002", OrderedQuantity: 24},
	}}
	if _, err := rcv.UpsertPurchaseOrder(central, &receivingv1.UpsertPurchaseOrderRequest{RequestId: "md-po", PurchaseOrder: po}); err != nil {
		t.Fatal(err)
	}
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "md-start", DockLocationScan: "DOCK-03", DocumentScan: "PO-MD-1"})
	if err != nil {
		t.Fatal(err)
	}
	each, _ := demoGTIN(1)
	if _, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "md-scan", ReceiptId: started.GetReceipt().GetReceiptId(), RawScan: each, Quantity: 10}); err != nil {
		t.Fatal(err)
	}
	lines := func(q1 int64) []*receivingv1.PurchaseOrderLine {
		return []*receivingv1.PurchaseOrderLine{{LineNumber: 1, Sku: "SKU-0001", OrderedQuantity: q1}, {LineNumber: 2, Sku: "SKU-0002", OrderedQuantity: 24}}
	}
	for _, tt := range []struct {
		name       string
		req        *receivingv1.UpsertPurchaseOrderRequest
		code       codes.Code
		violations []string
		date       string
		ordered    int64 // line 1 afterwards
	}{
		{name: "expected date left out is kept", req: &receivingv1.UpsertPurchaseOrderRequest{PurchaseOrder: &receivingv1.PurchaseOrder{PoNumber: "PO-MD-1", Vendor: "ACME", Lines: lines(30)}},
			date: "2030-05-01", ordered: 30},
		{name: "ordered below received", req: &receivingv1.UpsertPurchaseOrderRequest{PurchaseOrder: &receivingv1.PurchaseOrder{PoNumber: "PO-MD-1", Lines: lines(9)}},
			code: codes.FailedPrecondition, violations: []string{"purchase_order.lines[0].ordered_quantity"}, date: "2030-05-01", ordered: 30},
		{name: "ordered beyond any PO", req: &receivingv1.UpsertPurchaseOrderRequest{PurchaseOrder: &receivingv1.PurchaseOrder{PoNumber: "PO-MD-1", Lines: lines(math.MaxInt64)}},
			code: codes.InvalidArgument, violations: []string{"purchase_order.lines[0].ordered_quantity"}, date: "2030-05-01", ordered: 30},
		{name: "control characters in the vendor", req: &receivingv1.UpsertPurchaseOrderRequest{PurchaseOrder: &receivingv1.PurchaseOrder{PoNumber: "PO-MD-1", Vendor: "AC\nME"}},
			code: codes.InvalidArgument, violations: []string{"purchase_order.vendor"}, date: "2030-05-01", ordered: 30},
		{name: "ordered down to received", req: &receivingv1.UpsertPurchaseOrderRequest{PurchaseOrder: &receivingv1.PurchaseOrder{PoNumber: "PO-MD-1", Lines: lines(10)}},
			date: "2030-05-01", ordered: 10},
		{name: "a mask clears the expected date", req: &receivingv1.UpsertPurchaseOrderRequest{PurchaseOrder: &receivingv1.PurchaseOrder{PoNumber: "PO-MD-1"},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"expected_date"}}}, date: "", ordered: 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.RequestId = "md-" + tt.name
			_, err := rcv.UpsertPurchaseOrder(central, tt.req)
			wantCode(t, err, tt.code)
			if diff := cmp.Diff(tt.violations, violations(err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			got, err := rcv.GetPurchaseOrder(central, &receivingv1.GetPurchaseOrderRequest{PoNumber: "PO-MD-1"})
			if err != nil {
				t.Fatal(err)
			}
			p := got.GetPurchaseOrder()
			if p.GetExpectedDate() != tt.date || p.GetVendor() != "ACME" || len(p.GetLines()) != 2 || p.GetLines()[0].GetOrderedQuantity() != tt.ordered {
				t.Errorf("stored PO = %v; want expected date %q, line 1 ordered %d", p, tt.date, tt.ordered)
			}
		})
	}
}

// TestASNIsCheckedAgainstItsPO: an ASN announcing a SKU its PO does not
// order is refused over gRPC and REST, and records nothing.
func TestASNIsCheckedAgainstItsPO(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	central := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+server.DemoAPIKey)
	asn := &receivingv1.AdvanceShipNotice{AsnNumber: "ASN-MD-1", PoNumber: server.DemoPONumber, Containers: []*receivingv1.ShipContainer{
		{Lpn: "LPN-0001", Contents: []*receivingv1.ShipContainerContent{{Sku: "SKU-0001", Quantity: 6}, {Sku: "SKU-0050", Quantity: 6}}},
	}}
	_, err := rcv.CreateAdvanceShipNotice(central, &receivingv1.CreateAdvanceShipNoticeRequest{RequestId: "md-asn", AdvanceShipNotice: asn})
	wantCode(t, err, codes.FailedPrecondition)
	if diff := cmp.Diff([]string{"advance_ship_notice.containers[0].contents[1].sku"}, violations(err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	_, err = rcv.GetAdvanceShipNotice(central, &receivingv1.GetAdvanceShipNoticeRequest{AsnNumber: "ASN-MD-1"})
	wantCode(t, err, codes.NotFound)

	code, out := n.rest(t, "POST", "/v1/asns", server.DemoAPIKey, map[string]any{"request_id": "rest-md-asn", "advance_ship_notice": map[string]any{
		"asn_number": "ASN-MD-2", "po_number": server.DemoPONumber,
		"containers": []any{map[string]any{"lpn": "LPN-0002", "contents": []any{map[string]any{"sku": "SKU-0050", "quantity": "6"}}}}}})
	if code != http.StatusBadRequest {
		t.Errorf("REST POST /v1/asns with an off-PO SKU = %d %v, want 400", code, out)
	}
}

// TestItemUpdateOverREST: the QA-WIDGET request over REST, then a JSON
// update_mask (a comma-separated string, as protojson writes it).
func TestItemUpdateOverREST(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	token := restToken(t, n, "B-ADMIN")
	before := func() map[string]any {
		t.Helper()
		code, out := n.rest(t, "GET", "/v1/items/SKU-0001", token, nil)
		if code != http.StatusOK {
			t.Fatalf("GET item = %d %v", code, out)
		}
		return out["item"].(map[string]any)
	}
	stored := before()
	if code, out := n.rest(t, "POST", "/v1/items", token, map[string]any{"request_id": "rest-near-empty", "item": map[string]any{"sku": "SKU-0001"}}); code != http.StatusOK {
		t.Fatalf("near-empty upsert = %d %v", code, out)
	}
	if diff := cmp.Diff(stored, before()); diff != "" {
		t.Errorf("a near-empty upsert rewrote the item (-before +after):\n%s", diff)
	}
	if code, out := n.rest(t, "POST", "/v1/items", token, map[string]any{"request_id": "rest-lower", "item": map[string]any{"sku": "sku-0001", "abc_class": "A"}}); code != http.StatusBadRequest {
		t.Errorf("upsert of sku-0001 = %d %v, want 400 (failed precondition)", code, out)
	}
	code, out := n.rest(t, "POST", "/v1/items", token, map[string]any{"request_id": "rest-mask", "update_mask": "description,unitCostCents",
		"item": map[string]any{"sku": "SKU-0001", "description": "Renamed"}})
	if code != http.StatusOK {
		t.Fatalf("masked upsert = %d %v", code, out)
	}
	after := before()
	if after["description"] != "Renamed" || after["unit_cost_cents"] != nil && after["unit_cost_cents"] != "0" || len(after["gtins"].([]any)) != 2 {
		t.Errorf("after a masked update of description and cost: %v", after)
	}
}
