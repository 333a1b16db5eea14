package picking

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// MaxReleaseLines caps the order lines of one ReleaseOrders request, so
// one call cannot hold the node's single writer for long (10,000 lines
// allocate in under 2 s): central splits a larger drop into several requests.
const MaxReleaseLines = 10000

// Ship-by dates are accepted from shipByFloor up to (not including)
// shipByCeiling: a date outside is a mistake upstream, not an order.
var (
	shipByFloor   = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	shipByCeiling = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ReleaseInput is a batch of orders central releases to the node: at most
// 1,000 orders and MaxReleaseLines lines in all.
type ReleaseInput struct {
	Orders []OrderInput    `json:"orders" validate:"required,min=1,max=1000,dive"`
	Actor  inventory.Actor `json:"actor"`
}

// OrderInput is one released order. Its lines are numbered 1.. in order.
type OrderInput struct {
	OrderID  string      `json:"order_id" validate:"required,max=64,docref"`
	Channel  Channel     `json:"channel" validate:"required,oneof=amazon walmart tiktok shopify direct"`
	Priority int         `json:"priority" validate:"gte=0,lte=100"`
	ShipBy   time.Time   `json:"ship_by" validate:"required"`
	Lines    []LineInput `json:"lines" validate:"required,min=1,max=500,dive"`
}

// LineInput is one order line: a SKU and the eaches wanted.
type LineInput struct {
	SKU string `json:"sku" validate:"required,max=64"`
	Qty int64  `json:"quantity" validate:"gt=0,lte=1000000"`
}

// ReleaseOutcome is what a release did with one order of its batch.
type ReleaseOutcome string

// Release outcomes.
const (
	Released          ReleaseOutcome = "released"         // stored and allocated now
	AlreadyReleased   ReleaseOutcome = "already_released" // the node has it exactly as sent: nothing changed
	ReleaseConflict   ReleaseOutcome = "conflict"         // the node has an order of that number that differs: nothing changed
	ReleaseUnknownSKU ReleaseOutcome = "unknown_sku"      // a line names a SKU the node does not have: nothing stored
)

// OrderRelease is one order's outcome in a release. Order is the order as
// it stands for Released and AlreadyReleased; Reason and Field (the request
// field at fault) say why it was not released otherwise.
type OrderRelease struct {
	OrderID string         `json:"order_id"`
	Outcome ReleaseOutcome `json:"outcome"`
	Order   *Order         `json:"order,omitempty"`
	Reason  string         `json:"reason,omitempty"`
	Field   string         `json:"field,omitempty"`
}

// Release is what one ReleaseOrders request did: one result per order, in
// request order.
type Release struct {
	Results []OrderRelease `json:"results"`
}

// UnmarshalJSON reads a stored release, in this form or in the one nodes
// stored before releases reported each order: a list of the orders
// released, every one of them released. A handheld or central retrying
// across the upgrade gets the answer its request was first given.
func (r *Release) UnmarshalJSON(b []byte) error {
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '[' {
		var orders []Order
		if err := json.Unmarshal(b, &orders); err != nil {
			return err
		}
		r.Results = make([]OrderRelease, len(orders))
		for i := range orders {
			r.Results[i] = OrderRelease{OrderID: orders[i].OrderID, Outcome: Released, Order: &orders[i]}
		}
		return nil
	}
	type release Release // no UnmarshalJSON: the current form
	return json.Unmarshal(b, (*release)(r))
}

// Orders are the orders of the release that the node holds as sent
// (released now, or already), in request order.
func (r Release) Orders() []Order {
	var out []Order
	for _, res := range r.Results {
		if res.Order != nil {
			out = append(out, *res.Order)
		}
	}
	return out
}

// ReleaseOrders stores the orders and allocates stock to every line at
// once, most urgent order first (priority, then ship-by). A line that cannot
// be fully allocated is backordered for the rest; each order is reported
// upstream (OrderAllocated, and Backordered when short).
//
// Batch semantics: a malformed request (a field missing or out of range,
// the same order twice, more than MaxReleaseLines lines, a ship-by outside
// 2000-2099) is refused as invalid before anything is written. Otherwise
// each order stands on its own: an order the node already has exactly as
// sent (channel, priority, ship-by, lines) is AlreadyReleased, an
// idempotent success that changes nothing; one that differs is
// ReleaseConflict (central changes an order by cancelling it); one naming
// an unknown SKU is ReleaseUnknownSKU; none of these stops the other
// orders, which are released. A retried request id returns the stored
// answer.
func (s *Service) ReleaseOrders(ctx context.Context, requestID string, in ReleaseInput) (Release, error) {
	seen := map[string]bool{}
	for i := range in.Orders {
		o := &in.Orders[i]
		o.OrderID = scan.Code(o.OrderID)
		o.Channel = Channel(strings.ToLower(strings.TrimSpace(string(o.Channel))))
		o.ShipBy = o.ShipBy.UTC()
		for j := range o.Lines {
			o.Lines[j].SKU = scan.Code(o.Lines[j].SKU)
		}
	}
	if err := floorops.Validate(in); err != nil {
		return Release{}, err
	}
	lines := 0
	for i, o := range in.Orders {
		if seen[o.OrderID] {
			return Release{}, floorops.Invalid(fmt.Sprintf("orders[%d].order_id", i), "order %s is in the request twice", o.OrderID)
		}
		seen[o.OrderID] = true
		if o.ShipBy.Before(shipByFloor) || !o.ShipBy.Before(shipByCeiling) {
			return Release{}, floorops.Invalid(fmt.Sprintf("orders[%d].ship_by", i), "%s is not a ship-by date between %d and %d",
				o.ShipBy.Format(time.RFC3339), shipByFloor.Year(), shipByCeiling.Year()-1)
		}
		lines += len(o.Lines)
	}
	if lines > MaxReleaseLines {
		return Release{}, floorops.Invalid("orders", "%d order lines in one request: release at most %d at a time", lines, MaxReleaseLines)
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "ReleaseOrders", Body: in},
		func(tx *store.Tx) (Release, error) { return releaseOrders(ctx, tx, in) })
}

func releaseOrders(ctx context.Context, tx *store.Tx, in ReleaseInput) (Release, error) {
	now := store.FormatTime(tx.Now)
	items := map[string]inventory.Item{}
	orders := make([]Order, len(in.Orders))
	refs := make([][]lineRef, len(in.Orders))
	rel := Release{Results: make([]OrderRelease, len(in.Orders))}
	var fresh []int // orders released now, by request index
	for i, oi := range in.Orders {
		res := &rel.Results[i]
		res.OrderID = oi.OrderID
		known, err := loadOrder(ctx, tx, oi.OrderID)
		switch {
		case err == nil:
			if differs := orderDiffers(known, oi); differs != "" {
				res.Outcome, res.Field = ReleaseConflict, fmt.Sprintf("orders[%d].order_id", i)
				res.Reason = fmt.Sprintf("order %s is already at the node with a different %s: nothing changed; cancel it to change it", oi.OrderID, differs)
			} else {
				res.Outcome, res.Order = AlreadyReleased, &known
			}
			continue
		case !floorops.IsCode(err, floorops.ENOTFOUND):
			return Release{}, err
		}
		lineItems := make([]inventory.Item, len(oi.Lines))
		for j, li := range oi.Lines {
			it, ok := items[li.SKU]
			if !ok {
				it, err = inventory.ItemBySKU(ctx, tx, li.SKU)
				if floorops.IsCode(err, floorops.ENOTFOUND) {
					res.Outcome, res.Field = ReleaseUnknownSKU, fmt.Sprintf("orders[%d].lines[%d].sku", i, j)
					res.Reason = fmt.Sprintf("SKU %s is not an item at this node: order %s was not released", li.SKU, oi.OrderID)
					break
				}
				if err != nil {
					return Release{}, err
				}
				items[li.SKU] = it
			}
			lineItems[j] = it
		}
		if res.Outcome != "" {
			continue
		}
		o := Order{OrderID: oi.OrderID, Channel: oi.Channel, Priority: oi.Priority, ShipBy: oi.ShipBy, State: OrderReleased}
		err = tx.QueryRowContext(ctx, `INSERT INTO pick_orders (order_ref, channel, priority, ship_by, state, released_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'released', ?, ?, ?) RETURNING id`,
			o.OrderID, string(o.Channel), o.Priority, store.FormatTime(o.ShipBy), in.Actor.Badge, now, now).Scan(&o.ID)
		if err != nil {
			return Release{}, fmt.Errorf("insert order %s: %w", o.OrderID, err)
		}
		for j, li := range oi.Lines {
			it := lineItems[j]
			l := OrderLine{ItemID: it.ID, LineNumber: j + 1, SKU: it.SKU, Qty: li.Qty}
			err := tx.QueryRowContext(ctx, `INSERT INTO pick_order_lines (order_id, line_number, item_id, qty) VALUES (?, ?, ?, ?) RETURNING id`,
				o.ID, l.LineNumber, l.ItemID, l.Qty).Scan(&l.ID)
			if err != nil {
				return Release{}, fmt.Errorf("insert order line: %w", err)
			}
			o.Lines = append(o.Lines, l)
			refs[i] = append(refs[i], lineRef{orderID: o.ID, lineID: l.ID, itemID: it.ID, expiryTracked: it.ExpiryTracked,
				ref: fmt.Sprintf("%s/%d", o.OrderID, l.LineNumber)})
		}
		orders[i] = o
		res.Outcome = Released
		fresh = append(fresh, i)
	}
	// The most urgent orders get scarce stock first.
	byUrgency := append([]int(nil), fresh...)
	sort.SliceStable(byUrgency, func(a, b int) bool {
		oa, ob := orders[byUrgency[a]], orders[byUrgency[b]]
		if oa.Priority != ob.Priority {
			return oa.Priority > ob.Priority
		}
		return oa.ShipBy.Before(ob.ShipBy)
	})
	alloc := newAllocator(tx)
	fefo := map[int64]bool{}
	for _, it := range items {
		fefo[it.ID] = it.ExpiryTracked
	}
	if err := alloc.load(ctx, fefo); err != nil {
		return Release{}, err
	}
	for _, i := range byUrgency {
		o := &orders[i]
		for j := range o.Lines {
			l := &o.Lines[j]
			n, _, err := alloc.allocate(ctx, refs[i][j], l.Qty, 0)
			if err != nil {
				return Release{}, err
			}
			l.Allocated, l.Backordered = n, l.Qty-n
			if l.Backordered > 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE pick_order_lines SET backordered_qty = ? WHERE id = ?`, l.Backordered, l.ID); err != nil {
					return Release{}, fmt.Errorf("backorder line: %w", err)
				}
			}
		}
		if err := emitAllocated(ctx, tx, *o); err != nil {
			return Release{}, err
		}
		var back []OrderLine
		for _, l := range o.Lines {
			if l.Backordered > 0 {
				back = append(back, l)
			}
		}
		if err := emitBackordered(ctx, tx, o.OrderID, "release", back, nil); err != nil {
			return Release{}, err
		}
	}
	if err := alloc.emitAvailability(ctx); err != nil {
		return Release{}, err
	}
	for _, i := range fresh {
		rel.Results[i].Order = &orders[i]
	}
	return rel, nil
}

// orderDiffers names what of a re-sent order differs from the order the
// node has under that number ("" when it is the same order): channel,
// priority, ship-by or lines (SKU and quantity, line by line).
func orderDiffers(known Order, oi OrderInput) string {
	switch {
	case known.Channel != oi.Channel:
		return "channel"
	case known.Priority != oi.Priority:
		return "priority"
	case store.FormatTime(known.ShipBy) != store.FormatTime(oi.ShipBy):
		return "ship-by"
	case len(known.Lines) != len(oi.Lines):
		return "number of lines"
	}
	for j, l := range known.Lines {
		if l.SKU != oi.Lines[j].SKU || l.Qty != oi.Lines[j].Qty {
			return fmt.Sprintf("line %d", j+1)
		}
	}
	return ""
}

// GetOrder returns an order with each line's standing.
func (s *Service) GetOrder(ctx context.Context, orderID string) (Order, error) {
	orderID = scan.Code(orderID)
	if orderID == "" {
		return Order{}, floorops.Invalid("order_id", "is required")
	}
	return loadOrder(ctx, s.db.Reader(), orderID)
}

func loadOrder(ctx context.Context, q inventory.Querier, orderID string) (Order, error) {
	var o Order
	var shipBy string
	err := q.QueryRowContext(ctx, `SELECT o.id, o.order_ref, o.channel, o.priority, o.ship_by, o.state, o.cancel_reason,
			COALESCE((SELECT list_id FROM pick_list_orders WHERE order_id = o.id), 0)
		FROM pick_orders o WHERE o.order_ref = ?`, orderID).
		Scan(&o.ID, &o.OrderID, &o.Channel, &o.Priority, &shipBy, &o.State, &o.CancelReason, &o.PickListID)
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, floorops.Errorf(floorops.ENOTFOUND, "order %s not found", orderID)
	}
	if err != nil {
		return Order{}, fmt.Errorf("read order %s: %w", orderID, err)
	}
	if o.ShipBy, err = store.ParseTime(shipBy); err != nil {
		return Order{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.item_id, l.line_number, i.sku, l.qty, l.backordered_qty,
			COALESCE(SUM(CASE WHEN t.state = 'open' THEN t.qty - t.picked_qty - t.short_qty ELSE 0 END), 0),
			COALESCE(SUM(t.picked_qty), 0), COALESCE(SUM(t.short_qty), 0)
		FROM pick_order_lines l JOIN items i ON i.id = l.item_id LEFT JOIN pick_tasks t ON t.line_id = l.id
		WHERE l.order_id = ? GROUP BY l.id ORDER BY l.line_number`, o.ID)
	if err != nil {
		return Order{}, fmt.Errorf("read order lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l OrderLine
		if err := rows.Scan(&l.ID, &l.ItemID, &l.LineNumber, &l.SKU, &l.Qty, &l.Backordered, &l.Allocated, &l.Picked, &l.Short); err != nil {
			return Order{}, err
		}
		o.Lines = append(o.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return Order{}, err
	}
	if o.State == OrderPicked {
		for _, l := range o.Lines {
			if l.Owed() > 0 {
				o.State = OrderBackordered
				break
			}
		}
	}
	return o, nil
}

// CancelInput is central cancelling an order.
type CancelInput struct {
	OrderID string          `json:"order_id" validate:"required,max=64"`
	Reason  string          `json:"reason" validate:"max=128"`
	Actor   inventory.Actor `json:"actor"`
}

// CancelResult is the cancelled order and the units to put back.
type CancelResult struct {
	Order   Order        `json:"order"`
	Returns []ReturnTask `json:"return_tasks"`
}

// CancelOrder cancels an order at any point before it ships: open lines are
// closed and their units released back to ATS; units already picked (in a
// tote, or dropped at a ship lane) become return-to-stock tasks. Central is
// told what the cancel did (OrderCancelled) in the same transaction. A pick
// racing the cancel either lands first (and its units are returned) or is
// refused: both run in the node's one writer.
func (s *Service) CancelOrder(ctx context.Context, requestID string, in CancelInput) (CancelResult, error) {
	in.OrderID = scan.Code(in.OrderID)
	in.Reason = strings.TrimSpace(in.Reason)
	if err := floorops.Validate(in); err != nil {
		return CancelResult{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "CancelOrder", Body: in},
		func(tx *store.Tx) (CancelResult, error) { return s.cancelOrder(ctx, tx, in) })
}

func (s *Service) cancelOrder(ctx context.Context, tx *store.Tx, in CancelInput) (CancelResult, error) {
	o, err := loadOrder(ctx, tx, in.OrderID)
	if err != nil {
		return CancelResult{}, err
	}
	if o.State == OrderCancelled {
		return CancelResult{}, floorops.Errorf(floorops.EPRECONDITION, "order %s is already cancelled", o.OrderID)
	}
	now := store.FormatTime(tx.Now)
	type openTask struct{ id, itemID, allocID, left int64 }
	rows, err := tx.QueryContext(ctx, `SELECT id, item_id, COALESCE(allocation_id, 0), qty - picked_qty - short_qty
		FROM pick_tasks WHERE order_id = ? AND state = 'open'`, o.ID)
	if err != nil {
		return CancelResult{}, fmt.Errorf("read open tasks: %w", err)
	}
	var open []openTask
	for rows.Next() {
		var t openTask
		if err := rows.Scan(&t.id, &t.itemID, &t.allocID, &t.left); err != nil {
			rows.Close()
			return CancelResult{}, err
		}
		open = append(open, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return CancelResult{}, err
	}
	touched := map[int64]bool{}
	for _, t := range open {
		if t.allocID != 0 {
			if err := inventory.ReleaseAllocation(ctx, tx, t.allocID, t.left); err != nil {
				return CancelResult{}, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pick_tasks SET state = 'cancelled', allocation_id = NULL, updated_at = ? WHERE id = ?`, now, t.id); err != nil {
			return CancelResult{}, fmt.Errorf("cancel task: %w", err)
		}
		touched[t.itemID] = true
	}
	// Picked units are where the order's own pick tasks put them: on the
	// order's tote at its list's ship lane (moved with the list when its
	// totes were dropped at another lane).
	if _, err := tx.ExecContext(ctx, `INSERT INTO pick_returns (order_id, item_id, location_id, lot, expiry, lpn, qty, created_by, created_at)
		SELECT t.order_id, t.item_id, pl.ship_location_id, t.lot, t.expiry, plo.tote, SUM(t.picked_qty), ?, ?
		FROM pick_tasks t JOIN pick_lists pl ON pl.id = t.list_id
		JOIN pick_list_orders plo ON plo.list_id = t.list_id AND plo.order_id = t.order_id
		WHERE t.order_id = ? AND t.picked_qty > 0
		GROUP BY t.item_id, t.lot, t.expiry, pl.ship_location_id, plo.tote
		ORDER BY MIN(t.id)`, in.Actor.Badge, now, o.ID); err != nil {
		return CancelResult{}, fmt.Errorf("create return tasks: %w", err)
	}
	if err := s.handOffReturns(ctx, tx, in.Actor, o.ID); err != nil {
		return CancelResult{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pick_order_lines SET backordered_qty = 0 WHERE order_id = ?`, o.ID); err != nil {
		return CancelResult{}, fmt.Errorf("clear backorders: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pick_orders SET state = 'cancelled', cancel_reason = ?, updated_at = ? WHERE id = ?`,
		in.Reason, now, o.ID); err != nil {
		return CancelResult{}, fmt.Errorf("cancel order: %w", err)
	}
	for _, id := range sortedIDs(touched) {
		if err := inventory.EmitAvailability(ctx, tx, id); err != nil {
			return CancelResult{}, err
		}
	}
	res := CancelResult{}
	if res.Order, err = loadOrder(ctx, tx, o.OrderID); err != nil {
		return CancelResult{}, err
	}
	if res.Returns, err = loadReturns(ctx, tx, o.ID); err != nil {
		return CancelResult{}, err
	}
	if err := emitCancelled(ctx, tx, o, in.Reason, res.Returns); err != nil {
		return CancelResult{}, err
	}
	return res, nil
}

// emitCancelled reports a cancel upstream: per line, the allocated units
// released back to ATS, the backorder dropped and the picked units that now
// wait to go back to stock, and the return tasks holding those. before is
// the order as it stood before the cancel.
func emitCancelled(ctx context.Context, tx *store.Tx, before Order, reason string, returns []ReturnTask) error {
	ev := &eventv1.OrderCancelled{OrderId: before.OrderID, Reason: reason}
	for _, l := range before.Lines {
		ev.Lines = append(ev.Lines, &eventv1.OrderCancelledLine{LineNumber: int32(l.LineNumber), Sku: l.SKU,
			ReleasedQuantity: l.Allocated, BackorderCancelledQuantity: l.Backordered, AwaitingReturnQuantity: l.Picked})
	}
	for _, r := range returns {
		ev.ReturnTasks = append(ev.ReturnTasks, &eventv1.OrderCancelledReturn{ReturnTaskId: r.ID, Sku: r.SKU, Lot: r.Lot,
			Expiry: r.Expiry, LocationCode: r.LocationCode, Tote: r.Tote, Quantity: r.Qty, HandedToPutaway: r.HandedToPutaway})
	}
	_, err := inventory.Emit(ctx, tx, "order_cancelled", &eventv1.Event{Payload: &eventv1.Event_OrderCancelled{OrderCancelled: ev}})
	return err
}

func loadReturns(ctx context.Context, q inventory.Querier, orderID int64) ([]ReturnTask, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, o.order_ref, i.sku, r.lot, r.expiry, l.code, r.lpn, r.qty, r.state = 'done'
		FROM pick_returns r JOIN pick_orders o ON o.id = r.order_id JOIN items i ON i.id = r.item_id JOIN locations l ON l.id = r.location_id
		WHERE r.order_id = ? ORDER BY r.id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read return tasks: %w", err)
	}
	defer rows.Close()
	var out []ReturnTask
	for rows.Next() {
		var r ReturnTask
		if err := rows.Scan(&r.ID, &r.OrderID, &r.SKU, &r.Lot, &r.Expiry, &r.LocationCode, &r.Tote, &r.Qty, &r.HandedToPutaway); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func sortedIDs(set map[int64]bool) []int64 {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// emitAllocated reports an order's allocation upstream.
func emitAllocated(ctx context.Context, tx *store.Tx, o Order) error {
	ev := &eventv1.OrderAllocated{OrderId: o.OrderID, Channel: string(o.Channel)}
	for _, l := range o.Lines {
		ev.Lines = append(ev.Lines, &eventv1.OrderAllocatedLine{LineNumber: int32(l.LineNumber), Sku: l.SKU,
			OrderedQuantity: l.Qty, AllocatedQuantity: l.Allocated, BackorderedQuantity: l.Backordered})
	}
	_, err := inventory.Emit(ctx, tx, "order_allocated", &eventv1.Event{Payload: &eventv1.Event_OrderAllocated{OrderAllocated: ev}})
	return err
}

// emitBackordered reports newly backordered units of an order's lines: new
// gives the units backordered now for each line (nil: the line's whole
// backorder is new). Nothing is emitted for no lines.
func emitBackordered(ctx context.Context, tx *store.Tx, orderID, cause string, lines []OrderLine, newUnits []int64) error {
	if len(lines) == 0 {
		return nil
	}
	ev := &eventv1.Backordered{OrderId: orderID, Cause: cause}
	for i, l := range lines {
		n := l.Backordered
		if newUnits != nil {
			n = newUnits[i]
		}
		ev.Lines = append(ev.Lines, &eventv1.BackorderedLine{LineNumber: int32(l.LineNumber), Sku: l.SKU, Quantity: n, TotalBackorderedQuantity: l.Backordered})
	}
	_, err := inventory.Emit(ctx, tx, "backordered", &eventv1.Event{Payload: &eventv1.Event_Backordered{Backordered: ev}})
	return err
}
