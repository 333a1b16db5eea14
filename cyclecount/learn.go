package cyclecount

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// The node's side of the Learner: the plan stores with each count it plans
// what it knew of the location (planFacts, counts.plan_facts), and every
// later plan feeds the Learner those facts for each full count submitted in
// the last learnWindowDays, with whether it found the record wrong, so the
// weights of touches, putaway units, neighbour putaways and days since the
// last count follow what this floor's counts find. The simulator feeds the
// same Learner the same facts of every full count.

// learnWindowDays is how far back a plan learns from counts.
const learnWindowDays = 90

// planFacts is the location-level facts of a planned count as stored: the
// facts every candidate of the location shares, and its first candidate's
// count of neighbour differences of the same item (the item-level facts
// are not the Learner's).
type planFacts struct {
	Touches                int        `json:"touches"`
	DaysSinceCount         float64    `json:"days_since_count"`
	LocationCounts         int        `json:"location_counts"`
	LocationErrors         int        `json:"location_errors"`
	Exceptions             Exceptions `json:"exceptions"`
	Trigger                Trigger    `json:"trigger"`
	JustEmptied            bool       `json:"just_emptied"`
	NeighbourPutaways      int        `json:"neighbour_putaways"`
	PutawayUnits           int        `json:"putaway_units"`
	NeighbourPutawayUnits  int        `json:"neighbour_putaway_units"`
	NeighbourVariances     int        `json:"neighbour_variances"`
	NeighbourShortages     int        `json:"neighbour_shortages"`
	NeighbourItemVariances int        `json:"neighbour_item_variances"`
}

func factsOf(c *Candidate) planFacts {
	return planFacts{Touches: c.Touches, DaysSinceCount: c.DaysSinceCount, LocationCounts: c.LocationCounts, LocationErrors: c.LocationErrors,
		Exceptions: c.Exceptions, Trigger: c.Trigger, JustEmptied: c.JustEmptied, NeighbourPutaways: c.NeighbourPutaways,
		PutawayUnits: c.PutawayUnits, NeighbourPutawayUnits: c.NeighbourPutawayUnits, NeighbourVariances: c.NeighbourVariances,
		NeighbourShortages: c.NeighbourShortages, NeighbourItemVariances: c.NeighbourItemVariances}
}

func (f planFacts) candidate(locID int64) Candidate {
	return Candidate{LocationID: locID, Touches: f.Touches, DaysSinceCount: f.DaysSinceCount, LocationCounts: f.LocationCounts,
		LocationErrors: f.LocationErrors, Exceptions: f.Exceptions, Trigger: f.Trigger, JustEmptied: f.JustEmptied,
		NeighbourPutaways: f.NeighbourPutaways, PutawayUnits: f.PutawayUnits, NeighbourPutawayUnits: f.NeighbourPutawayUnits,
		NeighbourVariances: f.NeighbourVariances, NeighbourShortages: f.NeighbourShortages, NeighbourItemVariances: f.NeighbourItemVariances}
}

// factsByLocation is the stored facts of each planned task's location: its
// first candidate's (the candidates are sorted by location).
func factsByLocation(tasks []Task, cands []Candidate) (map[int64]string, error) {
	want := make(map[int64]bool, len(tasks))
	for _, t := range tasks {
		if t.Kind != TaskZeroCheck {
			want[t.LocationID] = true
		}
	}
	out := make(map[int64]string, len(want))
	for i := range cands {
		c := &cands[i]
		if !want[c.LocationID] {
			continue
		}
		if _, done := out[c.LocationID]; done {
			continue
		}
		b, err := json.Marshal(factsOf(c))
		if err != nil {
			return nil, err
		}
		out[c.LocationID] = string(b)
	}
	return out, nil
}

// learned is p with its hazard scales learned from the full counts planned
// with facts and submitted in the learnWindowDays before asOf (p itself
// when p.LearnPrior is 0 or there are none).
func learned(ctx context.Context, q inventory.Querier, p Policy, asOf time.Time) (Policy, error) {
	if p.LearnPrior <= 0 {
		return p, nil
	}
	var l Learner
	err := inventory.EachRow(ctx, q, `SELECT c.location_id, c.plan_facts, EXISTS (SELECT 1 FROM count_lines cl WHERE cl.count_id = c.id
			GROUP BY cl.item_id, cl.lot, cl.expiry, cl.lpn HAVING SUM(COALESCE(cl.counted_qty, 0)) <> SUM(cl.snapshot_qty))
		FROM counts c WHERE c.plan_facts <> '' AND c.submitted_at >= ? AND c.submitted_at < ? ORDER BY c.id`,
		[]any{store.FormatTime(asOf.AddDate(0, 0, -learnWindowDays)), store.FormatTime(asOf)}, func(r *sql.Rows) error {
			var loc int64
			var raw []byte
			var wrong bool
			if err := r.Scan(&loc, &raw, &wrong); err != nil {
				return err
			}
			var f planFacts
			if err := json.Unmarshal(raw, &f); err != nil {
				return fmt.Errorf("count facts of location %d: %w", loc, err)
			}
			c := f.candidate(loc)
			l.Observe(&c, &p, wrong)
			return nil
		})
	if err != nil {
		return p, fmt.Errorf("plan: learn from counts: %w", err)
	}
	return l.Apply(p), nil
}
