package cyclecount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// ABC is how items are classed by pick velocity: ranked by units picked
// over the trailing WindowDays, the fastest items making up AShare percent
// of all picked units are A (counted most often, tightest tolerance), the
// next BShare percent B, the rest C, with items never picked in the window.
// A zero field is its default (80, 15, 30).
type ABC struct {
	AShare     float64 `json:"class_a_share_percent"`
	BShare     float64 `json:"class_b_share_percent"`
	WindowDays int     `json:"velocity_window_days"`
}

// DefaultABC is the classic Pareto cut: A items make the top 80% of picked
// units, B the next 15%, C the last 5% and everything never picked, over
// 30 days.
var DefaultABC = ABC{AShare: 80, BShare: 15, WindowDays: 30}

// orDefault fills the fields left zero from DefaultABC.
func (c ABC) orDefault() ABC {
	if c.AShare == 0 {
		c.AShare = DefaultABC.AShare
	}
	if c.BShare == 0 && c.AShare+DefaultABC.BShare <= 100 {
		c.BShare = DefaultABC.BShare
	}
	if c.WindowDays == 0 {
		c.WindowDays = DefaultABC.WindowDays
	}
	return c
}

// classSQL is an item's class as cycle counting uses it (i is items, v is
// item_velocity_classes LEFT JOINed on the item): its class by pick
// velocity when the node has computed one, else the class set on the item.
// Written once here; velocityJoin is the join it needs.
const (
	classSQL     = `COALESCE(v.class, i.abc_class)`
	velocityJoin = `LEFT JOIN item_velocity_classes v ON v.item_id = i.id`
)

// classRun is a day's recomputation of the ABC classes from pick velocity:
// the picks per item, read (readClasses) before they are ranked and stored
// (store), so the sum over the window's picks, which takes a while on a
// large node, is read without holding the writer.
type classRun struct {
	today string
	cfg   ABC
	ps    []picked
	total int64
}

type picked struct {
	item, units int64
}

// classesDue reports whether the classes need computing on today (a node
// day): not yet computed that day, or with another window.
func classesDue(ctx context.Context, q inventory.Querier, today string, cfg ABC) (bool, error) {
	var on string
	var window int
	err := q.QueryRowContext(ctx, `SELECT computed_on, window_days FROM velocity_class_runs WHERE id = 1`).Scan(&on, &window)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("read class run: %w", err)
	}
	return err != nil || on != today || window != cfg.WindowDays, nil
}

// readClasses recomputes the ABC classes from pick velocity as of now
// unless they were already computed on now's node day (with the same
// window): at most once a day, when a plan is made; nil when not due.
// Picks over the trailing window [now - WindowDays, now) are summed per
// item and ranked; with no picks at all the table is emptied and every
// item's own class stands (a node with no velocity yet).
func readClasses(ctx context.Context, q inventory.Querier, now time.Time, cfg ABC) (*classRun, error) {
	cfg = cfg.orDefault()
	r := &classRun{today: now.UTC().Format(time.DateOnly), cfg: cfg}
	if due, err := classesDue(ctx, q, r.today, cfg); err != nil || !due {
		return nil, err
	}
	if err := inventory.EachRow(ctx, q, `SELECT i.id, COALESCE(p.n, 0) FROM items i LEFT JOIN
			(SELECT item_id, SUM(qty) AS n FROM movements WHERE kind = ? AND created_at >= ? AND created_at < ? GROUP BY item_id) p ON p.item_id = i.id`,
		[]any{inventory.KindPick, store.FormatTime(now.AddDate(0, 0, -cfg.WindowDays)), store.FormatTime(now)}, func(rows *sql.Rows) error {
			var p picked
			err := rows.Scan(&p.item, &p.units)
			r.ps = append(r.ps, p)
			r.total += p.units
			return err
		}); err != nil {
		return nil, fmt.Errorf("class by velocity: %w", err)
	}
	return r, nil
}

// store ranks and stores the run's classes in tx, unless a plan stored that
// day's since.
func (r *classRun) store(ctx context.Context, tx *store.Tx) error {
	if due, err := classesDue(ctx, tx, r.today, r.cfg); err != nil || !due {
		return err
	}
	cfg, ps, total, today := r.cfg, r.ps, r.total, r.today
	if _, err := tx.ExecContext(ctx, `DELETE FROM item_velocity_classes`); err != nil {
		return fmt.Errorf("class by velocity: %w", err)
	}
	if total > 0 {
		sort.Slice(ps, func(i, j int) bool {
			if ps[i].units != ps[j].units {
				return ps[i].units > ps[j].units
			}
			return ps[i].item < ps[j].item
		})
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO item_velocity_classes (item_id, class, picked_units, window_days) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("class by velocity: %w", err)
		}
		defer stmt.Close()
		var before int64 // units picked of the items ranked above
		for _, p := range ps {
			share := float64(before) * 100 / float64(total)
			class := "C"
			switch {
			case p.units == 0:
			case share < cfg.AShare:
				class = "A"
			case share < cfg.AShare+cfg.BShare:
				class = "B"
			}
			if _, err := stmt.ExecContext(ctx, p.item, class, p.units, cfg.WindowDays); err != nil {
				return fmt.Errorf("class by velocity: %w", err)
			}
			before += p.units
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO velocity_class_runs (id, computed_on, window_days, picked_units, computed_at) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET computed_on = excluded.computed_on, window_days = excluded.window_days,
			picked_units = excluded.picked_units, computed_at = excluded.computed_at`,
		today, cfg.WindowDays, total, store.FormatTime(tx.Now)); err != nil {
		return fmt.Errorf("class run: %w", err)
	}
	return nil
}

// classFact is the class an item counts under and where it comes from;
// String is how a plan's reasons say it: "class A by pick velocity: 412
// units in 30 days", or the class set on the item when the node has no
// velocity yet.
type classFact struct {
	class      string
	units      int64
	window     int
	byVelocity bool
}

func (f classFact) String() string {
	if f.byVelocity {
		return fmt.Sprintf("class %s by pick velocity: %d %s in %d days", f.class, f.units, plural(int(f.units), "unit", "units"), f.window)
	}
	return fmt.Sprintf("class %s as set on the item (no pick velocity yet)", f.class)
}

// classFacts reads every item's class and where it comes from.
func classFacts(ctx context.Context, q inventory.Querier) (map[int64]classFact, error) {
	out := map[int64]classFact{}
	err := inventory.EachRow(ctx, q, `SELECT i.id, `+classSQL+`, COALESCE(v.picked_units, 0), COALESCE(v.window_days, 0), v.item_id IS NOT NULL
		FROM items i `+velocityJoin, nil, func(r *sql.Rows) error {
		var id int64
		var f classFact
		err := r.Scan(&id, &f.class, &f.units, &f.window, &f.byVelocity)
		out[id] = f
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read item classes: %w", err)
	}
	return out, nil
}
