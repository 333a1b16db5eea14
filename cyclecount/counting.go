package cyclecount

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
)

// notCounted refuses (EPRECONDITION) a count of a location whose stock is
// not cycle counted (inventory.LocationType.CycleCounted): StartCount and
// AddTask ask it; the plan and a short pick's count consider storage and
// pick faces only.
func notCounted(loc inventory.Location) error {
	if loc.Type.CycleCounted() {
		return nil
	}
	why := map[inventory.LocationType]string{
		inventory.LocShip:    "its units are picked for orders and shipping reconciles them",
		inventory.LocReturns: "its units wait for grading and disposition, unit by unit",
		inventory.LocDock:    "its units wait for their putaway tasks",
		inventory.LocStaging: "its units wait for their putaway tasks",
	}[loc.Type]
	if why == "" {
		why = "its units belong to a workflow"
	}
	return floorops.Errorf(floorops.EPRECONDITION, "%s is a %s location: %s, and are not cycle counted", loc.Code, loc.Type, why)
}

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
