package inventory

import (
	"context"
	"fmt"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/scan"
)

// LocationScan is what an associate scanned to say which location they
// stand at: the barcode on the location's label, or the 2-digit check code
// printed beside it and typed when the label is damaged. A check code names
// no location on its own (100 codes cover the whole floor): it only
// confirms the location the associate was sent to.
//
// Every workflow that checks where an associate is (a pick, a putaway, a
// move, a receipt at a dock, ResolveScan) reads the scan here, so "not a
// location", "wrong location" and "bad check code" are one answer
// everywhere: EINVALID on the request field the scan came in (the handheld
// asks for the scan again).
type LocationScan struct {
	field string
	code  string // the location's code, for a barcode
	check string // the typed check code
}

// ScanLocation reads raw, sent in request field, as a location scan with
// the node's scanner p. An
// empty scan, one that does not parse, or a barcode of something else (an
// item, an LPN, a PO) is EINVALID on field.
func ScanLocation(p *scan.Parser, field, raw string) (LocationScan, error) {
	if strings.TrimSpace(raw) == "" {
		return LocationScan{}, floorops.Invalid(field, "is required: scan the location label")
	}
	sc, err := p.Parse(raw)
	if err != nil {
		return LocationScan{}, floorops.Invalid(field, "%v: scan the location label again", err)
	}
	ls, ok := locationScanOf(field, sc)
	if !ok {
		return LocationScan{}, floorops.Invalid(field, "scanned a %s, not a location label: scan the label on the shelf", sc.Kind)
	}
	return ls, nil
}

// locationScanOf is the location scan sc is, if it is one.
func locationScanOf(field string, sc scan.Scan) (LocationScan, bool) {
	switch sc.Kind {
	case scan.KindLocation:
		return LocationScan{field: field, code: sc.Code}, true
	case scan.KindCheckCode:
		return LocationScan{field: field, check: sc.Code}, true
	}
	return LocationScan{}, false
}

// IsCheckCode reports whether the associate typed the check code rather
// than scanning the barcode.
func (s LocationScan) IsCheckCode() bool { return s.check != "" }

// Names reports whether the scan names l: l's barcode, or l's check code.
func (s LocationScan) Names(l Location) bool {
	if s.IsCheckCode() {
		return s.check == l.CheckCode
	}
	return s.code == l.Code
}

// At checks the associate is at want, the location they were sent to:
// another location's barcode is a wrong location and a check code that is
// not want's a bad check code, both EINVALID on the scan's field.
func (s LocationScan) At(want Location) error {
	if why := s.notAt(want); why != "" {
		return floorops.Invalid(s.field, "%s", why)
	}
	return nil
}

// notAt says why the scan does not name want, for the associate; "" when
// it does.
func (s LocationScan) notAt(want Location) string {
	switch {
	case s.Names(want):
		return ""
	case s.IsCheckCode():
		return fmt.Sprintf("check code %s is not the check code of %s: you may be at the wrong location; read the label again, or scan its barcode", s.check, want.Code)
	default:
		return fmt.Sprintf("wrong location: you scanned %s, you are sent to %s", s.code, want.Code)
	}
}

// Location is the location the scan names. With want (where the associate
// was sent), the scan must name want (At). Without, a barcode names the
// node's location of that code (ENOTFOUND when there is none) and a check
// code is EINVALID: it confirms only a location the associate is sent to.
func (s LocationScan) Location(ctx context.Context, q Querier, want *Location) (Location, error) {
	if want != nil {
		return *want, s.At(*want)
	}
	if s.IsCheckCode() {
		return Location{}, floorops.Invalid(s.field, "a check code confirms only the location you are sent to: scan the location's barcode")
	}
	l, err := LocationByCode(ctx, q, s.code)
	if floorops.IsCode(err, floorops.ENOTFOUND) {
		err = floorops.Errorf(floorops.ENOTFOUND, "there is no location %s on this node: scan the label again, and tell a lead if the label is wrong", s.code)
	}
	return l, err
}

// VerifyLocationScan reads raw, sent in request field, as a location scan
// and returns the location it names (ScanLocation, then Location): with
// want, the associate must be at want; without, at any location the node
// knows, by its barcode.
func VerifyLocationScan(ctx context.Context, q Querier, p *scan.Parser, field, raw string, want *Location) (Location, error) {
	s, err := ScanLocation(p, field, raw)
	if err != nil {
		return Location{}, err
	}
	return s.Location(ctx, q, want)
}

// scansAsLocation refuses a code the node's scanner would not read back as
// that location, naming what it reads as instead.
func scansAsLocation(p *scan.Parser, code string) error {
	sc, err := p.Parse(code)
	switch {
	case err != nil:
		return floorops.Invalid("code", "%s does not scan as a location: %v", code, err)
	case sc.Kind != scan.KindLocation:
		return floorops.Invalid("code", "%s scans as a %s, not a location; use a code like A-01-02-B or DOCK-01", code, sc.Kind)
	case sc.Code != code:
		return floorops.Invalid("code", "%s scans as location %s", code, sc.Code)
	}
	return nil
}
