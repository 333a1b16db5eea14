package cyclecount

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/floorops/floorops/inventory"
)

// BeingCounted is the locations (by id) with a count being counted now:
// started and not yet submitted. Stock put there before the count is
// submitted spoils it (stock moved during the count: it is counted again),
// so putaway never suggests them (putaway.Hooks.BeingCounted). It reads
// the counts_state index: a handful of rows on any floor.
func BeingCounted(ctx context.Context, q inventory.Querier) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := inventory.EachRow(ctx, q, `SELECT location_id FROM counts WHERE state = 'counting'`, nil, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		out[id] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read counts being counted: %w", err)
	}
	return out, nil
}
