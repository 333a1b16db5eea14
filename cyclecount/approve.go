package cyclecount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// MovementSince is one ledger movement at a counted location since its
// first count started: what a lead weighs before approving.
type MovementSince struct {
	ID        int64     `json:"movement_id"`
	Kind      string    `json:"kind"`
	SKU       string    `json:"sku"`
	Qty       int64     `json:"quantity"` // into the location; negative out of it
	UserBadge string    `json:"user_badge"`
	CreatedAt time.Time `json:"create_time"`
}

// PendingApproval is a recount that agrees with the count before it beyond
// tolerance, waiting for a lead, with both counts and what moved since.
type PendingApproval struct {
	Count     Count           `json:"count"`
	Previous  Count           `json:"previous"`
	Movements []MovementSince `json:"movements"`
}

// ListPendingApprovals pages through the counts waiting for a lead, oldest
// first (limit and pageToken as every list: store.PageRequest). Leads only:
// it shows what the record expected.
func (s *Service) ListPendingApprovals(ctx context.Context, limit int, pageToken string, a inventory.Actor) ([]PendingApproval, string, error) {
	if !MayDecide(a) {
		return nil, "", floorops.Errorf(floorops.EPERMISSION, "only a lead sees counts waiting for approval")
	}
	page, err := store.PageRequest("pending_approvals", limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	after := int64(0)
	if page.After != "" {
		if after, err = strconv.ParseInt(page.After, 10, 64); err != nil {
			return nil, "", store.BadPageToken()
		}
	}
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT id FROM counts WHERE state = 'pending_approval' AND id > ? ORDER BY id LIMIT ?`, after, page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("list pending counts: %w", err)
	}
	return store.PageOfViews(page, rows, store.IDKey, func(id int64) (PendingApproval, error) {
		c, err := loadCount(ctx, q, id)
		if err != nil {
			return PendingApproval{}, err
		}
		prev, err := loadCount(ctx, q, c.RecountOf)
		if err != nil {
			return PendingApproval{}, err
		}
		mv, err := movementsSince(ctx, q, c.LocationID, prev.startMovement)
		if err != nil {
			return PendingApproval{}, err
		}
		return PendingApproval{Count: c, Previous: prev, Movements: mv}, nil
	})
}

func movementsSince(ctx context.Context, q inventory.Querier, locID, after int64) ([]MovementSince, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.kind, i.sku,
			CASE WHEN m.to_location_id = ? AND COALESCE(m.from_location_id, 0) <> ? THEN m.qty
			     WHEN m.from_location_id = ? AND COALESCE(m.to_location_id, 0) <> ? THEN -m.qty ELSE 0 END,
			m.user_badge, m.created_at
		FROM movements m JOIN items i ON i.id = m.item_id
		WHERE m.id IN (SELECT id FROM movements WHERE from_location_id = ? AND id > ? UNION SELECT id FROM movements WHERE to_location_id = ? AND id > ?)
		ORDER BY m.id LIMIT ?`, locID, locID, locID, locID, locID, after, locID, after, store.MaxPageSize)
	if err != nil {
		return nil, fmt.Errorf("movements since count: %w", err)
	}
	defer rows.Close()
	var out []MovementSince
	for rows.Next() {
		var m MovementSince
		var at string
		if err := rows.Scan(&m.ID, &m.Kind, &m.SKU, &m.Qty, &m.UserBadge, &at); err != nil {
			return nil, err
		}
		if m.CreatedAt, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DecideInput is a lead's decision on a count waiting for approval.
type DecideInput struct {
	CountID int64           `json:"count_id" validate:"gt=0"`
	Reason  string          `json:"reason" validate:"required,max=256,nocontrol"`
	Actor   inventory.Actor `json:"actor"`
}

// Approve posts a count waiting for a lead: counted minus its snapshot,
// applied to the balances as they are now, however long after the count.
// A shortfall the bin no longer holds, or another count of the bin posted
// since this one's snapshot, is refused (EPRECONDITION, nothing posted):
// the lead rejects the count for a recount. A lead may not approve a count
// they counted themselves, in it or in the count it agreed with
// (EPRECONDITION, notOwnCount): another lead or an admin does.
func (s *Service) Approve(ctx context.Context, requestID string, in DecideInput) (Count, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if !MayDecide(in.Actor) {
		return Count{}, floorops.Errorf(floorops.EPERMISSION, "only a lead approves a count")
	}
	if err := floorops.Validate(in); err != nil {
		return Count{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "Approve", Body: in},
		func(tx *store.Tx) (Count, error) {
			c, err := pending(ctx, tx, in.CountID)
			if err != nil {
				return Count{}, err
			}
			if err := notOwnCount(ctx, tx, c, in.Actor); err != nil {
				return Count{}, err
			}
			if err := noCountPostedSince(ctx, tx, c); err != nil {
				return Count{}, err
			}
			if err := decided(ctx, tx, c.ID, in); err != nil {
				return Count{}, err
			}
			if err := logStep(ctx, tx, c.ID, "approved", in.Actor, in.Reason); err != nil {
				return Count{}, err
			}
			if err := s.post(ctx, tx, c, inventory.Actor{Badge: c.CountedBy}, in.Actor, requestID); err != nil {
				return Count{}, err
			}
			return loadCount(ctx, tx, c.ID)
		})
}

// Rejected is a rejected count and the recount it opened.
type Rejected struct {
	Count     Count `json:"count"`
	RecountID int64 `json:"recount_id"`
}

// Reject sends a count waiting for a lead back to be counted again, by
// someone other than its counter.
func (s *Service) Reject(ctx context.Context, requestID string, in DecideInput) (Rejected, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if !MayDecide(in.Actor) {
		return Rejected{}, floorops.Errorf(floorops.EPERMISSION, "only a lead rejects a count")
	}
	if err := floorops.Validate(in); err != nil {
		return Rejected{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "Reject", Body: in},
		func(tx *store.Tx) (Rejected, error) {
			c, err := pending(ctx, tx, in.CountID)
			if err != nil {
				return Rejected{}, err
			}
			if err := decided(ctx, tx, c.ID, in); err != nil {
				return Rejected{}, err
			}
			if err := logStep(ctx, tx, c.ID, "rejected", in.Actor, in.Reason); err != nil {
				return Rejected{}, err
			}
			rc, err := s.recount(ctx, tx, c, c.CountedBy, "rejected: "+in.Reason, in.Actor)
			if err != nil {
				return Rejected{}, err
			}
			c, err = loadCount(ctx, tx, c.ID)
			return Rejected{Count: c, RecountID: rc}, err
		})
}

// noCountPostedSince refuses, with EPRECONDITION, to approve c when
// another count of its location posted after c's snapshot was taken: that
// count already booked the bin's difference, and posting c's (counted
// minus its older snapshot) on top would book it twice. The lead rejects
// c for a recount instead.
func noCountPostedSince(ctx context.Context, tx *store.Tx, c Count) error {
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM counts WHERE location_id = ? AND id <> ? AND state = 'posted' AND start_movement_id >= ?
		ORDER BY id LIMIT 1`, c.LocationID, c.ID, c.startMovement).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("read posted counts: %w", err)
	}
	return floorops.Errorf(floorops.EPRECONDITION, "count %d of %s posted after count %d was taken: its difference is already booked, reject count %d for a recount",
		other, c.LocationCode, c.ID, c.ID)
}

// notOwnCount refuses, with EPRECONDITION, a lead's approval of a count
// they counted themselves, or whose earlier count (the one the recount
// agreed with, or any before it) they counted: the approval is the second
// pair of eyes on a difference, so it is somebody else's. Rejecting one's
// own count stays allowed: it only asks for another recount.
func notOwnCount(ctx context.Context, tx *store.Tx, c Count, a inventory.Actor) error {
	id, by := c.ID, c.CountedBy
	for {
		if by == a.Badge {
			return floorops.Errorf(floorops.EPRECONDITION, "count %d of %s was counted by %s: another lead approves it", id, c.LocationCode, by)
		}
		err := tx.QueryRowContext(ctx, `SELECT p.id, p.counted_by FROM counts c JOIN counts p ON p.id = c.recount_of WHERE c.id = ?`, id).Scan(&id, &by)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return fmt.Errorf("read earlier count: %w", err)
		}
	}
}

func pending(ctx context.Context, tx *store.Tx, id int64) (Count, error) {
	c, err := loadCount(ctx, tx, id)
	if err != nil {
		return Count{}, err
	}
	if c.State != StatePendingApproval {
		return Count{}, floorops.Errorf(floorops.EPRECONDITION, "count %d is %s, not waiting for approval", c.ID, c.State)
	}
	return c, nil
}

func decided(ctx context.Context, tx *store.Tx, id int64, in DecideInput) error {
	if _, err := tx.ExecContext(ctx, `UPDATE counts SET decided_by = ?, decision_reason = ?, decided_at = ? WHERE id = ?`,
		in.Actor.Badge, in.Reason, store.FormatTime(tx.Now), id); err != nil {
		return fmt.Errorf("decide count: %w", err)
	}
	return nil
}
