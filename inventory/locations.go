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

// UpsertLocation creates the location or replaces its attributes, matched by
// code. Its check code is derived from the code.
func (s *Service) UpsertLocation(ctx context.Context, requestID string, l Location) (Location, error) {
	if err := normalizeLocation(&l); err != nil {
		return Location{}, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "UpsertLocation", Body: l},
		func(tx *store.Tx) (Location, error) { return upsertLocation(ctx, tx, l) })
}

func normalizeLocation(l *Location) error {
	l.Code = strings.ToUpper(strings.TrimSpace(l.Code))
	l.Zone = strings.ToUpper(strings.TrimSpace(l.Zone))
	l.Type = LocationType(strings.ToLower(strings.TrimSpace(string(l.Type))))
	if err := floorops.Validate(l); err != nil {
		return err
	}
	if strings.ContainsFunc(l.Code, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return floorops.Invalid("code", "must be printable ASCII without spaces")
	}
	l.CheckCode = scan.CheckCode(l.Code)
	return nil
}

func upsertLocation(ctx context.Context, tx *store.Tx, l Location) (Location, error) {
	now := store.FormatTime(tx.Now)
	before, err := LocationByCode(ctx, tx, l.Code)
	existed := err == nil
	if err != nil && !floorops.IsCode(err, floorops.ENOTFOUND) {
		return Location{}, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO locations (code, zone, type, walk_seq, capacity, blocked, check_code, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET zone = excluded.zone, type = excluded.type, walk_seq = excluded.walk_seq,
			capacity = excluded.capacity, blocked = excluded.blocked, check_code = excluded.check_code, updated_at = excluded.updated_at
		RETURNING id`,
		l.Code, l.Zone, string(l.Type), l.WalkSeq, l.Capacity, l.Blocked, l.CheckCode, now, now).Scan(&l.ID)
	if err != nil {
		return Location{}, fmt.Errorf("upsert location %s: %w", l.Code, err)
	}
	if existed && (before.Type.Sellable() && !before.Blocked) != (l.Type.Sellable() && !l.Blocked) {
		// Its stock just became (un)sellable: tell central each item's new ATS.
		if err := emitAvailabilityAt(ctx, tx, l.ID); err != nil {
			return Location{}, err
		}
	}
	return l, nil
}

func emitAvailabilityAt(ctx context.Context, tx *store.Tx, locationID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT item_id FROM balances WHERE location_id = ? AND status = 'available'`, locationID)
	if err != nil {
		return fmt.Errorf("items at location: %w", err)
	}
	var items []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		items = append(items, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range items {
		if err := EmitAvailability(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

const locationColumns = `id, code, zone, type, walk_seq, capacity, blocked, check_code`

func scanLocation(row interface{ Scan(...any) error }) (Location, error) {
	var l Location
	err := row.Scan(&l.ID, &l.Code, &l.Zone, &l.Type, &l.WalkSeq, &l.Capacity, &l.Blocked, &l.CheckCode)
	return l, err
}

// GetLocation returns the location with the given code.
func (s *Service) GetLocation(ctx context.Context, code string) (Location, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	switch {
	case code == "":
		return Location{}, floorops.Invalid("code", "is required")
	case len(code) > 32:
		return Location{}, floorops.Invalid("code", "must be at most 32 characters")
	}
	return LocationByCode(ctx, s.db.Reader(), code)
}

// LocationByCode reads one location; ENOTFOUND if there is none.
func LocationByCode(ctx context.Context, q Querier, code string) (Location, error) {
	l, err := scanLocation(q.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM locations WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Location{}, floorops.Errorf(floorops.ENOTFOUND, "location %s not found", code)
	}
	if err != nil {
		return Location{}, fmt.Errorf("read location %s: %w", code, err)
	}
	return l, nil
}

func locationByID(ctx context.Context, q Querier, id int64) (*Location, error) {
	l, err := scanLocation(q.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, floorops.Errorf(floorops.ENOTFOUND, "location %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read location %d: %w", id, err)
	}
	return &l, nil
}

// LocationFromScan resolves what an associate scanned at a location label:
// the location's barcode (its code). field names the request field for the
// error when the scan is not a location or names none the node knows.
func LocationFromScan(ctx context.Context, q Querier, field, raw string) (Location, error) {
	if strings.TrimSpace(raw) == "" {
		return Location{}, floorops.Invalid(field, "is required")
	}
	sc, err := scan.Parse(raw)
	if err != nil {
		return Location{}, floorops.Invalid(field, "%v", err)
	}
	if sc.Kind != scan.KindLocation {
		return Location{}, floorops.Invalid(field, "scanned a %s, not a location label", sc.Kind)
	}
	return LocationByCode(ctx, q, sc.Code)
}

// ListLocations returns up to limit locations in walk order, optionally of
// one zone, after the position in pageToken.
func (s *Service) ListLocations(ctx context.Context, zone string, limit int, pageToken string) ([]Location, string, error) {
	limit, err := store.PageSize(limit)
	if err != nil {
		return nil, "", err
	}
	zone = strings.ToUpper(strings.TrimSpace(zone))
	scope := "locations|" + zone
	tok, err := store.DecodePageToken(scope, pageToken)
	if err != nil {
		return nil, "", err
	}
	afterSeq, afterCode := int64(-1), ""
	if tok != "" {
		seq, code, ok := strings.Cut(tok, "|")
		n, perr := strconv.ParseInt(seq, 10, 64)
		if !ok || perr != nil {
			return nil, "", floorops.Invalid("page_token", "is not a token this node issued")
		}
		afterSeq, afterCode = n, code
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+locationColumns+` FROM locations
		WHERE (? = '' OR zone = ?) AND (walk_seq > ? OR (walk_seq = ? AND code > ?))
		ORDER BY walk_seq, code LIMIT ?`, zone, zone, afterSeq, afterSeq, afterCode, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("list locations: %w", err)
	}
	defer rows.Close()
	var locs []Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, "", err
		}
		locs = append(locs, l)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(locs) > limit {
		locs = locs[:limit]
		last := locs[limit-1]
		next = store.EncodePageToken(scope, strconv.FormatInt(last.WalkSeq, 10)+"|"+last.Code)
	}
	return locs, next, nil
}
