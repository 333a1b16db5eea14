// Package receiving receives vendor shipments at the dock. It owns purchase
// orders (what central expects a vendor to deliver), advance ship notices
// (what the vendor says is on the truck, pallet by pallet), receipts (one
// truck unloaded at one dock door, scanned by associates) and the
// reconciliation of a receipt against its PO when it is closed: per line
// what was expected, what arrived good or damaged, and what was short or
// over.
//
// Received units enter the building through inventory.Record into the dock
// location the associate scanned, where they wait for putaway; each staged
// quantity is handed to Hooks.Staged, which server wires to putaway, and an
// undone scan hands the same quantity to Hooks.Unstaged. Items not on the PO
// are received into quarantine and recorded as exceptions, never dropped
// and never added to the PO. Over-receipt beyond a line's tolerance needs a
// lead's override. A mis-scan is undone with a reversing movement; nothing
// is deleted. A closed receipt's reconciliation is stored as it was sent
// upstream and never recomputed.
package receiving

import (
	"context"
	"strconv"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Service receives against purchase orders and ASNs over one node's database.
// Who may do and see what (MayOverrideOverReceipt, MayClosePurchaseOrder,
// SeesExpected) it decides itself from the actor's role: a request's Actor
// for a change, the caller in the context (inventory.ActorFrom) for a read.
type Service struct {
	db *store.DB
	// Blind makes every receipt at this node blind: associates count what
	// arrived without seeing expected quantities. Vendors can also be set
	// blind one by one (SetVendorPolicy).
	Blind bool
	scan  *scan.Parser
	hooks Hooks
}

// Hooks are where stock goes once receiving has moved it: to putaway,
// which server wires. Both are required (NewService panics without one):
// a node that forgot a hook would leave received units at the dock with
// no putaway task while every scan succeeds, so it must fail at start.
type Hooks struct {
	// Staged is called inside the receiving transaction for every quantity
	// received into a dock location, so putaway creates its task
	// atomically with the receipt; an error rolls the scan back.
	Staged func(ctx context.Context, tx *store.Tx, s inventory.StagedStock) error
	// Unstaged is called inside the undo transaction for every quantity an
	// undone scan takes back out of the dock, with the StagedStock Staged
	// got for it (the actor is the one undoing), so putaway takes the units
	// off that receipt's tasks; an error (too few of the units still wait
	// for putaway) refuses the undo.
	Unstaged func(ctx context.Context, tx *store.Tx, s inventory.StagedStock) error
}

// NewService returns receiving over db, reading scans with the node's
// scanner p and handing what it stages and unstages to h. It panics
// without a parser or a hook: that is a wiring mistake to catch when the
// node starts, not on the floor.
func NewService(db *store.DB, p *scan.Parser, h Hooks) *Service {
	if p == nil {
		panic("receiving: NewService needs the node's scan parser")
	}
	if h.Staged == nil || h.Unstaged == nil {
		panic("receiving: NewService needs both Hooks.Staged and Hooks.Unstaged (received stock must reach putaway)")
	}
	return &Service{db: db, scan: p, hooks: h}
}

// POStatus is whether a purchase order still expects deliveries.
type POStatus string

// Purchase order statuses.
const (
	POOpen   POStatus = "open"   // deliveries expected; receipts may start
	POClosed POStatus = "closed" // no more deliveries; receipts are refused
)

// PurchaseOrder is what the node expects a vendor to deliver. The output
// fields report receiving progress over every receipt of the PO.
type PurchaseOrder struct {
	Number       string   `json:"po_number" validate:"required,max=32,docref"`
	Vendor       string   `json:"vendor" validate:"max=64,nocontrol"`
	ExpectedDate string   `json:"expected_date" validate:"omitempty,datetime=2006-01-02"`
	Status       POStatus `json:"status" validate:"omitempty,oneof=open closed"`
	// Lines are required on a new PO (and whenever an update writes them).
	Lines []POLine `json:"lines" validate:"max=1000,dive"`

	Blind        bool  `json:"blind_receiving"`
	Ordered      int64 `json:"ordered_quantity"`
	Received     int64 `json:"received_quantity"`
	OpenReceipts int   `json:"open_receipt_count"`
}

// POLine is one SKU ordered. TolerancePct is how far over the ordered
// quantity the dock may receive without a lead's override.
type POLine struct {
	LineNo       int    `json:"line_number" validate:"gte=0,lte=100000"`
	SKU          string `json:"sku" validate:"required,max=64,printascii"`
	Ordered      int64  `json:"ordered_quantity" validate:"gt=0,lte=10000000"`
	TolerancePct int    `json:"over_receipt_tolerance_percent" validate:"gte=0,lte=1000"`
	Received     int64  `json:"received_quantity"`
}

// allowed is the most a line may receive without an override.
func (l POLine) allowed() int64 { return l.Ordered + l.Ordered*int64(l.TolerancePct)/100 }

// ASN is an advance ship notice: the pallets and cartons a vendor shipped
// against a PO and what each holds. Blind (output) reports that its PO is
// received blind, so associates must not see the quantities it announces.
type ASN struct {
	Number     string      `json:"asn_number" validate:"required,max=64,docref"`
	PONumber   string      `json:"po_number" validate:"required,max=32,docref"`
	ShipDate   string      `json:"ship_date" validate:"omitempty,datetime=2006-01-02"`
	Containers []Container `json:"containers" validate:"required,min=1,max=1000,dive"`

	Blind bool `json:"blind_receiving"`
}

// Container is one pallet (by its SSCC) or carton (by its LPN) on an ASN.
// Received reports whether it has been received (whole, or by the GTIN on
// its pallet label before the ASN listed it) and not undone.
type Container struct {
	SSCC     string    `json:"sscc" validate:"omitempty,len=18,numeric"`
	LPN      string    `json:"lpn" validate:"max=32,printascii"`
	Contents []Content `json:"contents" validate:"required,min=1,max=1000,dive"`
	Received bool      `json:"received"`
}

// Code is the barcode that identifies the container: its SSCC or LPN.
func (c Container) Code() string {
	if c.SSCC != "" {
		return c.SSCC
	}
	return c.LPN
}

// Content is one SKU, lot and expiry in a container.
type Content struct {
	SKU    string `json:"sku" validate:"required,max=64,printascii"`
	Qty    int64  `json:"quantity" validate:"gt=0,lte=10000000"`
	Lot    string `json:"lot" validate:"omitempty,max=20,printascii"`
	Expiry string `json:"expiry" validate:"omitempty,datetime=2006-01-02"`
}

// ReceiptStatus is whether associates are still scanning into a receipt.
type ReceiptStatus string

// Receipt statuses.
const (
	ReceiptOpen   ReceiptStatus = "open"
	ReceiptClosed ReceiptStatus = "closed"
)

// Condition is the state units arrived in.
type Condition string

// Conditions. Damaged units are received into quarantine and reported.
const (
	Good    Condition = "good"
	Damaged Condition = "damaged"
)

// Receipt is one delivery unloaded at a dock door against a PO, with its
// reconciliation: as it would be if closed now while open, as sent
// upstream once closed.
type Receipt struct {
	ID         int64              `json:"receipt_id"`
	PONumber   string             `json:"po_number"`
	ASNNumber  string             `json:"asn_number"`
	Vendor     string             `json:"vendor"`
	DockCode   string             `json:"dock_location_code"`
	Status     ReceiptStatus      `json:"status"`
	Blind      bool               `json:"blind_receiving"`
	StartedBy  string             `json:"started_by"`
	StartedAt  time.Time          `json:"start_time"`
	ClosedAt   time.Time          `json:"close_time,omitzero"` // zero while open
	Lines      []ReceiptLine      `json:"lines"`
	Exceptions []ReceiptException `json:"exceptions"`
	Received   int64              `json:"received_quantity"`
}

// ReceiptLine reconciles one PO line, or one SKU not on the PO
// (Unexpected, LineNo 0), on one receipt. Expected is the ordered quantity
// less the net received by the PO's receipts closed before this one (while
// the receipt is open: closed so far), so two trucks unloaded at once are
// each reconciled against what was still outstanding when they closed.
// Every unit received is in exactly one of Good, Damaged or Unexpected:
// Good is only units of a PO line that arrived sound (available to put
// away); the units of a SKU not on the PO are Unexpected when they arrived
// sound and Damaged otherwise, all in quarantine, and all Over. On a PO
// line Received is Good+Damaged; Short and Over are the shortfall and
// excess against Expected. Once the receipt is closed its lines are those
// sent upstream and never change.
type ReceiptLine struct {
	LineNo     int    `json:"line_number"`
	SKU        string `json:"sku"`
	Expected   int64  `json:"expected_quantity"`
	Good       int64  `json:"received_good_quantity"`
	Damaged    int64  `json:"received_damaged_quantity"`
	Short      int64  `json:"short_quantity"`
	Over       int64  `json:"over_quantity"`
	Unexpected bool   `json:"unexpected"`
	// UnexpectedQty is the units of a SKU not on the PO that arrived sound.
	UnexpectedQty int64 `json:"received_unexpected_quantity"`
}

// ReceiptException is one thing on a receipt that differs from the PO: an
// unexpected item, damage, a lead's over-receipt override or an undone scan.
type ReceiptException struct {
	Kind      string `json:"kind"`
	SKU       string `json:"sku"`
	Qty       int64  `json:"quantity"`
	Detail    string `json:"detail"`
	UserBadge string `json:"user_badge"`
}

// Received is one quantity a scan put into the dock location, or (negative
// direction, positive Qty) an undo took back out.
type Received struct {
	LineNo      int       `json:"line_number"`
	SKU         string    `json:"sku"`
	Qty         int64     `json:"quantity"`
	Lot         string    `json:"lot"`
	Expiry      string    `json:"expiry"`
	LPN         string    `json:"lpn"`
	Condition   Condition `json:"condition"`
	Quarantined bool      `json:"quarantined"`
	Unexpected  bool      `json:"unexpected"`
	MovementID  int64     `json:"movement_id"`
}

// receiptRef is the ledger reference of a receipt's movements.
func receiptRef(id int64) string { return "RCPT-" + strconv.FormatInt(id, 10) }
