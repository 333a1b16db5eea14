package receiving_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/store"
)

// TestReceiptTimesAreTimes: a receipt's start and close are times in the
// domain, read from the receipts table, and the responses stored with a
// request id before they were (start_time and close_time as formatted
// strings, close_time empty while the receipt was open) still answer a
// retry with the same times.
func TestReceiptTimesAreTimes(t *testing.T) {
	t.Parallel()
	started := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	closed := started.Add(2 * time.Hour)
	for _, tt := range []struct {
		name, json      string
		started, closed time.Time
	}{
		{"older open", `{"receipt_id":1,"start_time":"` + store.FormatTime(started) + `","close_time":""}`, started, time.Time{}},
		{"older closed", `{"receipt_id":1,"start_time":"` + store.FormatTime(started) + `","close_time":"` + store.FormatTime(closed) + `"}`, started, closed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rc receiving.Receipt
			if err := json.Unmarshal([]byte(tt.json), &rc); err != nil {
				t.Fatal(err)
			}
			if !rc.StartedAt.Equal(tt.started) || !rc.ClosedAt.Equal(tt.closed) || rc.ClosedAt.IsZero() != tt.closed.IsZero() {
				t.Fatalf("decoded start %v close %v, want %v and %v", rc.StartedAt, rc.ClosedAt, tt.started, tt.closed)
			}
			// Stored again in today's form, it reads back the same.
			b, err := json.Marshal(rc)
			if err != nil {
				t.Fatal(err)
			}
			var again receiving.Receipt
			if err := json.Unmarshal(b, &again); err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
			if !again.StartedAt.Equal(tt.started) || !again.ClosedAt.Equal(tt.closed) || again.ClosedAt.IsZero() != tt.closed.IsZero() {
				t.Fatalf("%s decoded start %v close %v", b, again.StartedAt, again.ClosedAt)
			}
		})
	}

	t.Run("read from the table", func(t *testing.T) {
		n := newNode(t)
		now := started
		n.db.Now = func() time.Time { return now }
		ctx := context.Background()
		n.mustPO(t, "PO-1", receiving.POLine{SKU: "A1", Ordered: 12})
		id := n.mustStart(t, "DOCK-01", "PO-1")
		rc, err := n.svc.GetReceipt(ctx, id)
		if err != nil || !rc.StartedAt.Equal(started) || !rc.ClosedAt.IsZero() {
			t.Fatalf("open receipt: start %v close %v, %v", rc.StartedAt, rc.ClosedAt, err)
		}
		now = closed
		rc, err = n.svc.CloseReceipt(ctx, "close-1", receiving.CloseInput{ReceiptID: id, Actor: lead})
		if err != nil || !rc.StartedAt.Equal(started) || !rc.ClosedAt.Equal(closed) {
			t.Fatalf("closed receipt: start %v close %v, %v", rc.StartedAt, rc.ClosedAt, err)
		}
	})

	// A retry of a StartReceipt whose answer was stored in the older form
	// gets that answer back, times and all.
	t.Run("retry of an older stored answer", func(t *testing.T) {
		n := newNode(t)
		n.db.Now = func() time.Time { return started }
		ctx := context.Background()
		n.mustPO(t, "PO-1", receiving.POLine{SKU: "A1", Ordered: 12})
		in := receiving.StartInput{DockScan: "DOCK-01", DocumentScan: "PO-1", Actor: assoc}
		first, err := n.svc.StartReceipt(ctx, "start-old", in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(first)
		if err != nil {
			t.Fatal(err)
		}
		var older map[string]any
		if err := json.Unmarshal(b, &older); err != nil {
			t.Fatal(err)
		}
		older["start_time"], older["close_time"] = store.FormatTime(started), ""
		if b, err = json.Marshal(older); err != nil {
			t.Fatal(err)
		}
		if err := n.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE idempotency SET response = ? WHERE request_id = 'start-old'`, b)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n.db.Now = func() time.Time { return closed }
		again, err := n.svc.StartReceipt(ctx, "start-old", in)
		if err != nil || again.ID != first.ID || !again.StartedAt.Equal(started) || !again.ClosedAt.IsZero() {
			t.Fatalf("retry = receipt %d started %v closed %v, %v; want receipt %d started %v, open",
				again.ID, again.StartedAt, again.ClosedAt, err, first.ID, started)
		}
	})

	// A start time the table cannot hold as a time is a fault of the
	// node's own, reported, never a receipt without a start.
	t.Run("malformed stored time", func(t *testing.T) {
		n := newNode(t)
		n.mustPO(t, "PO-1", receiving.POLine{SKU: "A1", Ordered: 12})
		id := n.mustStart(t, "DOCK-01", "PO-1")
		if err := n.db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(`UPDATE receipts SET created_at = 'yesterday' WHERE id = ?`, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err := n.svc.GetReceipt(context.Background(), id)
		wantCode(t, err, floorops.EINTERNAL)
	})
}
