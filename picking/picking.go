// Package picking is order picking at the node: central releases customer
// orders, the node reserves stock for their lines, leads group orders into
// pick lists, and associates pick them scan by scan.
//
// Allocation reserves units of specific balances (an inventory allocations
// row per pick task), so available-to-sell drops the moment an order is
// released and no two orders are ever promised the same unit. Stock rotates
// first-expiry-first-out for expiry-tracked items and first-in-first-out by
// receipt date otherwise; within the same date the node prefers pick faces,
// then the fewest locations. What cannot be allocated is backordered and
// reported to central, never silently dropped.
//
// A pick list is one associate's walk: discrete (one order, one tote),
// batch (many orders in one tote, sorted at pack) or cluster (one tote per
// order on a cart), its lines in location walk order. Every pick is verified
// by the location scan (or its 2-digit check code) and the item scan (GTIN,
// or GS1 with the lot); a wrong scan is refused and recorded as an
// exception that raises the location's count risk. Picked units move in the
// ledger at once, from the bin onto the tote at the list's ship lane.
//
// A short pick — the bin holds fewer units than the record — quarantines the
// missing units in place (so channels stop selling them), queues a triggered
// count of the bin, and reallocates the remainder from other locations as a
// new line on the same list, or backorders it.
//
// The package owns the pick_orders, pick_order_lines, pick_tasks,
// pick_lists, pick_list_orders and pick_returns tables. It changes stock
// only through inventory.Record and reserves it only through
// inventory.Allocate.
package picking

import (
	"context"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Service is picking over one node's database.
type Service struct {
	db    *store.DB
	scan  *scan.Parser
	hooks Hooks
}

// Hooks are where picking hands stock to another workflow, which server
// wires. Every hook is required (NewService panics without one): a
// forgotten hook would leave a cancelled order's units at the ship lane
// with no task while every pick succeeds, so it must fail at start.
type Hooks struct {
	// ReturnToStock is handed the picked units of a cancelled order once
	// they are at rest at a ship lane (the list that picked them is
	// completed), in the same transaction; server wires it to putaway, so
	// the units go back to stock as a location-verified putaway task. An
	// error rolls back what handed them off.
	ReturnToStock func(ctx context.Context, tx *store.Tx, st inventory.StagedStock) error
	// CountRequested is called in a short pick's transaction once its
	// location has an open count request (id requestID); server wires it
	// to cycle counting, which puts the count at the front of today's
	// open tasks at once rather than at the next plan.
	CountRequested func(ctx context.Context, tx *store.Tx, locationID, requestID int64) error
}

// NewService returns picking over db, reading scans with the node's
// scanner p and handing stock on through h. It panics without a parser or
// a hook: that is a wiring mistake to catch when the node starts, not on
// the floor.
func NewService(db *store.DB, p *scan.Parser, h Hooks) *Service {
	if p == nil {
		panic("picking: NewService needs the node's scan parser")
	}
	if h.ReturnToStock == nil {
		panic("picking: NewService needs Hooks.ReturnToStock (a cancelled order's picked units must go back to stock)")
	}
	if h.CountRequested == nil {
		panic("picking: NewService needs Hooks.CountRequested (a short pick's count must reach today's tasks)")
	}
	return &Service{db: db, scan: p, hooks: h}
}

// Channel is the sales channel an order came from.
type Channel string

// Sales channels.
const (
	Amazon  Channel = "amazon"
	Walmart Channel = "walmart"
	TikTok  Channel = "tiktok"
	Shopify Channel = "shopify"
	Direct  Channel = "direct"
)

// OrderState is where an order is on the floor.
type OrderState string

// Order states.
const (
	OrderReleased  OrderState = "released"  // allocated (maybe partly), on no pick list yet
	OrderListed    OrderState = "listed"    // on a pick list
	OrderPicked    OrderState = "picked"    // its pick list was completed with every unit picked
	OrderCancelled OrderState = "cancelled" // cancelled by central
	// OrderBackordered: its pick list was completed but units of its lines
	// were not picked (backordered at release, or short and found nowhere
	// else). It is not complete and must not ship as such. The database
	// keeps such an order as 'picked' (its list is done); the state is read
	// from its lines, in one place: loadOrder.
	OrderBackordered OrderState = "backordered"
)

// ListType is how a pick list groups orders.
type ListType string

// Pick list types.
const (
	Discrete ListType = "discrete" // one order, one tote
	Batch    ListType = "batch"    // many orders in one tote, sorted at pack
	Cluster  ListType = "cluster"  // many orders on a cart, one tote each
)

// ListState is where a pick list is.
type ListState string

// Pick list states.
const (
	ListOpen      ListState = "open"      // waiting for an associate
	ListPicking   ListState = "picking"   // assigned, being picked
	ListCompleted ListState = "completed" // totes dropped at a ship lane
)

// LineState is where one pick line (task) is.
type LineState string

// Pick line states.
const (
	LineOpen      LineState = "open"      // units still to pick
	LinePicked    LineState = "picked"    // every unit picked
	LineShort     LineState = "short"     // closed short: the bin held fewer
	LineCancelled LineState = "cancelled" // its order was cancelled
)

// Order is a customer order at this node.
type Order struct {
	ID           int64       `json:"-"`
	OrderID      string      `json:"order_id"`
	Channel      Channel     `json:"channel"`
	Priority     int         `json:"priority"`
	ShipBy       time.Time   `json:"ship_by"`
	State        OrderState  `json:"state"`
	Lines        []OrderLine `json:"lines"`
	PickListID   int64       `json:"pick_list_id"`
	CancelReason string      `json:"cancel_reason"`
}

// OrderLine is one line of an order and how it stands: of Qty units,
// Allocated are reserved and still to pick, Picked are in a tote, Short were
// found missing (and then reallocated or backordered), Backordered wait for
// stock.
type OrderLine struct {
	ID          int64  `json:"-"`
	ItemID      int64  `json:"-"`
	LineNumber  int    `json:"line_number"`
	SKU         string `json:"sku"`
	Qty         int64  `json:"quantity"`
	Allocated   int64  `json:"allocated_quantity"`
	Picked      int64  `json:"picked_quantity"`
	Short       int64  `json:"short_quantity"`
	Backordered int64  `json:"backordered_quantity"`
}

// Owed is the line's units not picked: ordered less picked. Once the
// order's pick list is completed, these are what the customer still waits
// for.
func (l OrderLine) Owed() int64 { return max(l.Qty-l.Picked, 0) }

// Line is one stop on a pick list: units of one order line at one balance
// (location, lot, expiry, LPN). It is stored as a pick task.
type Line struct {
	ID           int64     `json:"id"`
	OrderID      string    `json:"order_id"`
	LineNumber   int       `json:"line_number"`
	LocationCode string    `json:"location_code"`
	SKU          string    `json:"sku"`
	Description  string    `json:"description"`
	Lot          string    `json:"lot"`
	Expiry       string    `json:"expiry"`
	LotRequired  bool      `json:"lot_required"`
	LPN          string    `json:"lpn"`
	Qty          int64     `json:"quantity"`
	Picked       int64     `json:"picked_quantity"`
	Short        int64     `json:"short_quantity"`
	State        LineState `json:"state"`
	Tote         string    `json:"tote"`
}

// Remaining is what is still to pick on the line.
func (l Line) Remaining() int64 { return l.Qty - l.Picked - l.Short }

// PickList is one associate's walk through the building.
type PickList struct {
	ID           int64     `json:"id"`
	Type         ListType  `json:"type"`
	State        ListState `json:"state"`
	AssignedTo   string    `json:"assigned_to"`
	ShipLocation string    `json:"ship_location_code"`
	OrderIDs     []string  `json:"order_ids"`
	Totes        []string  `json:"totes"`
	Lines        []Line    `json:"lines"`
	Priority     int       `json:"priority"`
	ShipBy       time.Time `json:"ship_by"`
	CreatedAt    time.Time `json:"create_time"`
}

// ReturnTask is units picked for an order that was cancelled: they sit on a
// tote at a ship lane and must be put back to stock.
type ReturnTask struct {
	ID           int64  `json:"id"`
	OrderID      string `json:"order_id"`
	SKU          string `json:"sku"`
	Lot          string `json:"lot"`
	Expiry       string `json:"expiry"`
	LocationCode string `json:"location_code"`
	Tote         string `json:"tote"`
	Qty          int64  `json:"quantity"`
	// HandedToPutaway: the units are at rest and a putaway task carries
	// them back to stock.
	HandedToPutaway bool `json:"handed_to_putaway"`
}
