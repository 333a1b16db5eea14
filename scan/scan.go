// Package scan says what a handheld just scanned. It turns one raw scanned
// string — what a keyboard-wedge scanner types before Enter, or what a camera
// imager reports after an AIM symbology identifier — into a typed Scan:
//
//   - a GS1 element string from a supplier's case or pallet label (GS1-128,
//     GS1 DataMatrix, GS1 QR, GS1 DataBar): GTIN, lot, expiry, count, weight;
//   - a plain UPC/EAN GTIN from a unit, or an 18-digit SSCC from a pallet;
//   - one of the node's own codes: a location, a location's 2-digit check
//     code, an LPN (license plate of a tote or pallet), a purchase order, a
//     sales order, an RMA, or a user badge.
//
// The package owns the grammar of scans and the check digits on labels (GS1
// mod 10, and the location check code of CheckCode). What a code refers to —
// which item a GTIN is, whether a location exists — belongs to inventory.
//
// Parse runs on every handheld request, so it is built not to allocate: a
// Scan is a value, and its fields and elements are substrings of the raw
// input.
package scan

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Kind is what a scan is, which decides what the handheld does with it: a
// location moves the associate, a GTIN or GS1 label identifies stock, an LPN
// names a tote or pallet, a document number opens work.
type Kind int

// Kinds of scan.
const (
	// KindUnknown is the zero Kind; Parse never returns it without an error.
	KindUnknown Kind = iota
	// KindGS1 is a GS1 element string from a case or pallet label (GTIN plus
	// lot, expiry, count …); the decoded elements are in the Scan.
	KindGS1
	// KindGTIN is a plain UPC/EAN barcode: the item's GTIN, nothing else.
	KindGTIN
	// KindSSCC is a pallet or parcel's Serial Shipping Container Code, plain
	// or as a GS1 string whose only element is AI 00.
	KindSSCC
	// KindLocation is a location code from a bin, shelf or dock label, e.g.
	// A-01-02-B (zone A, aisle 01, bay 02, level B) or DOCK-01.
	KindLocation
	// KindCheckCode is the 2-digit check code printed beside a location's
	// barcode, typed when the barcode is damaged (see CheckCode).
	KindCheckCode
	// KindLPN is a license plate number: a tote, case or pallet the node
	// labelled itself.
	KindLPN
	// KindPO is a purchase order number, scanned from receiving paperwork.
	KindPO
	// KindOrder is a sales order number, scanned from a pick list or packing
	// slip.
	KindOrder
	// KindRMA is a return merchandise authorisation number from a returns
	// label.
	KindRMA
	// KindBadge is a user's badge, scanned to sign in on a handheld.
	KindBadge
)

var kindNames = [...]string{"unknown", "gs1", "gtin", "sscc", "location", "check_code", "lpn", "po", "order", "rma", "badge"}

// String returns the kind's name as the API and CLI show it, e.g. "check_code".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// maxElements is how many GS1 element strings one scan may hold. A GS1-128
// symbol carries at most 48 characters; 16 elements cover any real label.
const maxElements = 16

// Element is one GS1 element string on a label: an Application Identifier
// and its data, e.g. AI "17" (expiry date) with value "261231". Both are
// substrings of the raw scan.
type Element struct {
	AI    string
	Value string
}

// Scan is what one raw scanned string turned out to be. Which fields are set
// depends on Kind; a field that the scan does not carry is the zero value.
type Scan struct {
	Raw       string // as received, trimmed of the scanner's Enter and surrounding spaces
	Kind      Kind
	Symbology string // AIM symbology identifier the imager sent, e.g. "]C1"; "" if none
	// Code is the node's own code, upper-cased, for locations, check codes,
	// LPNs, POs, orders, RMAs and badges.
	Code string
	// GTIN is the item's GTIN as 14 digits (GTIN-8/12/13 zero-padded), from
	// a plain UPC/EAN barcode or GS1 AI 01 (else AI 02, the GTIN of the
	// trade items inside a logistic unit).
	GTIN string
	// SSCC is the pallet's 18-digit Serial Shipping Container Code (AI 00 or
	// plain).
	SSCC string
	// Lot (AI 10) is the batch or lot number; Serial (AI 21) the unit's
	// serial number.
	Lot, Serial string
	// Expiry (AI 17), BestBefore (AI 15), ProductionDate (AI 11) and
	// PackagingDate (AI 13) drive FEFO allocation and expiry holds.
	Expiry, BestBefore, ProductionDate, PackagingDate Date
	// Count is the number of units on the label: AI 30 (variable count of
	// items) or AI 37 (count of trade items in a logistic unit), whichever
	// comes last. HasCount tells a count of 0 from no count.
	Count    int
	HasCount bool
	// NetWeightKg is the net weight in kilograms from AI 310n (n decimal
	// places), for catch-weight items. HasNetWeight tells whether it was on
	// the label.
	NetWeightKg  float64
	HasNetWeight bool

	elems [maxElements]Element
	n     int
}

// Elements returns the GS1 element strings in the order they were scanned,
// nil for other kinds. The slice shares the Scan's storage.
func (s *Scan) Elements() []Element { return s.elems[:s.n:s.n] }

// AI returns the data of the element with Application Identifier ai, e.g.
// s.AI("400") for the customer's purchase order number on a pallet label.
func (s *Scan) AI(ai string) (string, bool) {
	for _, e := range s.elems[:s.n] {
		if e.AI == ai {
			return e.Value, true
		}
	}
	return "", false
}

// Date is a calendar date from a label (expiry, best-before, production),
// with no time of day or zone. The zero Date means "not on the label".
type Date struct{ Year, Month, Day int }

// IsZero reports whether d is absent.
func (d Date) IsZero() bool { return d == Date{} }

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Time returns midnight UTC at the start of d; the zero Date gives the zero
// time.Time.
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// Default formats of the node's own codes, matched against the upper-cased
// scan. Order matters: the first that matches wins (see Config).
const (
	defaultBadgePattern    = `^B-[A-Z][A-Z0-9]*$`
	defaultPOPattern       = `^PO-?[0-9A-Z][0-9A-Z-]*$`
	defaultOrderPattern    = `^(SO|ORD)-?[0-9A-Z][0-9A-Z-]*$`
	defaultRMAPattern      = `^RMA-?[0-9A-Z][0-9A-Z-]*$`
	defaultLPNPattern      = `^LPN-?[0-9A-Z]+$`
	defaultLocationPattern = `^[A-Z][A-Z0-9]{0,5}-[0-9]{1,4}(-[A-Z0-9]{1,4}){0,3}$`
)

// Config adapts the parser to a node's scanners and code formats.
//
// A scan that is not GS1, a GTIN, an SSCC or a check code is upper-cased
// and matched against the node's code formats in this order: badge, PO,
// order, RMA, LPN, location; the first match decides the Kind. Codes are
// ASCII only.
type Config struct {
	// FNC1Standin is a character that a scanner sends instead of the GS1
	// group separator (ASCII 29), for scanners that cannot type GS, e.g.
	// '~' or '|'. 0 means none. ASCII 29 is always a separator. It must not
	// be a character that can occur in GS1 data (letters, digits, most
	// punctuation): one of # $ @ [ \ ^ ` { | } ~ or an ASCII control
	// character other than whitespace.
	FNC1Standin byte
	// Patterns (regular expressions, RE2 syntax, usually anchored with ^ and
	// $) for the node's codes; "" means the default.
	LocationPattern, LPNPattern, POPattern, OrderPattern, RMAPattern, BadgePattern string
	// Now is the clock for the GS1 century rule on 2-digit years; nil means
	// time.Now. Tests set it.
	Now func() time.Time
}

// DefaultConfig returns the configuration of Parse: no FNC1 stand-in and the
// default code formats, spelled out so a node can start from them.
func DefaultConfig() Config {
	return Config{
		LocationPattern: defaultLocationPattern,
		LPNPattern:      defaultLPNPattern,
		POPattern:       defaultPOPattern,
		OrderPattern:    defaultOrderPattern,
		RMAPattern:      defaultRMAPattern,
		BadgePattern:    defaultBadgePattern,
	}
}

// Parser classifies raw scans for one node's configuration. It is safe for
// concurrent use.
type Parser struct {
	standin byte
	now     func() time.Time
	codes   [6]codeMatcher // badge, PO, order, RMA, LPN, location
}

// codeMatcher recognises one of the node's code formats: a hand-written
// matcher for the default pattern, else a regexp behind a literal-prefix
// check.
type codeMatcher struct {
	kind   Kind
	fast   func(string) bool
	re     *regexp.Regexp
	prefix string // literal prefix of an anchored re, checked before running it
}

func (m *codeMatcher) match(code string) bool {
	if m.fast != nil {
		return m.fast(code)
	}
	return strings.HasPrefix(code, m.prefix) && m.re.MatchString(code)
}

// NewParser returns a parser for cfg. It fails on an invalid pattern or an
// FNC1 stand-in that could occur in GS1 data.
func NewParser(cfg Config) (*Parser, error) {
	if err := checkStandin(cfg.FNC1Standin); err != nil {
		return nil, err
	}
	p := &Parser{standin: cfg.FNC1Standin, now: cfg.Now}
	if p.now == nil {
		p.now = time.Now
	}
	formats := [len(p.codes)]struct {
		kind         Kind
		field        string
		pattern, def string
		defaultMatch func(string) bool
	}{
		{KindBadge, "BadgePattern", cfg.BadgePattern, defaultBadgePattern, matchBadge},
		{KindPO, "POPattern", cfg.POPattern, defaultPOPattern, matchPO},
		{KindOrder, "OrderPattern", cfg.OrderPattern, defaultOrderPattern, matchOrder},
		{KindRMA, "RMAPattern", cfg.RMAPattern, defaultRMAPattern, matchRMA},
		{KindLPN, "LPNPattern", cfg.LPNPattern, defaultLPNPattern, matchLPN},
		{KindLocation, "LocationPattern", cfg.LocationPattern, defaultLocationPattern, matchLocation},
	}
	for i, f := range formats {
		m := codeMatcher{kind: f.kind}
		if f.pattern == "" || f.pattern == f.def {
			m.fast = f.defaultMatch
		} else {
			re, err := regexp.Compile(f.pattern)
			if err != nil {
				return nil, fmt.Errorf("scan: %s: %w", f.field, err)
			}
			m.re = re
			if anchoredAtStart(f.pattern) {
				m.prefix, _ = re.LiteralPrefix()
			}
		}
		p.codes[i] = m
	}
	return p, nil
}

// anchoredAtStart reports whether every match of pattern starts at the
// beginning of the text, so that its literal prefix must be a prefix of the
// text.
func anchoredAtStart(pattern string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return false
	}
	return prog.StartCond()&syntax.EmptyBeginText != 0
}

func checkStandin(c byte) error {
	switch {
	case c == 0, c == gs:
		return nil
	case c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r':
		return nil
	case strings.IndexByte("#$@[\\^`{|}~", c) >= 0:
		return nil
	}
	return fmt.Errorf("scan: FNC1 stand-in %q can occur in scanned data; use one of # $ @ [ \\ ^ ` { | } ~", c)
}

// nodeParser is the parser Parse uses: the defaults until the node's
// configuration is installed with SetNodeParser.
var nodeParser atomic.Pointer[Parser]

func init() {
	p, err := NewParser(Config{})
	if err != nil {
		panic(err) // the defaults are constants; a failure here is a bug in this package
	}
	nodeParser.Store(p)
}

// SetNodeParser makes p the parser behind Parse for the whole process: the
// node's configured FNC1 stand-in and code formats. The server installs it
// once at start, before it serves.
func SetNodeParser(p *Parser) { nodeParser.Store(p) }

// Parse classifies raw with the node's configuration (the defaults, see
// DefaultConfig, unless the server installed another with SetNodeParser).
func Parse(raw string) (Scan, error) { return nodeParser.Load().Parse(raw) }

// gs is the GS1 group separator (FNC1 in the data), ASCII 29.
const gs = 0x1d

func (p *Parser) isSep(c byte) bool { return c == gs || (c == p.standin && c != 0) }

// Parse says what raw is. It trims the scanner's CR/LF and surrounding
// spaces, strips an AIM symbology identifier, and then decides, in order:
//
//   - GS1 element string: a GS1 symbology identifier (]C1 ]d2 ]Q3 ]e0), a
//     separator in the data, or the human-readable form "(01)…(17)…";
//   - all digits: 2 digits is a location check code, 8/12/13/14 digits a
//     GTIN, 18 digits an SSCC, check digits verified;
//   - the node's codes: badge, PO, order, RMA, LPN, location;
//   - digits that begin with a GS1 AI: a GS1 string without identifier
//     (unless even its first element is cut short).
//
// Anything else is an error. Errors are *Error and match ErrInvalid; the
// Scan returned with an error carries only Raw and Symbology.
func (p *Parser) Parse(raw string) (Scan, error) {
	var s Scan
	if err := p.parse(&s, raw); err != nil {
		return Scan{Raw: s.Raw, Symbology: s.Symbology}, err
	}
	return s, nil
}

func (p *Parser) parse(s *Scan, raw string) error {
	raw = strings.TrimSpace(raw)
	s.Raw = raw
	if raw == "" {
		return newError(0, "", ReasonEmpty, "empty scan")
	}
	body, off, forceGS1 := raw, 0, false
	if len(raw) >= 3 && raw[0] == ']' && isLetter(raw[1]) && (isDigit(raw[2]) || isLetter(raw[2])) {
		s.Symbology = raw[:3]
		body, off = raw[3:], 3
		switch s.Symbology {
		case "]C1", "]d2", "]Q3", "]e0":
			forceGS1 = true
		}
		if body == "" {
			return newError(off, "", ReasonEmpty, "empty scan after symbology identifier "+s.Symbology)
		}
	}
	if forceGS1 || body[0] == '(' || strings.IndexByte(body, gs) >= 0 ||
		(p.standin != 0 && strings.IndexByte(body, p.standin) >= 0) {
		return p.parseGS1(s, body, off)
	}
	if allDigits(body) {
		switch len(body) {
		case 2:
			s.Kind, s.Code = KindCheckCode, body
			return nil
		case 8, 12, 13, 14:
			gtin, err := normalizeGTIN(body, off)
			if err != nil {
				return err
			}
			s.Kind, s.GTIN = KindGTIN, gtin
			return nil
		case 18:
			if err := verifyCheckDigit(body, "", "SSCC", off); err != nil {
				return err
			}
			s.Kind, s.SSCC = KindSSCC, body
			return nil
		}
	}
	if code, ok := upperASCII(body); ok {
		for i := range p.codes {
			if p.codes[i].match(code) {
				s.Kind, s.Code = p.codes[i].kind, code
				return nil
			}
		}
	}
	if isDigit(body[0]) {
		if _, _, ok := lookupAI(body); ok {
			err := p.parseGS1(s, body, off)
			// Digits too short for even the first element are more likely
			// a mistyped number than GS1 data.
			if e, ok := err.(*Error); !ok || e.Reason != ReasonLength || s.n > 0 {
				return err
			}
		}
	}
	return newError(off, "", ReasonUnrecognised, "not a recognised code")
}

// upperASCII upper-cases s, allocating only when s has lower-case letters.
// ok is false when s is not ASCII: the node's codes are ASCII only.
func upperASCII(s string) (string, bool) {
	lower := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return "", false
		}
		lower = lower || ('a' <= c && c <= 'z')
	}
	if !lower {
		return s, true
	}
	return strings.ToUpper(s), true
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
