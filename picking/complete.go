package picking

import (
	"context"
	"errors"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// CompleteInput is an associate dropping a pick list's totes at a ship lane.
type CompleteInput struct {
	ListID   int64           `json:"pick_list_id" validate:"gt=0"`
	ShipScan string          `json:"ship_location_scan" validate:"required,max=128"`
	Actor    inventory.Actor `json:"actor"`
}

// Completion is a completed list and the orders it finished: those fully
// picked, and those finished with units owed (backordered), which must not
// ship as complete. Orders has every order of the list that was not
// cancelled, as it stands now, in list order.
type Completion struct {
	List              PickList `json:"pick_list"`
	PickedOrders      []string `json:"picked_order_ids"`
	BackorderedOrders []string `json:"backordered_order_ids"`
	Orders            []Order  `json:"orders"`
}

// CompletePickList closes a list whose every line is picked or shorted.
// The associate scans the ship lane where they dropped the totes (or types
// the list's lane's check code). Picked units were recorded on the totes at
// the list's lane as they were picked; dropped at another lane, the units
// the list's lines picked move there in the ledger (not whatever else a
// tote may hold), and so do the return tasks of its cancelled orders.
// Each order of the list (cancelled ones aside) becomes picked when every
// unit of every line was picked, backordered when some were not (short at
// the bin and found nowhere else, or backordered at release); each is
// reported upstream (OrderPicked) with what was picked and what is owed.
func (s *Service) CompletePickList(ctx context.Context, requestID string, in CompleteInput) (Completion, error) {
	if err := floorops.Validate(in); err != nil {
		return Completion{}, err
	}
	c, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "CompletePickList", Body: in},
		func(tx *store.Tx) (Completion, error) { return s.completeList(ctx, tx, requestID, in) })
	return c, s.recordRefusal(ctx, requestID, err)
}

func (s *Service) completeList(ctx context.Context, tx *store.Tx, requestID string, in CompleteInput) (Completion, error) {
	h, err := loadHeader(ctx, tx, in.ListID)
	if err != nil {
		return Completion{}, err
	}
	switch {
	case h.State == ListOpen:
		return Completion{}, floorops.Errorf(floorops.EPRECONDITION, "pick list %d is not started", h.ID)
	case h.State == ListCompleted:
		return Completion{}, floorops.Errorf(floorops.EPRECONDITION, "pick list %d is already completed", h.ID)
	case h.AssignedTo != in.Actor.Badge:
		return Completion{}, floorops.Errorf(floorops.EPRECONDITION, "pick list %d is assigned to %s", h.ID, h.AssignedTo)
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pick_tasks WHERE list_id = ? AND state = 'open'`, h.ID).Scan(&open); err != nil {
		return Completion{}, fmt.Errorf("count open lines: %w", err)
	}
	if open > 0 {
		return Completion{}, floorops.Errorf(floorops.EPRECONDITION, "%d line(s) of pick list %d are still to pick: pick or short them first", open, h.ID)
	}
	drop, err := dropLane(ctx, tx, s.scan, h, in)
	if err != nil {
		return Completion{}, err
	}
	if drop.ID != h.shipID {
		if err := moveTotes(ctx, tx, h, drop, requestID, in.Actor); err != nil {
			return Completion{}, err
		}
	}
	now := store.FormatTime(tx.Now)
	if _, err := tx.ExecContext(ctx, `UPDATE pick_lists SET state = 'completed', ship_location_id = ?, completed_at = ? WHERE id = ?`,
		drop.ID, now, h.ID); err != nil {
		return Completion{}, fmt.Errorf("complete pick list: %w", err)
	}
	orders, err := listOrderIDs(ctx, tx, h.ID)
	if err != nil {
		return Completion{}, err
	}
	if err := s.handOffReturns(ctx, tx, in.Actor, orders...); err != nil {
		return Completion{}, err
	}
	// The list has no open line, so every listed order of it is done
	// picking; whether it is complete is read from its lines (loadOrder).
	rows, err := tx.QueryContext(ctx, `UPDATE pick_orders SET state = 'picked', updated_at = ?
		WHERE id IN (SELECT order_id FROM pick_list_orders WHERE list_id = ?) AND state = 'listed'
			AND NOT EXISTS (SELECT 1 FROM pick_tasks t WHERE t.order_id = pick_orders.id AND t.state = 'open')
		RETURNING order_ref`, now, h.ID)
	if err != nil {
		return Completion{}, fmt.Errorf("mark orders picked: %w", err)
	}
	done := map[string]bool{}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return Completion{}, err
		}
		done[ref] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Completion{}, err
	}
	var c Completion
	if c.List, err = loadList(ctx, tx, h.ID); err != nil {
		return Completion{}, err
	}
	for _, ref := range c.List.OrderIDs {
		o, err := loadOrder(ctx, tx, ref)
		if err != nil {
			return Completion{}, err
		}
		if o.State == OrderCancelled {
			continue
		}
		c.Orders = append(c.Orders, o)
		if !done[ref] {
			continue
		}
		switch o.State {
		case OrderPicked:
			c.PickedOrders = append(c.PickedOrders, ref)
		case OrderBackordered:
			c.BackorderedOrders = append(c.BackorderedOrders, ref)
		}
		if err := emitPicked(ctx, tx, o, h.ID, drop.Code); err != nil {
			return Completion{}, err
		}
	}
	return c, nil
}

// emitPicked reports upstream that an order's pick list was completed:
// per line what was picked and what is still owed, and whether the order is
// complete.
func emitPicked(ctx context.Context, tx *store.Tx, o Order, listID int64, lane string) error {
	ev := &eventv1.OrderPicked{OrderId: o.OrderID, PickListId: listID, ShipLocationCode: lane, FullyPicked: o.State == OrderPicked}
	for _, l := range o.Lines {
		ev.Lines = append(ev.Lines, &eventv1.OrderPickedLine{LineNumber: int32(l.LineNumber), Sku: l.SKU,
			OrderedQuantity: l.Qty, PickedQuantity: l.Picked, BackorderedQuantity: l.Owed()})
	}
	_, err := inventory.Emit(ctx, tx, "order_picked", &eventv1.Event{Payload: &eventv1.Event_OrderPicked{OrderPicked: ev}})
	return err
}

// dropLane resolves the ship lane scan: any ship lane's barcode, or the
// check code of the list's lane (inventory.LocationScan, the one rule for
// reading a location scan). A wrong scan is refused and recorded like any
// other rejected scan.
func dropLane(ctx context.Context, tx *store.Tx, p *scan.Parser, h listHeader, in CompleteInput) (inventory.Location, error) {
	exc := func(e *floorops.Error, locID int64) error {
		return &refusal{err: e, exc: inventory.Exception{Kind: inventory.ExceptionRejectedScan, LocationID: locID,
			Ref: fmt.Sprintf("pick list %d", h.ID), Detail: e.Message, Actor: in.Actor}}
	}
	var e *floorops.Error
	sc, err := inventory.ScanLocation(p, "ship_location_scan", in.ShipScan)
	if errors.As(err, &e) {
		return inventory.Location{}, exc(e, 0)
	}
	var lane *inventory.Location
	if sc.IsCheckCode() {
		l, err := inventory.LocationByCode(ctx, tx, h.ShipLocation)
		if err != nil {
			return l, err
		}
		lane = &l
	}
	l, err := sc.Location(ctx, tx, lane)
	switch {
	case floorops.IsCode(err, floorops.EINVALID) && errors.As(err, &e):
		return l, exc(e, l.ID)
	case err != nil:
		return l, err
	case l.Type != inventory.LocShip:
		return l, exc(floorops.Errorf(floorops.EPRECONDITION, "%s is a %s location, not a ship lane: drop the totes at %s", l.Code, l.Type, h.ShipLocation), l.ID)
	}
	return l, nil
}

// moveTotes moves the units the list's lines picked, per tote, from the
// list's lane to the lane the totes were dropped at, and points the open
// return tasks of the list's orders at the new lane. It follows the pick
// tasks rather than the totes' balances, so stock that is on a tote but was
// not picked by this list stays where the ledger has it.
func moveTotes(ctx context.Context, tx *store.Tx, h listHeader, drop inventory.Location, requestID string, a inventory.Actor) error {
	type content struct {
		itemID            int64
		lot, expiry, tote string
		qty               int64
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.item_id, t.lot, t.expiry, plo.tote, SUM(t.picked_qty)
		FROM pick_tasks t JOIN pick_list_orders plo ON plo.list_id = t.list_id AND plo.order_id = t.order_id
		WHERE t.list_id = ? AND t.picked_qty > 0
		GROUP BY t.item_id, t.lot, t.expiry, plo.tote ORDER BY plo.tote, t.item_id, t.lot, t.expiry`, h.ID)
	if err != nil {
		return fmt.Errorf("read picks of pick list %d: %w", h.ID, err)
	}
	var all []content
	for rows.Next() {
		var c content
		if err := rows.Scan(&c.itemID, &c.lot, &c.expiry, &c.tote, &c.qty); err != nil {
			rows.Close()
			return err
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range all {
		if _, err := inventory.Record(ctx, tx, inventory.Move{
			Kind: inventory.KindMove, ItemID: c.itemID, Lot: c.lot, Expiry: c.expiry,
			From: h.shipID, To: drop.ID, FromLPN: c.tote, ToLPN: c.tote,
			Qty: c.qty, Reason: "tote-drop", Ref: fmt.Sprintf("pick list %d", h.ID), Actor: a, RequestID: requestID,
		}); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pick_returns SET location_id = ?
		WHERE state = 'open' AND location_id = ? AND order_id IN (SELECT order_id FROM pick_list_orders WHERE list_id = ?)`,
		drop.ID, h.shipID, h.ID); err != nil {
		return fmt.Errorf("move return tasks: %w", err)
	}
	return nil
}
