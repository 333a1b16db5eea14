package server_test

import (
	"net/http"
	"sort"
	"testing"
	"time"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/server"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// pickAll confirms every open line of a started list in full, by the
// line's location and item labels.
func (e *pickEnv) pickAll(t *testing.T, list *pickingv1.PickList) {
	t.Helper()
	for range 50 {
		next, err := e.pk.NextLine(e.assoc, &pickingv1.NextLineRequest{PickListId: list.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if next.GetDone() {
			return
		}
		l := next.GetLine()
		var n int
		for _, c := range l.GetSku()[4:] {
			n = n*10 + int(c-'0')
		}
		item := pickGTIN(n)
		if l.GetLotRequired() {
			item = pickGS1(n, l.GetLot())
		}
		if _, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: e.rid("pick"), PickListId: list.GetId(),
			LineId: l.GetId(), LocationScan: l.GetLocationCode(), ItemScan: item, Quantity: l.GetQuantity()}); err != nil {
			t.Fatalf("pick %v: %v", l, err)
		}
	}
	t.Fatal("pick list never finished")
}

// TestCompletedListReportsBackorderedOrders: a list that finishes an order
// with units backordered does not report it as picked. The fully picked
// order is in picked_order_ids and ORDER_STATE_PICKED; the one with units
// owed is in backordered_order_ids and ORDER_STATE_BACKORDERED, in the
// response, in GetOrder and in the OrderPicked events.
func TestCompletedListReportsBackorderedOrders(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	short := e.ats(t, "SKU-0003").GetAvailableToSell()
	rel, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: "rep-rel", Orders: []*pickingv1.ReleaseOrder{
		order("SO-FULL", "SKU-0001", 2), order("SO-PART", "SKU-0002", 1, "SKU-0003", int(short)+3),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if b := rel.GetOrders()[1].GetLines()[1].GetBackorderedQuantity(); b != 3 {
		t.Fatalf("SO-PART line 2 backordered %d at release, want 3", b)
	}
	lists, err := e.pk.CreatePickLists(e.lead, &pickingv1.CreatePickListsRequest{RequestId: "rep-pl",
		Type: pickingv1.PickListType_PICK_LIST_TYPE_CLUSTER, OrderIds: []string{"SO-FULL", "SO-PART"}})
	if err != nil || len(lists.GetPickLists()) != 1 {
		t.Fatalf("one cluster list of both orders: %v %v", lists, err)
	}
	list := lists.GetPickLists()[0]
	totes := map[string]string{"SO-FULL": "LPN-RF", "SO-PART": "LPN-RP"}
	var scans []string
	for _, o := range list.GetOrderIds() {
		scans = append(scans, totes[o])
	}
	st, err := e.pk.StartPickList(e.assoc, &pickingv1.StartPickListRequest{RequestId: "rep-st", PickListId: list.GetId(), ToteScans: scans})
	if err != nil {
		t.Fatal(err)
	}
	e.pickAll(t, st.GetPickList())
	before := len(e.outboxEvents(t))
	done, err := e.pk.CompletePickList(e.assoc, &pickingv1.CompletePickListRequest{RequestId: "rep-done", PickListId: list.GetId(), ShipLocationScan: "SHIP-01"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"SO-FULL"}, done.GetPickedOrderIds()); diff != "" {
		t.Errorf("picked_order_ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"SO-PART"}, done.GetBackorderedOrderIds()); diff != "" {
		t.Errorf("backordered_order_ids (-want +got):\n%s", diff)
	}
	states := map[string]pickingv1.OrderState{}
	for _, o := range done.GetOrders() {
		states[o.GetOrderId()] = o.GetState()
	}
	want := map[string]pickingv1.OrderState{"SO-FULL": pickingv1.OrderState_ORDER_STATE_PICKED, "SO-PART": pickingv1.OrderState_ORDER_STATE_BACKORDERED}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("order states in the response (-want +got):\n%s", diff)
	}
	for id, st := range want {
		got, err := e.pk.GetOrder(e.lead, &pickingv1.GetOrderRequest{OrderId: id})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetOrder().GetState() != st {
			t.Errorf("GetOrder(%s).state = %v, want %v", id, got.GetOrder().GetState(), st)
		}
	}
	var picked []*eventv1.OrderPicked
	for _, ev := range e.outboxEvents(t)[before:] {
		if p := ev.GetOrderPicked(); p != nil {
			picked = append(picked, p)
		}
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].GetOrderId() < picked[j].GetOrderId() })
	wantEv := []*eventv1.OrderPicked{
		{OrderId: "SO-FULL", PickListId: list.GetId(), ShipLocationCode: "SHIP-01", FullyPicked: true, Lines: []*eventv1.OrderPickedLine{
			{LineNumber: 1, Sku: "SKU-0001", OrderedQuantity: 2, PickedQuantity: 2}}},
		{OrderId: "SO-PART", PickListId: list.GetId(), ShipLocationCode: "SHIP-01", FullyPicked: false, Lines: []*eventv1.OrderPickedLine{
			{LineNumber: 1, Sku: "SKU-0002", OrderedQuantity: 1, PickedQuantity: 1},
			{LineNumber: 2, Sku: "SKU-0003", OrderedQuantity: short + 3, PickedQuantity: short, BackorderedQuantity: 3}}},
	}
	if diff := cmp.Diff(wantEv, picked, protocmp.Transform()); diff != "" {
		t.Errorf("OrderPicked events (-want +got):\n%s", diff)
	}
}

// TestReleaseOrdersReportsEachOrder: in a batch, an order the node already
// has exactly as sent is an idempotent success, one that differs is a
// conflict reported for that order, one naming an unknown SKU is reported
// for that order, and the other orders are released. Over HTTP the batch
// is 200 with the same per-order results.
func TestReleaseOrdersReportsEachOrder(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	shipBy := timestamppb.New(time.Now().Add(48 * time.Hour).Truncate(time.Second))
	mk := func(id string, qty int) *pickingv1.ReleaseOrder {
		o := order(id, "SKU-0001", qty)
		o.ShipBy = shipBy
		return o
	}
	if _, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: "batch-1",
		Orders: []*pickingv1.ReleaseOrder{mk("SO-SAME", 1), mk("SO-DIFF", 1)}}); err != nil {
		t.Fatal(err)
	}
	unknown := mk("SO-UNK", 1)
	unknown.Lines = append(unknown.Lines, &pickingv1.ReleaseOrderLine{Sku: "SKU-NOPE", Quantity: 1})
	req := &pickingv1.ReleaseOrdersRequest{RequestId: "batch-2", Orders: []*pickingv1.ReleaseOrder{
		mk("SO-SAME", 1), mk("SO-DIFF", 2), mk("SO-NEW", 1), unknown,
	}}
	resp, err := e.pk.ReleaseOrders(e.central, req)
	if err != nil {
		t.Fatalf("one re-released order must not sink the batch: %v", err)
	}
	type outcome struct {
		ID      string
		Outcome pickingv1.ReleaseOutcome
		Field   string
		HasOrd  bool
	}
	var got []outcome
	for _, r := range resp.GetResults() {
		got = append(got, outcome{r.GetOrderId(), r.GetOutcome(), r.GetField(), r.GetOrder() != nil})
	}
	want := []outcome{
		{"SO-SAME", pickingv1.ReleaseOutcome_RELEASE_OUTCOME_ALREADY_RELEASED, "", true},
		{"SO-DIFF", pickingv1.ReleaseOutcome_RELEASE_OUTCOME_CONFLICT, "orders[1].order_id", false},
		{"SO-NEW", pickingv1.ReleaseOutcome_RELEASE_OUTCOME_RELEASED, "", true},
		{"SO-UNK", pickingv1.ReleaseOutcome_RELEASE_OUTCOME_UNKNOWN_SKU, "orders[3].lines[1].sku", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("per-order results (-want +got):\n%s", diff)
	}
	var ids []string
	for _, o := range resp.GetOrders() {
		ids = append(ids, o.GetOrderId())
	}
	if diff := cmp.Diff([]string{"SO-SAME", "SO-NEW"}, ids); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
	diff, err := e.pk.GetOrder(e.lead, &pickingv1.GetOrderRequest{OrderId: "SO-DIFF"})
	if err != nil || diff.GetOrder().GetLines()[0].GetQuantity() != 1 {
		t.Fatalf("the conflicting re-release changed SO-DIFF: %v %v", diff, err)
	}
	_, err = e.pk.GetOrder(e.lead, &pickingv1.GetOrderRequest{OrderId: "SO-UNK"})
	wantCode(t, err, codes.NotFound)
	if n := e.count(t, `SELECT COUNT(*) FROM pick_orders`); n != 3 {
		t.Fatalf("%d orders at the node, want SO-SAME, SO-DIFF and SO-NEW", n)
	}
	again, err := e.pk.ReleaseOrders(e.central, req)
	if err != nil || !proto.Equal(again, resp) {
		t.Fatalf("retried batch = %v, %v; want the stored answer", again, err)
	}

	// Over HTTP: 200, with the per-order results.
	code, out := e.n.rest(t, http.MethodPost, "/v1/orders:release", server.DemoAPIKey, map[string]any{
		"request_id": "batch-rest", "orders": []map[string]any{
			{"order_id": "SO-SAME", "channel": "CHANNEL_SHOPIFY", "priority": 5, "ship_by": shipBy.AsTime().Format(time.RFC3339),
				"lines": []map[string]any{{"sku": "SKU-0001", "quantity": 1}}},
			{"order_id": "SO-REST", "channel": "CHANNEL_SHOPIFY", "priority": 5, "ship_by": shipBy.AsTime().Format(time.RFC3339),
				"lines": []map[string]any{{"sku": "SKU-0001", "quantity": 1}}},
		}})
	if code != http.StatusOK {
		t.Fatalf("REST batch = %d %v", code, out)
	}
	results, _ := out["results"].([]any)
	if len(results) != 2 || results[0].(map[string]any)["outcome"] != "RELEASE_OUTCOME_ALREADY_RELEASED" ||
		results[1].(map[string]any)["outcome"] != "RELEASE_OUTCOME_RELEASED" {
		t.Fatalf("REST results = %v", out["results"])
	}
}

// TestReconciliationReportsUnexpectedUnits: units of a SKU not on the PO
// are reported as unexpected, not as received good, in the receipt's lines
// (open and closed) and in the ReceiptReconciled event.
func TestReconciliationReportsUnexpectedUnits(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	lead := n.login(t, "B-LEAD")
	started, err := rcv.StartReceipt(lead, &receivingv1.StartReceiptRequest{RequestId: "ux-start", DockLocationScan: "DOCK-01", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	sku1, _ := demoGTIN(1)
	sku3, _ := demoGTIN(3)
	for i, sc := range []struct {
		raw  string
		qty  int64
		cond receivingv1.Condition
	}{{sku1, 5, receivingv1.Condition_CONDITION_GOOD}, {sku3, 2, receivingv1.Condition_CONDITION_GOOD}, {sku3, 1, receivingv1.Condition_CONDITION_DAMAGED}} {
		if _, err := rcv.ReceiveScan(lead, &receivingv1.ReceiveScanRequest{RequestId: "ux-" + string(rune('a'+i)), ReceiptId: id,
			RawScan: sc.raw, Quantity: sc.qty, Condition: sc.cond}); err != nil {
			t.Fatal(err)
		}
	}
	wantLine := &receivingv1.ReceiptLine{Sku: "SKU-0003", ReceivedUnexpectedQuantity: 2, ReceivedDamagedQuantity: 1, OverQuantity: 3, Unexpected: true}
	unexpectedLine := func(rc *receivingv1.Receipt) *receivingv1.ReceiptLine {
		for _, l := range rc.GetLines() {
			if l.GetUnexpected() {
				return l
			}
		}
		return nil
	}
	open, err := rcv.GetReceipt(lead, &receivingv1.GetReceiptRequest{ReceiptId: id})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantLine, unexpectedLine(open.GetReceipt()), protocmp.Transform()); diff != "" {
		t.Errorf("open receipt's unexpected line (-want +got):\n%s", diff)
	}
	seq := maxOutboxSeq(t, n)
	closed, err := rcv.CloseReceipt(lead, &receivingv1.CloseReceiptRequest{RequestId: "ux-close", ReceiptId: id})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantLine, unexpectedLine(closed.GetReceipt()), protocmp.Transform()); diff != "" {
		t.Errorf("closed receipt's unexpected line (-want +got):\n%s", diff)
	}
	if got := closed.GetReceipt().GetReceivedQuantity(); got != 8 {
		t.Errorf("received_quantity = %d, want 8 (5 good, 2 unexpected, 1 damaged)", got)
	}
	again, err := rcv.GetReceipt(lead, &receivingv1.GetReceiptRequest{ReceiptId: id})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(closed.GetReceipt(), again.GetReceipt(), protocmp.Transform()); diff != "" {
		t.Errorf("stored reconciliation differs from the closing one (-close +get):\n%s", diff)
	}
	var ev *eventv1.ReceiptReconciled
	for _, e := range outboxAfter(t, n, seq) {
		if r := e.GetReceiptReconciled(); r != nil {
			ev = r
		}
	}
	var evLine *eventv1.ReceiptReconciledLine
	for _, l := range ev.GetLines() {
		if l.GetUnexpected() {
			evLine = l
		}
	}
	wantEv := &eventv1.ReceiptReconciledLine{Sku: "SKU-0003", ReceivedUnexpectedQuantity: 2, ReceivedDamagedQuantity: 1, OverQuantity: 3, Unexpected: true}
	if diff := cmp.Diff(wantEv, evLine, protocmp.Transform()); diff != "" {
		t.Errorf("ReceiptReconciled unexpected line (-want +got):\n%s", diff)
	}
}

// TestOnePalletFlow: a pallet label no ASN lists follows the same
// scan-then-confirm flow as an ASN pallet: the first scan shows what it
// holds and receives nothing, the confirm receives it, once. A receipt
// cannot be started from a pallet already received.
func TestOnePalletFlow(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	assoc := n.login(t, "B-ASSOC")
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "pf-start", DockLocationScan: "DOCK-02", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	_, sku2Case := demoGTIN(2)
	loose := "]C100" + testSSCC(8101) + "02" + sku2Case + "37" + "2"
	onASN := server.DemoPalletSSCCs[0]
	for _, raw := range []string{loose, onASN} {
		preview, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "pf-look-" + raw, ReceiptId: id, RawScan: raw, Quantity: 1})
		if err != nil || !preview.GetConfirmationRequired() || len(preview.GetReceived()) != 0 || len(preview.GetContainerContents()) != 1 {
			t.Fatalf("first scan of pallet %s = %v, %v; want its contents and nothing received", raw, preview, err)
		}
		got, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "pf-ok-" + raw, ReceiptId: id, RawScan: raw, Quantity: 1, ConfirmPallet: true})
		if err != nil || len(got.GetReceived()) != 1 {
			t.Fatalf("confirming pallet %s = %v, %v", raw, got, err)
		}
		if raw == loose {
			if c := preview.GetContainerContents()[0]; c.GetSku() != "SKU-0002" || c.GetQuantity() != 24 {
				t.Fatalf("loose pallet preview %v, want 24 of SKU-0002", c)
			}
			if g := got.GetReceived()[0]; g.GetQuantity() != 24 || g.GetLpn() != testSSCC(8101) {
				t.Fatalf("loose pallet received %v", g)
			}
		}
		for _, confirm := range []bool{false, true} {
			_, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "pf-again-" + raw + time.Now().String(), ReceiptId: id,
				RawScan: raw, Quantity: 1, ConfirmPallet: confirm})
			wantCode(t, err, codes.FailedPrecondition)
		}
	}
	_, err = rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "pf-start-again", DockLocationScan: "DOCK-03", DocumentScan: onASN})
	wantCode(t, err, codes.FailedPrecondition)
	if _, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "pf-start-other", DockLocationScan: "DOCK-03",
		DocumentScan: server.DemoPalletSSCCs[1]}); err != nil {
		t.Fatalf("a pallet not yet received starts a receipt: %v", err)
	}
}

// TestTypedLotIsNeverDropped: a lot or expiry an associate typed is used
// or refused, never dropped: typed for an item that does not track it, or
// on a whole-pallet scan whose ASN says what it holds, it is
// InvalidArgument on that field and nothing is received.
func TestTypedLotIsNeverDropped(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	assoc := n.login(t, "B-ASSOC")
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "tl-start", DockLocationScan: "DOCK-04", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	id := started.GetReceipt().GetReceiptId()
	sku1, _ := demoGTIN(1)
	for _, tc := range []struct {
		name          string
		raw           string
		lot, expiry   string
		confirm       bool
		wantViolation string
	}{
		{"lot on an untracked item", sku1, "L-TYPED", "", false, "lot"},
		{"expiry on an untracked item", sku1, "", "2031-01-01", false, "expiry"},
		{"lot on an ASN pallet", server.DemoPalletSSCCs[1], "L-OTHER", "", true, "lot"},
		{"lot on an ASN pallet preview", server.DemoPalletSSCCs[1], "L-OTHER", "", false, "lot"},
		{"expiry on an ASN pallet", server.DemoPalletSSCCs[0], "", "2031-01-01", true, "expiry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "tl-" + tc.name, ReceiptId: id, RawScan: tc.raw,
				Quantity: 1, Lot: tc.lot, Expiry: tc.expiry, ConfirmPallet: tc.confirm})
			wantCode(t, err, codes.InvalidArgument)
			if diff := cmp.Diff([]string{tc.wantViolation}, violations(err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
	rc, err := rcv.GetReceipt(assoc, &receivingv1.GetReceiptRequest{ReceiptId: id})
	if err != nil || rc.GetReceipt().GetReceivedQuantity() != 0 {
		t.Fatalf("refused scans received %d units (%v)", rc.GetReceipt().GetReceivedQuantity(), err)
	}
}
