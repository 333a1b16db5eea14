package inventory

import (
	"context"
	"fmt"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/scan"
)

// Resolved is what a raw scan means at this node: the parse, plus the item,
// location or license plate it refers to when the node knows it.
type Resolved struct {
	Scan     scan.View
	Found    bool
	Note     string
	Item     *Item
	PackQty  int64
	Location *Location
	LPN      string
	// Warnings is what the scan meets only as GS1's reference reads it
	// (scan.Scan.Warnings): a partial label, a GS the scanner may have
	// dropped.
	Warnings []string
}

// ResolveScan parses raw and looks up what it names. A scan that does not
// parse is EINVALID on field raw; a well-formed code the node does not know
// resolves with Found false and a Note for the associate. A two-digit check
// code resolves only against expectedLocation.
func (s *Service) ResolveScan(ctx context.Context, raw, expectedLocation string) (Resolved, error) {
	if strings.TrimSpace(raw) == "" {
		return Resolved{}, floorops.Invalid("raw", "is empty: scan a barcode")
	}
	sc, err := s.scan.Parse(raw)
	if err != nil {
		return Resolved{}, floorops.Invalid("raw", "%v", err)
	}
	r := Resolved{Scan: sc.View(), Warnings: sc.Warnings()}
	q := s.db.Reader()
	switch sc.Kind {
	case scan.KindGTIN, scan.KindGS1:
		if sc.GTIN == "" {
			r.Note = "GS1 data without a GTIN"
			if sc.SSCC != "" {
				return s.resolveLPN(ctx, r, sc.SSCC)
			}
			return r, nil
		}
		it, pack, err := ItemByGTIN(ctx, q, sc.GTIN)
		switch {
		case floorops.IsCode(err, floorops.ENOTFOUND):
			r.Note = fmt.Sprintf("GTIN %s is not mapped to an item at this node", sc.GTIN)
		case err != nil:
			return Resolved{}, err
		default:
			r.Found, r.Item, r.PackQty = true, &it, pack
		}
	case scan.KindSSCC:
		return s.resolveLPN(ctx, r, sc.SSCC)
	case scan.KindLPN:
		return s.resolveLPN(ctx, r, sc.Code)
	default:
		if ls, ok := locationScanOf("raw", sc); ok {
			return s.resolveLocationScan(ctx, r, ls, expectedLocation)
		}
		// Badges, POs, orders and RMAs are resolved by the workflows that use them.
		if w, ok := lookedUpBy[sc.Kind]; ok {
			r.Note = fmt.Sprintf("%s %s: %s looks it up when it is scanned there", sc.Kind, sc.Code, w)
		}
	}
	return r, nil
}

// lookedUpBy names the workflow that looks up each of the node's codes that
// ResolveScan reads but does not look up.
var lookedUpBy = map[scan.Kind]string{scan.KindPO: "receiving", scan.KindOrder: "picking", scan.KindRMA: "returns", scan.KindBadge: "sign-in"}

// resolveLocationScan resolves a location's barcode, or a check code
// against the location the handheld expects (the one rule of LocationScan):
// a check code that is not that location's resolves with Found false.
func (s *Service) resolveLocationScan(ctx context.Context, r Resolved, ls LocationScan, expectedLocation string) (Resolved, error) {
	if !ls.IsCheckCode() {
		return s.resolveLocation(ctx, r, ls.code)
	}
	expectedLocation = scan.Code(expectedLocation)
	if expectedLocation == "" {
		r.Note = "a check code confirms a location only when the handheld expects one"
		return r, nil
	}
	r, err := s.resolveLocation(ctx, r, expectedLocation)
	if err != nil || !r.Found {
		return r, err
	}
	if why := ls.notAt(*r.Location); why != "" {
		r.Found, r.Location, r.Note = false, nil, why
	}
	return r, nil
}

func (s *Service) resolveLocation(ctx context.Context, r Resolved, code string) (Resolved, error) {
	l, err := LocationByCode(ctx, s.db.Reader(), code)
	switch {
	case floorops.IsCode(err, floorops.ENOTFOUND):
		r.Note = fmt.Sprintf("location %s does not exist at this node", code)
	case err != nil:
		return Resolved{}, err
	default:
		r.Found, r.Location = true, &l
		if l.Blocked {
			r.Note = fmt.Sprintf("location %s is blocked", code)
		}
	}
	return r, nil
}

// resolveLPN finds a license plate by its code or SSCC: the balances on
// it. It is found while units are on it; its location is where they are
// when they are all in one place.
func (s *Service) resolveLPN(ctx context.Context, r Resolved, code string) (Resolved, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT DISTINCT location_id FROM balances WHERE lpn = ? AND qty > 0 LIMIT 2`, code)
	if err != nil {
		return Resolved{}, fmt.Errorf("read LPN: %w", err)
	}
	var locs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return Resolved{}, err
		}
		locs = append(locs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Resolved{}, err
	}
	switch len(locs) {
	case 0:
		r.Note = fmt.Sprintf("license plate %s holds no stock at this node", code)
		return r, nil
	case 2:
		r.Note = fmt.Sprintf("license plate %s is split across locations", code)
	}
	r.Found, r.LPN = true, code
	if len(locs) == 1 {
		l, err := locationByID(ctx, s.db.Reader(), locs[0])
		if err != nil {
			return Resolved{}, err
		}
		r.Location = l
	}
	return r, nil
}
