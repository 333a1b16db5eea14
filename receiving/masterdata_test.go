package receiving_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/receiving"
)

// TestASNOnlyAnnouncesWhatThePOOrders: a SKU its PO does not order is
// refused, and the ASN is not recorded.
func TestASNOnlyAnnouncesWhatThePOOrders(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-40", receiving.POLine{SKU: "A1", Ordered: 12})
	_, err := n.svc.CreateASN(ctx, "asn-off-po", receiving.ASN{Number: "ASN-40", PONumber: "PO-40", Containers: []receiving.Container{
		{SSCC: sscc(40), Contents: []receiving.Content{{SKU: "A1", Qty: 12}, {SKU: "U4", Qty: 6}}}}})
	wantCode(t, err, floorops.EPRECONDITION)
	var e *floorops.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "containers[0].contents[1].sku" {
		t.Fatalf("refusal = %#v", err)
	}
	_, err = n.svc.GetASN(ctx, "ASN-40")
	wantCode(t, err, floorops.ENOTFOUND)
	if _, err := n.svc.CreateASN(ctx, "asn-on-po", receiving.ASN{Number: "ASN-40", PONumber: "PO-40", Containers: []receiving.Container{
		{SSCC: sscc(40), Contents: []receiving.Content{{SKU: "A1", Qty: 12}}}}}); err != nil {
		t.Fatal(err)
	}
}

// TestPOUpdatesKeepWhatTheyLeaveOut: an update naming only its lines
// keeps the expected date, the CSV import keeps it when the file has no
// such column, and no line is ordered below what it has received.
func TestPOUpdatesKeepWhatTheyLeaveOut(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	if _, err := n.svc.UpsertPurchaseOrder(ctx, "po-41", receiving.PurchaseOrder{Number: "PO-41", Vendor: "ACME", ExpectedDate: "2030-01-02",
		Lines: []receiving.POLine{{SKU: "A1", Ordered: 24}}}); err != nil {
		t.Fatal(err)
	}
	id := n.mustStart(t, "DOCK-01", "PO-41")
	each, _ := gtins(1)
	n.mustScan(t, id, each, 10)
	for _, tt := range []struct {
		name    string
		fields  []string
		ordered int64
		code    floorops.Code
	}{
		{"below received", []string{"lines"}, 9, floorops.EPRECONDITION},
		{"down to received", []string{"lines"}, 10, ""},
		{"vendor only", []string{"vendor"}, 1, ""}, // lines not written: 1 is ignored
	} {
		_, err := n.svc.UpsertPurchaseOrder(ctx, "po-41-"+tt.name, receiving.PurchaseOrder{Number: "PO-41", Vendor: "ACME",
			Lines: []receiving.POLine{{SKU: "A1", Ordered: tt.ordered}}}, tt.fields...)
		if got := floorops.ErrorCode(err); got != tt.code {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
		}
	}
	po, err := n.svc.GetPurchaseOrder(ctx, "PO-41")
	if err != nil || po.ExpectedDate != "2030-01-02" || po.Lines[0].Ordered != 10 {
		t.Fatalf("PO-41 = %+v, %v", po, err)
	}
	rep, err := n.svc.ImportPOs(ctx, strings.NewReader("po_number,vendor,sku,ordered_quantity\nPO-41,ACME,A1,12\n"))
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if po, _ := n.svc.GetPurchaseOrder(ctx, "PO-41"); po.ExpectedDate != "2030-01-02" || po.Lines[0].Ordered != 12 {
		t.Fatalf("PO-41 after an import without expected_date = %+v", po)
	}
	rep, err = n.svc.ImportPOs(ctx, strings.NewReader("po_number,vendor,sku,ordered_quantity\nPO-41,ACME,A1,3\n"))
	if err != nil || len(rep.Errors) != 1 || !floorops.IsCode(rep.Errors[0].Err, floorops.EPRECONDITION) {
		t.Fatalf("import below received: %+v %v", rep, err)
	}
}
