package cyclecount

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
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
	byLoc, byItem := map[int64]hist{}, map[int64]hist{}
	for _, g := range []struct {
		col string
		out map[int64]hist
	}{{"location_id", byLoc}, {"item_id", byItem}} {
		if err := inventory.EachRow(ctx, q, `SELECT h.`+g.col+`, COUNT(DISTINCT h.count_id), COUNT(DISTINCT CASE WHEN h.counted_qty <> h.snapshot_qty THEN h.count_id END),
				MAX(h.counted_at), MAX(c.start_movement_id)
			FROM count_history h JOIN counts c ON c.id = h.count_id WHERE h.counted_at < ? GROUP BY 1`, []any{dayStr}, func(r *sql.Rows) error {
			var id int64
			var h hist
			err := r.Scan(&id, &h.counts, &h.errors, &h.last, &h.lastMove)
			g.out[id] = h
			return err
		}); err != nil {
			return nil, fmt.Errorf("plan: count history: %w", err)
		}
	}
	velocity, touches, neighbours, locs, err := movementFacts(ctx, q, day, byLoc)
	if err != nil {
		return nil, err
	}
	variances, err := neighbourVariances(ctx, q, day, byLoc)
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
	var out []Candidate
	seen := map[int64]bool{}
	fill := func(c *Candidate, firstStocked string) {
		lh, ih := byLoc[c.LocationID], byItem[c.ItemID]
		c.LocationCounts, c.LocationErrors = lh.counts, lh.errors
		c.ItemCounts, c.ItemErrors = ih.counts, ih.errors
		c.Touches, c.Exceptions = touches[c.LocationID], exc[c.LocationID]
		c.NeighbourPutaways = neighbours[c.LocationID]
		variances.fill(c, day)
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
	// Items and locations are read once each and the balances summed per
	// (location, item) here: joining them per balance row in SQL was the
	// slowest part of a large building's plan.
	type itemInfo struct {
		sku   string
		class Class
		cost  float64
	}
	itemsByID := map[int64]itemInfo{}
	if err := inventory.EachRow(ctx, q, `SELECT i.id, i.sku, `+classSQL+`, i.unit_cost_cents FROM items i `+velocityJoin, nil, func(r *sql.Rows) error {
		var id, cost int64
		var sku, class string
		err := r.Scan(&id, &sku, &class, &cost)
		itemsByID[id] = itemInfo{sku, classOf(class), float64(cost) / 100}
		return err
	}); err != nil {
		return nil, fmt.Errorf("plan: items: %w", err)
	}
	type key struct{ loc, item int64 }
	at := make(map[key]int, len(locs))
	out = make([]Candidate, 0, len(locs))
	var first []string // when each candidate's position first held stock
	if err := inventory.EachRow(ctx, q, `SELECT location_id, item_id, qty, received_at FROM balances WHERE qty > 0`, nil, func(r *sql.Rows) error {
		var k key
		var qty int
		var received string
		if err := r.Scan(&k.loc, &k.item, &qty, &received); err != nil {
			return err
		}
		l, ok := locs[k.loc]
		if !ok {
			return nil // not storage or a pick face
		}
		if i, ok := at[k]; ok {
			out[i].RecordedUnits += qty
			first[i] = min(first[i], received)
			return nil
		}
		it := itemsByID[k.item]
		at[k] = len(out)
		out = append(out, Candidate{LocationID: k.loc, Location: l.code, Zone: l.zone, ItemID: k.item, SKU: it.sku,
			Class: it.class, UnitCost: it.cost, RecordedUnits: qty})
		first = append(first, received)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan: balances: %w", err)
	}
	for i := range out {
		fill(&out[i], first[i])
		seen[out[i].LocationID] = true
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LocationID != out[j].LocationID {
			return out[i].LocationID < out[j].LocationID
		}
		return out[i].ItemID < out[j].ItemID
	})
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

// locInfo is what a candidate carries of its location.
type locInfo struct{ code, zone string }

// hist is the count history of a location or an item: how many counts,
// how many found a discrepancy, and when it was last counted.
type hist struct {
	counts, errors int
	last           string
	// lastMove is the last ledger movement id when the last count started:
	// movement ids grow with time, so "since the last count" is a larger id.
	lastMove int64
}

// movementFacts reads the counted locations (storage and pick faces) and,
// in one pass over the movements before day that holds nothing per
// movement and reads integers only, three facts: each item's daily pick
// velocity over the velocity window before day; each location's touches
// (a movement from or to it) since its last count started (byLoc's
// lastMove); and its neighbouring putaways, putaways into the bins either side of it in its
// zone's walk order since then (a unit meant for next door is most often
// put here by mistake). Joining movements to the count history in SQL,
// once per fact, read the ledger three times and sorted it: too slow for a
// large building (BenchmarkPlanFromDatabase).
func movementFacts(ctx context.Context, q inventory.Querier, day time.Time, byLoc map[int64]hist) (map[int64]float64, map[int64]int, map[int64]int, map[int64]locInfo, error) {
	dayStr := store.FormatTime(day)
	// The last movement before day: ids grow with time, so the newest
	// movement older than day bounds the pass (read backwards from the
	// newest, it stops at once when day is today).
	var last int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM movements WHERE created_at < ? ORDER BY id DESC LIMIT 1), 0)`, dayStr).Scan(&last); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("plan: movements: %w", err)
	}
	// Walk-order neighbours: a putaway into a location counts for the
	// location before and after it (neighbourhood is symmetric).
	type pair struct{ prev, next int64 }
	// Sized once from the number of locations: growing maps of 200,000
	// entries row by row was a good part of a large plan's time.
	var nLocs int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM locations`).Scan(&nLocs); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("plan: locations: %w", err)
	}
	nb := make(map[int64]pair, nLocs)
	// The counted locations (storage and pick faces), read in one pass and
	// put in walk order here: each one's predecessor in its zone is the
	// one before (a window function over the index was slower).
	locs := make(map[int64]locInfo, nLocs)
	type walk struct {
		id         int64
		zone, code string
		seq        int64
	}
	order := make([]walk, 0, nLocs)
	if err := inventory.EachRow(ctx, q, `SELECT id, code, zone, walk_seq FROM locations WHERE type IN ('storage', 'pickface')`, nil, func(r *sql.Rows) error {
		var w walk
		err := r.Scan(&w.id, &w.code, &w.zone, &w.seq)
		locs[w.id] = locInfo{code: w.code, zone: w.zone}
		order = append(order, w)
		return err
	}); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("plan: locations: %w", err)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.zone != b.zone {
			return a.zone < b.zone
		}
		if a.seq != b.seq {
			return a.seq < b.seq
		}
		return a.code < b.code
	})
	for i := 1; i < len(order); i++ {
		if order[i].zone == order[i-1].zone {
			p := nb[order[i-1].id]
			p.next = order[i].id
			nb[order[i-1].id] = p
			nb[order[i].id] = pair{prev: order[i-1].id}
		}
	}
	touches, neighbours := make(map[int64]int, nLocs), make(map[int64]int, nLocs)
	picked := map[int64]int64{}
	if err := inventory.EachRow(ctx, q, `SELECT id, COALESCE(from_location_id, 0), COALESCE(to_location_id, 0), kind = ?,
			item_id, CASE WHEN kind = ? AND created_at >= ? THEN qty ELSE 0 END FROM movements WHERE id <= ?`,
		[]any{inventory.KindPutaway, inventory.KindPick, store.FormatTime(day.AddDate(0, 0, -velocityWindowDays)), last}, func(r *sql.Rows) error {
			var id, from, to, item, pickedQty int64
			var putaway bool
			if err := r.Scan(&id, &from, &to, &putaway, &item, &pickedQty); err != nil {
				return err
			}
			if pickedQty > 0 {
				picked[item] += pickedQty
			}
			if from != 0 && id > byLoc[from].lastMove {
				touches[from]++
			}
			if to != 0 && id > byLoc[to].lastMove {
				touches[to]++
			}
			if putaway && to != 0 {
				p := nb[to]
				if p.prev != 0 && id > byLoc[p.prev].lastMove {
					neighbours[p.prev]++
				}
				if p.next != 0 && id > byLoc[p.next].lastMove {
					neighbours[p.next]++
				}
			}
			return nil
		}); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("plan: movements: %w", err)
	}
	velocity := make(map[int64]float64, len(picked))
	for id, n := range picked {
		velocity[id] = float64(n) / velocityWindowDays
	}
	return velocity, touches, neighbours, locs, nil
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
