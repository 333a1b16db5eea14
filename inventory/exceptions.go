package inventory

import (
	"context"
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
