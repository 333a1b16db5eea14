package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/floorops/floorops"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/store"
	"google.golang.org/protobuf/proto"
)

// Emit appends an event to the transactional outbox inside tx, so it
// commits (or not) together with the change it reports. The outbox sequence
// is assigned by the database and never reused; the pusher and the change
// feed set Event.seq from it when they read the row.
func Emit(ctx context.Context, tx *store.Tx, kind string, ev *eventv1.Event) (int64, error) {
	payload, err := proto.Marshal(ev)
	if err != nil {
		return 0, fmt.Errorf("outbox: encode %s: %w", kind, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, payload, created_at) VALUES (?, ?, ?)`,
		kind, payload, store.FormatTime(tx.Now))
	if err != nil {
		return 0, fmt.Errorf("outbox: append %s: %w", kind, err)
	}
	return res.LastInsertId()
}

func emitMoved(ctx context.Context, tx *store.Tx, mv Movement) error {
	_, err := Emit(ctx, tx, "stock_moved", &eventv1.Event{Payload: &eventv1.Event_StockMoved{StockMoved: &eventv1.StockMoved{
		MovementId: mv.ID, Kind: mv.Kind, Sku: mv.SKU, Lot: mv.Lot, Expiry: mv.Expiry,
		FromLocationCode: mv.From, ToLocationCode: mv.To, Quantity: mv.Qty,
		Reason: mv.Reason, Reference: mv.Ref, FromStatus: string(mv.FromStatus), ToStatus: string(mv.ToStatus),
		FromLpn: mv.FromLPN, ToLpn: mv.ToLPN, UserBadge: mv.UserBadge, DeviceId: mv.DeviceID,
	}}})
	return err
}

// EmitAvailability appends the item's current ATS to the outbox. Call it in
// any transaction that changes sellable on-hand or allocations.
func EmitAvailability(ctx context.Context, tx *store.Tx, itemID int64) error {
	a, err := AvailabilityOf(ctx, tx, itemID, tx.Now)
	if err != nil {
		return err
	}
	return emitAvailability(ctx, tx, a)
}

// EmitAvailabilities appends the current ATS of each item, in the order
// given, computing them all in one query: for a release of thousands of
// order lines touching thousands of SKUs.
func EmitAvailabilities(ctx context.Context, tx *store.Tx, itemIDs []int64) error {
	if len(itemIDs) == 0 {
		return nil
	}
	ids, err := json.Marshal(itemIDs)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.sku,
		COALESCE((SELECT SUM(b.qty) FROM balances b JOIN locations l ON l.id = b.location_id
			WHERE b.item_id = i.id AND `+sellableStock+`), 0),
		`+allocatedSellable+`
		FROM json_each(?) j CROSS JOIN items i ON i.id = j.value`, tx.Now.UTC().Format(time.DateOnly), tx.Now.UTC().Format(time.DateOnly), string(ids))
	if err != nil {
		return fmt.Errorf("availability: %w", err)
	}
	byID := make(map[int64]Availability, len(itemIDs))
	for rows.Next() {
		var id int64
		var a Availability
		if err := rows.Scan(&id, &a.SKU, &a.OnHand, &a.Allocated); err != nil {
			rows.Close()
			return err
		}
		a.ATS = max(a.OnHand-a.Allocated, 0)
		byID[id] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range itemIDs {
		a, ok := byID[id]
		if !ok {
			return floorops.Errorf(floorops.ENOTFOUND, "item %d not found", id)
		}
		if err := emitAvailability(ctx, tx, a); err != nil {
			return err
		}
	}
	return nil
}

func emitAvailability(ctx context.Context, tx *store.Tx, a Availability) error {
	_, err := Emit(ctx, tx, "availability_changed", &eventv1.Event{Payload: &eventv1.Event_AvailabilityChanged{AvailabilityChanged: &eventv1.AvailabilityChanged{
		Sku: a.SKU, OnHand: a.OnHand, Allocated: a.Allocated, AvailableToSell: a.ATS,
	}}})
	return err
}
