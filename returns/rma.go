package returns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// RMAInput is a return authorization to record.
type RMAInput struct {
	RMA   RMA             `json:"rma"`
	Actor inventory.Actor `json:"actor"`
}

// CreateRMA records an RMA central issued. A SKU listed twice is
// EINVALID, one the node does not stock ENOTFOUND; an RMA number already
// recorded is ECONFLICT.
func (s *Service) CreateRMA(ctx context.Context, requestID string, in RMAInput) (RMA, error) {
	in.RMA.Number = scan.Code(in.RMA.Number)
	in.RMA.OrderRef = strings.TrimSpace(in.RMA.OrderRef)
	in.RMA.Units, in.RMA.CreatedAt = nil, time.Time{}
	seen := map[string]int{}
	for i := range in.RMA.Lines {
		l := &in.RMA.Lines[i]
		l.SKU, l.Received = scan.Code(l.SKU), 0
		if j, dup := seen[l.SKU]; dup {
			return RMA{}, floorops.Invalid(fmt.Sprintf("rma.lines[%d].sku", i), "%s is already on lines[%d]", l.SKU, j)
		}
		seen[l.SKU] = i
	}
	if err := floorops.Validate(in); err != nil {
		return RMA{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "returns.CreateRma", Body: in},
		func(tx *store.Tx) (RMA, error) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rmas WHERE rma_number = ?`, in.RMA.Number).Scan(&n); err != nil {
				return RMA{}, err
			}
			if n > 0 {
				return RMA{}, floorops.Errorf(floorops.ECONFLICT, "RMA %s is already recorded", in.RMA.Number)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO rmas (rma_number, order_ref, channel, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
				in.RMA.Number, in.RMA.OrderRef, in.RMA.Channel, in.Actor.Badge, store.FormatTime(tx.Now))
			if err != nil {
				return RMA{}, fmt.Errorf("returns: insert rma: %w", err)
			}
			id, _ := res.LastInsertId()
			for _, l := range in.RMA.Lines {
				it, err := inventory.ItemBySKU(ctx, tx, l.SKU)
				if err != nil {
					return RMA{}, err // ENOTFOUND for an item the node does not stock
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO rma_lines (rma_id, item_id, qty, reason) VALUES (?, ?, ?, ?)`,
					id, it.ID, l.Qty, l.Reason); err != nil {
					return RMA{}, fmt.Errorf("returns: insert rma line: %w", err)
				}
			}
			return loadRMA(ctx, tx, s.hooks, in.RMA.Number)
		})
}

// asInvalid turns an unknown item into a field violation of the request.
func asInvalid(err error, field string) error {
	var fe *floorops.Error
	if errors.As(err, &fe) && fe.Code == floorops.ENOTFOUND {
		return floorops.Invalid(field, "%s", fe.Message)
	}
	return err
}

// GetRMA returns one RMA with its lines and every unit received against it.
func (s *Service) GetRMA(ctx context.Context, number string) (RMA, error) {
	return loadRMA(ctx, s.db.Reader(), s.hooks, scan.Code(number))
}

type rmaHeader struct {
	id               int64
	number, orderRef string
	channel, created string
}

func rmaByNumber(ctx context.Context, q inventory.Querier, number string) (rmaHeader, error) {
	var h rmaHeader
	err := q.QueryRowContext(ctx, `SELECT id, rma_number, order_ref, channel, created_at FROM rmas WHERE rma_number = ?`, number).
		Scan(&h.id, &h.number, &h.orderRef, &h.channel, &h.created)
	if errors.Is(err, sql.ErrNoRows) {
		return h, floorops.Errorf(floorops.ENOTFOUND, "RMA %s not found", number)
	}
	if err != nil {
		return h, fmt.Errorf("returns: read rma: %w", err)
	}
	return h, nil
}

func loadRMA(ctx context.Context, q inventory.Querier, h Hooks, number string) (RMA, error) {
	hd, err := rmaByNumber(ctx, q, number)
	if err != nil {
		return RMA{}, err
	}
	r := RMA{Number: hd.number, OrderRef: hd.orderRef, Channel: hd.channel}
	if r.CreatedAt, err = store.ParseTime(hd.created); err != nil {
		return RMA{}, err
	}
	err = inventory.EachRow(ctx, q, `SELECT i.sku, l.qty, l.reason,
		COALESCE((SELECT SUM(u.qty) FROM return_units u WHERE u.rma_id = l.rma_id AND u.item_id = l.item_id), 0)
		FROM rma_lines l JOIN items i ON i.id = l.item_id WHERE l.rma_id = ? ORDER BY l.id`, []any{hd.id}, func(rows *sql.Rows) error {
		var l RMALine
		if err := rows.Scan(&l.SKU, &l.Qty, &l.Reason, &l.Received); err != nil {
			return err
		}
		r.Lines = append(r.Lines, l)
		return nil
	})
	if err != nil {
		return RMA{}, fmt.Errorf("returns: read rma lines: %w", err)
	}
	r.Units, err = loadUnits(ctx, q, h, `u.rma_id = ? ORDER BY u.id`, hd.id)
	return r, err
}

// ListRMAs pages through RMAs, newest first, without their units; with
// orderRef, only that order's (exact, as CreateRMA stored it).
func (s *Service) ListRMAs(ctx context.Context, pageSize int, token, orderRef string) ([]RMA, string, error) {
	p, before, err := store.NewestFirst("rmas", pageSize, token)
	if err != nil {
		return nil, "", err
	}
	query, args := `SELECT id, rma_number FROM rmas WHERE id < ? ORDER BY id DESC LIMIT ?`, []any{before, p.Fetch()}
	if orderRef = strings.TrimSpace(orderRef); orderRef != "" {
		if len(orderRef) > 64 {
			return nil, "", floorops.Invalid("order_ref", "at most 64 characters, as an RMA's order reference")
		}
		query, args = `SELECT id, rma_number FROM rmas WHERE order_ref = ? AND id < ? ORDER BY id DESC LIMIT ?`, []any{orderRef, before, p.Fetch()}
	}
	q := s.db.Reader()
	var numbers []string
	var ids []int64
	err = inventory.EachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		ids, numbers = append(ids, id), append(numbers, n)
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("returns: list rmas: %w", err)
	}
	type row struct {
		id int64
		r  RMA
	}
	var rows []row
	for i, n := range numbers {
		r, err := loadRMA(ctx, q, s.hooks, n)
		if err != nil {
			return nil, "", err
		}
		r.Units = nil
		rows = append(rows, row{ids[i], r})
	}
	page, next := store.PageOf(p, rows, func(r row) string { return store.IDKey(r.id) })
	out := make([]RMA, len(page))
	for i, r := range page {
		out[i] = r.r
	}
	return out, next, nil
}
