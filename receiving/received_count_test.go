package receiving_test

import (
	"context"
	"testing"

	"github.com/floorops/floorops/receiving"
)

// A PO line's received count (migration 0015, read by the over-receipt
// check instead of summing every scan) always equals the sum of its scans,
// undos included, and the over-receipt rule still answers from it.
func TestPOLineReceivedCountEqualsItsScans(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-RC", receiving.POLine{SKU: "A1", Ordered: 10})
	id := n.mustStart(t, "DOCK-01", "PO-RC")
	each, _ := gtins(1)
	check := func(want int64) {
		t.Helper()
		var counted, summed int64
		if err := n.db.Reader().QueryRow(`SELECT pl.received_qty,
				COALESCE((SELECT SUM(s.qty) FROM receipt_scans s WHERE s.po_line_id = pl.id), 0)
			FROM po_lines pl JOIN purchase_orders po ON po.id = pl.po_id WHERE po.po_number = 'PO-RC'`).Scan(&counted, &summed); err != nil {
			t.Fatal(err)
		}
		if counted != summed || counted != want {
			t.Fatalf("received_qty %d, scans sum to %d; want %d", counted, summed, want)
		}
	}
	check(0)
	n.mustScan(t, id, each, 4)
	n.mustScan(t, id, each, 5)
	check(9)
	if _, err := n.svc.UndoLastScan(ctx, "undo-rc", receiving.UndoInput{ReceiptID: id, Reason: "mis-scan", Actor: assoc}); err != nil {
		t.Fatal(err)
	}
	check(4)
	n.mustScan(t, id, each, 6)
	check(10)
	// The line is full: one more unit is an over-receipt, refused for an
	// associate, as before the count existed.
	if _, err := n.scanIn(id, each, 1); err == nil {
		t.Fatal("an over-receipt past the ordered quantity was accepted")
	}
	check(10)
}
