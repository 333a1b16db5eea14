package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// ItemFields are the fields of an item an update may name, by their proto
// (and JSON) names. sku names the item and is never rewritten.
var ItemFields = []string{"sku", "description", "unit_cost_cents", "lot_tracked", "expiry_tracked", "serial_tracked", "abc_class", "gtins", "category"}

// ItemUpdate says how UpsertItem changes an item that already exists.
type ItemUpdate struct {
	// Fields names the fields to write (ItemFields); the others keep their
	// stored values. nil writes every field as given; an empty, non-nil
	// list writes none. A new item is created from every field given
	// either way.
	Fields []string `json:"fields"`
	// AllowGTINRemoval lets the GTIN list leave out a barcode of an item
	// with units on hand. Without it that is refused: the units' labels
	// would stop scanning at receiving, putaway and picking.
	AllowGTINRemoval bool `json:"allow_gtin_removal"`
}

// UpsertItem creates the item or updates its master data, matched by SKU.
// SKUs are case-insensitive and stored upper-case: a new item sent as
// qa-widget is stored as QA-WIDGET, but an update must spell the SKU as
// stored, so that a client that thinks qa-widget and QA-WIDGET are two
// products is told rather than merged (EPRECONDITION). An update writes
// only u.Fields; when it writes gtins the list replaces the stored one,
// and dropping a GTIN of an item with stock needs u.AllowGTINRemoval
// (else EPRECONDITION). A GTIN already on another item is ECONFLICT;
// tracking rules are in checkTrackingChange.
func (s *Service) UpsertItem(ctx context.Context, requestID string, it Item, u ItemUpdate) (Item, error) {
	sent := strings.TrimSpace(it.SKU)
	fields, err := UpdateFields(u.Fields, ItemFields)
	if err != nil {
		return Item{}, err
	}
	if err := normalizeItem(&it); err != nil {
		return Item{}, err
	}
	body := struct {
		Item   Item       `json:"item"`
		Update ItemUpdate `json:"update"`
	}{it, u}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "UpsertItem", Body: body},
		func(tx *store.Tx) (Item, error) { return upsertItem(ctx, tx, sent, it, fields, u.AllowGTINRemoval) })
}

// normalizeItem validates it and puts it in stored form: upper-case SKU,
// 14-digit GTINs, default class C.
func normalizeItem(it *Item) error {
	it.SKU = scan.Code(it.SKU)
	it.Description = strings.TrimSpace(it.Description)
	it.Category = strings.TrimSpace(it.Category)
	if it.ABCClass == "" {
		it.ABCClass = "C"
	}
	it.ABCClass = strings.ToUpper(it.ABCClass)
	for i := range it.GTINs {
		if it.GTINs[i].PackQty == 0 {
			it.GTINs[i].PackQty = 1
		}
	}
	if err := floorops.Validate(it); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, g := range it.GTINs {
		n, err := scan.NormalizeGTIN(strings.TrimSpace(g.GTIN))
		if err != nil {
			return floorops.Invalid(fmt.Sprintf("gtins[%d].gtin", i), "%v", err)
		}
		if seen[n] {
			return floorops.Invalid(fmt.Sprintf("gtins[%d].gtin", i), "GTIN %s is listed twice", n)
		}
		seen[n] = true
		it.GTINs[i].GTIN = n
	}
	return nil
}

// WriteItem creates or updates one item inside the caller's transaction,
// with UpsertItem's rules (the SKU spelled as stored, no GTIN of an item
// with stock dropped) but no request id of its own: a row of an items
// import file, written in fields only when the item exists.
func WriteItem(ctx context.Context, tx *store.Tx, it Item, fields Fields) error {
	sent := strings.TrimSpace(it.SKU)
	if err := normalizeItem(&it); err != nil {
		return err
	}
	_, err := upsertItem(ctx, tx, sent, it, fields, false)
	return err
}

// upsertItem writes a normalized item: a new one whole, an existing one
// only in fields. sent is the SKU as the client spelled it.
func upsertItem(ctx context.Context, tx *store.Tx, sent string, it Item, fields Fields, allowGTINRemoval bool) (Item, error) {
	old, err := ItemBySKU(ctx, tx, it.SKU)
	exists := err == nil
	switch {
	case floorops.IsCode(err, floorops.ENOTFOUND):
		fields = nil // a new item takes every field given
	case err != nil:
		return Item{}, err
	case sent != old.SKU:
		return Item{}, &floorops.Error{Code: floorops.EPRECONDITION,
			Message: fmt.Sprintf("%s would update item %s: SKUs are case-insensitive; send %s to change it", sent, old.SKU, old.SKU),
			Fields:  []floorops.FieldViolation{{Field: "sku", Description: "names an existing item spelled " + old.SKU}}}
	}
	if exists {
		it = mergeItem(old, it, fields)
		onHand, err := itemOnHand(ctx, tx, old.ID)
		if err != nil {
			return Item{}, err
		}
		if err := checkTrackingChange(old, it, onHand); err != nil {
			return Item{}, err
		}
		if err := checkGTINRemoval(old, it, onHand, allowGTINRemoval); err != nil {
			return Item{}, err
		}
	}
	now := store.FormatTime(tx.Now)
	err = tx.QueryRowContext(ctx, `INSERT INTO items
		(sku, description, unit_cost_cents, lot_tracked, expiry_tracked, serial_tracked, abc_class, category, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sku) DO UPDATE SET description = excluded.description, unit_cost_cents = excluded.unit_cost_cents,
			lot_tracked = excluded.lot_tracked, expiry_tracked = excluded.expiry_tracked,
			serial_tracked = excluded.serial_tracked, abc_class = excluded.abc_class, category = excluded.category, updated_at = excluded.updated_at
		RETURNING id`,
		it.SKU, it.Description, it.UnitCostCents, it.LotTracked, it.ExpiryTracked, it.SerialTracked, it.ABCClass, it.Category, now, now).Scan(&it.ID)
	if err != nil {
		return Item{}, fmt.Errorf("upsert item %s: %w", it.SKU, err)
	}
	if exists && !fields.Has("gtins") {
		return it, nil // the stored GTINs stay as they are
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM item_gtins WHERE item_id = ?`, it.ID); err != nil {
		return Item{}, fmt.Errorf("replace gtins of %s: %w", it.SKU, err)
	}
	for i, g := range it.GTINs {
		_, err := tx.ExecContext(ctx, `INSERT INTO item_gtins (gtin, item_id, pack_qty) VALUES (?, ?, ?)`, g.GTIN, it.ID, g.PackQty)
		if store.IsConstraint(err, store.ConstraintPrimaryKey) || store.IsConstraint(err, store.ConstraintUnique) {
			return Item{}, &floorops.Error{Code: floorops.ECONFLICT,
				Message: fmt.Sprintf("GTIN %s already belongs to another item", g.GTIN),
				Fields:  []floorops.FieldViolation{{Field: fmt.Sprintf("gtins[%d].gtin", i), Description: "already belongs to another item"}}}
		}
		if err != nil {
			return Item{}, fmt.Errorf("insert gtin %s: %w", g.GTIN, err)
		}
	}
	return it, nil
}

// mergeItem is old with the named fields taken from it.
func mergeItem(old, it Item, fields Fields) Item {
	out := old
	if fields.Has("description") {
		out.Description = it.Description
	}
	if fields.Has("unit_cost_cents") {
		out.UnitCostCents = it.UnitCostCents
	}
	if fields.Has("lot_tracked") {
		out.LotTracked = it.LotTracked
	}
	if fields.Has("expiry_tracked") {
		out.ExpiryTracked = it.ExpiryTracked
	}
	if fields.Has("serial_tracked") {
		out.SerialTracked = it.SerialTracked
	}
	if fields.Has("abc_class") {
		out.ABCClass = it.ABCClass
	}
	if fields.Has("gtins") {
		out.GTINs = it.GTINs
	}
	if fields.Has("category") {
		out.Category = it.Category
	}
	return out
}

// itemOnHand is every unit of the item in the building, in any status.
func itemOnHand(ctx context.Context, tx *store.Tx, itemID int64) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(qty), 0) FROM balances WHERE item_id = ?`, itemID).Scan(&n); err != nil {
		return 0, fmt.Errorf("stock of item %d: %w", itemID, err)
	}
	return n, nil
}

// checkGTINRemoval refuses to drop a barcode of an item with stock unless
// the caller said so: the units on the shelf carry that barcode, and once
// it is gone they no longer scan at receiving, putaway or picking.
func checkGTINRemoval(old, it Item, onHand int64, allowed bool) error {
	if onHand == 0 || allowed {
		return nil
	}
	kept := map[string]bool{}
	for _, g := range it.GTINs {
		kept[g.GTIN] = true
	}
	var dropped []string
	for _, g := range old.GTINs {
		if !kept[g.GTIN] {
			dropped = append(dropped, g.GTIN)
		}
	}
	if len(dropped) == 0 {
		return nil
	}
	return &floorops.Error{Code: floorops.EPRECONDITION,
		Message: fmt.Sprintf("%s has %d units on hand and the new GTIN list drops %s, which its labels carry; send the full list, or set allow_gtin_removal to drop them",
			old.SKU, onHand, strings.Join(dropped, ", ")),
		Fields: []floorops.FieldViolation{{Field: "gtins", Description: "drops GTINs of an item with stock: " + strings.Join(dropped, ", ")}}}
}

// checkTrackingChange refuses to turn lot or expiry tracking on or off for
// an item that has stock: its balances were recorded with (or without) lots
// and dates, and after the change no scan, pick or move could name them.
// Sell or move the stock through, or count it out, first.
func checkTrackingChange(old, it Item, onHand int64) error {
	switch {
	case onHand == 0:
		return nil
	case old.LotTracked != it.LotTracked:
		return trackingLocked(it.SKU, "lot", "lots", old.LotTracked, onHand)
	case old.ExpiryTracked != it.ExpiryTracked:
		return trackingLocked(it.SKU, "expiry", "expiry dates", old.ExpiryTracked, onHand)
	}
	return nil
}

func trackingLocked(sku, what, data string, was bool, onHand int64) error {
	how := "without"
	if was {
		how = "with"
	}
	return &floorops.Error{Code: floorops.EPRECONDITION,
		Message: fmt.Sprintf("%s has %d units in stock recorded %s %s: %s tracking can change only when it has no stock", sku, onHand, how, data, what),
		Fields:  []floorops.FieldViolation{{Field: what + "_tracked", Description: "cannot change while the item has stock"}}}
}

// GetItem returns the item with the given SKU.
func (s *Service) GetItem(ctx context.Context, sku string) (Item, error) {
	sku = scan.Code(sku)
	switch {
	case sku == "":
		return Item{}, floorops.Invalid("sku", "is required")
	case len(sku) > 64:
		return Item{}, floorops.Invalid("sku", "must be at most 64 characters")
	}
	return ItemBySKU(ctx, s.db.Reader(), sku)
}

const itemColumns = `id, sku, description, unit_cost_cents, lot_tracked, expiry_tracked, serial_tracked, abc_class, category`

// itemGTINsColumn is an item's GTINs as one column, "gtin:pack,…" in pack
// then GTIN order (NULL for none), so reading an item with its GTINs is
// one statement, not two: on the writer a statement costs 10-15 us.
const itemGTINsColumn = `(SELECT group_concat(g.gtin || ':' || g.pack_qty, ',' ORDER BY g.pack_qty, g.gtin)
		FROM item_gtins g WHERE g.item_id = items.id)`

func scanItem(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	err := row.Scan(&it.ID, &it.SKU, &it.Description, &it.UnitCostCents, &it.LotTracked, &it.ExpiryTracked, &it.SerialTracked, &it.ABCClass, &it.Category)
	return it, err
}

// scanItemWithGTINs scans itemColumns followed by itemGTINsColumn and
// then extra.
func scanItemWithGTINs(row interface{ Scan(...any) error }, extra ...any) (Item, error) {
	var it Item
	var gtins sql.NullString
	dest := append([]any{&it.ID, &it.SKU, &it.Description, &it.UnitCostCents, &it.LotTracked, &it.ExpiryTracked, &it.SerialTracked, &it.ABCClass, &it.Category, &gtins}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Item{}, err
	}
	if gtins.String == "" {
		return it, nil
	}
	for _, g := range strings.Split(gtins.String, ",") {
		code, pack, ok := strings.Cut(g, ":")
		n, err := strconv.ParseInt(pack, 10, 64)
		if !ok || err != nil {
			return Item{}, floorops.Errorf(floorops.EINTERNAL, "item %s: stored GTIN %q", it.SKU, g)
		}
		it.GTINs = append(it.GTINs, GTIN{GTIN: code, PackQty: n})
	}
	return it, nil
}

// ItemBySKU reads one item with its GTINs; ENOTFOUND if there is none.
func ItemBySKU(ctx context.Context, q Querier, sku string) (Item, error) {
	it, err := scanItemWithGTINs(q.QueryRowContext(ctx, `SELECT `+itemColumns+`, `+itemGTINsColumn+` FROM items WHERE sku = ?`, sku))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, floorops.Errorf(floorops.ENOTFOUND, "item %s not found", sku)
	}
	if err != nil {
		return Item{}, fmt.Errorf("read item %s: %w", sku, err)
	}
	return it, nil
}

func itemByID(ctx context.Context, q Querier, id int64) (Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, floorops.Errorf(floorops.ENOTFOUND, "item %d not found", id)
	}
	if err != nil {
		return Item{}, fmt.Errorf("read item %d: %w", id, err)
	}
	return it, nil
}

// ItemByGTIN finds the item a 14-digit GTIN identifies and the pack quantity
// that GTIN stands for; ENOTFOUND if no item has it.
func ItemByGTIN(ctx context.Context, q Querier, gtin string) (Item, int64, error) {
	var pack int64
	it, err := scanItemWithGTINs(q.QueryRowContext(ctx, `SELECT `+itemColumns+`, `+itemGTINsColumn+`, m.pack_qty
		FROM item_gtins m JOIN items ON items.id = m.item_id WHERE m.gtin = ?`, gtin), &pack)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, 0, floorops.Errorf(floorops.ENOTFOUND, "GTIN %s is not mapped to an item", gtin)
	}
	if err != nil {
		return Item{}, 0, fmt.Errorf("read gtin %s: %w", gtin, err)
	}
	return it, pack, nil
}

func loadGTINs(ctx context.Context, q Querier, it *Item) error {
	rows, err := q.QueryContext(ctx, `SELECT gtin, pack_qty FROM item_gtins WHERE item_id = ? ORDER BY pack_qty, gtin`, it.ID)
	if err != nil {
		return fmt.Errorf("read gtins of %s: %w", it.SKU, err)
	}
	defer rows.Close()
	it.GTINs = nil
	for rows.Next() {
		var g GTIN
		if err := rows.Scan(&g.GTIN, &g.PackQty); err != nil {
			return err
		}
		it.GTINs = append(it.GTINs, g)
	}
	return rows.Err()
}

// ListItems returns up to limit items after the SKU in pageToken, ordered by
// SKU, and the token for the next page ("" on the last).
func (s *Service) ListItems(ctx context.Context, limit int, pageToken string) ([]Item, string, error) {
	page, err := store.PageRequest("items", limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+itemColumns+` FROM items WHERE sku > ? ORDER BY sku LIMIT ?`, page.After, page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("list items: %w", err)
	}
	var items []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	items, next := store.PageOf(page, items, func(it Item) string { return it.SKU })
	for i := range items {
		if err := loadGTINs(ctx, s.db.Reader(), &items[i]); err != nil {
			return nil, "", err
		}
	}
	return items, next, nil
}
