package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/floorops/floorops"
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

// openCountRequest is the SQL condition over count_requests h: a
// triggered count asked for and not yet counted.
const openCountRequest = `h.status = 'open'`

// HeldForCount is the one definition, as an SQL condition, of a location
// held for a triggered count: it has an open count request, so its stock
// is not sold, not allocated to orders and not added to by putaway until
// it is counted (an associate may still pick what is already allocated
// there). location is the SQL expression of the location id it is about,
// such as "l.id"; CountPending answers the same question in Go.
func HeldForCount(location string) string {
	return `EXISTS (SELECT 1 FROM count_requests h WHERE h.location_id = ` + location + ` AND ` + openCountRequest + `)`
}

// RequestCount records a triggered count inside tx. A location already
// waiting for a count gets no second request; the returned id is the open one.
func RequestCount(ctx context.Context, tx *store.Tx, r CountRequest) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT h.id FROM count_requests h WHERE h.location_id = ? AND `+openCountRequest+` LIMIT 1`, r.LocationID).Scan(&id)
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

// CountPending reports whether a location is held for a triggered count
// (see HeldForCount): putaway does not send stock there and channels do
// not sell what is there until it is counted.
func CountPending(ctx context.Context, q Querier, locationID int64) (bool, error) {
	var held bool
	if err := q.QueryRowContext(ctx, `SELECT `+HeldForCount("?"), locationID).Scan(&held); err != nil {
		return false, fmt.Errorf("read count requests: %w", err)
	}
	return held, nil
}

// OpenCountRequestAt returns the open triggered count of a location, with
// its reason (an exception kind such as short_pick); 0 and "" when none is
// open.
func OpenCountRequestAt(ctx context.Context, q Querier, locationID int64) (int64, string, error) {
	var id int64
	var reason string
	err := q.QueryRowContext(ctx, `SELECT h.id, h.reason FROM count_requests h WHERE h.location_id = ? AND `+openCountRequest+`
		ORDER BY h.id LIMIT 1`, locationID).Scan(&id, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("read count requests: %w", err)
	}
	return id, reason, nil
}

// CloseCountRequests marks the location's open triggered counts done inside
// tx: its count was posted, so the bin is no longer held (see HeldForCount)
// and its stock sells and is allocated again. It publishes the ATS of every
// item at the location, since the held units are sellable again.
func CloseCountRequests(ctx context.Context, tx *store.Tx, locationID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE count_requests AS h SET status = 'done', closed_at = ?
		WHERE h.location_id = ? AND `+openCountRequest, store.FormatTime(tx.Now), locationID)
	if err != nil {
		return fmt.Errorf("close count requests: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return emitAvailabilityAt(ctx, tx, locationID)
}

// MayMoveOutOfHeldBin reports whether a caller may take units out of a bin
// held for a triggered count by hand (a move or an adjustment): only a lead
// or an admin. Everyone else waits for the count, which is what posts the
// bin's difference; an associate's move would change the record the count
// is about to be compared with.
func MayMoveOutOfHeldBin(a Actor) bool { return a.Role == Lead || a.Role == Admin }

// CheckMoveOut refuses, with EPRECONDITION, a hand move of units out of a
// location held for a triggered count (HeldForCount) by anyone
// MayMoveOutOfHeldBin does not allow. The count posts through the ledger
// directly and picks of allocated units go on, so neither asks here.
func CheckMoveOut(ctx context.Context, q Querier, l Location, a Actor) error {
	if MayMoveOutOfHeldBin(a) {
		return nil
	}
	held, err := CountPending(ctx, q, l.ID)
	if err != nil {
		return err
	}
	if held {
		return floorops.Errorf(floorops.EPRECONDITION, "%s is waiting for a count: nothing leaves it until it is counted, except by a lead", l.Code)
	}
	return nil
}

// CheckMoveIn refuses, with EPRECONDITION, a hand move or a putaway (with
// or without an override) of units into a location held for a triggered
// count by anyone MayMoveOutOfHeldBin does not allow: a held location is
// not put away to until it is counted, the same rule as for moves out.
func CheckMoveIn(ctx context.Context, q Querier, l Location, a Actor) error {
	if MayMoveOutOfHeldBin(a) {
		return nil
	}
	held, err := CountPending(ctx, q, l.ID)
	if err != nil {
		return err
	}
	if held {
		return floorops.Errorf(floorops.EPRECONDITION, "%s is waiting for a count: nothing is put into it until it is counted, except by a lead", l.Code)
	}
	return nil
}

// OpenCountRequests returns every location's open triggered count reason
// (an exception kind such as short_pick), keyed by location id: what the
// count plan serves first.
func OpenCountRequests(ctx context.Context, q Querier) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT h.location_id, h.reason FROM count_requests h WHERE `+openCountRequest+` ORDER BY h.id`)
	if err != nil {
		return nil, fmt.Errorf("read count requests: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var loc int64
		var reason string
		if err := rows.Scan(&loc, &reason); err != nil {
			return nil, err
		}
		if _, ok := out[loc]; !ok {
			out[loc] = reason
		}
	}
	return out, rows.Err()
}
