package cyclecount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// varianceWindowDays is how far back count differences are read for their
// neighbours' Candidate.NeighbourVariances (only those since the
// neighbour's own last count are kept).
const varianceWindowDays = 30

// neighbourDiff is one count difference found at a location, as its
// neighbours hear of it.
type neighbourDiff struct {
	item  int64
	sku   string
	from  string // the counted location's code
	units int    // counted minus record
	at    string // when it was counted (store time)
}

// neighbourDiffs holds, by location, the count differences found in the
// locations either side of it in its zone's walk order.
type neighbourDiffs map[int64][]neighbourDiff

// neighbourVariances reads the count differences (count_history lines
// whose counted quantity is not the record's) of the varianceWindowDays
// before day and hands each to the storage or pick-face locations before
// and after its location in the zone's walk order (mf's prev and next,
// walk_seq then code, as movementFacts orders them), keeping only those
// counted after that neighbour's own last count (byLoc). The neighbours
// and the counted location's code are the ones movementFacts already
// holds, and the SKU comes from sku (the items read once per plan): one
// pass over the window's count lines, with no lookup per difference (two
// index lookups per difference, in SQL, were a tenth of a large
// building's plan). Only a difference found somewhere a plan does not
// count (staging, a dock) has its neighbours looked up in SQL.
func neighbourVariances(ctx context.Context, q inventory.Querier, day time.Time, byLoc []hist, mf *facts, sku func(int64) string) (neighbourDiffs, error) {
	out := neighbourDiffs{}
	type located struct {
		loc int64
		d   neighbourDiff
	}
	var elsewhere []located
	const neighbour = `(SELECT n.id FROM locations n WHERE n.zone = l.zone AND n.type IN ('storage', 'pickface') AND (n.walk_seq, n.code) %s (l.walk_seq, l.code)
		ORDER BY n.walk_seq %s, n.code %s LIMIT 1)`
	err := inventory.EachRow(ctx, q, `SELECT location_id, item_id, counted_qty - snapshot_qty, counted_at FROM count_history
		WHERE counted_qty <> snapshot_qty AND counted_at >= ? AND counted_at < ?`,
		[]any{store.FormatTime(day.AddDate(0, 0, -varianceWindowDays)), store.FormatTime(day)}, func(r *sql.Rows) error {
			var loc int64
			var d neighbourDiff
			if err := r.Scan(&loc, &d.item, &d.units, &d.at); err != nil {
				return err
			}
			if d.sku = sku(d.item); d.sku == "" {
				return nil // not an item the plan read
			}
			if loc > 0 && loc < int64(len(mf.locs)) && mf.locs[loc].code != "" {
				d.from = mf.locs[loc].code
				out.add(d, byLoc, mf.prev[loc], mf.next[loc])
			} else {
				elsewhere = append(elsewhere, located{loc, d})
			}
			return nil
		})
	// Counted somewhere a plan does not count (staging, a dock): the
	// neighbours are the bins either side of its place in the zone's walk
	// order, looked up for these rare rows alone once the pass is done.
	for _, e := range elsewhere {
		if err != nil {
			break
		}
		var p, n int64
		d := e.d
		err = q.QueryRowContext(ctx, `SELECT l.code, COALESCE(`+fmt.Sprintf(neighbour, "<", "DESC", "DESC")+`, 0), COALESCE(`+fmt.Sprintf(neighbour, ">", "ASC", "ASC")+`, 0)
			FROM locations l WHERE l.id = ?`, e.loc).Scan(&d.from, &p, &n)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
			continue
		}
		if err == nil && p < int64(len(mf.prev)) && n < int64(len(mf.prev)) {
			out.add(d, byLoc, int32(p), int32(n))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("plan: neighbour count differences: %w", err)
	}
	return out, nil
}

// add hands d to the neighbours prev and next (0: none) that were last
// counted before it.
func (v neighbourDiffs) add(d neighbourDiff, byLoc []hist, prev, next int32) {
	for _, nb := range [2]int32{prev, next} {
		if nb > 0 && int(nb) < len(byLoc) && d.at > byLoc[nb].last {
			v[int64(nb)] = append(v[int64(nb)], d)
		}
	}
}

// fill sets c's neighbour variance facts as of day: how many differences
// next door, how many were shortages and how many of c's item, and the most
// telling one (c's item first, then the newest).
func (v neighbourDiffs) fill(c *Candidate, day time.Time) {
	diffs := v[c.LocationID]
	c.NeighbourVariances, c.NeighbourShortages, c.NeighbourItemVariances = len(diffs), 0, 0
	best, bestSame := -1, false
	for i, d := range diffs {
		same := d.item == c.ItemID && c.ItemID != 0
		if same {
			c.NeighbourItemVariances++
		}
		if d.units < 0 {
			c.NeighbourShortages++
		}
		if best < 0 || (same && !bestSame) || (same == bestSame && d.at > diffs[best].at) {
			best, bestSame = i, same
		}
	}
	c.NeighbourVariance = NeighbourVariance{}
	if best < 0 {
		return
	}
	d := diffs[best]
	c.NeighbourVariance = NeighbourVariance{Location: d.from, SKU: d.sku, Units: d.units}
	if t, err := store.ParseTimeOrZero(d.at); err == nil && !t.IsZero() {
		c.NeighbourVariance.DaysAgo = max(day.Sub(t).Hours()/24, 0)
	}
}
