// Package label renders the barcode labels a fulfillment node prints for its
// floor: location labels for rack faces and bins, license-plate labels for
// pallets and totes (plain LPN or GS1 SSCC), and item labels for products
// (UPC/EAN, or a GS1 symbol carrying lot and expiry).
//
// It owns what goes into each symbol (GS1 element strings, FNC1 placement,
// check digits), the label layouts, and the outputs: PNG images, ZPL for
// Zebra thermal printers (sent raw to port 9100 by Print) and PDF sheets of
// location labels for printing a whole aisle on an office printer. Every
// symbol it draws scans with a standard decoder (zbar, ZXing) to exactly the
// data it was given; the tests prove it. License plate and item labels are
// also read back with the node's own parser (their Scanner) before they are
// printed, and refused when the node would take them for something else.
//
// Labels are laid out in printer dots at 203 dpi (8 dots per millimetre), the
// resolution of a standard Zebra printhead, so a PNG pixel is a printer dot.
package label

import (
	"errors"
	"fmt"
	"io"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/floorops/floorops/scan"
)

// ErrInvalid marks label data that cannot be printed as asked: an empty code,
// a GTIN or SSCC whose check digit is wrong, a lot longer than GS1 allows, a
// symbology that cannot carry the data, a code too long for the label, a
// label the node's scanner would read as something else. Callers map it to
// InvalidArgument.
var ErrInvalid = errors.New("invalid label data")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Location is a storage location (a bin, a shelf position, a pallet slot) as
// printed on the rack. Its check code comes from scan.CheckCode and is printed
// large beside the barcode so an associate can key it in when the barcode is
// damaged or out of reach.
type Location struct {
	// Code is the location code, e.g. "A-01-02-B" (aisle-bay-level-position):
	// any printable ASCII without spaces, as long as the barcode fits the
	// label (the node's 26-character codes do).
	Code string
	Zone string // optional zone name printed under the barcode, e.g. "A" or "FROZEN"
	Type string // optional location type printed under the barcode, e.g. "PICK", "RESERVE"
}

// LPN is a license plate: the identity of a pallet, case or tote that moves as
// one unit. A plate with an SSCC (GS1 Serial Shipping Container Code) is
// printed as GS1-128 with AI (00) so trading partners can scan it too; a
// plain internal plate is printed as Code 128 of its code.
type LPN struct {
	// Code is the internal license plate, e.g. "LPN000123", printed large
	// when set. It must scan, exactly as given, as an LPN (scan.KindLPN);
	// a code the node reads as a location, an order or a GTIN is refused.
	Code string
	SSCC string // optional 18-digit SSCC with its GS1 check digit
	// CompanyPrefixLen is the length (6-12) of the GS1 Company Prefix inside
	// the SSCC. It only groups the digits of the human-readable line, e.g.
	// "(00) 1 0614141 123456789 7"; zero prints "(00) 1 0614141123456789 7".
	CompanyPrefixLen int
	// Scanner reads the label back before it is printed, as the node's
	// handhelds will (the node's parser); nil reads it with
	// scan.DefaultConfig.
	Scanner *scan.Parser
}

// Item is a product label: what a receiver sticks on an unlabelled unit or
// case so it can be scanned at putaway, picking and packing.
type Item struct {
	SKU         string // the node's stock-keeping unit, printed large
	Description string // product description, cut to fit the label
	GTIN        string // GTIN-8, -12, -13 or -14 with its check digit
	// Lot is the optional batch/lot number, AI (10), up to 20 characters.
	// It ends the symbol, unless its end reads as further elements (lot
	// "B-15251130": AI 15 and a date); then it comes first, ended by FNC1.
	Lot string
	// Expiry is the optional expiry date, AI (17); zero when the item does
	// not expire. Its year travels as two digits, so it must lie between 49
	// years before and 50 years after the year of printing (the GS1 century
	// rule, scan.CenturyYear), or a scanner reads it in another century.
	Expiry time.Time
	// Symbology chooses the symbol. Empty picks UPC-A for a GTIN-12, EAN-13
	// for a GTIN-13 and GS1-128 otherwise (GTIN-8/14, or lot or expiry given).
	Symbology Symbology
	// Scanner reads the label back before it is printed, as the node's
	// handhelds will (the node's parser); nil reads it with
	// scan.DefaultConfig.
	Scanner *scan.Parser
}

// Symbology is the kind of barcode on an item label.
type Symbology string

const (
	// EAN13 is the retail barcode for a GTIN-13 (also takes a GTIN-12).
	EAN13 Symbology = "ean13"
	// UPCA is the North American retail barcode for a GTIN-12.
	UPCA Symbology = "upca"
	// GS1128 is Code 128 with FNC1 first, carrying GS1 element strings:
	// (01) GTIN and optionally (17) expiry and (10) lot.
	GS1128 Symbology = "gs1-128"
	// DataMatrix is GS1 DataMatrix (FNC1 codeword 232 first) carrying the
	// same element strings as GS1128 in a small square.
	DataMatrix Symbology = "datamatrix"
	// QR is a plain QR Code of the GTIN digits. It cannot carry lot or
	// expiry: GS1 QR needs the FNC1 mode indicator, which the QR encoder
	// used here cannot emit, so such items are refused rather than faked.
	QR Symbology = "qr"
)

// Format is a label output format.
type Format string

const (
	// FormatPNG is a label image at 203 dpi, one pixel per printer dot.
	FormatPNG Format = "png"
	// FormatZPL is a Zebra label format (^XA ... ^XZ) for a 203 dpi printer.
	FormatZPL Format = "zpl"
	// FormatPDF is a sheet of location labels on A4 paper.
	FormatPDF Format = "pdf"
)

// Render writes one label in format f. v is a Location, LPN or Item, or a
// []Location for a PDF sheet (or a ZPL stream of one format per location).
// It is the single entry point for the CLI and the RPC layer. A []Location is
// rendered whole before anything is written; each location that cannot be
// printed is reported as a LocationError.
func Render(w io.Writer, f Format, v any) error {
	switch f {
	case FormatPNG, FormatZPL, FormatPDF:
	default:
		return invalidf("unknown label format %q (want png, zpl or pdf)", f)
	}
	if f == FormatPDF {
		switch l := v.(type) {
		case Location:
			return LocationSheetPDF(w, A4, []Location{l})
		case []Location:
			return LocationSheetPDF(w, A4, l)
		}
		return invalidf("a pdf sheet holds location labels, not %s; print it as png or zpl", subjectName(v))
	}
	var (
		zpl []byte
		err error
	)
	switch l := v.(type) {
	case Location:
		if f == FormatPNG {
			return LocationPNG(w, l)
		}
		zpl, err = LocationZPL(l)
	case []Location:
		if f == FormatPNG {
			return invalidf("a png holds one label; render locations one at a time")
		}
		// Every label is rendered before any byte is written, and every
		// location that cannot be printed is reported by its code.
		var errs []error
		for _, loc := range l {
			b, err := LocationZPL(loc)
			if err != nil {
				errs = append(errs, locationErr(loc, err))
				continue
			}
			zpl = append(zpl, b...)
		}
		err = errors.Join(errs...)
	case LPN:
		if f == FormatPNG {
			return LPNPNG(w, l)
		}
		zpl, err = LPNZPL(l)
	case Item:
		if f == FormatPNG {
			return ItemPNG(w, l)
		}
		zpl, err = ItemZPL(l)
	default:
		return invalidf("no label for %s", subjectName(v))
	}
	if err != nil {
		return err
	}
	_, err = w.Write(zpl)
	return err
}

// subjectName names what a label is for in a refusal, in the floor's words
// (never a Go type name).
func subjectName(v any) string {
	switch v.(type) {
	case LPN:
		return "an LPN or pallet"
	case Item:
		return "an item"
	case Location, []Location:
		return "locations"
	}
	return "this kind of thing"
}

// checkCode validates a location or LPN code for a Code 128 symbol that
// scans back exactly as printed: printable ASCII, which subset B carries
// character for character (ZPL's own ^, ~ and > are written with its
// invocation codes). Spaces and other whitespace are refused: scanner
// wedges and the node's parser trim them, and no code the node stores has
// them. How long a code may be is up to the label it goes on: each layout
// refuses a symbol too wide to print at a module width scanners read.
func checkCode(what, code string) error {
	if code == "" {
		return invalidf("%s code is empty", what)
	}
	for _, r := range code {
		if r <= ' ' || r > '~' {
			return invalidf("%s code %q: character %q cannot be printed in its barcode (printable ASCII, no spaces)", what, code, r)
		}
	}
	return nil
}

// scansAs checks that the node's scanner p reads code as a code of kind k,
// unchanged: a label whose barcode the handheld takes for something else (a
// license plate that reads as a location, a PO or a check code) would send
// the associate the wrong way.
func scansAs(p *scan.Parser, what, code string, k scan.Kind) error {
	s, err := orDefault(p).Parse(code)
	switch {
	case err != nil:
		return invalidf("%s %q is not a code the node's scanner reads: %v", what, code, err)
	case s.Kind != k:
		return invalidf("%s %q scans as kind %q, not %q (see floorops scan)", what, code, s.Kind, k)
	case s.Code != code:
		return invalidf("%s %q scans as %q; print it as %q", what, code, s.Code, s.Code)
	}
	return nil
}

// checkText validates free text printed on a label (zone, SKU, description).
func checkText(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return invalidf("%s is not valid UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return invalidf("%s is %d characters, more than %d", what, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalidf("%s contains control character %q", what, r)
		}
	}
	return nil
}

// LocationError is one location whose label cannot be printed, in a batch
// of them (a zone's PDF sheet or ZPL stream): Code says which, so that a lead
// relabelling an aisle can fix that location. A batch with bad locations
// returns one LocationError per bad location, joined (errors.Join); each
// wraps the reason, ErrInvalid for data that cannot be printed.
type LocationError struct {
	Code string
	Err  error
}

func (e *LocationError) Error() string { return fmt.Sprintf("location %q: %v", e.Code, e.Err) }

// Unwrap returns the reason the label cannot be printed.
func (e *LocationError) Unwrap() error { return e.Err }

func locationErr(l Location, err error) error { return &LocationError{Code: l.Code, Err: err} }

func (l Location) validate() error {
	if err := checkCode("location", l.Code); err != nil {
		return err
	}
	if err := checkText("zone", l.Zone, 20); err != nil {
		return err
	}
	return checkText("location type", l.Type, 20)
}

// validate checks a license plate before it is printed: its code must scan
// as an LPN (scan.KindLPN) and its SSCC as an SSCC, each exactly as given,
// so that the node takes the label for the plate it names.
func (l LPN) validate() error {
	if l.Code == "" && l.SSCC == "" {
		return invalidf("license plate needs a code or an SSCC")
	}
	if l.Code != "" {
		if err := checkCode("license plate", l.Code); err != nil {
			return err
		}
		if err := scansAs(l.Scanner, "license plate", l.Code, scan.KindLPN); err != nil {
			return err
		}
	}
	if l.SSCC != "" {
		if err := checkGS1Number("SSCC", l.SSCC, 18); err != nil {
			return err
		}
		if p := l.CompanyPrefixLen; p != 0 && (p < 6 || p > 12) {
			return invalidf("GS1 company prefix length %d is outside 6-12", p)
		}
		s, err := orDefault(l.Scanner).Parse("]C1" + gs1Scanned([]aiField{{"00", l.SSCC}}))
		switch {
		case err != nil:
			return invalidf("SSCC %s is not a code the node's scanner reads: %v", l.SSCC, err)
		case s.Kind != scan.KindSSCC || s.SSCC != l.SSCC:
			return invalidf("SSCC %s scans as kind %q, not as that SSCC", l.SSCC, s.Kind)
		}
	}
	return nil
}

func (it Item) validate() error {
	if it.GTIN == "" {
		return invalidf("item GTIN is empty")
	}
	switch len(it.GTIN) {
	case 8, 12, 13, 14:
	default:
		return invalidf("GTIN %q has %d digits, want 8, 12, 13 or 14", it.GTIN, len(it.GTIN))
	}
	if err := checkGS1Number("GTIN", it.GTIN, len(it.GTIN)); err != nil {
		return err
	}
	if err := checkText("SKU", it.SKU, 40); err != nil {
		return err
	}
	if err := checkText("description", it.Description, 200); err != nil {
		return err
	}
	if err := checkLot(it.Lot); err != nil {
		return err
	}
	switch it.Symbology {
	case "", EAN13, UPCA, GS1128, DataMatrix, QR:
	default:
		return invalidf("unknown symbology %q (want ean13, upca, gs1-128, datamatrix or qr)", it.Symbology)
	}
	return nil
}

// orDefault is p, or the parser of scan.DefaultConfig for a label made
// without a node behind it.
func orDefault(p *scan.Parser) *scan.Parser {
	if p == nil {
		return scan.Default()
	}
	return p
}
