package putaway

import (
	"context"
	"fmt"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// SuggestLocation says where a task's stock should go and why, and
// reserves that room for the task. The task is named by id, or (id 0) by
// what the associate scanned in staging: an LPN or a pallet's SSCC, or an
// item's GTIN or GS1 label, which picks the oldest open task for it.
//
// The reservation is what keeps two associates from being sent to the same
// slot: suggestions for other tasks count reserved units as taken and pass
// over an empty slot another task is directed to, and ConfirmPutaway
// accepts the reserved location as directed for as long as the units still
// fit there. Each call works the suggestion out afresh, counting every
// reservation but the task's own, and replaces the task's reservation with
// it, so asking again with nothing changed gives the same answer and writes
// nothing; a retry is safe. When no location has room the task's
// reservation is released and the answer is EPRECONDITION.
//
// A task whose units left its source outside putaway is first trimmed to
// what is there (see trimStale). A task named by id that has nothing left
// there is closed and the answer is EPRECONDITION, saying what is there;
// a scan passes over such tasks to the next open one.
func (s *Service) SuggestLocation(ctx context.Context, taskID int64, raw string) (Task, Suggestion, error) {
	switch {
	case taskID < 0:
		return Task{}, Suggestion{}, floorops.Invalid("task_id", "must not be negative")
	case taskID > 0:
	case strings.TrimSpace(raw) == "":
		return Task{}, Suggestion{}, &floorops.Error{Code: floorops.EINVALID, Message: "task_id or scan is required",
			Fields: []floorops.FieldViolation{{Field: "task_id", Description: "task_id or scan is required"}, {Field: "scan", Description: "task_id or scan is required"}}}
	case len(raw) > 128:
		return Task{}, Suggestion{}, floorops.Invalid("scan", "must be at most 128 long")
	}
	var t Task
	var sg Suggestion
	var ok bool
	var gone error // the task was closed: its units are no longer at its source
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for {
			var err error
			if taskID > 0 {
				t, err = openTask(ctx, tx, taskID)
			} else {
				t, err = taskForScan(ctx, tx, s.scan, raw)
			}
			if err != nil {
				return err
			}
			was := t
			if t, err = trimmed(ctx, tx, t); err != nil {
				return err
			}
			if t.State == TaskOpen {
				break
			}
			if taskID > 0 {
				// Commit the trim; the answer is the refusal.
				sh, err := shareOf(ctx, tx, was)
				if err != nil {
					return err
				}
				gone = notAtSource(was, sh, inventory.ActorFrom(ctx))
				return nil
			}
			// The scanned stock's oldest task was stale and is closed now;
			// look again.
		}
		var err error
		if sg, ok, err = s.suggest(ctx, tx, t); err != nil {
			return err
		}
		return reserve(ctx, tx, t.ID, sg, ok)
	})
	if err != nil {
		return Task{}, Suggestion{}, err
	}
	if gone != nil {
		return Task{}, Suggestion{}, gone
	}
	if !ok {
		return t, Suggestion{}, floorops.Errorf(floorops.EPRECONDITION,
			"no %s location has room for %s: ask a lead to free space or put it away with an override reason", destinationKind(t), t.SKU)
	}
	return t, sg, nil
}

// trimmed trims the stale claims on t's stock (see trimStale) and returns
// t as it is afterwards: open with the units at its source, or closed.
func trimmed(ctx context.Context, tx *store.Tx, t Task) (Task, error) {
	if _, _, err := trimStale(ctx, tx, keyOf(t), 0); err != nil {
		return Task{}, err
	}
	return taskByID(ctx, tx, t.ID)
}

// reserve makes sg (nothing, when ok is false) the task's reservation. It
// writes only when the reservation changes.
func reserve(ctx context.Context, tx *store.Tx, taskID int64, sg Suggestion, ok bool) error {
	var loc any
	var qty int64
	if ok {
		loc, qty = sg.LocationID, sg.Qty
	}
	if _, err := tx.ExecContext(ctx, `UPDATE putaway_tasks SET directed_location_id = ?, directed_qty = ?
		WHERE id = ? AND (directed_location_id IS NOT ? OR directed_qty <> ?)`, loc, qty, taskID, loc, qty); err != nil {
		return fmt.Errorf("putaway: reserve room for task %d: %w", taskID, err)
	}
	return nil
}

// reservation is the room a task was last directed to (locationID 0: none).
type reservation struct {
	locationID int64
	code       string
	qty        int64
}

func reservationOf(ctx context.Context, q inventory.Querier, taskID int64) (reservation, error) {
	var r reservation
	err := q.QueryRowContext(ctx, `SELECT COALESCE(t.directed_location_id, 0), COALESCE(l.code, ''), t.directed_qty
		FROM putaway_tasks t LEFT JOIN locations l ON l.id = t.directed_location_id WHERE t.id = ?`, taskID).
		Scan(&r.locationID, &r.code, &r.qty)
	if err != nil {
		return reservation{}, fmt.Errorf("putaway: reservation of task %d: %w", taskID, err)
	}
	return r, nil
}

func destinationKind(t Task) string {
	if t.Status == inventory.Quarantined {
		return "quarantine"
	}
	return "storage or pick-face"
}

// candidate is a location a strategy found, with how full it is.
type candidate struct {
	id      int64
	code    string
	zone    string
	typ     inventory.LocationType
	walkSeq int64
	// room is how many more units it takes (inventory.RoomSQL), counting
	// units of anything there and units other tasks are directed to put
	// there: none when blocked.
	room int64
	same int64 // units of the task's item (and lot, for consolidation) there
	rank int64 // home pick face (0) or pick face already holding the item (1)
}

// suggest runs the strategies in order, first looking for a location that
// takes every remaining unit and, failing that, for one that takes some
// (the rest is split to another location). ok is false when no location
// has room for even one unit. A location being counted is never suggested
// (Hooks.BeingCounted).
func (s *Service) suggest(ctx context.Context, q inventory.Querier, t Task) (Suggestion, bool, error) {
	counting, err := s.hooks.BeingCounted(ctx, q)
	if err != nil {
		return Suggestion{}, false, fmt.Errorf("putaway: locations being counted: %w", err)
	}
	need := t.Remaining()
	strategies := s.Strategies
	if t.Status == inventory.Quarantined {
		strategies = []Strategy{StrategyQuarantine}
	}
	for _, minRoom := range []int64{need, 1} {
		for _, st := range strategies {
			c, reason, ok, err := s.find(ctx, q, st, t, minRoom, counting)
			if err != nil {
				return Suggestion{}, false, fmt.Errorf("putaway: %s: %w", st, err)
			}
			if !ok {
				continue
			}
			sg := Suggestion{
				LocationID: c.id, LocationCode: c.code, Zone: c.zone, LocationType: c.typ,
				Strategy: st, Reason: reason, Qty: min(need, c.room),
			}
			if sg.Qty < need {
				sg.Reason += fmt.Sprintf("; room for only %d of the %d units: put %d here, then ask for a location for the rest", sg.Qty, need, sg.Qty)
			}
			return sg, true, nil
		}
		if need == 1 {
			break
		}
	}
	return Suggestion{}, false, nil
}

// The strategies' queries. Each returns candidate rows in the order the
// strategy prefers them, each with its room by the placement rule
// (inventory.RoomSQL: a blocked location has none and is passed over);
// every destination is not the source, not held for a count and not
// another item's home pick face. A location's room counts as taken the
// room other open tasks have reserved there (never more than a task's
// units still waiting: a task shrinks when its staged stock is taken
// back), and an empty slot another task is directed to is not empty. They
// are written to run from indexes (see TestQueryPlans): balances_item for
// stock of an item, the primary key of locations, the open index of count
// requests (inventory.HeldForCount), putaway_tasks_directed for
// reservations, and putaway_home_locations for each candidate, and
// putaway_empty_locations' walk-ordered indexes for empty slots. CROSS JOIN
// keeps SQLite from driving the join from every storage location instead
// of the item's few. The first argument of every query is the task, whose
// own reservation does not count.
var (
	candidateColumns = `l.id, l.code, l.zone, l.type, l.walk_seq, ` + inventory.RoomSQL("l.blocked", "l.capacity",
		`(SELECT COALESCE(SUM(f.qty), 0) FROM balances f WHERE f.location_id = l.id)
		+ (SELECT COALESCE(SUM(MIN(r.directed_qty, r.qty - r.put_qty)), 0) FROM putaway_tasks r
			WHERE r.directed_location_id = l.id AND r.state = 'open' AND r.id <> ?1)`)

	notHeld = ` AND NOT ` + inventory.HeldForCount("l.id") + `
		AND NOT EXISTS (SELECT 1 FROM putaway_home_locations o WHERE o.location_id = l.id AND o.item_id <> ?2)`

	// consolidateSQL: locations holding the item with the same lot and
	// expiry. Args: task, item, lot, expiry, source.
	consolidateSQL = `SELECT ` + candidateColumns + `, c.same, 0
		FROM (SELECT location_id, SUM(qty) AS same FROM balances
			WHERE item_id = ?2 AND status = 'available' AND lot = ?3 AND expiry = ?4 GROUP BY location_id) c
		CROSS JOIN locations l ON l.id = c.location_id
		WHERE l.type IN ('storage', 'pickface') AND l.id <> ?5` + notHeld + `
		ORDER BY l.walk_seq, l.code`

	// homeSQL: the item's home pick face, then pick faces holding the item.
	// Args: task, item, source.
	homeSQL = `SELECT ` + candidateColumns + `, c.same, c.rank
		FROM (SELECT location_id, 0 AS rank, 0 AS same FROM putaway_home_locations WHERE item_id = ?2
			UNION ALL
			SELECT location_id, 1, SUM(qty) FROM balances WHERE item_id = ?2 AND status = 'available' GROUP BY location_id) c
		CROSS JOIN locations l ON l.id = c.location_id
		WHERE l.type = 'pickface' AND l.id <> ?3` + notHeld + `
		ORDER BY c.rank, l.walk_seq, l.code`

	// quarantineSQL: quarantine locations in walk order. Args: task, item,
	// source.
	quarantineSQL = `SELECT ` + candidateColumns + `, 0, 0
		FROM locations l WHERE l.type = 'quarantine' AND l.id <> ?3` + notHeld + `
		ORDER BY l.walk_seq, l.code`

	// putaway_empty_locations holds unblocked locations only (its
	// triggers keep it so), with nothing in them.
	emptyRoom    = inventory.RoomSQL("0", "l.capacity", "0")
	emptyColumns = `SELECT l.location_id, l.code, l.zone, l.type, l.walk_seq, ` + emptyRoom + ` FROM putaway_empty_locations l `
	emptyFilter  = ` AND ` + emptyRoom + ` >= ?4 AND l.location_id <> ?3
		AND NOT ` + inventory.HeldForCount("l.location_id") + `
		AND NOT EXISTS (SELECT 1 FROM putaway_home_locations o WHERE o.location_id = l.location_id AND o.item_id <> ?2)
		AND NOT EXISTS (SELECT 1 FROM putaway_tasks r
			WHERE r.directed_location_id = l.location_id AND r.state = 'open' AND r.id <> ?1)
		ORDER BY l.walk_seq, l.code`

	// emptyInZoneSQL: the empty location nearest the walk start in a zone.
	// Args: task, item, source, units, zone.
	emptyInZoneSQL = emptyColumns + `WHERE l.zone = ?5` + emptyFilter

	// emptyStorageSQL: the empty storage location nearest the walk start.
	// Args: task, item, source, units.
	emptyStorageSQL = emptyColumns + `WHERE l.type = 'storage'` + emptyFilter
)

func (s *Service) find(ctx context.Context, q inventory.Querier, st Strategy, t Task, minRoom int64, skip map[int64]bool) (candidate, string, bool, error) {
	switch st {
	case StrategyConsolidate:
		c, ok, err := firstWithRoom(ctx, q, minRoom, skip, consolidateSQL, t.ID, t.ItemID, t.Lot, t.Expiry, t.FromID)
		what := "item"
		if t.Lot != "" {
			what = "lot"
		}
		// Not how many: the bin may be being counted blind, and a
		// suggestion must not read its record to the associate.
		return c, "consolidate with units of the same " + what, ok, err

	case StrategyHomePickFace:
		c, ok, err := firstWithRoom(ctx, q, minRoom, skip, homeSQL, t.ID, t.ItemID, t.FromID)
		if c.rank == 0 {
			return c, "home pick face of " + t.SKU, ok, err
		}
		// Not how many, as for consolidation: the pick face may be hidden
		// from the associate (a count of it waiting for a lead or a recount).
		return c, "pick face already holding " + t.SKU, ok, err

	case StrategyVelocityZone:
		zone := s.VelocityZones[t.ABCClass]
		if zone == "" {
			return candidate{}, "", false, nil
		}
		c, ok, err := firstEmpty(ctx, q, skip, emptyInZoneSQL, t.ID, t.ItemID, t.FromID, minRoom, zone)
		return c, fmt.Sprintf("empty %s in zone %s for velocity class %s, nearest to the walk start", typeWords(c.typ), zone, t.ABCClass), ok, err

	case StrategyAnyEmpty:
		c, ok, err := firstEmpty(ctx, q, skip, emptyStorageSQL, t.ID, t.ItemID, t.FromID, minRoom)
		return c, "empty storage location nearest to the walk start", ok, err

	case StrategyQuarantine:
		c, ok, err := firstWithRoom(ctx, q, minRoom, skip, quarantineSQL, t.ID, t.ItemID, t.FromID)
		return c, "quarantine location for held stock", ok, err
	}
	return candidate{}, "", false, floorops.Errorf(floorops.EINTERNAL, "unknown putaway strategy %q", st)
}

func typeWords(t inventory.LocationType) string {
	if t == inventory.LocPickFace {
		return "pick face"
	}
	return string(t) + " location"
}

// firstWithRoom returns the first row of query (in its order) with room for
// minRoom units, passing over the locations in skip.
func firstWithRoom(ctx context.Context, q inventory.Querier, minRoom int64, skip map[int64]bool, query string, args ...any) (candidate, bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return candidate{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.code, &c.zone, &c.typ, &c.walkSeq, &c.room, &c.same, &c.rank); err != nil {
			return candidate{}, false, err
		}
		if c.room >= minRoom && !skip[c.id] {
			return c, true, nil
		}
	}
	return candidate{}, false, rows.Err()
}

// firstEmpty returns the first row of an empty-location query (in its
// walk order) not in skip, if any. The query is read row by row, so the
// common case (nothing to skip) reads one.
func firstEmpty(ctx context.Context, q inventory.Querier, skip map[int64]bool, query string, args ...any) (candidate, bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return candidate{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.code, &c.zone, &c.typ, &c.walkSeq, &c.room); err != nil {
			return candidate{}, false, err
		}
		if !skip[c.id] {
			return c, true, nil
		}
	}
	return candidate{}, false, rows.Err()
}
