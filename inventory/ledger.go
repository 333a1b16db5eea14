package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// Movement kinds: what caused a change of quantity.
const (
	KindReceive = "receive" // units entered the building at a dock
	KindPutaway = "putaway" // staging to storage or a pick face
	KindMove    = "move"    // an associate's ad-hoc move between locations
	KindPick    = "pick"    // picked for an order
	KindAdjust  = "adjust"  // a lead's correction with a reason code
	KindCount   = "count"   // a reconciled cycle count's difference
	KindReturn  = "return"  // a customer return
	KindShip    = "ship"    // left the building
	KindStatus  = "status"  // quarantine or release in place (a short pick's missing units)
)

// movementKinds are the kinds a movement may have, for filters.
var movementKinds = []string{KindReceive, KindPutaway, KindMove, KindPick, KindAdjust, KindCount, KindReturn, KindShip, KindStatus}

// Move is one change of quantity to record in the ledger. From or To is 0
// when units enter or leave the building.
type Move struct {
	Kind       string
	ItemID     int64
	Lot        string
	Expiry     string
	From, To   int64 // location ids
	FromStatus Status
	ToStatus   Status
	FromLPN    string
	ToLPN      string
	Qty        int64
	Reason     string
	Ref        string
	Actor      Actor
	RequestID  string
	// Placement: the destination must take the units (see CheckPlacement).
	// Set for moves an associate chooses (moves, putaway); left off for
	// corrections that record what is physically there.
	Placement bool
	// Republish: the caller also changed the item's allocations in this
	// transaction (a pick releases its allocation), so ATS is published
	// even when the move itself does not change sellable stock.
	Republish bool
	// DeferAvailability: the caller publishes ATS itself, once per item
	// after all its moves in this transaction (EmitAvailabilities), as a
	// posted count of thousands of lines does; the move publishes none.
	DeferAvailability bool
	// Item, FromLocation and ToLocation are what ItemID, From and To name,
	// when the caller has already read them in this transaction: Record
	// then does not read them again (a scan's write runs on the one writer,
	// so every statement saved is throughput). Nil, or one of another id,
	// is read.
	Item                     *Item
	FromLocation, ToLocation *Location
}

// item is the move's item, read unless the caller gave it.
func (m Move) item(ctx context.Context, tx *store.Tx) (Item, error) {
	if m.Item != nil && m.Item.ID == m.ItemID {
		return *m.Item, nil
	}
	return itemByID(ctx, tx, m.ItemID)
}

// location is the location id names, read unless known is it.
func location(ctx context.Context, tx *store.Tx, id int64, known *Location) (*Location, error) {
	if known != nil && known.ID == id {
		return known, nil
	}
	return locationByID(ctx, tx, id)
}

// Movement is one ledger row as stored.
type Movement struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	SKU        string    `json:"sku"`
	Lot        string    `json:"lot"`
	Expiry     string    `json:"expiry"`
	From       string    `json:"from_location_code"`
	To         string    `json:"to_location_code"`
	FromStatus Status    `json:"from_status"`
	ToStatus   Status    `json:"to_status"`
	FromLPN    string    `json:"from_lpn"`
	ToLPN      string    `json:"to_lpn"`
	Qty        int64     `json:"quantity"`
	Reason     string    `json:"reason"`
	UserBadge  string    `json:"user_badge"`
	DeviceID   string    `json:"device_id"`
	Ref        string    `json:"reference"`
	RequestID  string    `json:"request_id"`
	CreatedAt  time.Time `json:"create_time"`
}

// UnmarshalJSON reads a movement stored in a response beside a request id
// in today's form and in the older one, whose create_time was a formatted
// string (empty on a movement not recorded), so a retry across the change
// gets its first answer.
func (m *Movement) UnmarshalJSON(b []byte) error {
	type movement Movement // the fields, without this method
	v := struct {
		*movement
		CreatedAt string `json:"create_time"`
	}{movement: (*movement)(m)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	var err error
	m.CreatedAt, err = store.ParseResponseTime(v.CreatedAt)
	return err
}

// Record writes m to the ledger inside tx: it takes the units from the
// source balance (refusing with EPRECONDITION if fewer are there), adds them
// to the destination balance, inserts the movement row and appends the
// outbox events (StockMoved, and AvailabilityChanged when the move changes
// what channels may sell). It is the only way balances change.
func Record(ctx context.Context, tx *store.Tx, m Move) (Movement, error) {
	if m.Qty <= 0 {
		return Movement{}, floorops.Invalid("quantity", "must be greater than 0")
	}
	if m.From == 0 && m.To == 0 {
		return Movement{}, floorops.Errorf(floorops.EINTERNAL, "ledger: movement with neither source nor destination")
	}
	if m.FromStatus == "" {
		m.FromStatus = Available
	}
	if m.ToStatus == "" {
		m.ToStatus = m.FromStatus
	}
	item, err := m.item(ctx, tx)
	if err != nil {
		return Movement{}, err
	}
	var from, to *Location
	if m.From != 0 {
		if from, err = location(ctx, tx, m.From, m.FromLocation); err != nil {
			return Movement{}, err
		}
		if err := take(ctx, tx, m, item, from); err != nil {
			return Movement{}, err
		}
	}
	if m.To != 0 {
		if to, err = location(ctx, tx, m.To, m.ToLocation); err != nil {
			return Movement{}, err
		}
		if m.Placement {
			if err := checkPlacement(ctx, tx, *to, m.Qty, ToldHeld(m.Actor)); err != nil {
				return Movement{}, err
			}
		}
		if err := put(ctx, tx, m); err != nil {
			return Movement{}, err
		}
	}
	mv := Movement{
		Kind: m.Kind, SKU: item.SKU, Lot: m.Lot, Expiry: m.Expiry,
		Qty: m.Qty, Reason: m.Reason, UserBadge: m.Actor.Badge, DeviceID: m.Actor.Device,
		Ref: m.Ref, RequestID: m.RequestID, CreatedAt: tx.Now,
	}
	var fromID, toID any
	if from != nil {
		fromID, mv.From, mv.FromStatus, mv.FromLPN = from.ID, from.Code, m.FromStatus, m.FromLPN
	}
	if to != nil {
		toID, mv.To, mv.ToStatus, mv.ToLPN = to.ID, to.Code, m.ToStatus, m.ToLPN
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO movements
		(kind, item_id, lot, expiry, from_location_id, to_location_id, from_status, to_status, from_lpn, to_lpn,
		 qty, reason, user_badge, device_id, ref, request_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Kind, m.ItemID, m.Lot, m.Expiry, fromID, toID, string(mv.FromStatus), string(mv.ToStatus), mv.FromLPN, mv.ToLPN,
		m.Qty, m.Reason, m.Actor.Badge, m.Actor.Device, m.Ref, m.RequestID, store.FormatTime(mv.CreatedAt))
	if err != nil {
		return Movement{}, fmt.Errorf("ledger: insert movement: %w", err)
	}
	if mv.ID, err = res.LastInsertId(); err != nil {
		return Movement{}, err
	}
	if err := emitMoved(ctx, tx, mv); err != nil {
		return Movement{}, err
	}
	publish := m.Republish
	if !publish && !m.DeferAvailability {
		fromSellable, toSellable, err := sellableSides(ctx, tx, from, mv.FromStatus, to, mv.ToStatus, m.Expiry)
		if err != nil {
			return Movement{}, err
		}
		publish = fromSellable != toSellable
	}
	if publish {
		if err := EmitAvailability(ctx, tx, m.ItemID); err != nil {
			return Movement{}, err
		}
	}
	return mv, nil
}

// sellableSides is whether units on each side of a movement count toward
// ATS (false for a side without a location), asked of sellableStock
// itself, both sides in one statement: so a movement publishes ATS exactly
// when it changes it.
func sellableSides(ctx context.Context, tx *store.Tx, from *Location, fs Status, to *Location, ts Status, expiry string) (bool, bool, error) {
	if from == nil && to == nil {
		return false, false, nil
	}
	// A side without a location asks about location 0, which no row has.
	var fromID, toID int64
	if from != nil {
		fromID = from.ID
	}
	if to != nil {
		toID = to.ID
	}
	day := tx.Now.UTC().Format(time.DateOnly)
	// The ids are bound as +? so a location id of 1 does not make SQLite
	// plan the statement apart (see store's statement cache).
	var a, b bool
	err := tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM locations l CROSS JOIN (SELECT ? AS status, ? AS expiry) b WHERE l.id = +? AND `+sellableStock+`),
		EXISTS (SELECT 1 FROM locations l CROSS JOIN (SELECT ? AS status, ? AS expiry) b WHERE l.id = +? AND `+sellableStock+`)`,
		string(fs), expiry, fromID, day, string(ts), expiry, toID, day).Scan(&a, &b)
	if err != nil {
		return false, false, fmt.Errorf("ledger: sellable sides: %w", err)
	}
	return a, b, nil
}

// take removes m.Qty from the source balance, deleting it when it reaches 0.
func take(ctx context.Context, tx *store.Tx, m Move, item Item, from *Location) error {
	var id, qty int64
	err := tx.QueryRowContext(ctx, `SELECT id, qty FROM balances
		WHERE location_id = ? AND item_id = ? AND lot = ? AND expiry = ? AND status = ? AND lpn = ?`,
		m.From, m.ItemID, m.Lot, m.Expiry, string(m.FromStatus), m.FromLPN).Scan(&id, &qty)
	if errors.Is(err, sql.ErrNoRows) {
		qty = 0
	} else if err != nil {
		return fmt.Errorf("ledger: read balance: %w", err)
	}
	if qty < m.Qty {
		if !ToldHeld(m.Actor) {
			// A move of a huge quantity would read the record out of the
			// refusal.
			return floorops.Errorf(floorops.EPRECONDITION, "not enough units of %s%s here at %s to take %d: count what is there, or ask a lead",
				item.SKU, describeStock(m), from.Code, m.Qty)
		}
		return floorops.Errorf(floorops.EPRECONDITION, "%s has %d of %s%s, cannot take %d",
			from.Code, qty, item.SKU, describeStock(m), m.Qty)
	}
	if qty == m.Qty {
		_, err = tx.ExecContext(ctx, `DELETE FROM balances WHERE id = ?`, id)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE balances SET qty = qty - ? WHERE id = ?`, m.Qty, id)
	}
	if err != nil {
		return fmt.Errorf("ledger: update balance: %w", err)
	}
	return nil
}

func describeStock(m Move) string {
	s := ""
	if m.Lot != "" {
		s += " lot " + m.Lot
	}
	if m.Expiry != "" {
		s += " expiring " + m.Expiry
	}
	if m.FromStatus != Available {
		s += " (" + string(m.FromStatus) + ")"
	}
	if m.FromLPN != "" {
		s += " on " + m.FromLPN
	}
	return s
}

// put adds m.Qty to the destination balance.
func put(ctx context.Context, tx *store.Tx, m Move) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO balances (location_id, item_id, lot, expiry, status, lpn, qty, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (location_id, item_id, lot, expiry, status, lpn) DO UPDATE SET qty = qty + excluded.qty`,
		m.To, m.ItemID, m.Lot, m.Expiry, string(m.ToStatus), m.ToLPN, m.Qty, store.FormatTime(tx.Now))
	if err != nil {
		return fmt.Errorf("ledger: add to balance: %w", err)
	}
	return nil
}

// Querier is what reads need: a transaction or the read pool.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sellableStock is the one definition of stock a channel may sell and an
// order may be allocated from: available status, in a storage location,
// pick face or returns location (restocked returns count from the moment
// they are dispositioned, before putaway; ungraded returns there are in
// quarantine) that is not blocked and not held for a triggered count (see
// HeldForCount), and not past its expiry on the given day (the ?
// parameter, YYYY-MM-DD).
var sellableStock = `b.status = 'available' AND l.type IN ('storage', 'pickface', 'returns') AND l.blocked = 0
	AND (b.expiry = '' OR b.expiry >= ?)
	AND NOT ` + HeldForCount("l.id")

// allocatedSellable sums, for the item i of the enclosing query, the units
// allocated to orders out of sellable stock (see sellableStock; it takes
// the same date parameter). An allocation on stock that has since become
// unsellable (its bin blocked or waiting for a count, its lot expired) is
// still picked there, or short-picked and reallocated; it no longer comes
// out of the sellable units, which do not count that stock either.
var allocatedSellable = `COALESCE((SELECT SUM(a.qty) FROM allocations a
	JOIN balances b ON b.location_id = a.location_id AND b.item_id = a.item_id AND b.lot = a.lot
		AND b.expiry = a.expiry AND b.lpn = a.lpn AND b.status = 'available'
	JOIN locations l ON l.id = a.location_id
	WHERE a.item_id = i.id AND ` + sellableStock + `), 0)`

// AvailabilityOf computes one item's ATS on the day of asOf: sellable units
// (see sellableStock) minus the units allocated out of them, never below
// zero.
func AvailabilityOf(ctx context.Context, q Querier, itemID int64, asOf time.Time) (Availability, error) {
	var a Availability
	err := q.QueryRowContext(ctx, `SELECT i.sku,
		COALESCE((SELECT SUM(b.qty) FROM balances b JOIN locations l ON l.id = b.location_id
			WHERE b.item_id = i.id AND `+sellableStock+`), 0),
		`+allocatedSellable+`
		FROM items i WHERE i.id = ?`, asOf.UTC().Format(time.DateOnly), asOf.UTC().Format(time.DateOnly), itemID).Scan(&a.SKU, &a.OnHand, &a.Allocated)
	if errors.Is(err, sql.ErrNoRows) {
		return a, floorops.Errorf(floorops.ENOTFOUND, "item %d not found", itemID)
	}
	if err != nil {
		return a, fmt.Errorf("ledger: availability: %w", err)
	}
	a.ATS = max(a.OnHand-a.Allocated, 0)
	return a, nil
}
