package returns

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// ListQueue lists units not yet dispositioned, oldest first, with their
// age in hours as of now (the database clock): up to pageSize (default
// 100, at most 1000) after the unit in pageToken (opaque to clients: the
// last unit's receipt time and id), and the token of the next page ("" on
// the last).
func (s *Service) ListQueue(ctx context.Context, pageSize int, pageToken string) ([]Unit, string, error) {
	page, err := store.PageRequest("return_queue", pageSize, pageToken)
	if err != nil {
		return nil, "", err
	}
	after, err := page.AfterParts(2)
	if err != nil {
		return nil, "", err
	}
	afterTime, afterID := "", int64(0)
	if after != nil {
		t, terr := time.Parse(time.RFC3339Nano, after[0])
		n, perr := strconv.ParseInt(after[1], 10, 64)
		if terr != nil || perr != nil {
			return nil, "", store.BadPageToken()
		}
		afterTime, afterID = store.FormatTime(t), n
	}
	units, err := loadUnits(ctx, s.db.Reader(), s.hooks, `u.disposition = ''
		AND (u.received_at > ? OR (u.received_at = ? AND u.id > ?)) ORDER BY u.received_at, u.id LIMIT ?`,
		afterTime, afterTime, afterID, page.Fetch())
	if err != nil {
		return nil, "", err
	}
	units, next := store.PageOf(page, units, func(u Unit) string {
		return store.Key(u.ReceivedAt.UTC().Format(time.RFC3339Nano), store.IDKey(u.ID))
	})
	now := s.db.Now()
	for i := range units {
		units[i].AgeHours = hours(now.Sub(units[i].ReceivedAt))
	}
	return units, next, nil
}

// SLAReport is time to disposition and to sellable over every returned
// unit, weighted by units, and the units past the SLA.
type SLAReport struct {
	Received, Dispositioned int64
	RestockedShare          float64
	MedianToDisposition     float64 // hours
	P90ToDisposition        float64
	MedianToSellable        float64
	P90ToSellable           float64
	Breaches                []Unit
}

// GetSLAReport reports over every returned unit: units are weighted by
// quantity; a percentile is the nearest-rank value (the smallest time at
// which that share of units was done). A unit breaches when it took longer
// than slaHours (default 72) from receipt to disposition, or has waited
// longer undispositioned.
func (s *Service) GetSLAReport(ctx context.Context, slaHours int) (SLAReport, error) {
	switch {
	case slaHours == 0:
		slaHours = 72
	case slaHours < 0 || slaHours > 24*365:
		return SLAReport{}, floorops.Invalid("sla_hours", "must be between 1 and 8760")
	}
	units, err := loadUnits(ctx, s.db.Reader(), s.hooks, `1 ORDER BY u.received_at, u.id`)
	if err != nil {
		return SLAReport{}, err
	}
	now, sla := s.db.Now(), time.Duration(slaHours)*time.Hour
	var rep SLAReport
	var toDisp, toSell []weighted
	var restocked int64
	for _, u := range units {
		rep.Received += u.Qty
		end := now
		if !u.DispositionAt.IsZero() {
			end = u.DispositionAt
			rep.Dispositioned += u.Qty
			toDisp = append(toDisp, weighted{hours(u.DispositionAt.Sub(u.ReceivedAt)), u.Qty})
			if u.Disposition == Restock {
				restocked += u.Qty
				toSell = append(toSell, weighted{hours(u.DispositionAt.Sub(u.ReceivedAt)), u.Qty})
			}
		}
		if end.Sub(u.ReceivedAt) > sla {
			u.AgeHours = hours(end.Sub(u.ReceivedAt))
			rep.Breaches = append(rep.Breaches, u)
		}
	}
	if rep.Dispositioned > 0 {
		rep.RestockedShare = float64(restocked) / float64(rep.Dispositioned)
	}
	rep.MedianToDisposition, rep.P90ToDisposition = percentile(toDisp, 50), percentile(toDisp, 90)
	rep.MedianToSellable, rep.P90ToSellable = percentile(toSell, 50), percentile(toSell, 90)
	return rep, nil
}

type weighted struct {
	v float64
	n int64
}

// percentile is the nearest-rank p-th percentile of values weighted by
// unit count; 0 with none.
func percentile(ws []weighted, p int) float64 {
	var total int64
	for _, w := range ws {
		total += w.n
	}
	if total == 0 {
		return 0
	}
	slices.SortFunc(ws, func(a, b weighted) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	rank := int64(math.Ceil(float64(p) / 100 * float64(total)))
	var seen int64
	for _, w := range ws {
		seen += w.n
		if seen >= rank {
			return w.v
		}
	}
	return ws[len(ws)-1].v
}

func hours(d time.Duration) float64 { return d.Hours() }
