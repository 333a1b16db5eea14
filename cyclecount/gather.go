package cyclecount

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// velocityWindowDays is how far back picks are averaged for an item's daily
// velocity.
const velocityWindowDays = 30

// exceptionWindowDays is how far back a location's exceptions raise its
// risk.
const exceptionWindowDays = 7

// Candidates gathers, as of day, one Candidate per (location, item) the
// record holds in storage and pick faces, plus one (item 0) per empty
// location with an open count request or just emptied: the facts the risk
// model and the plan's hard rules read, all from tables the node keeps
// (balances, items, movements, count history, exceptions, count
// requests). Nothing of the shelf's truth is in it.
func Candidates(ctx context.Context, q inventory.Querier, day time.Time) ([]Candidate, error) {
	return candidates(ctx, q, day, day)
}

// candidates gathers the facts as of asOf, with each location's days since
// its last count measured to ageAt: a plan for a day ahead knows only
// today's facts, but its locations will have gone uncounted until that
// day.
func candidates(ctx context.Context, q inventory.Querier, asOf, ageAt time.Time) ([]Candidate, error) {
	day := asOf
	dayStr := store.FormatTime(day)
	requests, err := inventory.OpenCountRequests(ctx, q)
	if err != nil {
		return nil, err
	}
	velocity := map[int64]float64{}
	if err := inventory.EachRow(ctx, q, `SELECT item_id, SUM(qty) FROM movements WHERE kind = ? AND created_at >= ? AND created_at < ? GROUP BY item_id`,
		[]any{inventory.KindPick, store.FormatTime(day.AddDate(0, 0, -velocityWindowDays)), dayStr}, func(r *sql.Rows) error {
			var id, n int64
			err := r.Scan(&id, &n)
			velocity[id] = float64(n) / velocityWindowDays
			return err
		}); err != nil {
		return nil, fmt.Errorf("plan: velocity: %w", err)
	}
	type hist struct {
		counts, errors int
		last           string
	}
	byLoc, byItem := map[int64]hist{}, map[int64]hist{}
	for _, g := range []struct {
		col string
		out map[int64]hist
	}{{"location_id", byLoc}, {"item_id", byItem}} {
		if err := inventory.EachRow(ctx, q, `SELECT `+g.col+`, COUNT(DISTINCT count_id), COUNT(DISTINCT CASE WHEN counted_qty <> snapshot_qty THEN count_id END), MAX(counted_at)
			FROM count_history WHERE counted_at < ? GROUP BY 1`, []any{dayStr}, func(r *sql.Rows) error {
			var id int64
			var h hist
			err := r.Scan(&id, &h.counts, &h.errors, &h.last)
			g.out[id] = h
			return err
		}); err != nil {
			return nil, fmt.Errorf("plan: count history: %w", err)
		}
	}
	touches := map[int64]int{}
	if err := inventory.EachRow(ctx, q, `WITH last AS (SELECT location_id, MAX(counted_at) AS at FROM count_history GROUP BY 1),
		m AS (SELECT from_location_id AS loc, created_at FROM movements WHERE from_location_id IS NOT NULL AND created_at < ?1
			UNION ALL SELECT to_location_id, created_at FROM movements WHERE to_location_id IS NOT NULL AND created_at < ?1)
		SELECT m.loc, COUNT(*) FROM m LEFT JOIN last ON last.location_id = m.loc WHERE m.created_at > COALESCE(last.at, '') GROUP BY 1`,
		[]any{dayStr}, func(r *sql.Rows) error {
			var id int64
			var n int
			err := r.Scan(&id, &n)
			touches[id] = n
			return err
		}); err != nil {
		return nil, fmt.Errorf("plan: touches: %w", err)
	}
	// Putaways into the bins either side of a location in its zone's walk
	// order, since its last count: a unit meant next door is most often
	// put here by mistake.
	neighbours := map[int64]int{}
	if err := inventory.EachRow(ctx, q, `WITH last AS (SELECT location_id, MAX(counted_at) AS at FROM count_history GROUP BY 1),
		nb AS (SELECT id, LAG(id) OVER w AS prev, LEAD(id) OVER w AS next FROM locations
			WHERE type IN ('storage', 'pickface') WINDOW w AS (PARTITION BY zone ORDER BY walk_seq, code)),
		pa AS (SELECT to_location_id AS loc, created_at FROM movements WHERE kind = ?2 AND created_at < ?1)
		SELECT nb.id, COUNT(*) FROM nb JOIN pa ON pa.loc IN (nb.prev, nb.next) LEFT JOIN last ON last.location_id = nb.id
		WHERE pa.created_at > COALESCE(last.at, '') GROUP BY 1`,
		[]any{dayStr, inventory.KindPutaway}, func(r *sql.Rows) error {
			var id int64
			var n int
			err := r.Scan(&id, &n)
			neighbours[id] = n
			return err
		}); err != nil {
		return nil, fmt.Errorf("plan: neighbouring putaways: %w", err)
	}
	exc := map[int64]Exceptions{}
	emptied := map[int64]string{} // location -> when a pick last emptied it
	if err := inventory.EachRow(ctx, q, `SELECT location_id, kind, COUNT(*), MAX(created_at) FROM exceptions
		WHERE location_id IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY 1, 2`,
		[]any{store.FormatTime(day.AddDate(0, 0, -exceptionWindowDays)), dayStr}, func(r *sql.Rows) error {
			var id int64
			var kind string
			var n int
			var last string
			if err := r.Scan(&id, &kind, &n, &last); err != nil {
				return err
			}
			e := exc[id]
			switch kind {
			case inventory.ExceptionShortPick:
				e.ShortPicks += n
			case inventory.ExceptionPutawayOverride:
				e.PutawayOverrides += n
			case inventory.ExceptionRejectedScan:
				e.RejectedScans += n
			case inventory.ExceptionReceiptUndo:
				e.ReceiptUndos += n
			case inventory.ExceptionLocationEmptied:
				emptied[id] = last
			}
			exc[id] = e
			return nil
		}); err != nil {
		return nil, fmt.Errorf("plan: exceptions: %w", err)
	}
	var out []Candidate
	seen := map[int64]bool{}
	fill := func(c *Candidate, firstStocked string) {
		lh, ih := byLoc[c.LocationID], byItem[c.ItemID]
		c.LocationCounts, c.LocationErrors = lh.counts, lh.errors
		c.ItemCounts, c.ItemErrors = ih.counts, ih.errors
		c.Touches, c.Exceptions = touches[c.LocationID], exc[c.LocationID]
		c.NeighbourPutaways = neighbours[c.LocationID]
		c.DailyVelocity = velocity[c.ItemID]
		c.Trigger = triggerOf(requests[c.LocationID])
		since := lh.last
		if since == "" {
			since = firstStocked
		}
		if t, err := store.ParseTimeOrZero(since); err == nil && !t.IsZero() {
			c.DaysSinceCount = math.Max(ageAt.Sub(t).Hours()/24, 0)
		}
		// Emptied by a pick since its last count: a zero check confirms it.
		c.JustEmptied = emptied[c.LocationID] > lh.last
	}
	if err := inventory.EachRow(ctx, q, `SELECT l.id, l.code, l.zone, i.id, i.sku, `+classSQL+`, i.unit_cost_cents, SUM(b.qty), MIN(b.received_at)
		FROM balances b JOIN locations l ON l.id = b.location_id JOIN items i ON i.id = b.item_id `+velocityJoin+`
		WHERE b.qty > 0 AND l.type IN ('storage', 'pickface')
		GROUP BY l.id, i.id ORDER BY l.id, i.id`, nil, func(r *sql.Rows) error {
		var c Candidate
		var class, first string
		var cost int64
		if err := r.Scan(&c.LocationID, &c.Location, &c.Zone, &c.ItemID, &c.SKU, &class, &cost, &c.RecordedUnits, &first); err != nil {
			return err
		}
		c.Class, c.UnitCost = classOf(class), float64(cost)/100
		fill(&c, first)
		seen[c.LocationID] = true
		out = append(out, c)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan: balances: %w", err)
	}
	// Empty locations the plan must still see: a triggered count, or a zero
	// check of a location a pick just emptied.
	extra := map[int64]bool{}
	for id := range requests {
		extra[id] = true
	}
	for id := range emptied {
		extra[id] = true
	}
	for id := range extra {
		if seen[id] {
			continue
		}
		var c Candidate
		if err := q.QueryRowContext(ctx, `SELECT id, code, zone FROM locations WHERE id = ? AND type IN ('storage', 'pickface')`, id).
			Scan(&c.LocationID, &c.Location, &c.Zone); err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("plan: location: %w", err)
		}
		fill(&c, "")
		out = append(out, c)
	}
	return out, nil
}

func triggerOf(reason string) Trigger {
	switch reason {
	case "":
		return TriggerNone
	case inventory.ExceptionShortPick:
		return TriggerShortPick
	case inventory.ExceptionPutawayOverride:
		return TriggerPutawayOverride
	}
	return TriggerLocationEmptied
}

func classOf(s string) Class {
	switch s {
	case "A":
		return ClassA
	case "B":
		return ClassB
	}
	return ClassC
}
