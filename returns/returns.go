// Package returns triages customer returns at the node. It owns return
// authorizations (RMAs: what central agreed a customer may send back on one
// order), returned units (identical units received together at a returns
// location, graded A-D and dispositioned together, each with its SLA
// clock), and the disposition rule table (condition x reason x item
// category to a disposition).
//
// Returned units enter the building through inventory.Record into a
// returns location in quarantine status, so nothing received is sellable
// before anyone looked at it. A restock disposition ledgers the units into
// available status at the returns location at that moment (ATS rises then)
// and hands them to Hooks.Restocked, which server wires to putaway, so a
// scan-verified putaway task exists in the same transaction. Every other
// disposition keeps them in quarantine status, at the returns location or
// in a quarantine location, never counted toward ATS.
//
// More units than an RMA authorized, more than the node shipped on the
// order line across all its RMAs (Hooks.Shipped), another SKU than
// authorized, and a return with no RMA are accepted, flagged on the unit
// and recorded as inventory exceptions: never refused, never silent.
package returns

import (
	"context"
	"strconv"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Service triages returns over one node's database.
type Service struct {
	db    *store.DB
	scan  *scan.Parser
	hooks Hooks
}

// Hooks are what returns needs from other workflows, wired by server. All
// are required (NewService panics without one).
type Hooks struct {
	// Restocked is called inside the disposition transaction for units
	// restocked at a returns location, so putaway creates their task
	// atomically with the disposition; it answers the task id.
	Restocked func(ctx context.Context, tx *store.Tx, s inventory.StagedStock) (int64, error)
	// Shipped answers how many units of an item the node picked for an
	// order (known false when the node never picked that order), so a
	// return beyond what shipped is flagged.
	Shipped func(ctx context.Context, q inventory.Querier, orderRef string, itemID int64) (qty int64, known bool, err error)
	// PutAway answers when a putaway task Restocked created was completed
	// (zero while it is open), for the SLA clock's last step.
	PutAway func(ctx context.Context, q inventory.Querier, taskID int64) (time.Time, error)
	// SerialAt answers where the node's serial record (kept by counting)
	// places a serial of an item, so a returned serial still in stock is
	// flagged.
	SerialAt func(ctx context.Context, q inventory.Querier, itemID int64, serial string) (locationCode string, found bool, err error)
}

// NewService returns returns triage over db, reading scans with the node's
// scanner p. It panics without a parser or a hook: a wiring mistake to
// catch when the node starts.
func NewService(db *store.DB, p *scan.Parser, h Hooks) *Service {
	if p == nil {
		panic("returns: NewService needs the node's scan parser")
	}
	if h.Restocked == nil || h.Shipped == nil || h.PutAway == nil || h.SerialAt == nil {
		panic("returns: NewService needs Hooks.Restocked, Hooks.Shipped, Hooks.PutAway and Hooks.SerialAt")
	}
	return &Service{db: db, scan: p, hooks: h}
}

// Grades: the condition an associate found.
const (
	GradeA = "A" // new, sealed
	GradeB = "B" // opened, like new
	GradeC = "C" // cosmetic damage
	GradeD = "D" // defective, unsellable
)

// Grades lists every grade, in order.
var Grades = []string{GradeA, GradeB, GradeC, GradeD}

// Reasons the rules read. The first five are customers' reasons on an RMA
// line; the rest the floor finds.
const (
	ReasonDefective      = "defective"
	ReasonDamaged        = "damaged"
	ReasonNotAsDescribed = "not_as_described"
	ReasonUnwanted       = "unwanted"
	ReasonOther          = "other"
	ReasonWrongItem      = "wrong_item"    // another SKU than the RMA authorized
	ReasonMissingParts   = "missing_parts" // flagged at grading
	ReasonExpired        = "expired"       // flagged at grading
	ReasonUnexpected     = "unexpected"    // no RMA
)

// Reasons lists every reason a rule may name.
var Reasons = []string{ReasonDefective, ReasonDamaged, ReasonNotAsDescribed, ReasonUnwanted, ReasonOther,
	ReasonWrongItem, ReasonMissingParts, ReasonExpired, ReasonUnexpected}

// Dispositions: where graded units go.
const (
	Restock        = "restock"          // back on sale
	Refurbish      = "refurbish"        // to be repaired or repackaged
	ReturnToVendor = "return_to_vendor" // back to the supplier for credit
	Liquidate      = "liquidate"        // sold off in bulk
	Dispose        = "dispose"          // destroyed or recycled
	Quarantine     = "quarantine"       // held for inspection
)

// Dispositions lists every disposition.
var Dispositions = []string{Restock, Refurbish, ReturnToVendor, Liquidate, Dispose, Quarantine}

// Exceptions flagged on received units, each also an inventory exception.
const (
	ExceptionOverAuthorized   = "return_over_authorized" // more than the RMA line authorized
	ExceptionOverShipped      = "return_over_shipped"    // more than shipped on the order line, across its RMAs
	ExceptionWrongItem        = "return_wrong_item"      // a SKU the RMA did not authorize
	ExceptionUnexpectedReturn = "return_unexpected"      // no RMA
	ExceptionSerialRepeated   = "return_serial_repeated" // a serial returned before
	ExceptionSerialInStock    = "return_serial_in_stock" // a serial the serial record places in stock
)

// RMA is a return authorization.
type RMA struct {
	Number    string    `json:"rma_number" validate:"required,max=32,docref"`
	OrderRef  string    `json:"order_ref" validate:"required,max=64,docref"`
	Channel   string    `json:"channel" validate:"required,oneof=amazon walmart tiktok shopify direct"`
	Lines     []RMALine `json:"lines" validate:"required,min=1,max=1000,dive"`
	CreatedAt time.Time `json:"create_time"`
	Units     []Unit    `json:"units"`
}

// RMALine is one SKU authorized, with the customer's reason.
type RMALine struct {
	SKU      string `json:"sku" validate:"required,max=64,printascii"`
	Qty      int64  `json:"quantity" validate:"gt=0,lte=100000"`
	Reason   string `json:"reason" validate:"required,oneof=defective damaged not_as_described unwanted other"`
	Received int64  `json:"received_quantity"`
}

// Unit is identical returned units received, graded and dispositioned
// together, with the SLA clock: received, graded, dispositioned, put away.
type Unit struct {
	ID             int64     `json:"unit_id"`
	RMANumber      string    `json:"rma_number"`
	OrderRef       string    `json:"order_ref"`
	SKU            string    `json:"sku"`
	Qty            int64     `json:"quantity"`
	Lot            string    `json:"lot"`
	Expiry         string    `json:"expiry"`
	Serial         string    `json:"serial"`
	LocationCode   string    `json:"location_code"`
	Reason         string    `json:"reason"`
	Exceptions     []string  `json:"exceptions"`
	Grade          string    `json:"grade"`
	MissingParts   bool      `json:"missing_parts"`
	Expired        bool      `json:"expired"`
	Suggested      string    `json:"suggested_disposition"`
	Disposition    string    `json:"disposition"`
	OverrideReason string    `json:"override_reason"`
	OverrideBy     string    `json:"override_by"`
	ToLocationCode string    `json:"disposition_location_code"`
	PutawayTaskID  int64     `json:"putaway_task_id"`
	ReceivedAt     time.Time `json:"receive_time"`
	GradedAt       time.Time `json:"grade_time,omitzero"`
	DispositionAt  time.Time `json:"disposition_time,omitzero"`
	PutawayAt      time.Time `json:"putaway_time,omitzero"`
	// AgeHours is hours since receipt as of a queue read; not stored.
	AgeHours float64 `json:"-"`
}

func unitRef(id int64) string { return "RET-" + strconv.FormatInt(id, 10) }
