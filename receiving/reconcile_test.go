package receiving_test

import (
	"context"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/receiving"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
)

// reconciledEvents returns the ReceiptReconciled events in the outbox by
// receipt id, converted back to receipt lines.
func (n *node) reconciledEvents(t *testing.T) map[int64][]receiving.ReceiptLine {
	t.Helper()
	rows, err := n.db.Reader().Query(`SELECT payload FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]receiving.ReceiptLine{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		ev := &eventv1.Event{}
		if err := proto.Unmarshal(b, ev); err != nil {
			t.Fatal(err)
		}
		rr := ev.GetReceiptReconciled()
		if rr == nil {
			continue
		}
		for _, l := range rr.GetLines() {
			out[rr.GetReceiptId()] = append(out[rr.GetReceiptId()], receiving.ReceiptLine{
				LineNo: int(l.GetLineNumber()), SKU: l.GetSku(), Expected: l.GetExpectedQuantity(),
				Good: l.GetReceivedGoodQuantity(), Damaged: l.GetReceivedDamagedQuantity(),
				Short: l.GetShortQuantity(), Over: l.GetOverQuantity(), Unexpected: l.GetUnexpected(),
			})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOverlappingReceiptsReconcileAgainstClosedOnes: two trucks of one PO
// are unloaded at once. Each is reconciled at close against what receipts
// closed before it brought, so the second to close is not short what the
// first delivered; and a closed receipt reads back exactly as sent upstream
// whatever happens to the PO afterwards.
func TestOverlappingReceiptsReconcileAgainstClosedOnes(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-20", receiving.POLine{SKU: "A1", Ordered: 100})
	r1, r2 := n.mustStart(t, "DOCK-01", "PO-20"), n.mustStart(t, "DOCK-02", "PO-20")

	n.mustScan(t, r2, gtinEach(1), 50)
	closed2, err := n.svc.CloseReceipt(ctx, "close-r2", receiving.CloseInput{ReceiptID: r2, Actor: assoc})
	if err != nil {
		t.Fatal(err)
	}
	want2 := []receiving.ReceiptLine{{LineNo: 1, SKU: "A1", Expected: 100, Good: 50, Short: 50}}
	if diff := cmp.Diff(want2, closed2.Lines); diff != "" {
		t.Errorf("receipt 2 closed first (-want +got):\n%s", diff)
	}

	open1, err := n.svc.GetReceipt(ctx, r1)
	if err != nil {
		t.Fatal(err)
	}
	if got := open1.Lines[0].Expected; got != 50 {
		t.Errorf("open receipt 1 expects %d, want the 50 still outstanding", got)
	}
	n.mustScan(t, r1, gtinEach(1), 50)
	closed1, err := n.svc.CloseReceipt(ctx, "close-r1", receiving.CloseInput{ReceiptID: r1, Actor: assoc})
	if err != nil {
		t.Fatal(err)
	}
	want1 := []receiving.ReceiptLine{{LineNo: 1, SKU: "A1", Expected: 50, Good: 50}}
	if diff := cmp.Diff(want1, closed1.Lines); diff != "" {
		t.Errorf("receipt 1 closed second (-want +got):\n%s", diff)
	}

	// The PO changes after both closed; the closed receipts do not.
	if _, err := n.svc.UpsertPurchaseOrder(ctx, "po-20-more", receiving.PurchaseOrder{Number: "PO-20", Vendor: "ACME",
		Lines: []receiving.POLine{{SKU: "A1", Ordered: 120}, {SKU: "A2", Ordered: 10}}}); err != nil {
		t.Fatal(err)
	}
	events := n.reconciledEvents(t)
	for _, c := range []receiving.Receipt{closed1, closed2} {
		got, err := n.svc.GetReceipt(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("receipt %d read back differently from its close (-close +read):\n%s", c.ID, diff)
		}
		if diff := cmp.Diff(events[c.ID], got.Lines); diff != "" {
			t.Errorf("receipt %d reads differently from the event sent (-event +read):\n%s", c.ID, diff)
		}
	}
	listed, _, err := n.svc.ListReceipts(ctx, receiving.ReceiptFilter{PONumber: "PO-20"}, 0, "")
	if err != nil || len(listed) != 2 || !cmp.Equal(listed[0], closed2) || !cmp.Equal(listed[1], closed1) {
		t.Errorf("listed receipts = %+v, %v", listed, err)
	}
}

// TestPOLineScannedAgainstCannotChange: a line whose only scan was undone
// still has receipt rows naming it, so removing it or changing its SKU is
// the client's mistake (EPRECONDITION), not an internal error, and in an
// import it rejects that PO alone.
func TestPOLineScannedAgainstCannotChange(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-21", receiving.POLine{SKU: "A1", Ordered: 10}, receiving.POLine{SKU: "A2", Ordered: 10})
	id := n.mustStart(t, "DOCK-01", "PO-21")
	n.mustScan(t, id, gtinEach(2), 3)
	if _, err := n.svc.UndoLastScan(ctx, "undo-21", receiving.UndoInput{ReceiptID: id, Reason: "wrong item", Actor: assoc}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		lines []receiving.POLine
	}{
		{"remove the line", []receiving.POLine{{LineNo: 1, SKU: "A1", Ordered: 10}}},
		{"change its SKU", []receiving.POLine{{LineNo: 1, SKU: "A1", Ordered: 10}, {LineNo: 2, SKU: "F3", Ordered: 10}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := n.svc.UpsertPurchaseOrder(ctx, "po-21-"+tt.name, receiving.PurchaseOrder{Number: "PO-21", Vendor: "ACME", Lines: tt.lines})
			wantCode(t, err, floorops.EPRECONDITION)
		})
	}

	csv := "po_number,vendor,sku,ordered_quantity\n" +
		"PO-22,ACME,A1,5\n" +
		"PO-21,ACME,A1,10\n" + // drops line 2: PO-21 rejected
		"PO-23,ACME,A2,7\n"
	rep, err := n.svc.ImportPOs(ctx, strings.NewReader(csv))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if rep.Imported != 2 || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || !floorops.IsCode(rep.Errors[0].Err, floorops.EPRECONDITION) {
		t.Fatalf("import report = %+v", rep)
	}
	for _, number := range []string{"PO-22", "PO-23"} {
		if _, err := n.svc.GetPurchaseOrder(ctx, number); err != nil {
			t.Errorf("%s not imported: %v", number, err)
		}
	}
	po, err := n.svc.GetPurchaseOrder(ctx, "PO-21")
	if err != nil || len(po.Lines) != 2 {
		t.Fatalf("PO-21 after the refused edits = %+v, %v", po, err)
	}
}
