package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/floorops/floorops/store"
)

// Exception kinds recorded by the workflows.
const (
	ExceptionShortPick       = "short_pick"        // a bin held fewer units than the record
	ExceptionPutawayOverride = "putaway_override"  // stock put somewhere other than suggested
	ExceptionRejectedScan    = "rejected_scan"     // wrong location, item or lot scanned
	ExceptionUnexpectedItem  = "unexpected_item"   // received an item not on the PO
	ExceptionReceiptOverage  = "receipt_overage"   // over-receipt allowed by a lead
	ExceptionLocationEmptied = "location_emptied"  // a pick emptied a location
	ExceptionDamagedReceived = "damaged_received"  // units arrived damaged
	ExceptionReceiptUndo     = "receipt_scan_undo" // an associate undid a mis-scan
)

// Exception is a floor event that makes a record more likely to be wrong.
// Cycle counting weighs recent exceptions at a location or item when it
// scores count risk; leads review them.
type Exception struct {
	Kind       string
	LocationID int64 // 0 when not tied to a location
	ItemID     int64 // 0 when not tied to an item
	Ref        string
	Detail     string
	Actor      Actor
	// RequestID is the client request that raised it. A retried request
	// records its exception once.
	RequestID string
}

// RecordException stores e inside tx, with the change that raised it.
func RecordException(ctx context.Context, tx *store.Tx, e Exception) error {
	if e.RequestID != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM exceptions WHERE request_id = ? AND request_id <> '' AND kind = ?`, e.RequestID, e.Kind).Scan(&n); err != nil {
			return fmt.Errorf("read exceptions: %w", err)
		}
		if n > 0 {
			return nil
		}
	}
	var loc, item any
	if e.LocationID != 0 {
		loc = e.LocationID
	}
	if e.ItemID != 0 {
		item = e.ItemID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exceptions (kind, location_id, item_id, ref, detail, user_badge, device_id, request_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Kind, loc, item, e.Ref, e.Detail, e.Actor.Badge, e.Actor.Device, e.RequestID, store.FormatTime(tx.Now))
	if err != nil {
		return fmt.Errorf("record exception %s: %w", e.Kind, err)
	}
	return nil
}

// StagedStock is stock that has arrived in a dock or staging location and
// must be put away: receiving reports it, returns will too, and the putaway
// workflow turns it into a task. server wires the producer to the consumer
// so workflow packages never import each other.
type StagedStock struct {
	ItemID     int64
	LocationID int64 // the dock or staging location holding it
	Lot        string
	Expiry     string
	Status     Status
	LPN        string
	Qty        int64
	Ref        string // receipt, RMA or move that staged it
	Actor      Actor
	// Restock: the units are going back to stock (a cancelled order's
	// picks, a customer return), not arriving from a supplier, so they do
	// not count toward dock-to-stock time.
	Restock bool
}

// CountRequest asks for a location (optionally one item in it) to be
// counted now, outside the risk-ranked plan: a triggered count.
type CountRequest struct {
	LocationID int64
	ItemID     int64 // 0: the whole location
	Reason     string
	Ref        string
	Actor      Actor
}

// RequestCount records a triggered count inside tx. A location already
// waiting for a count gets no second request; the returned id is the open one.
func RequestCount(ctx context.Context, tx *store.Tx, r CountRequest) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM count_requests WHERE location_id = ? AND status = 'open' LIMIT 1`, r.LocationID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read count requests: %w", err)
	}
	var item any
	if r.ItemID != 0 {
		item = r.ItemID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO count_requests (location_id, item_id, reason, ref, user_badge, device_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.LocationID, item, r.Reason, r.Ref, r.Actor.Badge, r.Actor.Device, store.FormatTime(tx.Now))
	if err != nil {
		return 0, fmt.Errorf("request count: %w", err)
	}
	// Stock waiting for a count is not sold until it is counted.
	if err := emitAvailabilityAt(ctx, tx, r.LocationID); err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// CountPending reports whether a location is waiting for a triggered count;
// putaway does not send stock there until it is counted.
func CountPending(ctx context.Context, q Querier, locationID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM count_requests WHERE location_id = ? AND status = 'open'`, locationID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read count requests: %w", err)
	}
	return n > 0, nil
}
