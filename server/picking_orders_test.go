package server_test

import (
	"fmt"
	"testing"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	"github.com/floorops/floorops/scan"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// pickCaseGTIN is a demo item's case GTIN-14: a case of 12 (see SeedDemo).
func pickCaseGTIN(n int) string {
	body := fmt.Sprintf("10614141%05d", n)
	d, _ := scan.GS1CheckDigit(body)
	return body + string(d)
}

// startedList releases one order from central, lists it on a discrete pick
// list and starts the list on tote as the associate.
func (e *pickEnv) startedList(t *testing.T, o *pickingv1.ReleaseOrder, tote string) *pickingv1.PickList {
	t.Helper()
	if _, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: e.rid("rel"), Orders: []*pickingv1.ReleaseOrder{o}}); err != nil {
		t.Fatal(err)
	}
	lists, err := e.pk.CreatePickLists(e.lead, &pickingv1.CreatePickListsRequest{RequestId: e.rid("pl"),
		Type: pickingv1.PickListType_PICK_LIST_TYPE_DISCRETE, OrderIds: []string{o.GetOrderId()}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.pk.StartPickList(e.assoc, &pickingv1.StartPickListRequest{RequestId: e.rid("st"),
		PickListId: lists.GetPickLists()[0].GetId(), ToteScans: []string{tote}})
	if err != nil {
		t.Fatal(err)
	}
	return st.GetPickList()
}

// TestOrdersBelongToCentral: only central (integration) and admins release
// and cancel orders, and a cancel tells central what it released and what
// now waits to go back to stock.
func TestOrdersBelongToCentral(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	_, err := e.pk.ReleaseOrders(e.lead, &pickingv1.ReleaseOrdersRequest{RequestId: "lead-rel", Orders: []*pickingv1.ReleaseOrder{order("SO-L", "SKU-0001", 1)}})
	wantCode(t, err, codes.PermissionDenied)
	if _, err := e.pk.ReleaseOrders(e.admin, &pickingv1.ReleaseOrdersRequest{RequestId: "admin-rel",
		Orders: []*pickingv1.ReleaseOrder{order("SO-ADM", "SKU-0001", 1)}}); err != nil {
		t.Fatalf("admin release: %v", err)
	}
	_, err = e.pk.CancelOrder(e.lead, &pickingv1.CancelOrderRequest{RequestId: "lead-c", OrderId: "SO-ADM"})
	wantCode(t, err, codes.PermissionDenied)
	if _, err := e.pk.CancelOrder(e.admin, &pickingv1.CancelOrderRequest{RequestId: "admin-c", OrderId: "SO-ADM"}); err != nil {
		t.Fatalf("admin cancel: %v", err)
	}

	// SO-1: 3 of SKU-0001 (one picked before the cancel), and more SKU-0003
	// than there is (2 backordered).
	sku3 := e.ats(t, "SKU-0003").GetAvailableToSell()
	list := e.startedList(t, order("SO-1", "SKU-0001", 3, "SKU-0003", int(sku3)+2), "LPN-C1")
	var first *pickingv1.PickLine
	for _, l := range list.GetLines() {
		if l.GetSku() == "SKU-0001" {
			first = l
			break
		}
	}
	if _, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: "p-1", PickListId: list.GetId(), LineId: first.GetId(),
		LocationScan: first.GetLocationCode(), ItemScan: pickGTIN(1), Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	canc, err := e.pk.CancelOrder(e.central, &pickingv1.CancelOrderRequest{RequestId: "c-1", OrderId: "SO-1", Reason: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	if len(canc.GetReturnTasks()) != 1 {
		t.Fatalf("return tasks %v", canc.GetReturnTasks())
	}
	rt := canc.GetReturnTasks()[0]
	want := &eventv1.OrderCancelled{OrderId: "SO-1", Reason: "customer",
		Lines: []*eventv1.OrderCancelledLine{
			{LineNumber: 1, Sku: "SKU-0001", ReleasedQuantity: 2, AwaitingReturnQuantity: 1},
			{LineNumber: 2, Sku: "SKU-0003", ReleasedQuantity: sku3, BackorderCancelledQuantity: 2},
		},
		ReturnTasks: []*eventv1.OrderCancelledReturn{{ReturnTaskId: rt.GetId(), Sku: "SKU-0001", LocationCode: rt.GetLocationCode(),
			Tote: "LPN-C1", Quantity: 1}},
	}
	var got []*eventv1.OrderCancelled
	for _, ev := range e.outboxEvents(t) {
		if c := ev.GetOrderCancelled(); c != nil && c.GetOrderId() == "SO-1" {
			got = append(got, c)
		}
	}
	if diff := cmp.Diff([]*eventv1.OrderCancelled{want}, got, protocmp.Transform()); diff != "" {
		t.Errorf("OrderCancelled events (-want +got):\n%s", diff)
	}
	e.checkLedger(t)
}

// TestReleaseShipByValidated: a ship_by that is no timestamp, or one far in
// the future, is a bad field of the request, not an internal error.
func TestReleaseShipByValidated(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	for _, tc := range []struct {
		name   string
		shipBy *timestamppb.Timestamp
	}{
		{"past year 9999", &timestamppb.Timestamp{Seconds: 253402300800}}, // 10000-01-01
		{"negative nanos", &timestamppb.Timestamp{Seconds: 1767225600, Nanos: -1}},
		{"year 3000", &timestamppb.Timestamp{Seconds: 32503680000}},
	} {
		o := order("SO-T", "SKU-0001", 1)
		o.ShipBy = tc.shipBy
		_, err := e.pk.ReleaseOrders(e.central, &pickingv1.ReleaseOrdersRequest{RequestId: e.rid("rel"), Orders: []*pickingv1.ReleaseOrder{o}})
		wantCode(t, err, codes.InvalidArgument)
		if diff := cmp.Diff([]string{"orders[0].ship_by"}, violations(err)); diff != "" {
			t.Errorf("%s: field violations (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestPickByCase: a case barcode counts its pack. Confirming 2 on the demo
// case GTIN (12 a case) picks 24 eaches, 3 cases over-pick a line of 30,
// and a short pick that found a case of a line needing 6 is not short.
func TestPickByCase(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	e.adjust(t, "B-04-10-B", "SKU-0003", "", "", 30)
	all := e.ats(t, "SKU-0003").GetAvailableToSell()
	list := e.startedList(t, order("SO-CASE", "SKU-0003", int(all)), "LPN-K1")
	var line *pickingv1.PickLine
	for _, l := range list.GetLines() {
		if l.GetLocationCode() == "B-04-10-B" {
			line = l
		}
	}
	if line == nil || line.GetQuantity() != 30 {
		t.Fatalf("no line of 30 at B-04-10-B: %v", list.GetLines())
	}
	confirm := func(item string, qty int64) (*pickingv1.ConfirmPickResponse, error) {
		return e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: e.rid("pick"), PickListId: list.GetId(), LineId: line.GetId(),
			LocationScan: line.GetLocationCode(), ItemScan: item, Quantity: qty})
	}
	_, err := confirm(pickCaseGTIN(3), 3)
	wantCode(t, err, codes.FailedPrecondition) // 36 eaches of a line of 30
	got, err := confirm(pickCaseGTIN(3), 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.GetMovement().GetQuantity() != 24 || got.GetLine().GetPickedQuantity() != 24 {
		t.Fatalf("2 cases of 12 moved %d and picked %d eaches, want 24", got.GetMovement().GetQuantity(), got.GetLine().GetPickedQuantity())
	}
	short := func(item string, found int64) (*pickingv1.ShortPickResponse, error) {
		return e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: e.rid("short"), PickListId: list.GetId(), LineId: line.GetId(),
			LocationScan: line.GetLocationCode(), ItemScan: item, FoundQuantity: found, Reason: "damaged"})
	}
	_, err = short(pickCaseGTIN(3), 1)
	wantCode(t, err, codes.InvalidArgument) // a case covers the 6 still to pick
	sh, err := short(pickGTIN(3), 5)
	if err != nil {
		t.Fatal(err)
	}
	if l := sh.GetLine(); l.GetPickedQuantity() != 29 || l.GetShortQuantity() != 1 {
		t.Fatalf("after finding 5 of 6: %v", l)
	}
	e.checkLedger(t)
}

// TestRetriedRefusalRecordsOnce: a handheld retrying a refused scan with
// the same request id records one rejected-scan exception, not two.
func TestRetriedRefusalRecordsOnce(t *testing.T) {
	t.Parallel()
	e := newPickEnv(t)
	list := e.startedList(t, order("SO-R", "SKU-0001", 1), "LPN-R1")
	l := list.GetLines()[0]
	before := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind = 'rejected_scan'`)
	for _, tc := range []struct {
		id   string
		code codes.Code
		call func(id string) error
	}{
		{"bad-confirm", codes.InvalidArgument, func(id string) error {
			_, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: id, PickListId: list.GetId(), LineId: l.GetId(),
				LocationScan: "A-01-09-A", ItemScan: pickGTIN(1), Quantity: 1})
			return err
		}},
		{"bad-short", codes.InvalidArgument, func(id string) error {
			_, err := e.pk.ShortPick(e.assoc, &pickingv1.ShortPickRequest{RequestId: id, PickListId: list.GetId(), LineId: l.GetId(),
				LocationScan: "A-01-09-A", Reason: "empty"})
			return err
		}},
		{"bad-complete", codes.FailedPrecondition, func(id string) error {
			// Picked in full first: a list with open lines is refused
			// before its drop scan is looked at.
			if _, err := e.pk.ConfirmPick(e.assoc, &pickingv1.ConfirmPickRequest{RequestId: "good-pick", PickListId: list.GetId(),
				LineId: l.GetId(), LocationScan: l.GetLocationCode(), ItemScan: pickGTIN(1), Quantity: l.GetQuantity()}); err != nil {
				t.Fatal(err)
			}
			_, err := e.pk.CompletePickList(e.assoc, &pickingv1.CompletePickListRequest{RequestId: id, PickListId: list.GetId(),
				ShipLocationScan: "A-01-01-B"})
			return err
		}},
	} {
		for range 2 {
			wantCode(t, tc.call(tc.id), tc.code)
		}
	}
	if got := e.count(t, `SELECT COUNT(*) FROM exceptions WHERE kind = 'rejected_scan'`) - before; got != 3 {
		t.Fatalf("3 refused requests, each sent twice, recorded %d rejected scans, want 3", got)
	}
}
