package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/floorops/floorops/store"
)

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
