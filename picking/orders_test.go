package picking_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/picking"
	"github.com/floorops/floorops/store"
	"github.com/google/go-cmp/cmp"
)

// ordersOf builds n orders of perOrder FIFO lines each, shipping at shipBy.
func ordersOf(prefix string, n, perOrder int, shipBy time.Time) []picking.OrderInput {
	out := make([]picking.OrderInput, n)
	for i := range out {
		out[i] = picking.OrderInput{OrderID: fmt.Sprintf("%s-%d", prefix, i), Channel: picking.Direct, ShipBy: shipBy}
		for range perOrder {
			out[i].Lines = append(out[i].Lines, picking.LineInput{SKU: "FIFO", Qty: 1})
		}
	}
	return out
}

// TestReleaseOrdersLimits: one request holds at most MaxReleaseLines order
// lines, and ship-by dates must be plausible; a refused request writes
// nothing.
func renamed(orders []picking.OrderInput, id string) []picking.OrderInput {
	orders[0].OrderID = id
	return orders
}

func TestReleaseOrdersLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	soon := f.clock.Add(24 * time.Hour)
	tests := []struct {
		name      string
		orders    []picking.OrderInput
		wantField string // "" when the release succeeds
	}{
		{"lines over the cap", ordersOf("OVER", picking.MaxReleaseLines/500+1, 500, soon), "orders"},
		{"lines at the cap", ordersOf("CAP", picking.MaxReleaseLines/500, 500, soon), ""},
		{"ship-by in year 3000", ordersOf("Y3000", 1, 1, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)), "orders[0].ship_by"},
		{"ship-by past year 9999", ordersOf("Y10000", 1, 1, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), "orders[0].ship_by"},
		{"ship-by in 1999", ordersOf("Y1999", 1, 1, time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)), "orders[0].ship_by"},
		// Order ids travel in REST paths and scans: no "/", spaces or
		// control characters.
		{"order id with a slash", renamed(ordersOf("SLASH", 1, 1, soon), "SO-1/2"), "orders[0].order_id"},
		{"order id with a space and NUL", renamed(ordersOf("NUL", 1, 1, soon), "SO 1\x00"), "orders[0].order_id"},
		{"order id with . _ : -", renamed(ordersOf("PUNCT", 1, 1, soon), "AMZ:112-1234567_1.2"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.ReleaseOrders(f.ctx, "rel-"+tt.orders[0].OrderID, picking.ReleaseInput{Orders: tt.orders, Actor: lead})
			if tt.wantField == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *floorops.Error
			if !errors.As(err, &e) || e.Code != floorops.EINVALID {
				t.Fatalf("release: %v, want %s", err, floorops.EINVALID)
			}
			var fields []string
			for _, v := range e.Fields {
				fields = append(fields, v.Field)
			}
			if diff := cmp.Diff([]string{tt.wantField}, fields); diff != "" {
				t.Errorf("field violations (-want +got):\n%s", diff)
			}
			if _, err := f.svc.GetOrder(f.ctx, tt.orders[0].OrderID); !floorops.IsCode(err, floorops.ENOTFOUND) {
				t.Errorf("a refused release stored %s: %v", tt.orders[0].OrderID, err)
			}
		})
	}
}

// TestReleaseBatchOutcomes: each order of a batch has its own outcome; an
// identical re-release changes nothing, a differing one or an unknown SKU
// is refused for that order only, and the rest are released.
func TestReleaseBatchOutcomes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	soon := f.clock.Add(24 * time.Hour)
	first := ordersOf("SAME", 2, 1, soon)
	if _, err := f.svc.ReleaseOrders(f.ctx, "rel-first", picking.ReleaseInput{Orders: first, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	changed := ordersOf("SAME", 2, 1, soon)[1:]
	changed[0].Priority = 9
	unknown := ordersOf("UNK", 1, 1, soon)
	unknown[0].Lines[0].SKU = "NO-SUCH-SKU"
	batch := append(append(append(ordersOf("SAME", 1, 1, soon), changed...), ordersOf("NEW", 1, 1, soon)...), unknown...)
	rel, err := f.svc.ReleaseOrders(f.ctx, "rel-batch", picking.ReleaseInput{Orders: batch, Actor: lead})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rel.Results {
		got = append(got, fmt.Sprintf("%s %s %s", r.OrderID, r.Outcome, r.Field))
	}
	want := []string{"SAME-0 already_released ", "SAME-1 conflict orders[1].order_id", "NEW-0 released ", "UNK-0 unknown_sku orders[3].lines[0].sku"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("outcomes (-want +got):\n%s", diff)
	}
	if o, err := f.svc.GetOrder(f.ctx, "SAME-1"); err != nil || o.Priority != 0 {
		t.Fatalf("conflicting re-release changed SAME-1: %+v %v", o, err)
	}
	if _, err := f.svc.GetOrder(f.ctx, "UNK-0"); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Fatalf("order with an unknown SKU was stored: %v", err)
	}
}

// TestCompletedOrderIsPickedOnlyWhenWhole: completing a list finishes an
// order as picked only when every unit was picked; an order with units
// backordered is backordered, in the completion and in GetOrder.
func TestCompletedOrderIsPickedOnlyWhenWhole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.stock(t, "A-01-01-A", "FIFO", "", "", 4)
	tests := []struct {
		id, tote string
		qty      int64
		state    picking.OrderState
	}{
		{"SO-WHOLE", "LPN-W1", 2, picking.OrderPicked},
		{"SO-OWED", "LPN-W2", 5, picking.OrderBackordered}, // 2 left in stock: 3 backordered
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			f.release(t, tt.id, "FIFO", tt.qty)
			l := f.listed(t, tt.id)
			if _, err := f.svc.StartPickList(f.ctx, "st-"+tt.id, picking.StartInput{ListID: l.ID, ToteScans: []string{tt.tote}, Actor: lead}); err != nil {
				t.Fatal(err)
			}
			f.pickAll(t, l)
			c, err := f.svc.CompletePickList(f.ctx, "done-"+tt.id, picking.CompleteInput{ListID: l.ID, ShipScan: "SHIP-01", Actor: lead})
			if err != nil {
				t.Fatal(err)
			}
			picked, owed := c.PickedOrders, c.BackorderedOrders
			if tt.state == picking.OrderPicked && (len(picked) != 1 || len(owed) != 0) ||
				tt.state == picking.OrderBackordered && (len(picked) != 0 || len(owed) != 1) {
				t.Fatalf("completion reports picked %v, backordered %v; want %s as %s", picked, owed, tt.id, tt.state)
			}
			o, err := f.svc.GetOrder(f.ctx, tt.id)
			if err != nil || o.State != tt.state {
				t.Fatalf("GetOrder(%s) = %s, %v; want %s", tt.id, o.State, err, tt.state)
			}
		})
	}
}

// A release stored before releases reported each order (a bare list of
// the orders released) still answers its retry, as released.
func TestReleaseRetryReadsTheOlderStoredForm(t *testing.T) {
	f := newFixture(t)
	f.stock(t, "A-01-01-A", "FIFO", "", "", 10)
	in := picking.ReleaseInput{Actor: lead, Orders: []picking.OrderInput{{
		OrderID: "SO-OLD", Channel: picking.Direct, ShipBy: f.clock.Add(48 * time.Hour), Lines: []picking.LineInput{{SKU: "FIFO", Qty: 2}}}}}
	first, err := f.svc.ReleaseOrders(f.ctx, "rel-old", in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.svc.ReleaseOrders(f.ctx, "rel-old", in) // a retry, from the stored form
	if err != nil {
		t.Fatal(err)
	}
	old, err := json.Marshal(first.Orders())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(f.ctx, `UPDATE idempotency SET response = ? WHERE request_id = 'rel-old'`, old)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	retry, err := f.svc.ReleaseOrders(f.ctx, "rel-old", in)
	if err != nil {
		t.Fatalf("retry over the older stored form: %v", err)
	}
	if diff := cmp.Diff(want, retry); diff != "" {
		t.Errorf("retry over the older form answered differently (-want +got):\n%s", diff)
	}
}
