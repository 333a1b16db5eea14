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

// LocationFields are the fields of a location an update may name, by
// their proto (and JSON) names. code names the location and is never
// rewritten; the check code follows from it.
var LocationFields = []string{"code", "zone", "type", "walk_sequence", "capacity", "blocked"}

// UpsertLocation creates the location or updates its attributes, matched
// by code; fields names the ones an update writes (LocationFields), none
// given writes every field. Its check code is derived from the code, and
// the code must scan back as this location (scan.Parse): a code that reads
// as a check code (42) or a PO number (PO-01) could never be scanned to.
//
// A location holding stock or allocations keeps what its units mean: its
// type may change only between storage and pick face (both sellable and
// pickable), its zone not at all, and its capacity not below the units
// there (EPRECONDITION naming what it holds). To repurpose such a location
// a lead moves its stock out first; to stop stock going in or out, blocks
// it.
func (s *Service) UpsertLocation(ctx context.Context, requestID string, l Location, fields ...string) (Location, error) {
	set, err := UpdateFields(fields, LocationFields)
	if err != nil {
		return Location{}, err
	}
	if err := normalizeLocation(s.scan, &l, set); err != nil {
		return Location{}, err
	}
	body := struct {
		Location Location `json:"location"`
		Fields   []string `json:"fields"`
	}{l, fields}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "UpsertLocation", Body: body},
		func(tx *store.Tx) (Location, error) { return upsertLocation(ctx, tx, l, set) })
}

// normalizeLocation puts l in stored form and checks it: every field an
// update writes, and a code that scans as this location.
func normalizeLocation(p *scan.Parser, l *Location, fields Fields) error {
	l.Code = scan.Code(l.Code)
	l.Zone = scan.Code(l.Zone)
	l.Type = LocationType(strings.ToLower(strings.TrimSpace(string(l.Type))))
	if err := floorops.Validate(l); err != nil {
		var e *floorops.Error
		if !errors.As(err, &e) {
			return err
		}
		// zone and type may be left out of an update that does not
		// write them; a new location is checked for them in
		// upsertLocation.
		kept := e.Fields[:0:0]
		for _, f := range e.Fields {
			if (f.Field == "zone" || f.Field == "type") && l.fieldEmpty(f.Field) && fields != nil && !fields[f.Field] {
				continue
			}
			kept = append(kept, f)
		}
		if len(kept) > 0 {
			return &floorops.Error{Code: floorops.EINVALID, Message: e.Message, Fields: kept}
		}
	}
	if err := scansAsLocation(p, l.Code); err != nil {
		return err
	}
	l.CheckCode = scan.CheckCode(l.Code)
	return nil
}

func (l *Location) fieldEmpty(name string) bool {
	switch name {
	case "zone":
		return l.Zone == ""
	case "type":
		return l.Type == ""
	}
	return false
}

// WriteLocation creates or updates one location inside the caller's
// transaction, with UpsertLocation's rules (a code that scans as this
// location, no change of what a stocked location's units mean) but no
// request id of its own: a row of a locations import file, written in
// fields only when the location exists.
func WriteLocation(ctx context.Context, tx *store.Tx, p *scan.Parser, l Location, fields Fields) error {
	if err := normalizeLocation(p, &l, fields); err != nil {
		return err
	}
	_, err := upsertLocation(ctx, tx, l, fields)
	return err
}

// upsertLocation writes a normalized location: a new one whole, an
// existing one only in fields, keeping what its stock means.
func upsertLocation(ctx context.Context, tx *store.Tx, l Location, fields Fields) (Location, error) {
	now := store.FormatTime(tx.Now)
	before, err := LocationByCode(ctx, tx, l.Code)
	existed := err == nil
	if err != nil && !floorops.IsCode(err, floorops.ENOTFOUND) {
		return Location{}, err
	}
	if existed {
		l = mergeLocation(before, l, fields)
		if err := checkLocationChange(ctx, tx, before, l); err != nil {
			return Location{}, err
		}
	} else {
		var missing []floorops.FieldViolation
		if l.Zone == "" {
			missing = append(missing, floorops.FieldViolation{Field: "zone", Description: "is required"})
		}
		if l.Type == "" {
			missing = append(missing, floorops.FieldViolation{Field: "type", Description: "is required"})
		}
		if len(missing) > 0 {
			return Location{}, &floorops.Error{Code: floorops.EINVALID, Message: fmt.Sprintf("new location %s needs a zone and a type", l.Code), Fields: missing}
		}
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

// mergeLocation is old with the named fields taken from l.
func mergeLocation(old, l Location, fields Fields) Location {
	out := old
	if fields.Has("zone") {
		out.Zone = l.Zone
	}
	if fields.Has("type") {
		out.Type = l.Type
	}
	if fields.Has("walk_sequence") {
		out.WalkSeq = l.WalkSeq
	}
	if fields.Has("capacity") {
		out.Capacity = l.Capacity
	}
	if fields.Has("blocked") {
		out.Blocked = l.Blocked
	}
	return out
}

// sameUse reports whether units at a location of type a mean the same at
// one of type b: the same sellability, and the same moves, picks and
// adjustments allowed. Only storage and pick face are interchangeable.
func sameUse(a, b LocationType) bool {
	return a == b || a.Sellable() && b.Sellable()
}

// checkLocationChange refuses a change that would strand or release the
// units at a location: a new type of another use (storage to ship lane, where
// no move or adjustment is allowed; storage to quarantine, where allocated
// units would still be picked for shipping), a new zone (putaway, pick walks
// and counts find stock by zone) or a capacity below the units there. An
// empty location with no allocations may change freely.
func checkLocationChange(ctx context.Context, tx *store.Tx, before, after Location) error {
	lowered := after.Capacity != 0 && (before.Capacity == 0 || after.Capacity < before.Capacity)
	if sameUse(before.Type, after.Type) && before.Zone == after.Zone && !lowered {
		return nil
	}
	var onHand, allocated int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT SUM(qty) FROM balances WHERE location_id = ?), 0),
		COALESCE((SELECT SUM(qty) FROM allocations WHERE location_id = ?), 0)`, before.ID, before.ID).Scan(&onHand, &allocated)
	if err != nil {
		return fmt.Errorf("stock at %s: %w", before.Code, err)
	}
	holds := fmt.Sprintf("%s holds %d units (%d allocated to orders)", before.Code, onHand, allocated)
	refuse := func(field, what string) error {
		return &floorops.Error{Code: floorops.EPRECONDITION,
			Message: holds + ": " + what + "; move the stock out first",
			Fields:  []floorops.FieldViolation{{Field: field, Description: what}}}
	}
	switch {
	case onHand == 0 && allocated == 0:
		return nil
	case !sameUse(before.Type, after.Type):
		return refuse("type", fmt.Sprintf("its type cannot change from %s to %s while it holds stock", before.Type, after.Type))
	case before.Zone != after.Zone:
		return refuse("zone", fmt.Sprintf("its zone cannot change from %s to %s while it holds stock", before.Zone, after.Zone))
	case lowered && after.Capacity < onHand:
		return refuse("capacity", fmt.Sprintf("its capacity cannot go below the %d units there", onHand))
	}
	return nil
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
	code = scan.Code(code)
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

// ListLocations returns up to limit locations in walk order, optionally of
// one zone, after the position in pageToken.
func (s *Service) ListLocations(ctx context.Context, zone string, limit int, pageToken string) ([]Location, string, error) {
	zone = scan.Code(zone)
	page, err := store.PageRequest("locations|"+zone, limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	after, err := page.AfterParts(2)
	if err != nil {
		return nil, "", err
	}
	afterSeq, afterCode := int64(-1), ""
	if after != nil {
		n, err := strconv.ParseInt(after[0], 10, 64)
		if err != nil {
			return nil, "", store.BadPageToken()
		}
		afterSeq, afterCode = n, after[1]
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+locationColumns+` FROM locations
		WHERE (? = '' OR zone = ?) AND (walk_seq > ? OR (walk_seq = ? AND code > ?))
		ORDER BY walk_seq, code LIMIT ?`, zone, zone, afterSeq, afterSeq, afterCode, page.Fetch())
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
	locs, next := store.PageOf(page, locs, func(l Location) string { return store.Key(strconv.FormatInt(l.WalkSeq, 10), l.Code) })
	return locs, next, nil
}
