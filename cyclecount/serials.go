package cyclecount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// Serial numbers in counts. The ledger holds quantities per position, not
// units: no workflow scans serials before counting does, so the node's
// serial record (table serials, migration 0012) is where a posted count
// last found each serial of a serial-tracked item. A count snapshots the
// serials that record places at its location when it starts, the
// associate scans a serial on every unit counted, and the count shows,
// per line, the serials counted, those the record had there that were not
// found (missing), and those found here that the record had at another
// location (from elsewhere). Quantities alone decide tolerance and
// posting; posting moves the record of every counted serial to this
// location and drops the missing ones (no longer placed anywhere).

// snapshotSerials copies the serials the record places at locID into
// count id's serials.
func snapshotSerials(ctx context.Context, tx *store.Tx, id, locID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM count_serials WHERE count_id = ?`, id); err != nil {
		return fmt.Errorf("clear count serials: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO count_serials (count_id, item_id, serial, lot, expiry, lpn, in_snapshot)
		SELECT ?, item_id, serial, lot, expiry, lpn, 1 FROM serials WHERE location_id = ?`, id, locID); err != nil {
		return fmt.Errorf("snapshot serials: %w", err)
	}
	return nil
}

// checkSerials refuses the serials of a counted line that do not fit its
// item: a serial-tracked item needs one serial per unit counted (units
// after packs), an item that is not serial tracked none; seen holds the
// serials already counted in this submission, so none is counted twice.
func checkSerials(it inventory.Item, field string, l CountedLine, units int64, seen map[string]bool) error {
	switch {
	case !it.SerialTracked && len(l.Serials) > 0:
		return floorops.Invalid(field+".serials", "%s is not serial tracked: leave serials empty", it.SKU)
	case it.SerialTracked && int64(len(l.Serials)) != units:
		return floorops.Invalid(field+".serials", "%s is serial tracked: scan the serial of each of the %d units counted (%d scanned)", it.SKU, units, len(l.Serials))
	}
	for i, sn := range l.Serials {
		key := fmt.Sprintf("%d|%s", it.ID, sn)
		if seen[key] {
			return floorops.Invalid(fmt.Sprintf("%s.serials[%d]", field, i), "serial %s of %s is counted twice", sn, it.SKU)
		}
		seen[key] = true
	}
	return nil
}

// recordSerials records the serials of a counted line on count countID of
// location locID, noting where the record had each one when it was at
// another location.
func recordSerials(ctx context.Context, tx *store.Tx, countID, locID, itemID int64, lot, expiry, lpn string, serials []string) error {
	for _, sn := range serials {
		if _, err := tx.ExecContext(ctx, `INSERT INTO count_serials (count_id, item_id, serial, lot, expiry, lpn, counted, elsewhere_location_id)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, (SELECT location_id FROM serials WHERE item_id = ?2 AND serial = ?3 AND location_id <> ?7))
			ON CONFLICT (count_id, item_id, serial) DO UPDATE SET counted = 1, lot = excluded.lot, expiry = excluded.expiry, lpn = excluded.lpn`,
			countID, itemID, sn, lot, expiry, lpn, locID); err != nil {
			return fmt.Errorf("record counted serial: %w", err)
		}
	}
	return nil
}

// postSerials moves the serial record to what count c found: every serial
// counted is now at c's location (at the position counted), and every
// serial the record had there that the count did not find is dropped.
func postSerials(ctx context.Context, tx *store.Tx, c Count) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM serials WHERE (item_id, serial) IN
		(SELECT item_id, serial FROM count_serials WHERE count_id = ? AND in_snapshot = 1 AND counted = 0)`, c.ID); err != nil {
		return fmt.Errorf("drop missing serials: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO serials (item_id, serial, location_id, lot, expiry, lpn, count_id, seen_at)
		SELECT item_id, serial, ?, lot, expiry, lpn, count_id, ? FROM count_serials WHERE count_id = ? AND counted = 1
		ON CONFLICT (item_id, serial) DO UPDATE SET location_id = excluded.location_id, lot = excluded.lot, expiry = excluded.expiry,
			lpn = excluded.lpn, count_id = excluded.count_id, seen_at = excluded.seen_at`,
		c.LocationID, store.FormatTime(tx.Now), c.ID); err != nil {
		return fmt.Errorf("record serials: %w", err)
	}
	return nil
}

// loadSerials attaches count c's serials to its lines: counted ones to the
// line of their position, missing ones and ones from elsewhere to the
// first line of their item (a serial the record had at a position the
// count shows no line of goes on no line: the record's serial is missing
// with its units).
func loadSerials(ctx context.Context, q inventory.Querier, c *Count) error {
	type pos struct {
		item             int64
		lot, expiry, lpn string
	}
	byPos, byItem := map[pos]int{}, map[int64]int{}
	for i, l := range c.Lines {
		byPos[pos{l.ItemID, l.Lot, l.Expiry, l.LPN}] = i
		if _, ok := byItem[l.ItemID]; !ok {
			byItem[l.ItemID] = i
		}
	}
	return inventory.EachRow(ctx, q, `SELECT item_id, lot, expiry, lpn, serial, in_snapshot, counted, elsewhere_location_id IS NOT NULL
		FROM count_serials WHERE count_id = ? ORDER BY serial`,
		[]any{c.ID}, func(r *sql.Rows) error {
			var p pos
			var sn string
			var inSnapshot, counted, elsewhere bool
			if err := r.Scan(&p.item, &p.lot, &p.expiry, &p.lpn, &sn, &inSnapshot, &counted, &elsewhere); err != nil {
				return err
			}
			if counted {
				if i, ok := byPos[p]; ok {
					c.Lines[i].Serials = append(c.Lines[i].Serials, sn)
				}
			}
			i, ok := byItem[p.item]
			switch {
			case !ok:
			case inSnapshot && !counted:
				c.Lines[i].MissingSerials = append(c.Lines[i].MissingSerials, sn)
			case counted && elsewhere:
				c.Lines[i].SerialsFromElsewhere = append(c.Lines[i].SerialsFromElsewhere, sn)
			}
			return nil
		})
}

// SerialAt answers where the serial record places serial of item itemID:
// the location's code, found false when the record has it nowhere (never
// counted, or missing at its last count). Returns reads it through a hook
// to flag a returned serial that never left stock.
func SerialAt(ctx context.Context, q inventory.Querier, itemID int64, serial string) (string, bool, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT l.code FROM serials s JOIN locations l ON l.id = s.location_id
		WHERE s.item_id = ? AND s.serial = ?`, itemID, serial).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read serial record: %w", err)
	}
	return code, true, nil
}
