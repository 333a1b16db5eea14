package putaway

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// HomeInput assigns an item's fixed home pick face, or clears it when
// LocationCode is empty.
type HomeInput struct {
	SKU          string          `json:"sku" validate:"required,max=64"`
	LocationCode string          `json:"location_code" validate:"max=32"`
	Actor        inventory.Actor `json:"actor"`
}

// SetHomeLocation makes a pick face the item's home, where putaway directs
// it first (StrategyHomePickFace) and where no other item is directed. A
// pick face is home to at most one item and holds only its own item, so
// assigning one that is another item's home, or that holds stock of
// another item now, is EPRECONDITION: clear that home, or empty the face,
// first.
func (s *Service) SetHomeLocation(ctx context.Context, requestID string, in HomeInput) (HomeInput, error) {
	in.SKU = scan.Code(in.SKU)
	in.LocationCode = scan.Code(in.LocationCode)
	if err := floorops.Validate(in); err != nil {
		return HomeInput{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "putaway.SetHomeLocation", Body: in},
		func(tx *store.Tx) (HomeInput, error) {
			item, err := inventory.ItemBySKU(ctx, tx, in.SKU)
			if err != nil {
				return HomeInput{}, err
			}
			if in.LocationCode == "" {
				if _, err := tx.ExecContext(ctx, `DELETE FROM putaway_home_locations WHERE item_id = ?`, item.ID); err != nil {
					return HomeInput{}, fmt.Errorf("putaway: clear home of %s: %w", in.SKU, err)
				}
				return in, nil
			}
			loc, err := inventory.LocationByCode(ctx, tx, in.LocationCode)
			if err != nil {
				return HomeInput{}, err
			}
			if loc.Type != inventory.LocPickFace {
				return HomeInput{}, floorops.Invalid("location_code", "%s is a %s location; a home location must be a pick face", loc.Code, loc.Type)
			}
			if err := homeFree(ctx, tx, loc, item); err != nil {
				return HomeInput{}, err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO putaway_home_locations (item_id, location_id, updated_by, updated_at)
				VALUES (?, ?, ?, ?)
				ON CONFLICT (item_id) DO UPDATE SET location_id = excluded.location_id,
					updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				item.ID, loc.ID, in.Actor.Badge, store.FormatTime(tx.Now))
			if err != nil {
				return HomeInput{}, fmt.Errorf("putaway: set home of %s: %w", in.SKU, err)
			}
			return in, nil
		})
}

// homeFree refuses a pick face that is another item's home or holds
// another item's stock.
func homeFree(ctx context.Context, tx *store.Tx, loc inventory.Location, item inventory.Item) error {
	var sku string
	err := tx.QueryRowContext(ctx, `SELECT i.sku FROM putaway_home_locations h JOIN items i ON i.id = h.item_id
		WHERE h.location_id = ? AND h.item_id <> ?`, loc.ID, item.ID).Scan(&sku)
	switch {
	case err == nil:
		return floorops.Errorf(floorops.EPRECONDITION, "%s is already the home of %s: clear that first", loc.Code, sku)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("putaway: home at %s: %w", loc.Code, err)
	}
	err = tx.QueryRowContext(ctx, `SELECT i.sku FROM balances b JOIN items i ON i.id = b.item_id
		WHERE b.location_id = ? AND b.item_id <> ? AND b.qty > 0 ORDER BY i.sku LIMIT 1`, loc.ID, item.ID).Scan(&sku)
	switch {
	case err == nil:
		return floorops.Errorf(floorops.EPRECONDITION, "%s holds %s now; a home pick face holds only its own item: empty it first or choose another pick face",
			loc.Code, sku)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("putaway: stock at %s: %w", loc.Code, err)
	}
	return nil
}
