package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// UpsertItem creates the item or replaces its master data, matched by SKU.
// Its GTINs are replaced by the given list; a GTIN already on another item
// is ECONFLICT.
func (s *Service) UpsertItem(ctx context.Context, requestID string, it Item) (Item, error) {
	if err := normalizeItem(&it); err != nil {
		return Item{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "UpsertItem", Body: it},
		func(tx *store.Tx) (Item, error) { return upsertItem(ctx, tx, it) })
}

// normalizeItem validates it and puts it in stored form: upper-case SKU,
// 14-digit GTINs, default class C.
func normalizeItem(it *Item) error {
	it.SKU = strings.ToUpper(strings.TrimSpace(it.SKU))
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

func upsertItem(ctx context.Context, tx *store.Tx, it Item) (Item, error) {
	if err := checkTrackingChange(ctx, tx, it); err != nil {
		return Item{}, err
	}
	now := store.FormatTime(tx.Now)
	err := tx.QueryRowContext(ctx, `INSERT INTO items
		(sku, description, unit_cost_cents, lot_tracked, expiry_tracked, serial_tracked, abc_class, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sku) DO UPDATE SET description = excluded.description, unit_cost_cents = excluded.unit_cost_cents,
			lot_tracked = excluded.lot_tracked, expiry_tracked = excluded.expiry_tracked,
			serial_tracked = excluded.serial_tracked, abc_class = excluded.abc_class, updated_at = excluded.updated_at
		RETURNING id`,
		it.SKU, it.Description, it.UnitCostCents, it.LotTracked, it.ExpiryTracked, it.SerialTracked, it.ABCClass, now, now).Scan(&it.ID)
	if err != nil {
		return Item{}, fmt.Errorf("upsert item %s: %w", it.SKU, err)
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

// checkTrackingChange refuses to turn lot or expiry tracking on or off for
// an item that has stock: its balances were recorded with (or without) lots
// and dates, and after the change no scan, pick or move could name them.
// Sell or move the stock through, or count it out, first.
func checkTrackingChange(ctx context.Context, tx *store.Tx, it Item) error {
	var lot, expiry bool
	var onHand int64
	err := tx.QueryRowContext(ctx, `SELECT lot_tracked, expiry_tracked,
		COALESCE((SELECT SUM(qty) FROM balances b WHERE b.item_id = items.id), 0)
		FROM items WHERE sku = ?`, it.SKU).Scan(&lot, &expiry, &onHand)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil // a new item
	case err != nil:
		return fmt.Errorf("read item %s: %w", it.SKU, err)
	case onHand == 0:
		return nil
	case lot != it.LotTracked:
		return trackingLocked(it.SKU, "lot", "lots", lot, onHand)
	case expiry != it.ExpiryTracked:
		return trackingLocked(it.SKU, "expiry", "expiry dates", expiry, onHand)
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
	sku = strings.ToUpper(strings.TrimSpace(sku))
	switch {
	case sku == "":
		return Item{}, floorops.Invalid("sku", "is required")
	case len(sku) > 64:
		return Item{}, floorops.Invalid("sku", "must be at most 64 characters")
	}
	return ItemBySKU(ctx, s.db.Reader(), sku)
}

const itemColumns = `id, sku, description, unit_cost_cents, lot_tracked, expiry_tracked, serial_tracked, abc_class`

func scanItem(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	err := row.Scan(&it.ID, &it.SKU, &it.Description, &it.UnitCostCents, &it.LotTracked, &it.ExpiryTracked, &it.SerialTracked, &it.ABCClass)
	return it, err
}

// ItemBySKU reads one item with its GTINs; ENOTFOUND if there is none.
func ItemBySKU(ctx context.Context, q Querier, sku string) (Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE sku = ?`, sku))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, floorops.Errorf(floorops.ENOTFOUND, "item %s not found", sku)
	}
	if err != nil {
		return Item{}, fmt.Errorf("read item %s: %w", sku, err)
	}
	return it, loadGTINs(ctx, q, &it)
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
	var id, pack int64
	err := q.QueryRowContext(ctx, `SELECT item_id, pack_qty FROM item_gtins WHERE gtin = ?`, gtin).Scan(&id, &pack)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, 0, floorops.Errorf(floorops.ENOTFOUND, "GTIN %s is not mapped to an item", gtin)
	}
	if err != nil {
		return Item{}, 0, fmt.Errorf("read gtin %s: %w", gtin, err)
	}
	it, err := itemByID(ctx, q, id)
	if err != nil {
		return Item{}, 0, err
	}
	return it, pack, loadGTINs(ctx, q, &it)
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
	limit, err := store.PageSize(limit)
	if err != nil {
		return nil, "", err
	}
	after, err := store.DecodePageToken("items", pageToken)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+itemColumns+` FROM items WHERE sku > ? ORDER BY sku LIMIT ?`, after, limit+1)
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
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = store.EncodePageToken("items", items[limit-1].SKU)
	}
	for i := range items {
		if err := loadGTINs(ctx, s.db.Reader(), &items[i]); err != nil {
			return nil, "", err
		}
	}
	return items, next, nil
}
