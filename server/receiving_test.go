package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// demoGTIN returns demo item n's each GTIN-13 and case GTIN-14 (pack 12),
// as SeedDemo assigns them.
func demoGTIN(n int) (each, cs string) {
	body := fmt.Sprintf("0614141%05d", n)
	d, _ := scan.GS1CheckDigit(body)
	each = body + string(d)
	d, _ = scan.GS1CheckDigit("1" + body)
	return each, "1" + body + string(d)
}

func testSSCC(serial int) string {
	body := fmt.Sprintf("00614141%09d", serial)
	d, _ := scan.GS1CheckDigit(body)
	return body + string(d)
}

func maxOutboxSeq(t *testing.T, n *node) int64 {
	t.Helper()
	var seq int64
	if err := n.srv.DB.Reader().QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM outbox`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

func outboxAfter(t *testing.T, n *node, after int64) []*eventv1.Event {
	t.Helper()
	rows, err := n.srv.DB.Reader().Query(`SELECT payload FROM outbox WHERE seq > ? ORDER BY seq`, after)
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

// TestReceivingEndToEnd receives a PO of three lines with an ASN of two
// pallets over gRPC: one pallet by its SSCC, the rest case by case with a
// damaged unit, an unexpected item, a refused over-receipt and an undone
// mis-scan; then closes the receipt and checks the reconciliation, the
// outbox events and that the dock's balances are the ledger's.
func TestReceivingEndToEnd(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	central := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+server.DemoAPIKey)
	assoc, lead := n.login(t, "B-ASSOC"), n.login(t, "B-LEAD")
	before := maxOutboxSeq(t, n)

	po := &receivingv1.PurchaseOrder{PoNumber: "PO-E2E-1", Vendor: "ACME", ExpectedDate: "2030-05-01", Lines: []*receivingv1.PurchaseOrderLine{
		{Sku: "SKU-0001", OrderedQuantity: 36},
		{Sku: "SKU-0002", OrderedQuantity: 24, OverReceiptTolerancePercent: 10},
		{Sku: "SKU-0004", OrderedQuantity: 24},
	}}
	if _, err := rcv.UpsertPurchaseOrder(central, &receivingv1.UpsertPurchaseOrderRequest{RequestId: "e2e-po", PurchaseOrder: po}); err != nil {
		t.Fatal(err)
	}
	_, err := rcv.UpsertPurchaseOrder(assoc, &receivingv1.UpsertPurchaseOrderRequest{RequestId: "e2e-po-assoc", PurchaseOrder: po})
	wantCode(t, err, codes.PermissionDenied)
	p1, p2 := testSSCC(9001), testSSCC(9002)
	asn := &receivingv1.AdvanceShipNotice{AsnNumber: "ASN-E2E-1", PoNumber: "PO-E2E-1", Containers: []*receivingv1.ShipContainer{
		{Sscc: p1, Contents: []*receivingv1.ShipContainerContent{
			{Sku: "SKU-0001", Quantity: 24}, {Sku: "SKU-0004", Quantity: 12, Lot: "L-E2E", Expiry: "2031-06-30"}}},
		{Sscc: p2, Contents: []*receivingv1.ShipContainerContent{{Sku: "SKU-0002", Quantity: 24}}},
	}}
	if _, err := rcv.CreateAdvanceShipNotice(central, &receivingv1.CreateAdvanceShipNoticeRequest{RequestId: "e2e-asn", AdvanceShipNotice: asn}); err != nil {
		t.Fatal(err)
	}

	_, err = rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "e2e-start-bad", DockLocationScan: "STG-01", DocumentScan: "PO-E2E-1"})
	wantCode(t, err, codes.InvalidArgument)
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "e2e-start", DockLocationScan: "DOCK-02", DocumentScan: p1})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	ref := fmt.Sprintf("RCPT-%d", id)
	if got := started.GetReceipt(); got.GetAsnNumber() != "ASN-E2E-1" || got.GetPoNumber() != "PO-E2E-1" || got.GetDockLocationCode() != "DOCK-02" {
		t.Fatalf("started receipt = %v", got)
	}

	scanReq := func(rid, raw string, qty int64) *receivingv1.ReceiveScanRequest {
		return &receivingv1.ReceiveScanRequest{RequestId: rid, ReceiptId: id, RawScan: raw, Quantity: qty}
	}
	mustScan := func(req *receivingv1.ReceiveScanRequest) *receivingv1.ReceiveScanResponse {
		t.Helper()
		resp, err := rcv.ReceiveScan(assoc, req)
		if err != nil {
			t.Fatalf("scan %s: %v", req.GetRawScan(), err)
		}
		return resp
	}
	preview := mustScan(scanReq("e2e-p1-look", p1, 1))
	if !preview.GetConfirmationRequired() || len(preview.GetReceived()) != 0 || len(preview.GetContainerContents()) != 2 {
		t.Fatalf("pallet scan without confirm = %v", preview)
	}
	palletReq := scanReq("e2e-p1", p1, 1)
	palletReq.ConfirmPallet = true
	if got := mustScan(palletReq).GetReceived(); len(got) != 2 {
		t.Fatalf("pallet received %v", got)
	}
	_, sku1Case := demoGTIN(1)
	sku2Each, sku2Case := demoGTIN(2)
	sku3Each, _ := demoGTIN(3)
	sku4Each, _ := demoGTIN(4)
	sku5Each, _ := demoGTIN(5)
	mustScan(scanReq("e2e-s1", sku1Case, 1))
	mustScan(scanReq("e2e-s2", sku2Case, 1))
	mustScan(scanReq("e2e-s3", sku2Each, 11))
	damaged := scanReq("e2e-s4", sku2Each, 1)
	damaged.Condition = receivingv1.Condition_CONDITION_DAMAGED
	if got := mustScan(damaged).GetReceived()[0]; !got.GetQuarantined() {
		t.Fatalf("damaged unit not quarantined: %v", got)
	}
	_, err = rcv.ReceiveScan(assoc, scanReq("e2e-over", sku2Case, 1)) // 36 > 24 + 10%
	wantCode(t, err, codes.FailedPrecondition)
	override := scanReq("e2e-over-2", sku2Case, 1)
	override.OverrideReason = "keep them"
	_, err = rcv.ReceiveScan(assoc, override)
	wantCode(t, err, codes.PermissionDenied)
	_, err = rcv.ReceiveScan(assoc, scanReq("e2e-nolot", sku4Each, 1))
	wantCode(t, err, codes.InvalidArgument)
	if diff := cmp.Diff([]string{"lot"}, violations(err)); diff != "" {
		t.Errorf("missing lot violations (-want +got):\n%s", diff)
	}
	if got := mustScan(scanReq("e2e-s5", sku5Each, 2)).GetReceived()[0]; !got.GetUnexpected() || !got.GetQuarantined() {
		t.Fatalf("unexpected item = %v", got)
	}
	mustScan(scanReq("e2e-s6", sku3Each, 1)) // a mis-scan ...
	undo, err := rcv.UndoLastScan(assoc, &receivingv1.UndoLastScanRequest{RequestId: "e2e-undo", ReceiptId: id, Reason: "mis-scan"})
	if err != nil || len(undo.GetReversed()) != 1 || undo.GetReversed()[0].GetSku() != "SKU-0003" {
		t.Fatalf("undo = %v, %v", undo, err)
	}

	open, err := rcv.ListReceipts(lead, &receivingv1.ListReceiptsRequest{Status: receivingv1.ReceiptStatus_RECEIPT_STATUS_OPEN})
	if err != nil || len(open.GetReceipts()) != 1 || open.GetReceipts()[0].GetReceivedQuantity() != 74 {
		t.Fatalf("open receipts = %v, %v", open, err)
	}
	closed, err := rcv.CloseReceipt(assoc, &receivingv1.CloseReceiptRequest{RequestId: "e2e-close", ReceiptId: id})
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []*receivingv1.ReceiptLine{
		{LineNumber: 1, Sku: "SKU-0001", ExpectedQuantity: 36, ReceivedGoodQuantity: 36},
		{LineNumber: 2, Sku: "SKU-0002", ExpectedQuantity: 24, ReceivedGoodQuantity: 23, ReceivedDamagedQuantity: 1},
		{LineNumber: 3, Sku: "SKU-0004", ExpectedQuantity: 24, ReceivedGoodQuantity: 12, ShortQuantity: 12},
		{Sku: "SKU-0005", ReceivedUnexpectedQuantity: 2, OverQuantity: 2, Unexpected: true},
	}
	if diff := cmp.Diff(wantLines, closed.GetReceipt().GetLines(), protocmp.Transform()); diff != "" {
		t.Errorf("reconciliation (-want +got):\n%s", diff)
	}
	wantExc := []*receivingv1.ReceiptException{
		{Kind: "damaged_received", Sku: "SKU-0002", Quantity: 1, Detail: "held in quarantine", UserBadge: "B-ASSOC"},
		{Kind: "unexpected_item", Sku: "SKU-0005", Quantity: 2, Detail: "not on the PO; held in quarantine", UserBadge: "B-ASSOC"},
		{Kind: "receipt_scan_undo", Sku: "SKU-0003", Quantity: 1, Detail: "mis-scan", UserBadge: "B-ASSOC"},
	}
	if diff := cmp.Diff(wantExc, closed.GetReceipt().GetExceptions(), protocmp.Transform()); diff != "" {
		t.Errorf("exceptions (-want +got):\n%s", diff)
	}

	moved := func(sku, lot, expiry, from, to, fromStatus, toStatus, reason string, qty int64) *eventv1.Event {
		return &eventv1.Event{Payload: &eventv1.Event_StockMoved{StockMoved: &eventv1.StockMoved{
			Kind: "receive", Sku: sku, Lot: lot, Expiry: expiry, FromLocationCode: from, ToLocationCode: to,
			Quantity: qty, Reason: reason, Reference: ref, FromStatus: fromStatus, ToStatus: toStatus,
		}}}
	}
	in := func(sku, status, reason string, qty int64) *eventv1.Event {
		return moved(sku, "", "", "", "DOCK-02", "", status, reason, qty)
	}
	wantEvents := []*eventv1.Event{
		in("SKU-0001", "available", "", 24),
		moved("SKU-0004", "L-E2E", "2031-06-30", "", "DOCK-02", "", "available", "", 12),
		in("SKU-0001", "available", "", 12),
		in("SKU-0002", "available", "", 12),
		in("SKU-0002", "available", "", 11),
		in("SKU-0002", "quarantine", "damaged", 1),
		in("SKU-0005", "quarantine", "not-on-po", 2),
		in("SKU-0003", "quarantine", "not-on-po", 1),
		moved("SKU-0003", "", "", "DOCK-02", "", "quarantine", "", "undo: mis-scan", 1),
		{Payload: &eventv1.Event_ReceiptReconciled{ReceiptReconciled: &eventv1.ReceiptReconciled{
			ReceiptId: id, PoNumber: "PO-E2E-1", AsnNumber: "ASN-E2E-1", Vendor: "ACME", DockLocationCode: "DOCK-02",
			Lines: []*eventv1.ReceiptReconciledLine{
				{LineNumber: 1, Sku: "SKU-0001", ExpectedQuantity: 36, ReceivedGoodQuantity: 36},
				{LineNumber: 2, Sku: "SKU-0002", ExpectedQuantity: 24, ReceivedGoodQuantity: 23, ReceivedDamagedQuantity: 1},
				{LineNumber: 3, Sku: "SKU-0004", ExpectedQuantity: 24, ReceivedGoodQuantity: 12, ShortQuantity: 12},
				{Sku: "SKU-0005", ReceivedUnexpectedQuantity: 2, OverQuantity: 2, Unexpected: true},
			},
		}}},
	}
	if diff := cmp.Diff(wantEvents, outboxAfter(t, n, before), protocmp.Transform(),
		protocmp.IgnoreFields(&eventv1.StockMoved{}, "movement_id", "from_lpn", "to_lpn", "user_badge", "device_id")); diff != "" {
		t.Errorf("outbox events (-want +got):\n%s", diff)
	}
	// Central can follow pallets and tell who moved what.
	for _, ev := range outboxAfter(t, n, before) {
		if m := ev.GetStockMoved(); m != nil && (m.GetUserBadge() != "B-ASSOC" || m.GetDeviceId() == "") {
			t.Errorf("StockMoved without who and which device: %v", m)
		}
	}
	if first := outboxAfter(t, n, before)[0].GetStockMoved(); first.GetToLpn() == "" {
		t.Errorf("the pallet received by SSCC reached central without its license plate: %v", first)
	}

	// The dock's balances are exactly what the ledger says went in and out.
	type key struct{ sku, lot, expiry, status, lpn string }
	ledger := map[key]int64{}
	ms, err := inv.ListMovements(lead, &inventoryv1.ListMovementsRequest{LocationCode: "DOCK-02", PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms.GetMovements() {
		if m.GetToLocationCode() == "DOCK-02" {
			ledger[key{m.GetSku(), m.GetLot(), m.GetExpiry(), m.GetToStatus().String(), m.GetToLpn()}] += m.GetQuantity()
		}
		if m.GetFromLocationCode() == "DOCK-02" {
			ledger[key{m.GetSku(), m.GetLot(), m.GetExpiry(), m.GetFromStatus().String(), m.GetFromLpn()}] -= m.GetQuantity()
		}
	}
	balances := map[key]int64{}
	bs, err := inv.GetBalances(lead, &inventoryv1.GetBalancesRequest{LocationCode: "DOCK-02"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs.GetBalances() {
		balances[key{b.GetSku(), b.GetLot(), b.GetExpiry(), b.GetStatus().String(), b.GetLpn()}] += b.GetQuantity()
	}
	for k, v := range ledger {
		if v == 0 {
			delete(ledger, k)
		}
	}
	if diff := cmp.Diff(ledger, balances, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("balances differ from the ledger (-ledger +balances):\n%s", diff)
	}
	if got := balances[key{"SKU-0001", "", "", "STOCK_STATUS_AVAILABLE", p1}]; got != 24 {
		t.Errorf("pallet stock of SKU-0001 on %s = %d, want 24", p1, got)
	}

	// Progress for leads, over REST too.
	got, err := rcv.GetPurchaseOrder(lead, &receivingv1.GetPurchaseOrderRequest{PoNumber: "PO-E2E-1"})
	if err != nil || got.GetPurchaseOrder().GetReceivedQuantity() != 72 || got.GetPurchaseOrder().GetOpenReceiptCount() != 0 {
		t.Fatalf("PO after close = %v, %v", got, err)
	}
	code, out := n.rest(t, "GET", "/v1/receipts/"+fmt.Sprint(id), restToken(t, n, "B-LEAD"), nil)
	if code != http.StatusOK || out["receipt"].(map[string]any)["status"] != "RECEIPT_STATUS_CLOSED" {
		t.Fatalf("GET /v1/receipts/%d = %d %v", id, code, out)
	}
}

func restToken(t *testing.T, n *node, badge string) string {
	t.Helper()
	code, out := n.rest(t, "POST", "/v1/auth/login", "", map[string]string{"badge": badge, "pin": server.DemoPIN, "device_id": "rest-hh"})
	if code != http.StatusOK {
		t.Fatalf("login %s = %d %v", badge, code, out)
	}
	return out["token"].(string)
}

func TestBlindReceivingHidesExpectedFromAssociates(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	assoc, lead := n.login(t, "B-ASSOC"), n.login(t, "B-LEAD")
	if _, err := rcv.SetVendorPolicy(lead, &receivingv1.SetVendorPolicyRequest{RequestId: "blind-1", Vendor: "SECRETCO", BlindReceiving: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := rcv.UpsertPurchaseOrder(lead, &receivingv1.UpsertPurchaseOrderRequest{RequestId: "blind-po", PurchaseOrder: &receivingv1.PurchaseOrder{
		PoNumber: "PO-BLIND", Vendor: "SecretCo", Lines: []*receivingv1.PurchaseOrderLine{{Sku: "SKU-0001", OrderedQuantity: 12}},
	}}); err != nil {
		t.Fatal(err)
	}
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "blind-start", DockLocationScan: "DOCK-01", DocumentScan: "PO-BLIND"})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	each, _ := demoGTIN(1)
	if _, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "blind-s1", ReceiptId: id, RawScan: each, Quantity: 5}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		who                   context.Context
		name                  string
		expected, short, good int64
		ordered               int64
	}{
		{assoc, "associate", 0, 0, 5, 0},
		{lead, "lead", 12, 7, 5, 12},
	} {
		rc, err := rcv.GetReceipt(tt.who, &receivingv1.GetReceiptRequest{ReceiptId: id})
		if err != nil {
			t.Fatal(err)
		}
		l := rc.GetReceipt().GetLines()[0]
		if !rc.GetReceipt().GetBlindReceiving() || l.GetExpectedQuantity() != tt.expected || l.GetShortQuantity() != tt.short || l.GetReceivedGoodQuantity() != tt.good {
			t.Errorf("%s sees %v", tt.name, l)
		}
		po, err := rcv.GetPurchaseOrder(tt.who, &receivingv1.GetPurchaseOrderRequest{PoNumber: "PO-BLIND"})
		if err != nil {
			t.Fatal(err)
		}
		if got := po.GetPurchaseOrder().GetLines()[0].GetOrderedQuantity(); got != tt.ordered {
			t.Errorf("%s sees ordered %d on the PO, want %d", tt.name, got, tt.ordered)
		}
	}
}

func TestSeedDemoReceiving(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	if err := server.SeedDemoReceiving(context.Background(), n.srv); err != nil {
		t.Fatal(err)
	}
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	assoc := n.login(t, "B-ASSOC")
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "demo-start", DockLocationScan: "DOCK-01", DocumentScan: server.DemoPalletSSCCs[1]})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "demo-pallet", ReceiptId: started.GetReceipt().GetReceiptId(),
		RawScan: server.DemoPalletSSCCs[1], Quantity: 1, ConfirmPallet: true})
	if err != nil || len(resp.GetReceived()) != 1 || resp.GetReceived()[0].GetQuantity() != 24 {
		t.Fatalf("demo pallet = %v, %v", resp, err)
	}
}

// TestBlindASNHidesQuantitiesFromAssociates: on a blind PO, associates see
// an ASN's containers and what they hold but not how many, whether they
// read the ASN or scan a pallet on the receipt; leads see everything, and
// ASNs of other POs are not hidden.
func TestBlindASNHidesQuantitiesFromAssociates(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	assoc, lead := n.login(t, "B-ASSOC"), n.login(t, "B-LEAD")
	if _, err := rcv.SetVendorPolicy(lead, &receivingv1.SetVendorPolicyRequest{RequestId: "basn-blind", Vendor: "SECRETCO", BlindReceiving: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := rcv.UpsertPurchaseOrder(lead, &receivingv1.UpsertPurchaseOrderRequest{RequestId: "basn-po", PurchaseOrder: &receivingv1.PurchaseOrder{
		PoNumber: "PO-BASN", Vendor: "SecretCo", Lines: []*receivingv1.PurchaseOrderLine{{Sku: "SKU-0001", OrderedQuantity: 30}},
	}}); err != nil {
		t.Fatal(err)
	}
	pallet := testSSCC(7001)
	central := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+server.DemoAPIKey)
	if _, err := rcv.CreateAdvanceShipNotice(central, &receivingv1.CreateAdvanceShipNoticeRequest{RequestId: "basn-asn", AdvanceShipNotice: &receivingv1.AdvanceShipNotice{
		AsnNumber: "ASN-BASN", PoNumber: "PO-BASN", Containers: []*receivingv1.ShipContainer{
			{Sscc: pallet, Contents: []*receivingv1.ShipContainerContent{{Sku: "SKU-0001", Quantity: 24}}},
		},
	}}); err != nil {
		t.Fatal(err)
	}
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "basn-start", DockLocationScan: "DOCK-01", DocumentScan: "PO-BASN"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		who  context.Context
		qty  int64
	}{
		{"associate", assoc, 0},
		{"lead", lead, 24},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rcv.GetAdvanceShipNotice(tt.who, &receivingv1.GetAdvanceShipNoticeRequest{AsnNumber: "ASN-BASN"})
			if err != nil {
				t.Fatal(err)
			}
			list, err := rcv.ListAdvanceShipNotices(tt.who, &receivingv1.ListAdvanceShipNoticesRequest{PoNumber: "PO-BASN"})
			if err != nil || len(list.GetAdvanceShipNotices()) != 1 {
				t.Fatalf("list = %v, %v", list, err)
			}
			preview, err := rcv.ReceiveScan(tt.who, &receivingv1.ReceiveScanRequest{RequestId: "basn-look-" + tt.name,
				ReceiptId: started.GetReceipt().GetReceiptId(), RawScan: pallet, Quantity: 1})
			if err != nil || !preview.GetConfirmationRequired() {
				t.Fatalf("pallet preview = %v, %v", preview, err)
			}
			for what, a := range map[string]*receivingv1.AdvanceShipNotice{"get": got.GetAdvanceShipNotice(), "list": list.GetAdvanceShipNotices()[0]} {
				ct := a.GetContainers()[0].GetContents()[0]
				if !a.GetBlindReceiving() || ct.GetSku() != "SKU-0001" || ct.GetQuantity() != tt.qty {
					t.Errorf("%s: ASN = %v, want blind with quantity %d", what, a, tt.qty)
				}
			}
			if ct := preview.GetContainerContents()[0]; ct.GetSku() != "SKU-0001" || ct.GetQuantity() != tt.qty {
				t.Errorf("preview contents = %v, want quantity %d", ct, tt.qty)
			}
		})
	}
	open, err := rcv.GetAdvanceShipNotice(assoc, &receivingv1.GetAdvanceShipNoticeRequest{AsnNumber: "ASN-1001"})
	if err != nil {
		t.Fatal(err)
	}
	if a := open.GetAdvanceShipNotice(); a.GetBlindReceiving() || a.GetContainers()[0].GetContents()[0].GetQuantity() != 48 {
		t.Errorf("associate sees the demo ASN of a PO that is not blind as %v", a)
	}
}

// TestOnlyLeadsClosePurchaseOrders: an associate may close a receipt but
// not its PO for good.
func TestOnlyLeadsClosePurchaseOrders(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	assoc, lead := n.login(t, "B-ASSOC"), n.login(t, "B-LEAD")
	start := func(rid string) int64 {
		t.Helper()
		resp, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: rid, DockLocationScan: "DOCK-01", DocumentScan: server.DemoPONumber})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetReceipt().GetReceiptId()
	}
	r1 := start("close-po-start-1")
	_, err := rcv.CloseReceipt(assoc, &receivingv1.CloseReceiptRequest{RequestId: "close-po-assoc", ReceiptId: r1, ClosePurchaseOrder: true})
	wantCode(t, err, codes.PermissionDenied)
	rc, err := rcv.GetReceipt(lead, &receivingv1.GetReceiptRequest{ReceiptId: r1})
	if err != nil || rc.GetReceipt().GetStatus() != receivingv1.ReceiptStatus_RECEIPT_STATUS_OPEN {
		t.Fatalf("receipt after the refused close = %v, %v", rc, err)
	}
	if _, err := rcv.CloseReceipt(assoc, &receivingv1.CloseReceiptRequest{RequestId: "close-receipt-assoc", ReceiptId: r1}); err != nil {
		t.Fatalf("associate closing a receipt: %v", err)
	}
	r2 := start("close-po-start-2")
	if _, err := rcv.CloseReceipt(lead, &receivingv1.CloseReceiptRequest{RequestId: "close-po-lead", ReceiptId: r2, ClosePurchaseOrder: true}); err != nil {
		t.Fatal(err)
	}
	po, err := rcv.GetPurchaseOrder(lead, &receivingv1.GetPurchaseOrderRequest{PoNumber: server.DemoPONumber})
	if err != nil || po.GetPurchaseOrder().GetStatus() != receivingv1.PurchaseOrderStatus_PURCHASE_ORDER_STATUS_CLOSED {
		t.Fatalf("PO after the lead closed it = %v, %v", po, err)
	}
}

// TestOverrideReasonOnlyCountsWhenNeeded: an associate's override reason
// on a scan within tolerance is ignored, not refused; beyond tolerance it
// is refused, and a lead's is accepted.
func TestOverrideReasonOnlyCountsWhenNeeded(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	assoc, lead := n.login(t, "B-ASSOC"), n.login(t, "B-LEAD")
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "ovr-start", DockLocationScan: "DOCK-01", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	each, _ := demoGTIN(1) // SKU-0001: 48 ordered, no tolerance
	scan := func(who context.Context, rid string, qty int64) error {
		_, err := rcv.ReceiveScan(who, &receivingv1.ReceiveScanRequest{RequestId: rid, ReceiptId: id, RawScan: each, Quantity: qty, OverrideReason: "pallet count"})
		return err
	}
	if err := scan(assoc, "ovr-within", 48); err != nil {
		t.Fatalf("associate's scan within tolerance with a reason: %v", err)
	}
	wantCode(t, scan(assoc, "ovr-beyond", 1), codes.PermissionDenied)
	if err := scan(lead, "ovr-lead", 1); err != nil {
		t.Fatal(err)
	}
	rc, err := rcv.GetReceipt(lead, &receivingv1.GetReceiptRequest{ReceiptId: id})
	if err != nil {
		t.Fatal(err)
	}
	want := []*receivingv1.ReceiptException{{Kind: "receipt_overage", Sku: "SKU-0001", Quantity: 1, Detail: "pallet count", UserBadge: "B-LEAD"}}
	if diff := cmp.Diff(want, rc.GetReceipt().GetExceptions(), protocmp.Transform()); diff != "" {
		t.Errorf("exceptions (-want +got):\n%s", diff)
	}
}

// TestPalletLabelIsReceivedOnce scans standard GS1 pallet labels (SSCC,
// GTIN, count) over gRPC: the demo ASN's pallet asks for confirmation and
// is then received whole, once, by either of its labels; a pallet no ASN
// lists follows the same flow and is received by its GTIN and count onto
// its SSCC, once, and its putaway task is found by scanning the SSCC.
func TestPalletLabelIsReceivedOnce(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	pa := putawayv1.NewPutawayServiceClient(n.conn)
	assoc := n.login(t, "B-ASSOC")
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "pl-start", DockLocationScan: "DOCK-03", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	scanReq := func(rid, raw string, confirm bool) *receivingv1.ReceiveScanRequest {
		return &receivingv1.ReceiveScanRequest{RequestId: rid, ReceiptId: id, RawScan: raw, Quantity: 1, ConfirmPallet: confirm}
	}
	label := func(sscc, gtin string, count int) string { return fmt.Sprintf("]C100%s02%s37%d", sscc, gtin, count) }
	_, sku1Case := demoGTIN(1)
	_, sku2Case := demoGTIN(2)

	onASN := server.DemoPalletSSCCs[0]
	preview, err := rcv.ReceiveScan(assoc, scanReq("pl-look", label(onASN, sku1Case, 4), false))
	if err != nil || !preview.GetConfirmationRequired() || len(preview.GetReceived()) != 0 {
		t.Fatalf("ASN pallet's label without confirmation = %v, %v", preview, err)
	}
	got, err := rcv.ReceiveScan(assoc, scanReq("pl-asn", label(onASN, sku1Case, 4), true))
	if err != nil || len(got.GetReceived()) != 1 || got.GetReceived()[0].GetLpn() != onASN || got.GetReceived()[0].GetQuantity() != 48 {
		t.Fatalf("ASN pallet by its label = %v, %v", got, err)
	}
	_, err = rcv.ReceiveScan(assoc, scanReq("pl-asn-again", onASN, true))
	wantCode(t, err, codes.FailedPrecondition)

	loose := testSSCC(7001)
	look, err := rcv.ReceiveScan(assoc, scanReq("pl-loose-look", label(loose, sku2Case, 2), false))
	if err != nil || !look.GetConfirmationRequired() || len(look.GetReceived()) != 0 {
		t.Fatalf("pallet no ASN lists, without confirmation = %v, %v", look, err)
	}
	got, err = rcv.ReceiveScan(assoc, scanReq("pl-loose", label(loose, sku2Case, 2), true))
	if err != nil || len(got.GetReceived()) != 1 || got.GetReceived()[0].GetLpn() != loose || got.GetReceived()[0].GetQuantity() != 24 {
		t.Fatalf("pallet no ASN lists = %v, %v", got, err)
	}
	_, err = rcv.ReceiveScan(assoc, scanReq("pl-loose-again", label(loose, sku2Case, 2), false))
	wantCode(t, err, codes.FailedPrecondition)
	sg, err := pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{Scan: loose})
	if err != nil {
		t.Fatal(err)
	}
	if task := sg.GetTask(); task.GetLpn() != loose || task.GetSku() != "SKU-0002" || task.GetRemainingQuantity() != 24 {
		t.Fatalf("putaway task found by the SSCC = %v, want the pallet's 24 units of SKU-0002", task)
	}
}

// TestReceivingRefusesContradictions: a dock blocked after its receipt
// started takes no scans (FailedPrecondition); a typed lot the label
// contradicts is InvalidArgument on "lot"; a document scan that is no PO
// number or ASN label is InvalidArgument on "document_scan", while an
// unknown PO number stays NotFound.
func TestReceivingRefusesContradictions(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	assoc, admin := n.login(t, "B-ASSOC"), n.login(t, "B-ADMIN")
	sku1Each, _ := demoGTIN(1)
	for doc, want := range map[string]codes.Code{sku1Each: codes.InvalidArgument, "A-01-01-A": codes.InvalidArgument, "PO-404": codes.NotFound} {
		_, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "doc-" + doc, DockLocationScan: "DOCK-04", DocumentScan: doc})
		wantCode(t, err, want)
		if want == codes.InvalidArgument {
			if diff := cmp.Diff([]string{"document_scan"}, violations(err)); diff != "" {
				t.Errorf("document %s violations (-want +got):\n%s", doc, diff)
			}
		}
	}

	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "rc-start", DockLocationScan: "DOCK-04", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	sku4Each, _ := demoGTIN(4)
	_, err = rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "rc-lot", ReceiptId: id, Quantity: 1,
		RawScan: "]C101" + "0" + sku4Each + "10LOTA" + "\x1d" + "17301231", Lot: "LOTB"})
	wantCode(t, err, codes.InvalidArgument)
	if diff := cmp.Diff([]string{"lot"}, violations(err)); diff != "" {
		t.Errorf("contradicted lot violations (-want +got):\n%s", diff)
	}
	// A scanner that drops GS: the lot swallows the expiry after it. The
	// lot cannot be recorded as read, even with the expiry typed.
	_, err = rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "rc-no-gs", ReceiptId: id, Quantity: 1,
		RawScan: "]C101" + "0" + sku4Each + "10LOTA" + "17301231", Expiry: "2030-12-31"})
	wantCode(t, err, codes.InvalidArgument)
	if diff := cmp.Diff([]string{"raw_scan"}, violations(err)); diff != "" {
		t.Errorf("a scan without its GS violations (-want +got):\n%s", diff)
	}
	if r, err := inv.ResolveScan(assoc, &inventoryv1.ResolveScanRequest{Raw: server.DemoPONumber}); err != nil || r.GetKind() != "po" || r.GetFound() || r.GetNote() == "" {
		t.Fatalf("ResolveScan of a PO number: %v %v, want kind po, not looked up, with a note saying where it is", r, err)
	}
	if r, err := inv.ResolveScan(assoc, &inventoryv1.ResolveScanRequest{Raw: "]C101" + "0" + sku4Each + "10LOTA" + "17301231"}); err != nil || len(r.GetWarnings()) == 0 {
		t.Fatalf("ResolveScan of a scan whose GS may be dropped: %v %v, want a warning", r, err)
	}

	dock, err := inv.GetLocation(admin, &inventoryv1.GetLocationRequest{Code: "DOCK-04"})
	if err != nil {
		t.Fatal(err)
	}
	dock.GetLocation().Blocked = true
	if _, err := inv.UpsertLocation(admin, &inventoryv1.UpsertLocationRequest{RequestId: "rc-block", Location: dock.GetLocation()}); err != nil {
		t.Fatal(err)
	}
	_, err = rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "rc-blocked", ReceiptId: id, RawScan: sku1Each, Quantity: 1})
	wantCode(t, err, codes.FailedPrecondition)
	if got := paQty(t, inv, assoc, "DOCK-04", "SKU-0001"); got != 0 {
		t.Fatalf("blocked DOCK-04 received %d units", got)
	}
}
