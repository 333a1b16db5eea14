package cyclecount

import (
	"context"
	"database/sql"
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
// and after its location in the zone's walk order (walk_seq, then code, as
// movementFacts orders them), keeping only those counted after that
// neighbour's own last count (byLoc). The neighbours are found through the
// locations_zone_walk index, one lookup per difference, so the cost grows
// with the recent differences, not with the building.
func neighbourVariances(ctx context.Context, q inventory.Querier, day time.Time, byLoc []hist) (neighbourDiffs, error) {
	out := neighbourDiffs{}
	const neighbour = `(SELECT n.id FROM locations n WHERE n.zone = l.zone AND n.type IN ('storage', 'pickface') AND (n.walk_seq, n.code) %s (l.walk_seq, l.code)
		ORDER BY n.walk_seq %s, n.code %s LIMIT 1)`
	query := `SELECT l.code, h.item_id, i.sku, h.counted_qty - h.snapshot_qty, h.counted_at,
			COALESCE(` + fmt.Sprintf(neighbour, "<", "DESC", "DESC") + `, 0), COALESCE(` + fmt.Sprintf(neighbour, ">", "ASC", "ASC") + `, 0)
		FROM count_history h JOIN locations l ON l.id = h.location_id JOIN items i ON i.id = h.item_id
		WHERE h.counted_qty <> h.snapshot_qty AND h.counted_at >= ? AND h.counted_at < ?`
	err := inventory.EachRow(ctx, q, query, []any{store.FormatTime(day.AddDate(0, 0, -varianceWindowDays)), store.FormatTime(day)}, func(r *sql.Rows) error {
		var d neighbourDiff
		var prev, next int64
		if err := r.Scan(&d.from, &d.item, &d.sku, &d.units, &d.at, &prev, &next); err != nil {
			return err
		}
		for _, nb := range [2]int64{prev, next} {
			if nb > 0 && nb < int64(len(byLoc)) && d.at > byLoc[nb].last {
				out[nb] = append(out[nb], d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plan: neighbour count differences: %w", err)
	}
	return out, nil
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
