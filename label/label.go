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
// data it was given; the tests prove it.
//
// Labels are laid out in printer dots at 203 dpi (8 dots per millimetre), the
// resolution of a standard Zebra printhead, so a PNG pixel is a printer dot.
package label

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrInvalid marks label data that cannot be printed as asked: an empty code,
// a GTIN or SSCC whose check digit is wrong, a lot longer than GS1 allows, a
// symbology that cannot carry the data. Callers map it to InvalidArgument.
var ErrInvalid = errors.New("invalid label data")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Location is a storage location (a bin, a shelf position, a pallet slot) as
// printed on the rack. Its check code comes from scan.CheckCode and is printed
// large beside the barcode so an associate can key it in when the barcode is
// damaged or out of reach.
type Location struct {
	Code string // location code, e.g. "A-01-02-B" (aisle-bay-level-position)
	Zone string // optional zone name printed under the barcode, e.g. "A" or "FROZEN"
	Type string // optional location type printed under the barcode, e.g. "PICK", "RESERVE"
}

// LPN is a license plate: the identity of a pallet, case or tote that moves as
// one unit. A plate with an SSCC (GS1 Serial Shipping Container Code) is
// printed as GS1-128 with AI (00) so trading partners can scan it too; a
// plain internal plate is printed as Code 128 of its code.
type LPN struct {
	Code string // internal license plate, e.g. "LPN000123"; printed large when set
	SSCC string // optional 18-digit SSCC with its GS1 check digit
	// CompanyPrefixLen is the length (6-12) of the GS1 Company Prefix inside
	// the SSCC. It only groups the digits of the human-readable line, e.g.
	// "(00) 1 0614141 123456789 7"; zero prints "(00) 1 0614141123456789 7".
	CompanyPrefixLen int
}

// Item is a product label: what a receiver sticks on an unlabelled unit or
// case so it can be scanned at putaway, picking and packing.
type Item struct {
	SKU         string    // the node's stock-keeping unit, printed large
	Description string    // product description, cut to fit the label
	GTIN        string    // GTIN-8, -12, -13 or -14 with its check digit
	Lot         string    // optional batch/lot number, AI (10), up to 20 characters
	Expiry      time.Time // optional expiry date, AI (17); zero when the item does not expire
	// Symbology chooses the symbol. Empty picks UPC-A for a GTIN-12, EAN-13
	// for a GTIN-13 and GS1-128 otherwise (GTIN-8/14, or lot or expiry given).
	Symbology Symbology
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
// It is the single entry point for the CLI and the RPC layer.
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
		return invalidf("pdf sheets are made of location labels, not %T", v)
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
		for _, loc := range l {
			b, err := LocationZPL(loc)
			if err != nil {
				return err
			}
			zpl = append(zpl, b...)
		}
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
		return invalidf("no label for %T", v)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(zpl)
	return err
}

// maxCodeLen bounds location and LPN codes: longer codes do not fit a 4-inch
// label at a module width scanners read reliably.
const maxCodeLen = 20

// checkCode validates a location or LPN code. Codes are printed as Code 128
// subset B, so they are limited to characters every scanner keyboard wedge
// types the same way; ^, ~ and > are excluded because ZPL reserves them.
func checkCode(what, code string) error {
	if code == "" {
		return invalidf("%s code is empty", what)
	}
	if len(code) > maxCodeLen {
		return invalidf("%s code %q is longer than %d characters", what, code, maxCodeLen)
	}
	for _, r := range code {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-._/", r)
		if !ok {
			return invalidf("%s code %q: character %q not allowed (letters, digits, - . _ /)", what, code, r)
		}
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

func (l Location) validate() error {
	if err := checkCode("location", l.Code); err != nil {
		return err
	}
	if err := checkText("zone", l.Zone, 20); err != nil {
		return err
	}
	return checkText("location type", l.Type, 20)
}

func (l LPN) validate() error {
	if l.Code == "" && l.SSCC == "" {
		return invalidf("license plate needs a code or an SSCC")
	}
	if l.Code != "" {
		if err := checkCode("license plate", l.Code); err != nil {
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
	if !it.Expiry.IsZero() && (it.Expiry.Year() < 2000 || it.Expiry.Year() > 2099) {
		return invalidf("expiry %s is outside the years a GS1 YYMMDD date can carry here (2000-2099)", it.Expiry.Format(time.DateOnly))
	}
	switch it.Symbology {
	case "", EAN13, UPCA, GS1128, DataMatrix, QR:
	default:
		return invalidf("unknown symbology %q (want ean13, upca, gs1-128, datamatrix or qr)", it.Symbology)
	}
	return nil
}
