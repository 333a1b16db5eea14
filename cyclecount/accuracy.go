package cyclecount

import (
	"context"
	"fmt"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// Accuracy is how right the record was, over the posted counts of one zone
// and ABC class in a period.
type Accuracy struct {
	Zone  string
	Class string
	// Positions counted (a location and item per count) and how many were
	// within tolerance.
	Positions, WithinTolerance int64
	// RecordedUnits is sum |snapshot|; UnitsAdjusted sum |counted -
	// snapshot|; ValueAdjustedCents the same at unit cost.
	RecordedUnits, UnitsAdjusted, ValueAdjustedCents int64
}

// RecordAccuracy is inventory record accuracy: the percent of counted
// positions within tolerance.
func (a Accuracy) RecordAccuracy() float64 {
	if a.Positions == 0 {
		return 0
	}
	return 100 * float64(a.WithinTolerance) / float64(a.Positions)
}

// QuantityAccuracy is OCA's quantity accuracy: 100 x (sum |record| - sum
// |difference|) / sum |record| (0 when nothing was recorded).
func (a Accuracy) QuantityAccuracy() float64 {
	if a.RecordedUnits == 0 {
		return 0
	}
	return 100 * float64(a.RecordedUnits-a.UnitsAdjusted) / float64(a.RecordedUnits)
}

// GetAccuracy reports accuracy per zone and class over the counts posted
// from the start of from to the end of to (YYYY-MM-DD; empty for no bound).
func (s *Service) GetAccuracy(ctx context.Context, from, to string) ([]Accuracy, error) {
	lo, hi := "", "9999"
	if from != "" {
		d, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return nil, floorops.Invalid("from_date", "must be YYYY-MM-DD")
		}
		lo = store.FormatTime(d)
	}
	if to != "" {
		d, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return nil, floorops.Invalid("to_date", "must be YYYY-MM-DD")
		}
		hi = store.FormatTime(d.AddDate(0, 0, 1))
	}
	if lo >= hi {
		return nil, floorops.Invalid("to_date", "is before from_date")
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT l.zone, `+classSQL+`, COUNT(*), SUM(h.within_tolerance),
			SUM(ABS(h.snapshot_qty)), SUM(ABS(h.counted_qty - h.snapshot_qty)), SUM(ABS(h.counted_qty - h.snapshot_qty) * i.unit_cost_cents)
		FROM count_history h JOIN locations l ON l.id = h.location_id JOIN items i ON i.id = h.item_id `+velocityJoin+`
		WHERE h.counted_at >= ? AND h.counted_at < ?
		GROUP BY 1, 2 ORDER BY 1, 2`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("accuracy: %w", err)
	}
	defer rows.Close()
	var out []Accuracy
	for rows.Next() {
		var a Accuracy
		if err := rows.Scan(&a.Zone, &a.Class, &a.Positions, &a.WithinTolerance, &a.RecordedUnits, &a.UnitsAdjusted, &a.ValueAdjustedCents); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
