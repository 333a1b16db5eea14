package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// What an admin did to a badge user, as recorded in the user audit trail.
const (
	ActionEnable   = "enable"
	ActionDisable  = "disable"
	ActionResetPIN = "reset_pin"
	ActionUnlock   = "unlock"
)

// AuditEvent is one entry of the user audit trail: what was done to which
// badge, by whom, from which device, when.
type AuditEvent struct {
	Badge       string
	Action      string
	ActorBadge  string
	ActorDevice string
	RequestID   string
	At          time.Time
}

// adminRequest is what an admin action is idempotent on: the badge and, for
// a PIN reset, a slow hash of the new PIN (never the PIN, nor a fast hash a
// 4-digit PIN could be read back from).
type adminRequest struct {
	Badge    string `json:"badge"`
	PINProof []byte `json:"pin_proof,omitempty"`
}

// EnableUser lets a disabled badge sign in again.
func (s *Service) EnableUser(ctx context.Context, requestID, badge string, by Principal) (User, error) {
	return s.administer(ctx, requestID, ActionEnable, adminRequest{Badge: badge}, by,
		func(ctx context.Context, tx *store.Tx, id int64) error {
			_, err := tx.ExecContext(ctx, `UPDATE users SET disabled = 0 WHERE id = ?`, id)
			return err
		})
}

// DisableUser stops a badge from signing in and revokes its sessions at
// once. An admin may not disable their own badge: the node could be left
// without one.
func (s *Service) DisableUser(ctx context.Context, requestID, badge string, by Principal) (User, error) {
	if normalizeBadge(badge) == by.Badge && by.Badge != "" {
		return User{}, floorops.Errorf(floorops.EPRECONDITION, "you cannot disable your own badge %s: ask another admin", by.Badge)
	}
	return s.administer(ctx, requestID, ActionDisable, adminRequest{Badge: badge}, by,
		func(ctx context.Context, tx *store.Tx, id int64) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, id); err != nil {
				return err
			}
			return revokeSessions(ctx, tx, id)
		})
}

// ResetPin gives a badge a new PIN, clears its wrong-PIN count and lock,
// and revokes its sessions: whoever knew the old PIN is signed out.
func (s *Service) ResetPin(ctx context.Context, requestID, badge, pin string, by Principal) (User, error) {
	if err := checkPIN(pin); err != nil {
		return User{}, err
	}
	// Both slow hashes run before the write transaction, as at login.
	proof := sha256.Sum256([]byte("reset-pin\x00" + requestID + "\x00" + normalizeBadge(badge)))
	req := adminRequest{Badge: badge, PINProof: hashPIN(pin, proof[:])}
	salt := make([]byte, 16)
	rand.Read(salt)
	hash := hashPIN(pin, salt)
	return s.administer(ctx, requestID, ActionResetPIN, req, by,
		func(ctx context.Context, tx *store.Tx, id int64) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET pin_hash = ?, pin_salt = ?, failed_attempts = 0, locked_until = '' WHERE id = ?`,
				hash, salt, id); err != nil {
				return err
			}
			return revokeSessions(ctx, tx, id)
		})
}

// UnlockBadge lifts the lock repeated wrong PINs put on a badge.
func (s *Service) UnlockBadge(ctx context.Context, requestID, badge string, by Principal) (User, error) {
	return s.administer(ctx, requestID, ActionUnlock, adminRequest{Badge: badge}, by,
		func(ctx context.Context, tx *store.Tx, id int64) error {
			_, err := tx.ExecContext(ctx, `UPDATE users SET failed_attempts = 0, locked_until = '' WHERE id = ?`, id)
			return err
		})
}

// administer runs one admin action on a badge user, once per request id:
// it finds the user, applies change and records the action in the audit
// trail, all in one transaction, and returns the user as it now stands.
func (s *Service) administer(ctx context.Context, requestID, action string, req adminRequest, by Principal,
	change func(ctx context.Context, tx *store.Tx, id int64) error) (User, error) {
	if by.Badge == "" {
		return User{}, floorops.Errorf(floorops.EPERMISSION, "changing a badge user needs a signed-in admin")
	}
	req.Badge = normalizeBadge(req.Badge)
	if req.Badge == "" {
		return User{}, floorops.Invalid("badge", "is required")
	}
	// Whatever the action, cached sign-ins are forgotten once it has
	// committed: a disabled badge or a reset PIN's sessions stop at once.
	defer s.signIns.forget()
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "auth." + action, Body: req},
		func(tx *store.Tx) (User, error) {
			id, err := userID(ctx, tx, req.Badge)
			if err != nil {
				return User{}, err
			}
			if err := change(ctx, tx, id); err != nil {
				return User{}, err
			}
			if err := recordAudit(ctx, tx, id, action, by, requestID); err != nil {
				return User{}, err
			}
			return userByID(ctx, tx, id)
		})
}

// UserByBadge is the user with badge (ENOTFOUND if the node has none):
// workflows that hand work to a badge check it is a real, enabled user.
func UserByBadge(ctx context.Context, q inventory.Querier, badge string) (User, error) {
	var u User
	err := q.QueryRowContext(ctx, `SELECT badge, name, role, disabled FROM users WHERE badge = ?`, normalizeBadge(badge)).
		Scan(&u.Badge, &u.Name, &u.Role, &u.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, floorops.Errorf(floorops.ENOTFOUND, "badge %s not found", badge)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

func userID(ctx context.Context, tx *store.Tx, badge string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE badge = ?`, badge).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, floorops.Errorf(floorops.ENOTFOUND, "badge %s not found", badge)
	}
	return id, err
}

func userByID(ctx context.Context, tx *store.Tx, id int64) (User, error) {
	var u User
	err := tx.QueryRowContext(ctx, `SELECT badge, name, role, disabled FROM users WHERE id = ?`, id).
		Scan(&u.Badge, &u.Name, &u.Role, &u.Disabled)
	return u, err
}

func revokeSessions(ctx context.Context, tx *store.Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked = 1 WHERE user_id = ? AND revoked = 0`, userID)
	return err
}

func recordAudit(ctx context.Context, tx *store.Tx, userID int64, action string, by Principal, requestID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_audit (user_id, action, actor_badge, actor_device, request_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, action, by.Badge, by.Device, requestID, store.FormatTime(tx.Now))
	if err != nil {
		return fmt.Errorf("record user audit: %w", err)
	}
	return nil
}

// ListUserAudit returns a page of the audit trail, newest first, of one
// badge or of every badge when badge is empty, and the token of the next
// (older) page, "" on the last.
func (s *Service) ListUserAudit(ctx context.Context, badge string, pageSize int, pageToken string) ([]AuditEvent, string, error) {
	badge = normalizeBadge(badge)
	page, before, err := store.NewestFirst("user_audit|"+badge, pageSize, pageToken)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT a.id, u.badge, a.action, a.actor_badge, a.actor_device, a.request_id, a.created_at
		FROM user_audit a JOIN users u ON u.id = a.user_id
		WHERE a.id < ? AND (? = '' OR u.badge = ?) ORDER BY a.id DESC LIMIT ?`, before, badge, badge, page.Fetch())
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	type row struct {
		id int64
		AuditEvent
	}
	var rs []row
	for rows.Next() {
		var r row
		e := &r.AuditEvent
		var at string
		if err := rows.Scan(&r.id, &e.Badge, &e.Action, &e.ActorBadge, &e.ActorDevice, &e.RequestID, &at); err != nil {
			return nil, "", err
		}
		if e.At, err = store.ParseTime(at); err != nil {
			return nil, "", err
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	rs, next := store.PageOf(page, rs, func(r row) string { return store.IDKey(r.id) })
	out := make([]AuditEvent, len(rs))
	for i, r := range rs {
		out[i] = r.AuditEvent
	}
	return out, next, nil
}

// SignedInAssociates is the badges of the enabled associates on the floor
// at now: signed in at since or later, with a session neither revoked nor
// expired. Cycle counting gives a recount to one of them.
func SignedInAssociates(ctx context.Context, q inventory.Querier, since, now time.Time) ([]string, error) {
	var out []string
	err := inventory.EachRow(ctx, q, `SELECT DISTINCT u.badge FROM users u JOIN sessions s ON s.user_id = u.id
		WHERE u.role = 'associate' AND u.disabled = 0 AND s.revoked = 0 AND s.created_at >= ? AND s.expires_at > ?
		ORDER BY u.badge`, []any{store.FormatTime(since), store.FormatTime(now)}, func(r *sql.Rows) error {
		var b string
		err := r.Scan(&b)
		out = append(out, b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read signed-in associates: %w", err)
	}
	return out, nil
}
