package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/floorops/floorops"
)

// Placement is the floor rule for putting units in a location an associate
// chose (a move, a putaway): a blocked location takes none, a location with
// a capacity takes what fits under it, and one without a capacity (0) takes
// any number. It is written once, here: RoomSQL says it in SQL for queries
// that look for room (putaway's suggestions), and CheckPlacement asks it of
// one location before units go there. Corrections that record what is
// physically there (adjustments, counts, receipts at a dock) do not ask.

// noLimit is the room of a location without a capacity.
const noLimit = int64(1<<63 - 1)

// RoomSQL is the placement rule as an SQL expression: how many more units
// a location takes. blocked, capacity and fill are SQL expressions for its
// blocked flag, its capacity and the units counted as already there (the
// balances at it; putaway adds what other tasks have reserved there). A
// blocked location has no room, one without a capacity has no limit (the
// largest int64), and
// any other has what is left of its capacity, never below 0.
func RoomSQL(blocked, capacity, fill string) string {
	return `(CASE WHEN ` + blocked + ` <> 0 THEN 0 WHEN ` + capacity + ` = 0 THEN ` + strconv.FormatInt(noLimit, 10) +
		` ELSE MAX(` + capacity + ` - (` + fill + `), 0) END)`
}

// CheckPlacement refuses putting qty more units in loc, as it stands in
// the database now: FailedPrecondition (EPRECONDITION) naming the location
// when it is blocked or the units do not fit (see RoomSQL). Record asks it
// for every Move with Placement set, so a write checks it once; a workflow
// may also ask it to learn whether a location still takes units without
// moving any (putaway, about a reservation).
func CheckPlacement(ctx context.Context, q Querier, loc Location, qty int64) error {
	return checkPlacement(ctx, q, loc, qty, true)
}

// checkPlacement is CheckPlacement; a refusal states the location's fill
// and capacity only when tell is set (see ToldHeld).
func checkPlacement(ctx context.Context, q Querier, loc Location, qty int64, tell bool) error {
	var blocked bool
	var capacity, fill, room int64
	err := q.QueryRowContext(ctx, `SELECT l.blocked, l.capacity, f.fill, `+RoomSQL("l.blocked", "l.capacity", "f.fill")+`
		FROM locations l CROSS JOIN (SELECT COALESCE(SUM(qty), 0) AS fill FROM balances WHERE location_id = ?1) f
		WHERE l.id = ?1`, loc.ID).Scan(&blocked, &capacity, &fill, &room)
	if errors.Is(err, sql.ErrNoRows) {
		return floorops.Errorf(floorops.ENOTFOUND, "location %s not found", loc.Code)
	}
	if err != nil {
		return fmt.Errorf("placement at %s: %w", loc.Code, err)
	}
	switch {
	case room >= qty:
		return nil
	case blocked:
		return floorops.Errorf(floorops.EPRECONDITION, "location %s is blocked: choose another location", loc.Code)
	case !tell:
		return floorops.Errorf(floorops.EPRECONDITION, "location %s has no room for %d more units: choose another location, or ask a lead",
			loc.Code, qty)
	default:
		return floorops.Errorf(floorops.EPRECONDITION, "location %s holds %d of %d units, no room for %d more: choose another location",
			loc.Code, fill, capacity, qty)
	}
}
