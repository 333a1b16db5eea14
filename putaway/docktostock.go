package putaway

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/floorops/floorops/store"
)

// DockToStock summarises how long finished putaway tasks of received stock
// took from creation (stock staged at the dock) to the confirmation that put
// the last unit in storage; restocks and a lead's ad-hoc moves are not
// dock-to-stock. Slow dock-to-stock means received stock sits unsellable in
// staging.
type DockToStock struct {
	SKU   string // "" for the overall figure
	Tasks int64
	Units int64
	P50   time.Duration
	P90   time.Duration
	Avg   time.Duration
}

// DefaultDockToStockWindow is how far back GetDockToStock looks when not told.
const DefaultDockToStockWindow = 30 * 24 * time.Hour

// GetDockToStock reports dock-to-stock over tasks finished at or after since
// (zero: the last DefaultDockToStockWindow): overall, and per SKU ordered by
// SKU, up to limit SKUs after the SKU in pageToken.
func (s *Service) GetDockToStock(ctx context.Context, since time.Time, limit int, pageToken string) (DockToStock, []DockToStock, string, error) {
	page, err := store.PageRequest("dock_to_stock|"+since.UTC().Format(time.RFC3339Nano), limit, pageToken)
	if err != nil {
		return DockToStock{}, nil, "", err
	}
	if since.IsZero() {
		since = s.db.Now().Add(-DefaultDockToStockWindow)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT i.sku, t.qty, t.created_at, t.closed_at
		FROM putaway_tasks t JOIN items i ON i.id = t.item_id
		WHERE t.state = 'done' AND t.origin = 'staged' AND t.restock = 0 AND t.closed_at >= ?`, store.FormatTime(since))
	if err != nil {
		return DockToStock{}, nil, "", fmt.Errorf("putaway: dock-to-stock: %w", err)
	}
	defer rows.Close()
	var all []time.Duration
	var units int64
	perSKU := map[string][]time.Duration{}
	unitsOf := map[string]int64{}
	for rows.Next() {
		var sku, created, closed string
		var qty int64
		if err := rows.Scan(&sku, &qty, &created, &closed); err != nil {
			return DockToStock{}, nil, "", err
		}
		c, err := store.ParseTime(created)
		if err != nil {
			return DockToStock{}, nil, "", err
		}
		d, err := store.ParseTime(closed)
		if err != nil {
			return DockToStock{}, nil, "", err
		}
		all = append(all, d.Sub(c))
		units += qty
		perSKU[sku] = append(perSKU[sku], d.Sub(c))
		unitsOf[sku] += qty
	}
	if err := rows.Err(); err != nil {
		return DockToStock{}, nil, "", err
	}
	overall := summarise("", all, units)
	skus := make([]string, 0, len(perSKU))
	for sku := range perSKU {
		if sku > page.After {
			skus = append(skus, sku)
		}
	}
	sort.Strings(skus)
	skus, next := store.PageOf(page, skus, func(sku string) string { return sku })
	items := make([]DockToStock, 0, len(skus))
	for _, sku := range skus {
		items = append(items, summarise(sku, perSKU[sku], unitsOf[sku]))
	}
	return overall, items, next, nil
}

// summarise computes nearest-rank percentiles and the mean of ds.
func summarise(sku string, ds []time.Duration, units int64) DockToStock {
	out := DockToStock{SKU: sku, Tasks: int64(len(ds)), Units: units}
	if len(ds) == 0 {
		return out
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	out.P50, out.P90, out.Avg = percentile(ds, 50), percentile(ds, 90), sum/time.Duration(len(ds))
	return out
}

// percentile is the nearest-rank p-th percentile of sorted ds.
func percentile(ds []time.Duration, p int) time.Duration {
	rank := (p*len(ds) + 99) / 100 // ceil(p/100 * n)
	return ds[max(rank, 1)-1]
}
