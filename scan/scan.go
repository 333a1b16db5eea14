// Package scan says what a handheld just scanned. It turns one raw scanned
// string — what a keyboard-wedge scanner types before Enter, or what a camera
// imager or a decoder library reports, with or without an AIM symbology
// identifier — into a typed Scan:
//
//   - a GS1 element string from a supplier's case or pallet label (GS1-128,
//     GS1 DataMatrix, GS1 QR, GS1 DataBar): GTIN, lot, expiry, count, weight;
//   - a plain UPC/EAN/ITF-14 GTIN from a unit or case, or an 18-digit SSCC
//     from a pallet;
//   - one of the node's own codes: a location, a location's 2-digit check
//     code, an LPN (license plate of a tote or pallet), a purchase order, a
//     sales order, an RMA, or a user badge.
//
// The package owns the grammar of scans and the check digits on labels (GS1
// mod 10, and the location check code of CheckCode). What a code refers to —
// which item a GTIN is, whether a location exists — belongs to inventory.
//
// # What scanners and decoders send
//
// The same label reaches Parse in many shapes, depending on the device and
// its settings; Parse reads all of these the same way:
//
//   - Around the data: the wedge's Enter as CR, LF or CRLF, or a Tab;
//     spaces; NUL padding from fixed-length serial buffers. All trimmed.
//   - AIM symbology identifier (ISO/IEC 15424), when "AIM ID" is on:
//     ]C1 GS1-128, ]C0 Code 128, ]d2/]d5 GS1 DataMatrix, ]d1 Data Matrix,
//     ]Q3/]Q4 GS1 QR, ]Q1 QR, ]e0 GS1 DataBar, ]E0 EAN-13/UPC-A/UPC-E, ]E4
//     EAN-8, ]E3 EAN/UPC with add-on, ]E1/]E2 an add-on alone (refused),
//     ]I0/]I1/]I3 ITF, ]A0 Code 39. The identifier's letter case is not
//     trusted for the GS1 ones (Caps Lock turns ]C1 into ]c1).
//   - zbarimg's symbology name instead, when it runs without --raw:
//     "EAN-13:…", "UPC-E:…", "CODE-128:…".
//   - EAN/UPC: EAN-13 as 13 digits; UPC-A as 12 digits, or as 13 with a
//     leading 0 (zbar, Honeywell, Datalogic): the same GTIN; UPC-E expanded
//     to UPC-A by most scanners and zbar, or as its 8 digits (ZXing, Zebra
//     with conversion off), which Parse expands to the GTIN-12 when the
//     identifier (]E0) or zbar's name (UPC-E) says UPC-E, or when
//     Config.EightDigitUPCE says bare 8 digits are UPC-E — otherwise a bare
//     8-digit scan is an EAN-8. An add-on (issue number, price) is dropped,
//     whether sent ISO-style after the 13 digits under ]E3, after a space
//     (zxing-cpp) or under its own ]E1/]E2 (Datalogic).
//   - ITF-14 on shipper cases carries the case GTIN-14: 14 digits, with ]I0
//     or ]I1, or 13 under ]I3 (check digit stripped; Parse restores it).
//   - GS1 DataBar: "01" and the GTIN (scanners), the bare 14-digit GTIN
//     (ZXing), or the human-readable form (ZXing's DataBar Expanded).
//   - The GS1 separator (FNC1 after a variable-length field) as GS (ASCII
//     29); as a configured stand-in (Config.FNC1Standin); spelled out by
//     wedges that cannot type control characters — "^]" (Ctrl+]), "<GS>",
//     "{GS}", "[GS]", "<FNC1>", "{FNC1}", "[FNC1]", U+241D; right after the
//     identifier (gozxing's Data Matrix sends the leading FNC1 as GS), or
//     just before Enter. The leading FNC1 itself only shows as ]C1, ]d2 …,
//     or not at all (zbarimg).
//   - The ISO/IEC 15434 envelope some 2D symbols carry: "[)>" RS "05" GS
//     … RS EOT holds GS1 element strings (format 05) and is unwrapped;
//     other formats (06: ANSI MH10.8.2 data identifiers) are refused.
//   - GS1 Digital Link web addresses (QR codes that serve phones too):
//     "https://id.gs1.org/01/09506000134352/10/ABC123?17=261231", any host
//     and path prefix, the 1.0 short names (/gtin/, /lot/, /ser/ …).
//   - The separator dropped (scanners set to send FNC1 only as the ]C1
//     prefix, ZXing's Code 128 reader without ASSUME_GS1): harmless when
//     the variable-length field is last, as GS1 recommends. Otherwise that
//     field runs into what follows. Without a symbology identifier (or
//     with one and Config.GSMayBeDropped) Parse refuses the scan as
//     ReasonAmbiguous when the field's data ends with complete elements
//     that verify — one with a check digit (GTIN, SSCC, GLN), or a valid
//     date after data that is not all digits — and ReasonLength when it
//     grows past its maximum. What it cannot tell from data is accepted as
//     scanned: a numeric lot that swallowed a date, and two variable-length
//     fields run together. With an identifier, by default, the scan is
//     read as encoded, as GS1's reference does, and Scan.Warnings says so
//     (lot "ABC11250101" is a valid lot). Scanners must be set to transmit GS.
//   - The human-readable line, typed: "(01) 09506000134352 (17) 261231
//     (10) ABC123", an SSCC in printed groups "(00) 1 0614141 123456789 7",
//     an EAN as "4 006381 333931".
//
// Parse runs on every handheld request, so it is built not to allocate: a
// Scan is a value, and its fields and elements are substrings of the raw
// input — except a GTIN padded to 14 digits or expanded from UPC-E, and a
// numeric value typed in spaced groups.
package scan

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
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
	Raw       string // as received, trimmed of the scanner's Enter or Tab, surrounding spaces and NUL padding
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
	ents  [maxElements]*aiEntry // each element's dictionary entry
	at    [maxElements]int      // where each element's AI starts in Raw
	n     int
	// unmet are the elements whose requisite rule (req=) the scan does not
	// meet, without being refused for it (see Warnings).
	unmet  [maxElements]*aiEntry
	nunmet int
	// swallowAI is the last, unterminated field of a scan without
	// separators whose data ends with swallowTail, which reads as AI
	// swallowAs: accepted as scanned, with a warning.
	swallowAI, swallowTail, swallowAs string
}

// Warnings are the dictionary's requisite rules (req=) the scan does not
// meet but that are not enforced, because the scan carries no
// identification key: a partial label (a lot and expiry strip) whose GTIN
// is on another barcode of the same item. E.g. "AI 10 (lot) normally comes
// with AI 01, 02, 03, 8006 or 8026 (req=01,02,03,8006,8026); …". The
// first warning may also say that a scan with a symbology identifier and no
// separator ends with a field whose data reads as further elements (lot
// "ABC11250101"): read as encoded, as GS1's reference does, but a scanner
// that drops GS sends the same.
func (s *Scan) Warnings() []string {
	var w []string
	if s.swallowAI != "" {
		w = append(w, fmt.Sprintf("AI %s ends with %q, which also reads as AI %s, and the scan has no GS separator: read as one field, as encoded; "+
			"if the scanner drops GS, set it to transmit GS (FNC1)", s.swallowAI, s.swallowTail, s.swallowAs))
	}
	for _, e := range s.unmet[:s.nunmet] {
		w = append(w, fmt.Sprintf("AI %s (%s) normally comes with %s (req=%s); a partial label: the rest must come from another barcode of the item",
			e.ai, e.name(), reqWords(e.req), reqString(e.req)))
	}
	return w
}

// MayHaveDroppedGS reports whether the scan, read as encoded, has a last
// field (a lot, a serial) whose data ends with what reads as further
// complete elements and no separator: what a scanner that drops GS sends.
// Config.GSMayBeDropped refuses such scans; label printing uses it to put
// the lot first.
func (s *Scan) MayHaveDroppedGS() bool { return s.swallowAI != "" }

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
	defaultPOPattern       = `^PO(-[0-9A-Z]|[0-9])[0-9A-Z-]*$`
	defaultOrderPattern    = `^(SO|ORD)(-[0-9A-Z]|[0-9])[0-9A-Z-]*$`
	defaultRMAPattern      = `^RMA(-[0-9A-Z]|[0-9])[0-9A-Z-]*$`
	defaultLPNPattern      = `^LPN(-[0-9A-Z]|[0-9])[0-9A-Z]*$`
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
	// '~' or '|'. 0 means none. ASCII 29 and its spelled-out forms ("^]",
	// "<GS>" …, see Parse) are always separators. It must not
	// be a character that can occur in GS1 data (letters, digits, most
	// punctuation): one of # $ @ [ \ ^ ` { | } ~ or an ASCII control
	// character other than whitespace.
	FNC1Standin byte
	// EightDigitUPCE reads a bare 8-digit scan that starts with 0 or 1 (no
	// AIM identifier) as a UPC-E, a zero-suppressed GTIN-12 that Parse
	// expands (GS1 General Specifications §5.2.2.4.2), rather than as an
	// EAN-8 (GTIN-8). Set it for scanners told neither to expand UPC-E to
	// UPC-A nor to send AIM identifiers; by default scanners either expand
	// UPC-E (Honeywell, Datalogic) or send it as 8 digits (Zebra "Convert
	// UPC-E to UPC-A" off), and an 8-digit string alone cannot say which
	// symbol it came from. With an identifier the identifier decides: ]E0 is
	// UPC-E, ]E4 EAN-8.
	EightDigitUPCE bool
	// GSMayBeDropped says the node's scanners or decoders may drop the GS
	// (FNC1) after a variable-length field even when they send a
	// symbology identifier (gozxing's Code 128 reader sends "]C1" and no
	// GS). Then a scan without separators whose last field ends with what
	// reads as further complete elements (lot "ABC123" then "17261231")
	// is refused as ReasonAmbiguous. By default, as GS1's reference, such a
	// scan with an identifier is read as encoded, with a warning
	// (Scan.Warnings); without an identifier it is always refused.
	GSMayBeDropped bool
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
	upce8   bool // Config.EightDigitUPCE
	dropGS  bool // Config.GSMayBeDropped
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
	p := &Parser{standin: cfg.FNC1Standin, upce8: cfg.EightDigitUPCE, dropGS: cfg.GSMayBeDropped, now: cfg.Now}
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

// defaultParser reads codes with DefaultConfig.
var defaultParser = func() *Parser {
	p, err := NewParser(Config{})
	if err != nil {
		panic(err) // the defaults are constants; a failure here is a bug in this package
	}
	return p
}()

// Default returns the parser of DefaultConfig: the scanner of a node that
// configures none. A node with its own configuration builds its parser
// with NewParser and hands it to every service that reads scans.
func Default() *Parser { return defaultParser }

// Parse classifies raw with DefaultConfig, for a caller with no node
// behind it (a label checked on its own, a scan typed at the command line
// without configuration). Code that reads a node's scans uses the node's
// parser instead.
func Parse(raw string) (Scan, error) { return defaultParser.Parse(raw) }

// gs is the GS1 group separator (FNC1 in the data), ASCII 29.
const gs = 0x1d

// sepLen returns the length of the GS1 separator that starts data[i], 0 if
// none starts there. A separator is GS (ASCII 29), the configured stand-in,
// or one of the spellings of GS that scanner wedges and phone apps type when
// they cannot send a control character: "^]" (caret notation of Ctrl+],
// the GS key chord), "<GS>", "{GS}", "[GS]", "<FNC1>", "{FNC1}", "[FNC1]"
// (letters in either case) and U+241D, the visible symbol for GS.
func (p *Parser) sepLen(data string, i int) int {
	c := data[i]
	if c == gs {
		return 1
	}
	if c == '^' || c == '<' || c == '{' || c == '[' || c == 0xe2 {
		if n := spelledSep(data[i:]); n > 0 {
			return n
		}
	}
	if c == p.standin && c != 0 {
		return 1
	}
	return 0
}

// spelledSep returns the length of a spelled-out GS at the start of s, 0 if
// there is none.
func spelledSep(s string) int {
	switch s[0] {
	case '^':
		if len(s) >= 2 && s[1] == ']' {
			return 2
		}
	case 0xe2:
		if strings.HasPrefix(s, "\u241d") {
			return 3
		}
	case '<', '{', '[':
		closer := byte('>')
		switch s[0] {
		case '{':
			closer = '}'
		case '[':
			closer = ']'
		}
		for _, name := range [...]string{"GS", "FNC1"} {
			if n := len(name) + 2; len(s) >= n && s[n-1] == closer && strings.EqualFold(s[1:n-1], name) {
				return n
			}
		}
	}
	return 0
}

// hasSep reports whether data holds a GS1 separator in any spelling.
func (p *Parser) hasSep(data string) bool {
	for i := 0; i < len(data); i++ {
		if p.sepLen(data, i) > 0 {
			return true
		}
	}
	return false
}

// trimScan removes what the scanner or its wedge adds around the data: the
// Enter (CR, LF or CRLF) or Tab suffix, spaces, NUL padding from
// fixed-length serial buffers, and the STX/ETX framing of serial scanners.
func trimScan(s string) string {
	for {
		t := strings.TrimSpace(strings.Trim(s, "\x00\x02\x03"))
		if t == s {
			return t
		}
		s = t
	}
}

// iso15434 unwraps a message in the ISO/IEC 15434 envelope some 2D symbols
// carry ("[)>" RS, a format header, the data, RS, EOT). Format 05 holds GS1
// element strings separated by GS: iso15434 returns them and how many bytes
// of body came before them (0 when body is not enveloped). Other formats
// (06: ANSI MH10.8.2 data identifiers, 12: text) are not GS1 data and are
// refused; a trailer a wedge dropped is not required.
func iso15434(body string, off int) (data string, n int, err error) {
	const header = "[)>\x1e"
	rest, ok := strings.CutPrefix(body, header)
	if !ok {
		return "", 0, nil
	}
	if len(rest) < 2 || !isDigit(rest[0]) || !isDigit(rest[1]) {
		return "", 0, newError(off+len(header), "", ReasonSyntax, "ISO/IEC 15434 envelope without a two-digit format")
	}
	if format := rest[:2]; format != "05" {
		return "", 0, newError(off+len(header), "", ReasonUnrecognised,
			fmt.Sprintf("ISO/IEC 15434 format %s is not GS1 data (GS1 element strings are format 05)", format))
	}
	start, end := len(header)+2, len(body)
	if start < end && body[start] == '\x1d' {
		start++
	}
	if end > start && body[end-1] == '\x04' {
		end--
	}
	if end > start && body[end-1] == '\x1e' {
		end--
	}
	if start == end {
		return "", 0, newError(off+start, "", ReasonEmpty, "empty ISO/IEC 15434 format 05 message")
	}
	return body[start:end], start, nil
}

// gs1Identifier reports whether the AIM symbology identifier id (e.g. "]C1")
// says the symbol starts with FNC1, that is, carries GS1 element strings
// (GS1 General Specifications §5.1.3; ISO/IEC 15424): ]C1 GS1-128, ]d2 and
// ]d5 GS1 DataMatrix, ]Q3 and ]Q4 GS1 QR Code, ]J1 GS1 DotCode, ]e0 GS1
// DataBar. The letter's case is not trusted — a keyboard wedge with Caps
// Lock on types "]c1" for "]C1" — except that ]E0 is EAN/UPC, not DataBar.
func gs1Identifier(id string) bool {
	if id == "]e0" {
		return true
	}
	switch id[1] | 0x20 { // lower case
	case 'c', 'j':
		return id[2] == '1'
	case 'd':
		return id[2] == '2' || id[2] == '5'
	case 'q':
		return id[2] == '3' || id[2] == '4'
	}
	return false
}

// Parse says what raw is. It trims the scanner's Enter (CR, LF, CRLF or
// Tab), surrounding spaces and NUL padding, strips an AIM symbology
// identifier, and then decides, in order:
//
//   - EAN/UPC (identifier ]E…): ]E0 with 13 or 12 digits is an EAN-13 or
//     UPC-A GTIN, ]E0 with 8 digits a UPC-E (expanded to its GTIN-12), ]E4
//     an EAN-8, ]E3 a symbol with a 2- or 5-digit add-on (dropped: an issue
//     number or price, not part of the GTIN); an add-on alone (]E1, ]E2) is
//     rejected;
//   - GS1 DataBar (]e0) with 14 digits: the GTIN, as ZXing reports it;
//   - ITF with its check digit stripped (]I3) and 13 digits: an ITF-14
//     GTIN, check digit restored;
//   - GS1 element string: a GS1 symbology identifier (]C1, ]d2, ]d5, ]Q3,
//     ]Q4, ]J1, ]e0), a separator in the data (see the package doc for its
//     spellings), or the human-readable form "(01)…(17)…"; a scan without
//     any separator whose last, variable-length field ends with what reads
//     as further elements is refused (ReasonAmbiguous) without an
//     identifier or with Config.GSMayBeDropped, else read with a warning;
//   - all digits (spaces allowed between digit groups, as people type the
//     human-readable line): 2 digits is a location check code, 8/12/13/14
//     digits a GTIN (8 digits: EAN-8, or UPC-E with Config.EightDigitUPCE),
//     18 digits an SSCC, check digits verified;
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
	raw = trimScan(raw)
	s.Raw = raw
	if raw == "" {
		return newError(0, "", ReasonEmpty, "empty scan")
	}
	body, off, forceGS1 := raw, 0, false
	if len(raw) >= 3 && raw[0] == ']' && isLetter(raw[1]) && (isDigit(raw[2]) || isLetter(raw[2])) {
		s.Symbology = raw[:3]
		body, off = raw[3:], 3
		if body == "" {
			return newError(off, "", ReasonEmpty, "empty scan after symbology identifier "+s.Symbology)
		}
		if done, err := p.bySymbology(s, body, off, s.Symbology[1], s.Symbology[2]); done {
			return err
		}
		forceGS1 = gs1Identifier(s.Symbology)
	} else if name, aim, ok := zbarType(raw); ok {
		// zbarimg without --raw: "EAN-13:4006381333931".
		body, off = raw[len(name)+1:], len(name)+1
		if body == "" {
			return newError(off, "", ReasonEmpty, "empty scan after zbar's symbology name "+name)
		}
		if aim != "" {
			if done, err := p.bySymbology(s, body, off, aim[0], aim[1]); done {
				return err
			}
		}
	}
	if isWebAddress(body) {
		return p.digitalLink(s, body, off)
	}
	if env, n, err := iso15434(body, off); n > 0 || err != nil {
		if err != nil {
			return err
		}
		return p.parseGS1(s, env, off+n)
	}
	if forceGS1 || body[0] == '(' || p.hasSep(body) {
		return p.parseGS1(s, body, off)
	}
	if done, err := p.digits(s, body, off); done {
		return err
	}
	if code, ok := upperASCII(body); ok {
		for i := range p.codes {
			if p.codes[i].match(code) {
				s.Kind, s.Code = p.codes[i].kind, code
				return nil
			}
		}
	}
	if isDigit(body[0]) && (s.Symbology == "" || forceGS1) && keyAI(body) {
		if _, _, ok := lookupAI(body); ok {
			err := p.parseGS1(s, body, off)
			// Digits too short for even the first element are more likely
			// a mistyped number than GS1 data.
			if e, ok := err.(*Error); !ok || e.Reason != ReasonLength || s.n > 0 {
				return err
			}
		}
	}
	if digitGroups(body) {
		// The human-readable line under an EAN, UPC or SSCC, typed with
		// its spaces: "4 006381 333931", "0 36000 29145 2".
		if done, err := p.digits(s, strings.ReplaceAll(body, " ", ""), off); done {
			return err
		}
	}
	return newError(off, "", ReasonUnrecognised, "not a recognised code")
}

// keyAI reports whether body starts with the AI of a GS1 identification key
// (SSCC, GTIN, GLN, GRAI, GIAI, GSRN, …), which a GS1 element string sent
// without identifier or separator must start with to be read as one: digits
// that start with an attribute AI ("400…", "21…", "99…") are far more
// likely a number with an add-on, a truncated EAN or a supplier's own code.
func keyAI(body string) bool {
	if len(body) < 2 {
		return false
	}
	switch body[:2] {
	case "00", "01", "02", "41":
		return true
	case "25":
		return len(body) >= 3 && (body[2] == '3' || body[2] == '5')
	case "80":
		if len(body) < 4 {
			return false
		}
		switch body[2:4] {
		case "03", "04", "06", "10", "13", "17", "18":
			return true
		}
	}
	return false
}

// digits classifies an all-digit body: a check code, a GTIN or an SSCC.
// done is false when body is not one of those lengths of digits.
func (p *Parser) digits(s *Scan, body string, off int) (done bool, err error) {
	if !allDigits(body) {
		return false, nil
	}
	switch len(body) {
	case 2:
		if body < "02" || body > "98" {
			// ISO 7064 MOD 97-10 gives 02 to 98, never these.
			return true, newError(off, "", ReasonUnrecognised, fmt.Sprintf("%s is not a location check code (they run from 02 to 98)", body))
		}
		s.Kind, s.Code = KindCheckCode, body
		return true, nil
	case 8:
		if p.upce8 && (body[0] == '0' || body[0] == '1') {
			return true, setGTIN(s, body, off, expandUPCE)
		}
		return true, setGTIN(s, body, off, eightDigits)
	case 12, 13, 14:
		return true, setGTIN(s, body, off, normalizeGTIN)
	case 15:
		// An EAN-13 with its 2-digit add-on (issue number), sent run
		// together by a scanner without AIM identifiers; the add-on is
		// not part of the GTIN.
		if ValidGS1CheckDigit(body[:13]) {
			return true, setGTIN(s, body[:13], off, normalizeGTIN)
		}
	case 18:
		if err := verifyCheckDigit(body, "", "SSCC", off); err != nil {
			return true, err
		}
		s.Kind, s.SSCC = KindSSCC, body
		return true, nil
	}
	return false, nil
}

func setGTIN(s *Scan, digits string, off int, norm func(string, int) (string, error)) error {
	gtin, err := norm(digits, off)
	if err != nil {
		return err
	}
	s.Kind, s.GTIN = KindGTIN, gtin
	return nil
}

// eightDigits reads a bare 8-digit scan as an EAN-8. When its check digit
// fails but it is a valid UPC-E, the error says so: the scanner is sending
// UPC-E unexpanded and without AIM identifiers.
func eightDigits(s string, pos int) (string, error) {
	gtin, err := normalizeGTIN(s, pos)
	if e, ok := err.(*Error); ok && e.Reason == ReasonCheckDigit && (s[0] == '0' || s[0] == '1') {
		if _, uerr := expandUPCE(s, pos); uerr == nil {
			e.Msg += "; as a UPC-E it is valid: set the scanner to expand UPC-E to UPC-A or to send AIM identifiers, or start the node with --eight-digit-upce (FLOOROPS_EIGHT_DIGIT_UPCE)"
		}
	}
	return gtin, err
}

// bySymbology handles the symbologies whose identifier decides what the
// data is: EAN/UPC, GS1 DataBar carrying a bare GTIN, and ITF-14 with its
// check digit stripped. done is false for everything else.
func (p *Parser) bySymbology(s *Scan, body string, off int, code, mod byte) (done bool, err error) {
	switch {
	case code == 'E' || (code == 'e' && mod == '0' && eanShaped(body)) || (code == 'e' && mod == '3' && eanWithAddOn(body)):
		// Lower-case e: ]E… typed with Caps Lock on (]e0 is GS1 DataBar
		// unless its data is shaped like an EAN; ]e3 is ]E3 when its data
		// is an EAN-13 and an add-on).
		return p.ean(s, body, off, mod)
	case code == 'e' && mod == '0' && len(body) == 14 && allDigits(body):
		// ZXing reports GS1 DataBar (Omnidirectional, Stacked, Limited) as
		// the 14-digit GTIN without its AI 01; scanners send "01" first.
		return true, setGTIN(s, body, off, normalizeGTIN)
	case (code == 'I' || code == 'i') && mod == '3' && len(body) == 13 && allDigits(body):
		// ]I3: the reader verified and stripped the ITF check digit, which
		// on an ITF-14 is the GTIN's own check digit.
		d, _ := GS1CheckDigit(body)
		s.Kind, s.GTIN = KindGTIN, body+string(rune(d))
		return true, nil
	}
	return false, nil
}

// zbarTypes maps the symbology names zbarimg prints before the data (when
// not run with --raw) to the AIM code and modifier with the same meaning
// for bySymbology, "" for the names that only need stripping.
var zbarTypes = [...]struct{ name, aim string }{
	{"EAN-13", "E0"}, {"UPC-A", "E0"}, {"ISBN-13", "E0"}, {"UPC-E", "E0"}, {"EAN-8", "E4"},
	{"EAN-2", "E1"}, {"EAN-5", "E2"}, {"I2/5", ""}, {"CODE-128", ""}, {"CODE-39", ""},
	{"CODE-93", ""}, {"CODABAR", ""}, {"DataBar", ""}, {"DataBar-Exp", ""}, {"QR-Code", ""},
	{"PDF417", ""}, {"COMPOSITE", ""}, {"SQ-CODE", ""}, {"ISBN-10", ""},
}

// zbarType recognises zbarimg's "NAME:" before the data.
func zbarType(raw string) (name, aim string, ok bool) {
	i := strings.IndexByte(raw, ':')
	if i < 4 || i > 11 {
		return "", "", false
	}
	for _, t := range zbarTypes {
		if raw[:i] == t.name {
			return t.name, t.aim, true
		}
	}
	return "", "", false
}

// eanWithAddOn reports whether body is an EAN-13 with a valid check digit
// followed by a 2- or 5-digit add-on.
func eanWithAddOn(body string) bool {
	return (len(body) == 15 || len(body) == 18) && allDigits(body) && ValidGS1CheckDigit(body[:13])
}

// eanShaped reports whether body has the 8, 12 or 13 digits of an EAN/UPC
// symbol, so that "]e0" before it is "]E0" typed with Caps Lock on.
func eanShaped(body string) bool {
	return (len(body) == 8 || len(body) == 12 || len(body) == 13) && allDigits(body)
}

// ean decodes the data of an EAN/UPC symbol (AIM ]E, ISO/IEC 15420 Annex B):
//
//   - ]E0: EAN-13 or UPC-A (13 digits; 12 from decoders that give UPC-A
//     its own 12), or UPC-E as 8 digits (number system, 6 digits, check
//     digit), which is a zero-suppressed GTIN-12 and is expanded;
//   - ]E4: EAN-8;
//   - ]E3: main symbol and add-on, 15 or 18 digits (ISO), or main, space,
//     add-on (zxing-cpp);
//   - ]E1, ]E2: a 2- or 5-digit add-on alone;
//   - main symbol followed by the add-on's own identifier,
//     "]E0…]E2…" (Datalogic).
//
// done is false when body is not digits, so that the node's codes still
// classify.
func (p *Parser) ean(s *Scan, body string, off int, mod byte) (done bool, err error) {
	main, addOn := body, ""
	if i := strings.IndexByte(body, ' '); i > 0 {
		main, addOn = body[:i], body[i+1:]
	} else if i := strings.Index(body, "]E"); i > 0 && len(body) >= i+3 {
		main, addOn = body[:i], body[i+3:]
	} else if mod == '3' && (len(body) == 15 || len(body) == 18) {
		main, addOn = body[:13], body[13:]
	}
	if !allDigits(main) || (addOn != "" && !allDigits(addOn)) {
		return false, nil
	}
	if addOn != "" && len(addOn) != 2 && len(addOn) != 5 {
		return true, newError(off+len(body)-len(addOn), "", ReasonLength,
			fmt.Sprintf("an EAN/UPC add-on has 2 or 5 digits, got %d", len(addOn)))
	}
	switch {
	case mod == '1' || mod == '2':
		return true, newError(off, "", ReasonUnrecognised,
			"an EAN/UPC add-on (issue number or price) scanned alone; scan the main barcode beside it")
	case len(main) == 8 && mod == '4':
		return true, setGTIN(s, main, off, normalizeGTIN)
	case len(main) == 8:
		return true, setGTIN(s, main, off, expandUPCE)
	case len(main) == 12 || len(main) == 13:
		return true, setGTIN(s, main, off, normalizeGTIN)
	}
	return true, newError(off, "", ReasonLength,
		fmt.Sprintf("an EAN/UPC symbol has 8, 12 or 13 digits, got %d", len(main)))
}

// digitGroups reports whether s is digits in groups separated by single
// spaces, e.g. "4 006381 333931".
func digitGroups(s string) bool {
	if !isDigit(s[0]) || !isDigit(s[len(s)-1]) || strings.IndexByte(s, ' ') < 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && (s[i] != ' ' || s[i-1] == ' ') {
			return false
		}
	}
	return true
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
