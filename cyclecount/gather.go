package cyclecount

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/bits"
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
func candidates(ctx context.Context, q inventory.Querier, asOf, ageAt time.Time) ([]Candidate, error) {
	day := asOf
	dayStr := store.FormatTime(day)
	requests, err := inventory.OpenCountRequests(ctx, q)
	if err != nil {
		return nil, err
	}
	var f facts
	if err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT MAX(id) FROM locations), 0), COALESCE((SELECT MAX(id) FROM items), 0),
		(SELECT COUNT(*) FROM locations WHERE type IN ('storage', 'pickface'))`).Scan(&f.maxLoc, &f.maxItem, &f.nLocs); err != nil {
		return nil, fmt.Errorf("plan: locations: %w", err)
	}
	if f.maxLoc >= 1<<31 || f.maxItem >= 1<<31 || f.maxLoc < 0 || f.maxItem < 0 {
		return nil, fmt.Errorf("plan: location or item ids beyond 2^31 (%d, %d)", f.maxLoc, f.maxItem)
	}
	byLoc, byItem, err := countHistory(ctx, q, dayStr, f.maxLoc, f.maxItem)
	if err != nil {
		return nil, err
	}
	mf, err := movementFacts(ctx, q, day, f, byLoc)
	if err != nil {
		return nil, err
	}
	locs := mf.locs
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
	var variances neighbourDiffs
	// Many candidates are aged from the same time (a day's counts, a
	// receipt's putaways): the last one parsed is kept.
	var lastSince string
	var lastAge float64
	fill := func(c *Candidate, firstStocked string) {
		var lh, ih hist
		if c.LocationID > 0 && c.LocationID < int64(len(byLoc)) {
			lh = byLoc[c.LocationID]
		}
		if c.ItemID > 0 && c.ItemID < int64(len(byItem)) {
			ih = byItem[c.ItemID]
		}
		c.LocationCounts, c.LocationErrors = lh.counts, lh.errors
		c.ItemCounts, c.ItemErrors = ih.counts, ih.errors
		if c.LocationID > 0 && c.LocationID < int64(len(mf.touches)) {
			c.Touches, c.NeighbourPutaways = int(mf.touches[c.LocationID]), int(mf.neighbours[c.LocationID])
			c.PutawayUnits, c.NeighbourPutawayUnits = int(mf.putUnits[c.LocationID]), int(mf.nbUnits[c.LocationID])
		}
		c.Exceptions = exc[c.LocationID]
		if c.ItemID > 0 && c.ItemID < int64(len(mf.picked)) {
			c.DailyVelocity = float64(mf.picked[c.ItemID]) / velocityWindowDays
		}
		variances.fill(c, day)
		c.Trigger = triggerOf(requests[c.LocationID])
		since := lh.last
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
	// Indexed by item id (dense: an INTEGER PRIMARY KEY), like the
	// location facts: a map of tens of thousands of entries, looked up per
	// balance, cost more than the read.
	itemsByID := make([]itemInfo, mf.maxItem+1)
	// Each row is scanned into the same variables (a variable declared per
	// row escapes to the heap: an allocation per row, or per column).
	var id, cost int64
	var sku string
	var class sql.RawBytes
	dest := []any{&id, &sku, &class, &cost}
	if err := inventory.EachRow(ctx, q, `SELECT i.id, i.sku, `+classSQL+`, i.unit_cost_cents FROM items i `+velocityJoin+` WHERE i.id <= ?`, []any{mf.maxItem}, func(r *sql.Rows) error {
		err := r.Scan(dest...)
		if id >= 0 {
			itemsByID[id] = itemInfo{sku, classOf(string(class)), float64(cost) / 100}
		}
		return err
	}); err != nil {
		return nil, fmt.Errorf("plan: items: %w", err)
	}
	variances, err = neighbourVariances(ctx, q, day, byLoc, &mf, func(id int64) string {
		if id <= 0 || id >= int64(len(itemsByID)) {
			return ""
		}
		return itemsByID[id].sku
	})
	if err != nil {
		return nil, err
	}
	// A (location, item) is one integer, location << 32 | item: SQLite
	// packs it, so a balance is three columns read and one map key.
	// A location's candidates are a list through out: head is its first
	// (index + 1, 0 for none), same the next of the same location. A bin
	// holds a few items, so a balance finds its candidate in a step or two
	// and without a map of a key per position; the positions of a bin of
	// more than listMax items are kept in a map (many) instead.
	const listMax = 32
	head, held := make([]int32, len(locs)), make([]int32, len(locs))
	var same []int32
	many := map[int64]int32{}
	out = make([]Candidate, 0, mf.nLocs)
	// When each candidate's position first held stock: read only for a
	// location never counted (the age of one counted is its last count's),
	// and one string for a run of positions received together.
	first := make([]string, 0, mf.nLocs)
	var k int64
	var qty int
	var received sql.RawBytes
	bdest := []any{&k, &qty, &received}
	firstOf := func(loc int64) string {
		if loc < int64(len(byLoc)) && byLoc[loc].last != "" {
			return ""
		}
		if n := len(first); n > 0 && first[n-1] == string(received) {
			return first[n-1]
		}
		return string(received)
	}
	// Every balance, in the table's order (the unary + keeps SQLite from a
	// range over an index that would look each row up in the table).
	if err := inventory.EachRow(ctx, q, `SELECT (location_id << 32) | item_id, qty, received_at FROM balances
		WHERE qty > 0 AND +location_id <= ? AND +item_id <= ?`, []any{mf.maxLoc, mf.maxItem}, func(r *sql.Rows) error {
		if err := r.Scan(bdest...); err != nil {
			return err
		}
		loc, item := k>>32, k&(1<<32-1)
		l := &locs[loc]
		if l.code == "" {
			return nil // not storage or a pick face
		}
		i := int32(-1)
		if held[loc] > listMax {
			if at, ok := many[k]; ok {
				i = at
			}
		} else {
			for j := head[loc] - 1; j >= 0; j = same[j] - 1 {
				if out[j].ItemID == item {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			out[i].RecordedUnits += qty
			if since := firstOf(loc); since < first[i] {
				first[i] = since
			}
			return nil
		}
		it := itemsByID[item]
		same = append(same, head[loc])
		head[loc] = int32(len(out) + 1)
		if held[loc]++; held[loc] > listMax {
			if held[loc] == listMax+1 { // the list's positions move to the map
				for j := same[len(same)-1] - 1; j >= 0; j = same[j] - 1 {
					many[loc<<32|out[j].ItemID] = j
				}
			}
			many[k] = int32(len(out))
		}
		out = append(out, Candidate{LocationID: loc, Location: l.code, Zone: l.zone, ItemID: item, SKU: it.sku,
			Class: it.class, UnitCost: it.cost, RecordedUnits: qty})
		first = append(first, firstOf(loc))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("plan: balances: %w", err)
	}
	for i := range out {
		fill(&out[i], first[i])
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.LocationID, b.LocationID), cmp.Compare(a.ItemID, b.ItemID))
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
		if id > 0 && id < int64(len(head)) && head[id] != 0 {
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
	// count is the count whose lines are being read, erred whether one of
	// them (of this location or item) found a discrepancy.
	count int64
	erred bool
}

// countHistory reads the count history before day in one pass, in count
// order, into each location's and each item's hist, indexed by id: a count
// (and a count that found a discrepancy) is told once as the count id
// changes. Grouping in SQL, once per location and once per item, each with
// COUNT(DISTINCT), took twice as long.
func countHistory(ctx context.Context, q inventory.Querier, dayStr string, maxLoc, maxItem int64) ([]hist, []hist, error) {
	byLoc, byItem := make([]hist, maxLoc+1), make([]hist, maxItem+1)
	var count, loc, item, moved int64
	var wrong bool
	var at sql.RawBytes
	dest := []any{&count, &loc, &item, &wrong, &at, &moved}
	err := inventory.EachRow(ctx, q, `SELECT h.count_id, h.location_id, h.item_id, h.counted_qty <> h.snapshot_qty, h.counted_at, c.start_movement_id
		FROM count_history h JOIN counts c ON c.id = h.count_id
		WHERE h.counted_at < ? AND h.location_id BETWEEN 0 AND ? AND h.item_id BETWEEN 0 AND ? ORDER BY h.count_id`,
		[]any{dayStr, maxLoc, maxItem}, func(r *sql.Rows) error {
			if err := r.Scan(dest...); err != nil {
				return err
			}
			for _, h := range [2]*hist{&byLoc[loc], &byItem[item]} {
				if h.count != count || h.counts == 0 {
					h.count, h.erred = count, false
					h.counts++
				}
				if wrong && !h.erred {
					h.erred = true
					h.errors++
				}
			}
			byLoc[loc].counted(at, moved)
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("plan: count history: %w", err)
	}
	// A posted count with no lines (a bin confirmed empty, as a zero check
	// is) writes no history, yet it is the bin's last count: touches and
	// emptying are since it.
	err = inventory.EachRow(ctx, q, `SELECT location_id, MAX(CASE WHEN decided_at <> '' THEN decided_at ELSE submitted_at END), MAX(start_movement_id)
		FROM counts WHERE state = 'posted' AND location_id BETWEEN 0 AND ? AND (CASE WHEN decided_at <> '' THEN decided_at ELSE submitted_at END) < ?
		GROUP BY location_id`, []any{maxLoc, dayStr}, func(r *sql.Rows) error {
		var loc, moved int64
		var at sql.RawBytes
		if err := r.Scan(&loc, &at, &moved); err != nil {
			return err
		}
		byLoc[loc].counted(at, moved)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("plan: counts posted: %w", err)
	}
	return byLoc, byItem, nil
}

// counted records a count of the location at at (a stored time) that
// started after ledger movement moved, if it is the latest.
func (h *hist) counted(at []byte, moved int64) {
	if string(at) > h.last {
		h.last = string(at)
	}
	h.lastMove = max(h.lastMove, moved)
}

// facts are what movementFacts reads, indexed by id: location and item ids
// are INTEGER PRIMARY KEYs, dense from 1, and a slice indexed by id is far
// cheaper than a map of 200,000 entries updated per movement.
type facts struct {
	maxLoc, maxItem int64
	nLocs           int
	// locs is the counted locations (storage and pick faces) by id; code
	// is "" for any other id.
	locs []locInfo
	// touches and neighbours are per location, picked (units picked in the
	// velocity window) per item; putUnits and nbUnits are the units put
	// away into each location and into the locations either side of it.
	touches, neighbours []int32
	putUnits, nbUnits   []int64
	picked              []int64
	// prev and next are each counted location's walk-order neighbours in
	// its zone (0 for none).
	prev, next []int32
}

// movementFacts reads the counted locations (storage and pick faces) and,
// in one pass over the movements before day that holds nothing per
// movement and reads three integers each (SQLite packs them), three facts:
// each item's units picked over the velocity window before day; each
// location's touches (a movement from or to it) since its last count
// started (byLoc's lastMove); the units put away into it since then; and
// its neighbouring putaways, putaways (and their units) into the bins
// either side of it in its zone's walk order since then (a unit meant for
// next door is most often put here by mistake). Joining
// movements to the count history in SQL, once per fact, read the ledger
// three times and sorted it, and counting them per location with
// correlated subqueries over the movements_from and movements_to indexes
// took longer still in this SQLite: too slow for a large building
// (BenchmarkPlanFromDatabase).
func movementFacts(ctx context.Context, q inventory.Querier, day time.Time, f facts, byLoc []hist) (facts, error) {
	dayStr := store.FormatTime(day)
	// The last movement before day: ids grow with time, so the newest
	// movement older than day bounds the pass (read backwards from the
	// newest, it stops at once when day is today).
	var last int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM movements WHERE created_at < ? ORDER BY id DESC LIMIT 1), 0)`, dayStr).Scan(&last); err != nil {
		return f, fmt.Errorf("plan: movements: %w", err)
	}
	// Each location's last count's first movement: a movement with a larger
	// id is since that count.
	since := make([]int64, f.maxLoc+1)
	for id := range byLoc {
		since[id] = byLoc[id].lastMove
	}
	// The counted locations in walk order, a zone at a time, from the
	// locations_zone_walk index (zone, walk_seq, code, and the id with
	// them): SQLite hands them over in order and the zone is the query's,
	// so a location is two columns read and nothing sorted. The few
	// locations of other types (docks, staging, shipping) are read first
	// and skipped. Reading every location's zone and walk position and
	// sorting them here took twice as long.
	f.locs = make([]locInfo, f.maxLoc+1)
	other := map[int64]bool{}
	if err := inventory.EachRow(ctx, q, `SELECT id FROM locations WHERE type NOT IN ('storage', 'pickface')`, nil, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		other[id] = true
		return err
	}); err != nil {
		return f, fmt.Errorf("plan: locations: %w", err)
	}
	var zones []string
	if err := inventory.EachRow(ctx, q, `SELECT DISTINCT zone FROM locations`, nil, func(r *sql.Rows) error {
		var z string
		err := r.Scan(&z)
		zones = append(zones, z)
		return err
	}); err != nil {
		return f, fmt.Errorf("plan: zones: %w", err)
	}
	slices.Sort(zones)
	// Walk-order neighbours: a putaway into a location counts for the
	// location before and after it (neighbourhood is symmetric).
	f.prev, f.next = make([]int32, f.maxLoc+1), make([]int32, f.maxLoc+1)
	prev, next := f.prev, f.next
	var id int64
	var code string
	dest := []any{&id, &code}
	for _, z := range zones {
		var before int32 // the zone's last counted location so far
		if err := inventory.EachRow(ctx, q, `SELECT id, code FROM locations INDEXED BY locations_zone_walk WHERE zone = ? AND id <= ? ORDER BY walk_seq, code`,
			[]any{z, f.maxLoc}, func(r *sql.Rows) error {
				if err := r.Scan(dest...); err != nil {
					return err
				}
				if id <= 0 || other[id] {
					return nil
				}
				f.locs[id] = locInfo{code: code, zone: z}
				if before != 0 {
					next[before], prev[id] = int32(id), before
				}
				before = int32(id)
				return nil
			}); err != nil {
			return f, fmt.Errorf("plan: locations: %w", err)
		}
	}
	f.touches, f.neighbours = make([]int32, f.maxLoc+1), make([]int32, f.maxLoc+1)
	f.putUnits, f.nbUnits = make([]int64, f.maxLoc+1), make([]int64, f.maxLoc+1)
	f.picked = make([]int64, f.maxItem+1)
	// Per movement, two integers (each column read costs as much as a
	// small movement's arithmetic, so the id travels packed with its
	// locations): the id less the chunk's base, its from and its to location
	// (0 for none) packed in lb bits each, in id order; and -1 - units for a
	// putaway, item << 32 | units for a pick in the velocity window, else 0.
	// A chunk spans the ids the packing leaves room for: all of a node's
	// ledger at once below 2^27 movements in a building of 200,000
	// locations. A movement from or to a location newer than maxLoc is left
	// out (no candidate is there, and its id would not fit the packing).
	lb := uint(bits.Len64(uint64(max(f.maxLoc, 1))))
	mask := int64(1)<<lb - 1
	chunk := int64(1)<<(63-2*lb) - 1
	if movementChunk > 0 {
		chunk = min(chunk, movementChunk)
	}
	var packed, what int64
	mdest := []any{&packed, &what}
	pass := func(base, hi int64) error {
		return inventory.EachRow(ctx, q, `SELECT ((id - ?) << ?) | (COALESCE(from_location_id, 0) << ?) | COALESCE(to_location_id, 0),
			CASE WHEN kind = ? THEN -1 - min(max(qty, 0), 4294967295) WHEN kind = ? AND created_at >= ? THEN (item_id << 32) | min(qty, 4294967295) ELSE 0 END
			FROM movements WHERE id > ? AND id <= ? AND COALESCE(from_location_id, 0) <= ? AND COALESCE(to_location_id, 0) <= ?`,
			[]any{base, 2 * lb, lb, inventory.KindPutaway, inventory.KindPick, store.FormatTime(day.AddDate(0, 0, -velocityWindowDays)),
				base, hi, f.maxLoc, f.maxLoc}, func(r *sql.Rows) error {
				if err := r.Scan(mdest...); err != nil {
					return err
				}
				id, from, to := base+packed>>(2*lb), packed>>lb&mask, packed&mask
				if what > 0 {
					if item := what >> 32; item <= f.maxItem {
						f.picked[item] += what & (1<<32 - 1)
					}
				}
				if from != 0 && id > since[from] {
					f.touches[from]++
				}
				if to != 0 && id > since[to] {
					f.touches[to]++
				}
				if what < 0 && to != 0 {
					units := -1 - what
					if id > since[to] {
						f.putUnits[to] += units
					}
					if p := prev[to]; p != 0 && id > since[p] {
						f.neighbours[p]++
						f.nbUnits[p] += units
					}
					if n := next[to]; n != 0 && id > since[n] {
						f.neighbours[n]++
						f.nbUnits[n] += units
					}
				}
				return nil
			})
	}
	var first int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 1) FROM movements`).Scan(&first); err != nil {
		return f, fmt.Errorf("plan: movements: %w", err)
	}
	for base := first - 1; base < last; base += chunk {
		if err := pass(base, min(base+chunk, last)); err != nil {
			return f, fmt.Errorf("plan: movements: %w", err)
		}
	}
	return f, nil
}

// movementChunk, when above 0, bounds the ids one movement pass reads (a
// test's, to read a small ledger in several chunks).
var movementChunk int64

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
