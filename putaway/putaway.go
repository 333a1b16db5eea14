// Package putaway is directed, location-verified putaway: it moves staged
// stock (received pallets and cartons, restocked returns, a lead's ad-hoc
// moves) from docks and staging lanes into storage and pick faces.
//
// A task is one quantity of one item, lot and LPN waiting at a source
// location. The node suggests where it should go and says why (consolidate
// with the same lot, the item's home pick face, the nearest empty slot in
// the item's velocity zone, any empty storage). The associate walks there
// and scans the location label, or types its 2-digit check code, to confirm;
// putting stock anywhere else needs an override reason and is recorded as
// an exception that raises that location's count risk. A task may be split
// across locations. Stock moves only through inventory.Record, so capacity
// and blocked flags are enforced by the ledger and every putaway is a
// movement with its outbox event.
//
// The package owns the putaway_tasks, putaway_confirms and
// putaway_home_locations tables, and the putaway_empty_locations index of
// empty slots that triggers keep in step with the ledger. It reads
// inventory's open count requests (a triggered count waiting) to keep stock
// out of a location until it is counted.
package putaway

import (
	"context"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Service is putaway over one node's database.
type Service struct {
	db   *store.DB
	scan *scan.Parser
	// Strategies is the order in which the node looks for a destination;
	// the first strategy that finds a location with room wins. It defaults
	// to DefaultStrategies. Held (quarantined) stock ignores it and goes to
	// a quarantine location.
	Strategies []Strategy
	// VelocityZones maps an item's ABC class to the zone its stock is
	// directed to by StrategyVelocityZone. It defaults to class A -> zone A,
	// B -> B, C -> C.
	VelocityZones map[string]string
	hooks         Hooks
}

// Hooks are what putaway asks of other workflows.
type Hooks struct {
	// BeingCounted is the locations (by id) with a cycle count being
	// counted now (cyclecount.BeingCounted): a suggestion never sends stock
	// there, since units put in a bin during its count spoil the count
	// (stock moved during the count: it is counted again).
	BeingCounted func(ctx context.Context, q inventory.Querier) (map[int64]bool, error)
}

// NewService returns putaway over db with the default strategies, reading
// scans with the node's scanner p. It panics without one, or without a
// hook of h.
func NewService(db *store.DB, p *scan.Parser, h Hooks) *Service {
	if p == nil {
		panic("putaway: NewService needs the node's scan parser")
	}
	if h.BeingCounted == nil {
		panic("putaway: Hooks.BeingCounted is required")
	}
	return &Service{
		db:            db,
		scan:          p,
		hooks:         h,
		Strategies:    DefaultStrategies(),
		VelocityZones: map[string]string{"A": "A", "B": "B", "C": "C"},
	}
}

// Strategy is a rule for choosing where stock goes.
type Strategy string

// Putaway strategies.
const (
	// StrategyConsolidate puts stock with the same item, lot, expiry and
	// status already in a storage location or pick face with room, so one
	// item is not scattered over many bins.
	StrategyConsolidate Strategy = "consolidate"
	// StrategyHomePickFace puts stock in the item's fixed home pick face, or
	// a pick face already holding the item, so pickers find it where they
	// expect it.
	StrategyHomePickFace Strategy = "home_pick_face"
	// StrategyVelocityZone puts stock in the empty location nearest the walk
	// start in the zone for the item's ABC class: fast movers up front.
	StrategyVelocityZone Strategy = "velocity_zone"
	// StrategyAnyEmpty puts stock in the empty storage location nearest the
	// walk start, anywhere in the building.
	StrategyAnyEmpty Strategy = "any_empty"
	// StrategyQuarantine puts held stock in a quarantine location with room.
	// It is used for quarantined stock only and needs no configuring.
	StrategyQuarantine Strategy = "quarantine"
)

// DefaultStrategies is the usual order: consolidate, home pick face,
// velocity zone, any empty location.
func DefaultStrategies() []Strategy {
	return []Strategy{StrategyConsolidate, StrategyHomePickFace, StrategyVelocityZone, StrategyAnyEmpty}
}

// TaskState is where a task is in its life.
type TaskState string

// Task states.
const (
	TaskOpen      TaskState = "open"      // stock waiting, possibly partly put away
	TaskDone      TaskState = "done"      // every unit is in storage
	TaskCancelled TaskState = "cancelled" // closed by a lead; the rest stayed put
)

// Task origins.
const (
	OriginStaged  = "staged"  // stock received at a dock (receiving)
	OriginRestock = "restock" // units going back to stock: a cancelled order's picks, a return
	OriginAdhoc   = "adhoc"   // created by a lead for stock anywhere
)

// Task is one quantity of one item, lot, expiry, status and LPN to move from
// a source location into storage.
type Task struct {
	ID           int64            `json:"id"`
	ItemID       int64            `json:"item_id"`
	SKU          string           `json:"sku"`
	ABCClass     string           `json:"abc_class"`
	FromID       int64            `json:"from_location_id"`
	FromCode     string           `json:"from_location_code"`
	Lot          string           `json:"lot"`
	Expiry       string           `json:"expiry"`
	Status       inventory.Status `json:"status"`
	LPN          string           `json:"lpn"`
	Qty          int64            `json:"quantity"`
	PutQty       int64            `json:"put_away_quantity"`
	State        TaskState        `json:"state"`
	Origin       string           `json:"origin"`
	Ref          string           `json:"reference"`
	CreatedBy    string           `json:"created_by"`
	CancelReason string           `json:"cancel_reason"`
	CreatedAt    time.Time        `json:"create_time"`
	ClosedAt     time.Time        `json:"close_time"` // zero while open
}

// Remaining is how many units still wait at the source.
func (t Task) Remaining() int64 { return t.Qty - t.PutQty }

// Suggestion is where the node directs a task's stock and why.
type Suggestion struct {
	LocationID   int64                  `json:"location_id"`
	LocationCode string                 `json:"location_code"`
	Zone         string                 `json:"zone"`
	LocationType inventory.LocationType `json:"location_type"`
	Strategy     Strategy               `json:"strategy"`
	// Reason is for the associate, e.g. "consolidate with units of the
	// same lot" (never a bin's quantity: it may be being counted blind).
	Reason string `json:"reason"`
	// Qty is how many units to put there: the task's remaining units, or
	// the room left when no location fits them all.
	Qty int64 `json:"quantity"`
}
