// Package inventory is the node's stock ledger. It owns the item master,
// locations, license plates, balances, allocations, the movements ledger and
// the transactional outbox, and it answers available-to-sell (ATS) per SKU.
//
// The ledger is the truth: every change of quantity is a row in movements,
// and balances are its projection, changed only in the same transaction by
// Record. Workflow packages (receiving, putaway, picking, counting, returns)
// move stock only through Record, inside their own store transactions.
//
// This is the lean core every workflow imports; the inventory service's API
// face (its gRPC handler, label rendering and CSV import) is
// inventory/inventoryapi, which only server and cmd import.
package inventory

import (
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Service is the inventory ledger over one node's database.
type Service struct {
	db   *store.DB
	scan *scan.Parser
}

// NewService returns the ledger over db, reading scans and checking
// location codes with the node's scanner p (scan.Default() for a node that
// configures none). It panics without one.
func NewService(db *store.DB, p *scan.Parser) *Service {
	if p == nil {
		panic("inventory: NewService needs the node's scan parser")
	}
	return &Service{db: db, scan: p}
}

// Parser is the node's scanner, for the inventory API face (labels read
// back, imports) to read codes as the service does.
func (s *Service) Parser() *scan.Parser { return s.scan }

// LocationType says what a location is for.
type LocationType string

// Location types.
const (
	LocDock       LocationType = "dock"       // a dock door
	LocStaging    LocationType = "staging"    // received stock waiting for putaway
	LocStorage    LocationType = "storage"    // reserve racking and bulk
	LocPickFace   LocationType = "pickface"   // where eaches are picked
	LocReturns    LocationType = "returns"    // returned units awaiting grading
	LocQuarantine LocationType = "quarantine" // held stock that must not be sold
	LocShip       LocationType = "ship"       // pack and ship lanes
)

// Sellable reports whether available units at a location of this type count
// toward available-to-sell. Stock on a dock or in staging is not yet where a
// pick can reach it; stock in ship lanes is already promised. At a returns
// location only restocked units are available (the rest are quarantined).
func (t LocationType) Sellable() bool { return t == LocStorage || t == LocPickFace || t == LocReturns }

// CycleCounted reports whether stock at a location of this type is cycle
// counted: storage, pick faces and quarantine. Elsewhere the stock belongs
// to a workflow that moves it on and keeps its own record of it: a dock or
// staging lane's units wait for their putaway tasks, a returns location's
// for grading and disposition (each unit a row of its own), a ship lane's
// were picked for orders. A count there would write off or find units
// under the workflow's feet and strand its records.
func (t LocationType) CycleCounted() bool {
	return t == LocStorage || t == LocPickFace || t == LocQuarantine
}

// Status is whether units may be sold.
type Status string

// Stock statuses.
const (
	Available   Status = "available"  // may be sold and picked
	Quarantined Status = "quarantine" // damaged, on hold or awaiting inspection
)

// Item is one SKU of the node's item master.
type Item struct {
	ID          int64  `json:"id,omitempty"`
	SKU         string `json:"sku" validate:"required,max=64,printascii"`
	Description string `json:"description" validate:"max=256,nocontrol"`
	// UnitCostCents is the cost of one each; at most 100,000,000 cents
	// (1,000,000.00), far above any SKU a fulfillment node stocks, so a
	// typo or an overflow never reaches count-risk impact.
	UnitCostCents int64 `json:"unit_cost_cents" validate:"gte=0,lte=100000000"`
	LotTracked    bool  `json:"lot_tracked"`
	ExpiryTracked bool  `json:"expiry_tracked"`
	SerialTracked bool  `json:"serial_tracked"`
	// ABCClass is the velocity class: A fast movers .. C slow movers.
	ABCClass string `json:"abc_class" validate:"omitempty,oneof=A B C"`
	// Category is what kind of product it is, for the returns disposition
	// rules; "" when it has none.
	Category string `json:"category,omitempty" validate:"max=32,printascii,ne=*"`
	GTINs    []GTIN `json:"gtins" validate:"max=32,dive"`
}

// GTIN is one barcode of an item and how many eaches its pack holds.
type GTIN struct {
	GTIN    string `json:"gtin" validate:"required"`
	PackQty int64  `json:"pack_qty" validate:"gte=1,lte=100000"`
}

// Location is a place stock can be.
type Location struct {
	ID   int64        `json:"id,omitempty"`
	Code string       `json:"code" validate:"required,max=32,code"`
	Zone string       `json:"zone" validate:"required,max=16,code"`
	Type LocationType `json:"type" validate:"required,oneof=dock staging storage pickface returns quarantine ship"`
	// WalkSeq is the position on the pick path, at most 1,000,000,000.
	WalkSeq int64 `json:"walk_sequence" validate:"gte=0,lte=1000000000"`
	// Capacity is the most units the location holds (0: no limit), at
	// most 10,000,000, the most units any one request moves.
	Capacity  int64  `json:"capacity" validate:"gte=0,lte=10000000"`
	Blocked   bool   `json:"blocked"`
	CheckCode string `json:"check_code"`
}

// Balance is the quantity on hand of one item, lot and status at one
// location and LPN.
type Balance struct {
	LocationCode string `json:"location_code"`
	SKU          string `json:"sku"`
	Lot          string `json:"lot"`
	Expiry       string `json:"expiry"`
	Status       Status `json:"status"`
	LPN          string `json:"lpn"`
	Qty          int64  `json:"quantity"`
}

// Availability is one SKU's sellable position.
type Availability struct {
	SKU       string `json:"sku"`
	OnHand    int64  `json:"on_hand"`
	Allocated int64  `json:"allocated"`
	ATS       int64  `json:"available_to_sell"`
}
