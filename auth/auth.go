// Package auth signs people and systems in to the node and decides what
// each may do. Associates, leads and admins sign in on a handheld with their
// badge and PIN and get a bearer token; central systems use API keys. PINs,
// tokens and keys are stored only as hashes. One permission table maps every
// RPC to the roles allowed; an RPC missing from it is denied.
package auth

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Role is what a user or system may do. It is the ledger's role
// (inventory.Role), so the actor a workflow receives carries the role auth
// signed in and the workflow decides from it.
type Role = inventory.Role

// Roles.
const (
	Associate   = inventory.Associate   // floor associate: receive, put away, pick, count
	Lead        = inventory.Lead        // floor lead: also adjust, approve, plan, override
	Admin       = inventory.Admin       // node administrator: users, master data
	Integration = inventory.Integration // a central system with an API key
)

// Principal is who is calling: a signed-in user on a device, or a central
// system's API key.
type Principal struct {
	Badge  string // user badge, or "key:<name>" for an API key
	Name   string
	Role   Role
	Device string
}

type principalKey struct{}

// NewContext returns ctx carrying p, and p as the actor the workflows
// receive (inventory.ActorFrom).
func NewContext(ctx context.Context, p Principal) context.Context {
	ctx = inventory.ContextWithActor(ctx, inventory.Actor{Badge: p.Badge, Device: p.Device, Role: p.Role})
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller the interceptor authenticated.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Service keeps users, sessions and API keys.
type Service struct {
	db *store.DB
	// scan reads badges as the node's handhelds do.
	scan *scan.Parser
	// TokenTTL is how long a login lasts: one shift by default.
	TokenTTL time.Duration
	// MaxAttempts wrong PINs in a row lock a badge for LockFor.
	MaxAttempts int
	LockFor     time.Duration
	// SignInCacheFor is how long a validated token is trusted without
	// reading the database again. Logout, disabling a badge or key and
	// resetting a PIN through this Service forget every cached token at
	// once; the same done by another process (the CLI on the node's
	// file) takes effect within SignInCacheFor. 0 turns the cache off.
	SignInCacheFor time.Duration

	signIns signInCache
}

// signInCache holds tokens Authenticate validated, by token hash, so a
// call does not read SQLite to sign its caller in. gen moves on every
// forget: a lookup that read the database before a revocation committed
// does not store its now stale answer.
type signInCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[[32]byte]cachedSignIn
}

type cachedSignIn struct {
	p        Principal
	expires  string    // the session's expires_at; "" for an API key
	cachedAt time.Time // by the node's clock (db.Now)
}

const maxSignIns = 10_000 // a floor's handhelds and keys many times over

func (c *signInCache) lookup(h [32]byte) (cachedSignIn, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[h]
	return e, c.gen, ok
}

func (c *signInCache) store(h [32]byte, gen uint64, e cachedSignIn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // something was revoked while the database was read
	}
	if c.entries == nil || len(c.entries) >= maxSignIns {
		c.entries = map[[32]byte]cachedSignIn{}
	}
	c.entries[h] = e
}

// forget drops every cached sign-in; called after a change that may
// revoke one has committed.
func (c *signInCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = nil
}

// NewService returns the auth service over db with shift-length tokens and
// a 15-minute lock after 5 wrong PINs. A new badge must scan as a badge with
// the node's scanner p; NewService panics without one.
func NewService(db *store.DB, p *scan.Parser) *Service {
	if p == nil {
		panic("auth: NewService needs the node's scan parser")
	}
	return &Service{db: db, scan: p, TokenTTL: 12 * time.Hour, MaxAttempts: 5, LockFor: 15 * time.Minute, SignInCacheFor: 5 * time.Second}
}

// User is a person who signs in on the floor.
type User struct {
	Badge    string `json:"badge" validate:"required,max=32"`
	Name     string `json:"name" validate:"max=128,nocontrol"`
	Role     Role   `json:"role" validate:"required,oneof=associate lead admin"`
	Disabled bool   `json:"disabled"`
}

const pbkdf2Iterations = 120_000

// dummySalt salts the PIN hashed for an unknown badge, so that sign-in
// costs the same as for a real one.
var dummySalt = []byte("no-such-badge-16")

func hashPIN(pin string, salt []byte) []byte {
	key, err := pbkdf2.Key(sha256.New, pin, salt, pbkdf2Iterations, 32)
	if err != nil {
		panic(err) // only for invalid parameters, which are constants here
	}
	return key
}

func hashSecret(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

func newSecret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func normalizeBadge(b string) string { return scan.Code(b) }

// AddUser creates a user with a PIN of 4 to 12 digits. The badge must scan
// as a badge (see checkBadge).
func (s *Service) AddUser(ctx context.Context, u User, pin string) error {
	u.Badge = normalizeBadge(u.Badge)
	u.Role = Role(strings.ToLower(string(u.Role)))
	if err := floorops.Validate(u); err != nil {
		return err
	}
	if err := checkBadge(s.scan, u.Badge); err != nil {
		return err
	}
	if err := checkPIN(pin); err != nil {
		return err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	hash := hashPIN(pin, salt)
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (badge, name, role, pin_hash, pin_salt, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			u.Badge, u.Name, string(u.Role), hash, salt, store.FormatTime(tx.Now))
		if store.IsConstraint(err, store.ConstraintUnique) {
			return floorops.Errorf(floorops.ECONFLICT, "badge %s already exists", u.Badge)
		}
		return err
	})
}

// checkBadge refuses a badge code that the node's scanner p (with the
// node's code formats) does not read as that badge: an associate signs in
// by scanning the badge, and a badge that reads as a location (B-1042) or a
// check code could never sign in.
func checkBadge(p *scan.Parser, badge string) error {
	s, err := p.Parse(badge)
	if err == nil && s.Kind == scan.KindBadge && s.Code == badge {
		return nil
	}
	what := "is not a code the node's scanner reads"
	if err == nil {
		what = fmt.Sprintf("scans as kind %q, not %q", s.Kind, scan.KindBadge)
	}
	return floorops.Invalid("badge", "%s %s: a badge is B- then a letter, then letters or digits, e.g. B-ANA or B-LEAD7 (or the node's badge pattern)", badge, what)
}

func checkPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 12 || strings.Trim(pin, "0123456789") != "" {
		return floorops.Invalid("pin", "must be 4 to 12 digits")
	}
	return nil
}

// ListUsers returns every user, by badge.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT badge, name, role, disabled FROM users ORDER BY badge`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.Badge, &u.Name, &u.Role, &u.Disabled); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// LoginResult is a successful sign-in.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
	User      User
}

// errBadLogin is every refused sign-in that does not prove the PIN: an
// unknown badge, a wrong PIN and a locked badge read the same (same code,
// same text), so trying badges at a handheld does not tell which are real.
var errBadLogin = floorops.Errorf(floorops.EUNAUTHENTICATED,
	"badge or PIN is wrong, or the badge is locked after repeated wrong PINs: try again later or ask an admin to unlock it")

// signIn is what a handheld sends to sign in. The device id is stamped on
// every movement made with the token, so it is a code (printable ASCII
// without spaces) that reads back the same on a report.
type signIn struct {
	Badge    string `json:"badge" validate:"required"`
	PIN      string `json:"pin" validate:"required"`
	DeviceID string `json:"device_id" validate:"required,max=64,code"`
}

// Login checks badge and PIN and issues a bearer token for the device.
// MaxAttempts wrong PINs in a row lock the badge for LockFor; a correct PIN
// resets the count. The PIN is hashed outside the write transaction so a
// burst of logins does not hold up scans.
func (s *Service) Login(ctx context.Context, badge, pin, device string) (LoginResult, error) {
	in := signIn{Badge: normalizeBadge(badge), PIN: pin, DeviceID: strings.TrimSpace(device)}
	if err := floorops.Validate(in); err != nil {
		return LoginResult{}, err
	}
	badge, device = in.Badge, in.DeviceID
	var (
		id             int64
		u              User
		hash, salt     []byte
		lockedUntil    string
		failedAttempts int
	)
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, badge, name, role, disabled, pin_hash, pin_salt, locked_until, failed_attempts
		FROM users WHERE badge = ?`, badge).Scan(&id, &u.Badge, &u.Name, &u.Role, &u.Disabled, &hash, &salt, &lockedUntil, &failedAttempts)
	if errors.Is(err, sql.ErrNoRows) {
		// The same work as for a locked badge, so timing does not tell the
		// badge is unknown: the PIN hash, and a turn at the writer that
		// reads the badge and commits nothing.
		hashPIN(pin, dummySalt)
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE badge = ?`, badge).Scan(&n); err != nil {
				return err
			}
			return errBadLogin
		})
		if !errors.Is(err, errBadLogin) {
			return LoginResult{}, fmt.Errorf("login: %w", err)
		}
		return LoginResult{}, errBadLogin
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("login: read user: %w", err)
	}
	ok := subtle.ConstantTimeCompare(hashPIN(pin, salt), hash) == 1
	if u.Disabled {
		if !ok {
			return LoginResult{}, errBadLogin
		}
		return LoginResult{}, floorops.Errorf(floorops.EUNAUTHENTICATED, "badge %s is disabled: see your lead", badge)
	}
	var res LoginResult
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		// Re-read the lock inside the transaction: a concurrent wrong PIN may have set it.
		if err := tx.QueryRowContext(ctx, `SELECT locked_until, failed_attempts FROM users WHERE id = ?`, id).
			Scan(&lockedUntil, &failedAttempts); err != nil {
			return err
		}
		if lockedUntil != "" && lockedUntil > store.FormatTime(tx.Now) {
			return errBadLogin // not "locked": that would tell the badge exists
		}
		if !ok {
			failedAttempts++
			lock := ""
			if failedAttempts >= s.MaxAttempts {
				lock, failedAttempts = store.FormatTime(tx.Now.Add(s.LockFor)), 0
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?`, failedAttempts, lock, id); err != nil {
				return err
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_attempts = 0, locked_until = '' WHERE id = ?`, id); err != nil {
			return err
		}
		res = LoginResult{Token: newSecret("fo_"), ExpiresAt: tx.Now.Add(s.TokenTTL), User: u}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, device_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			hashSecret(res.Token), id, device, store.FormatTime(res.ExpiresAt), store.FormatTime(tx.Now))
		return err
	})
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		return LoginResult{}, errBadLogin
	}
	return res, nil
}

// Logout revokes a session token. Revoking an unknown or revoked token is
// not an error: the caller is signed out either way.
func (s *Service) Logout(ctx context.Context, token string) error {
	defer s.signIns.forget()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked = 1 WHERE token_hash = ?`, hashSecret(token))
		return err
	})
}

// Authenticate resolves a bearer token (a session token or an API key) to
// its principal, or EUNAUTHENTICATED. A token it validated less than
// SignInCacheFor ago is answered from memory (its session's expiry still
// checked); an unknown token always reads the database.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, floorops.Errorf(floorops.EUNAUTHENTICATED, "sign in: send authorization: Bearer <token>")
	}
	h := sha256.Sum256([]byte(token))
	now := s.db.Now()
	e, gen, ok := s.signIns.lookup(h)
	if ok && now.Sub(e.cachedAt) < s.SignInCacheFor && !now.Before(e.cachedAt) {
		if e.expires != "" && e.expires <= store.FormatTime(now) {
			return Principal{}, floorops.Errorf(floorops.EUNAUTHENTICATED, "session expired: sign in again")
		}
		return e.p, nil
	}
	e, err := s.authenticate(ctx, h[:], now)
	if err != nil {
		return Principal{}, err
	}
	if s.SignInCacheFor > 0 {
		s.signIns.store(h, gen, e)
	}
	return e.p, nil
}

// authenticate reads the token's session or API key from the database.
func (s *Service) authenticate(ctx context.Context, h []byte, now time.Time) (cachedSignIn, error) {
	var p Principal
	var expires string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT u.badge, u.name, u.role, s.device_id, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.revoked = 0 AND u.disabled = 0`, h).Scan(&p.Badge, &p.Name, &p.Role, &p.Device, &expires)
	switch {
	case err == nil:
		if expires <= store.FormatTime(now) {
			return cachedSignIn{}, floorops.Errorf(floorops.EUNAUTHENTICATED, "session expired: sign in again")
		}
		return cachedSignIn{p: p, expires: expires, cachedAt: now}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return cachedSignIn{}, fmt.Errorf("authenticate: %w", err)
	}
	var name string
	err = s.db.Reader().QueryRowContext(ctx, `SELECT name FROM api_keys WHERE key_hash = ? AND disabled = 0`, h).Scan(&name)
	switch {
	case err == nil:
		return cachedSignIn{p: Principal{Badge: "key:" + name, Name: name, Role: Integration, Device: name}, cachedAt: now}, nil
	case errors.Is(err, sql.ErrNoRows):
		return cachedSignIn{}, floorops.Errorf(floorops.EUNAUTHENTICATED, "unknown, expired or revoked token")
	default:
		return cachedSignIn{}, fmt.Errorf("authenticate: %w", err)
	}
}

// CreateAPIKey issues a new API key for a central system and returns it;
// only its hash is kept, so it is shown once.
func (s *Service) CreateAPIKey(ctx context.Context, name string) (string, error) {
	key := newSecret("fok_")
	return key, s.AddAPIKey(ctx, name, key)
}

// apiKeyName is the name an API key is listed and disabled by, e.g. erp.
type apiKeyName struct {
	Name string `json:"name" validate:"required,max=64,nocontrol"`
}

// AddAPIKey stores a given key (at least 16 characters) under name. The demo
// node uses it for its well-known key.
func (s *Service) AddAPIKey(ctx context.Context, name, key string) error {
	in := apiKeyName{Name: strings.TrimSpace(name)}
	if err := floorops.Validate(in); err != nil {
		return err
	}
	name = in.Name
	if len(key) < 16 {
		return floorops.Invalid("key", "must be at least 16 characters")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)`, name, hashSecret(key), store.FormatTime(tx.Now))
		if store.IsConstraint(err, store.ConstraintUnique) {
			return floorops.Errorf(floorops.ECONFLICT, "an active API key named %s (or with that secret) already exists: disable it first to replace it", name)
		}
		return err
	})
}

// APIKey is a central system's key as listed: never the secret.
type APIKey struct {
	Name      string
	CreatedAt time.Time
	Disabled  bool
}

// ListAPIKeys returns every API key by name, a name's replaced keys (now
// disabled) before its current one.
func (s *Service) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT name, created_at, disabled FROM api_keys ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		var created string
		if err := rows.Scan(&k.Name, &created, &k.Disabled); err != nil {
			return nil, err
		}
		if k.CreatedAt, err = store.ParseTime(created); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// DisableAPIKey revokes a central system's key; calls with it fail at once.
// The name may then be given to a new key.
func (s *Service) DisableAPIKey(ctx context.Context, name string) error {
	defer s.signIns.forget()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET disabled = 1 WHERE name = ? AND disabled = 0`, strings.TrimSpace(name))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return floorops.Errorf(floorops.ENOTFOUND, "no active API key named %s", name)
		}
		return nil
	})
}
