package server

import (
	"context"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/picking"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/returns"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Workflows are the node's workflow services over one database, wired to
// each other the one way a node runs them. Every command that drives a
// workflow builds them here, so no caller forgets a hand-off.
type Workflows struct {
	Inventory *inventory.Service
	Picking   *picking.Service
	Putaway   *putaway.Service
	Receiving *receiving.Service
	Counts    *cyclecount.Service
	Returns   *returns.Service
}

// NewWorkflows builds the workflows over db, each reading scans with the
// node's scanner p (scan.Default() for a node that configures none). Stock
// received at a dock, and
// the picked units of a cancelled order once they are dropped at a ship
// lane, become putaway tasks in the same transaction; an undone receipt
// scan takes its units off that task, or is refused if they were already
// put away. A short pick's count goes to the front of today's count tasks
// at once. A recount goes to an associate on the floor (signed in) who has
// not counted the bin. A posted cycle count that leaves orders allocated more units
// than it found hands them to picking, which reallocates or backorders.
// Restocked returns become putaway tasks in the disposition's transaction;
// returns read what picking shipped on an order, when putaway finished and
// where counting's serial record places a returned serial.
func NewWorkflows(db *store.DB, p *scan.Parser) Workflows {
	pa := putaway.NewService(db, p, putaway.Hooks{BeingCounted: cyclecount.BeingCounted})
	toPutaway := func(ctx context.Context, tx *store.Tx, st inventory.StagedStock) error {
		_, err := pa.CreateTask(ctx, tx, st)
		return err
	}
	counts := cyclecount.NewService(db, p, cyclecount.Hooks{Unbacked: picking.Unbacked, AssignableBadge: assignableBadge,
		OnFloor: auth.SignedInAssociates})
	return Workflows{
		Inventory: inventory.NewService(db, p),
		Picking:   picking.NewService(db, p, picking.Hooks{ReturnToStock: toPutaway, CountRequested: counts.Triggered}),
		Putaway:   pa,
		Receiving: receiving.NewService(db, p, receiving.Hooks{Staged: toPutaway, Unstaged: pa.Unstage}),
		Counts:    counts,
		Returns: returns.NewService(db, p, returns.Hooks{
			Restocked: func(ctx context.Context, tx *store.Tx, st inventory.StagedStock) (int64, error) {
				t, err := pa.CreateTask(ctx, tx, st)
				return t.ID, err
			},
			Shipped:  picking.Shipped,
			PutAway:  putaway.TaskDoneAt,
			SerialAt: cyclecount.SerialAt,
		}),
	}
}

// assignableBadge is who a lead may assign a count to: a user the node
// knows (ENOTFOUND otherwise) who is not disabled.
func assignableBadge(ctx context.Context, q inventory.Querier, badge string) error {
	u, err := auth.UserByBadge(ctx, q, badge)
	if err != nil {
		return err
	}
	if u.Disabled {
		return floorops.Invalid("badge", "%s is disabled: assign an active associate", badge)
	}
	return nil
}
