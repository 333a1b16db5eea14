package cyclecount

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
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
//
// SQLite aggregates and Go only reads the results, a row per location, per
// item and per (location, item): the ledger is never read row by row, so
// the gather's time and memory grow with the locations and with the
// movements since each location's last count (read through the
// movements_from and movements_to indexes), not with the ledger's history.
// q should be one read transaction, so every fact is of the same moment.
func candidates(ctx context.Context, q inventory.Querier, asOf, ageAt time.Time) ([]Candidate, error) {
	day := asOf
	dayStr := store.FormatTime(day)
	requests, err := inventory.OpenCountRequests(ctx, q)
	if err != nil {
		return nil, err
	}
	// The last movement before day: ids grow with time, so the newest
	// movement older than day bounds every movement fact (read backwards
	// from the newest, it stops at once when day is today).
	var last int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM movements WHERE created_at < ? ORDER BY id DESC LIMIT 1), 0)`, dayStr).Scan(&last); err != nil {
		return nil, fmt.Errorf("plan: movements: %w", err)
	}
	locs, err := locationFacts(ctx, q, dayStr, last)
	if err != nil {
		return nil, err
	}
	byItem := map[int64]hist{}
	if err := inventory.EachRow(ctx, q, `SELECT h.item_id, COUNT(DISTINCT h.count_id), COUNT(DISTINCT CASE WHEN h.counted_qty <> h.snapshot_qty THEN h.count_id END)
			FROM count_history h WHERE h.counted_at < ? GROUP BY 1`, []any{dayStr}, func(r *sql.Rows) error {
		var id int64
		var h hist
		err := r.Scan(&id, &h.counts, &h.errors)
		byItem[id] = h
		return err
	}); err != nil {
		return nil, fmt.Errorf("plan: count history: %w", err)
	}
	velocity, err := pickVelocity(ctx, q, day, last)
	if err != nil {
		return nil, err
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
	// since parses the times candidates are aged from; many share one (a
	// day's counts, a receipt's putaways), so the last one is kept.
	var lastSince string
	var lastAge float64
	fill := func(c *Candidate, l *locFacts, firstStocked string) {
		ih := byItem[c.ItemID]
		c.LocationCounts, c.LocationErrors = l.counts, l.errors
		c.ItemCounts, c.ItemErrors = ih.counts, ih.errors
		c.Touches, c.NeighbourPutaways = l.touches, l.neighbours
		c.Exceptions = exc[c.LocationID]
		c.DailyVelocity = velocity[c.ItemID]
		c.Trigger = triggerOf(requests[c.LocationID])
		since := l.last
		if since == "" {
			since = firstStocked
		}
		if since != lastSince {
			lastSince, lastAge = since, 0
			if t, err := store.ParseTimeOrZero(since); err == nil && !t.IsZero() {
				lastAge = math.Max(ageAt.Sub(t).Hours()/24, 0)
			}
		}
		c.DaysSinceCount = lastAge
		// Emptied by a pick since its last count: a zero check confirms it.
		c.JustEmptied = emptied[c.LocationID] > l.last
	}
	// Items are read once and the balances summed per (location, item) in
	// SQL, in location order, so they meet the location facts (in the same
	// order) without a lookup: joining items and locations per balance row
	// in SQL was the slowest part of a large building's plan.
	type itemInfo struct {
		sku   string
		class Class
		cost  float64
	}
	itemsByID := map[int64]itemInfo{}
	if err := inventory.EachRow(ctx, q, `SELECT i.id, i.sku, `+classSQL+`, i.unit_cost_cents FROM items i `+velocityJoin, nil, func(r *sql.Rows) error {
		var id, cost int64
		var sku string
		var class sql.RawBytes
		err := r.Scan(&id, &sku, &class, &cost)
		itemsByID[id] = itemInfo{sku, classOf(string(class)), float64(cost) / 100}
		return err
	}); err != nil {
		return nil, fmt.Errorf("plan: items: %w", err)
	}
	out := make([]Candidate, 0, len(locs))
	stocked := make([]bool, len(locs)) // which locations have a candidate
	at := 0                            // locs[at] is the balance row's location, or after it
	if err := inventory.EachRow(ctx, q, `SELECT location_id, item_id, SUM(qty), MIN(received_at) FROM balances WHERE qty > 0
		GROUP BY location_id, item_id ORDER BY location_id, item_id`, nil, func(r *sql.Rows) error {
		var loc, item int64
		var qty int
		var received sql.RawBytes
		if err := r.Scan(&loc, &item, &qty, &received); err != nil {
			return err
		}
		for at < len(locs) && locs[at].id < loc {
			at++
		}
		if at == len(locs) || locs[at].id != loc {
			return nil // not storage or a pick face
		}
		l := &locs[at]
		it := itemsByID[item]
		out = append(out, Candidate{LocationID: loc, Location: l.code, Zone: l.zone, ItemID: item, SKU: it.sku,
			Class: it.class, UnitCost: it.cost, RecordedUnits: qty})
		stocked[at] = true
		fill(&out[len(out)-1], l, string(received))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan: balances: %w", err)
	}
	// Empty locations the plan must still see: a triggered count, or a zero
	// check of a location a pick just emptied.
	var extra []int64
	for id := range requests {
		extra = append(extra, id)
	}
	for id := range emptied {
		if _, dup := requests[id]; !dup {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	for _, id := range extra {
		i, ok := slices.BinarySearchFunc(locs, id, func(l locFacts, id int64) int { return cmp.Compare(l.id, id) })
		if !ok || stocked[i] {
			continue // not storage or a pick face, or already a candidate
		}
		c := Candidate{LocationID: id, Location: locs[i].code, Zone: locs[i].zone}
		fill(&c, &locs[i], "")
		out = append(out, c)
	}
	return out, nil
}

// hist is the count history of an item: how many counts, and how many
// found a discrepancy.
type hist struct{ counts, errors int }

// locFacts is what the gather knows of a counted location (storage or a
// pick face).
type locFacts struct {
	id         int64
	code, zone string
	// counts and errors are its past counts and how many found a
	// discrepancy; last is when it was last counted ("" if never).
	counts, errors int
	last           string
	// touches are the movements from or to it since its last count started;
	// neighbours the putaways since then into the locations either side of
	// it in its zone's walk order (a unit meant for next door is most often
	// put here by mistake).
	touches, neighbours int
}

// locationFacts reads, in one query and one row per counted location in id
// order, its code, zone, count history and the movements since its last
// count started (its last count's start_movement_id: movement ids grow with
// time, so "since" is a larger id) up to last. SQLite counts the movements
// from the movements_from and movements_to indexes, a range per location,
// and finds the walk-order neighbours with a window over locations_zone_walk.
// Reading the ledger row by row into Go was most of a large plan's time
// (BenchmarkPlanFromDatabase).
func locationFacts(ctx context.Context, q inventory.Querier, dayStr string, last int64) ([]locFacts, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM locations WHERE type IN ('storage', 'pickface')`).Scan(&n); err != nil {
		return nil, fmt.Errorf("plan: locations: %w", err)
	}
	out := make([]locFacts, 0, n)
	zones := map[string]string{} // a few zones, shared by many locations
	err := inventory.EachRow(ctx, q, `WITH hist AS (
			SELECT h.location_id AS id, COUNT(DISTINCT h.count_id) AS n,
				COUNT(DISTINCT CASE WHEN h.counted_qty <> h.snapshot_qty THEN h.count_id END) AS errs,
				MAX(h.counted_at) AS last, MAX(c.start_movement_id) AS since
			FROM count_history h JOIN counts c ON c.id = h.count_id WHERE h.counted_at < :day GROUP BY 1
		), walk AS (
			SELECT id, code, zone, LAG(id) OVER w AS prev, LEAD(id) OVER w AS next FROM locations
			WHERE type IN ('storage', 'pickface') WINDOW w AS (PARTITION BY zone ORDER BY walk_seq, code)
		), f AS (
			SELECT w.id, w.code, w.zone, w.prev, w.next, COALESCE(h.n, 0) AS n, COALESCE(h.errs, 0) AS errs,
				COALESCE(h.last, '') AS last, COALESCE(h.since, 0) AS since
			FROM walk w LEFT JOIN hist h ON h.id = w.id
		)
		SELECT id, code, zone, n, errs, last,
			(SELECT COUNT(*) FROM movements m WHERE m.from_location_id = f.id AND m.id > f.since AND m.id <= :last)
			+ (SELECT COUNT(*) FROM movements m WHERE m.to_location_id = f.id AND m.id > f.since AND m.id <= :last),
			(SELECT COUNT(*) FROM movements m WHERE m.to_location_id = f.prev AND m.id > f.since AND m.id <= :last AND m.kind = :putaway)
			+ (SELECT COUNT(*) FROM movements m WHERE m.to_location_id = f.next AND m.id > f.since AND m.id <= :last AND m.kind = :putaway)
		FROM f ORDER BY id`, []any{sql.Named("day", dayStr), sql.Named("last", last), sql.Named("putaway", inventory.KindPutaway)},
		func(r *sql.Rows) error {
			var l locFacts
			var zone sql.RawBytes
			if err := r.Scan(&l.id, &l.code, &zone, &l.counts, &l.errors, &l.last, &l.touches, &l.neighbours); err != nil {
				return err
			}
			z, ok := zones[string(zone)]
			if !ok {
				z = string(zone)
				zones[z] = z
			}
			l.zone = z
			out = append(out, l)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("plan: locations: %w", err)
	}
	return out, nil
}

// pickVelocity is each item's daily pick velocity over the velocity window
// before day, from the picks up to last (the last movement before day).
// The window's movements are a range of ids (ids grow with time), so SQLite
// reads only them, not the ledger's history.
func pickVelocity(ctx context.Context, q inventory.Querier, day time.Time, last int64) (map[int64]float64, error) {
	from := store.FormatTime(day.AddDate(0, 0, -velocityWindowDays))
	velocity := map[int64]float64{}
	if err := inventory.EachRow(ctx, q, `SELECT item_id, SUM(qty) FROM movements
		WHERE id > COALESCE((SELECT id FROM movements WHERE created_at < :from AND id <= :last ORDER BY id DESC LIMIT 1), 0)
			AND id <= :last AND kind = :pick AND created_at >= :from GROUP BY item_id`,
		[]any{sql.Named("from", from), sql.Named("last", last), sql.Named("pick", inventory.KindPick)}, func(r *sql.Rows) error {
			var id, n int64
			err := r.Scan(&id, &n)
			velocity[id] = float64(n) / velocityWindowDays
			return err
		}); err != nil {
		return nil, fmt.Errorf("plan: pick velocity: %w", err)
	}
	return velocity, nil
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
