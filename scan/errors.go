package scan

import (
	"errors"
	"strconv"
)

// ErrInvalid matches every scan that Parse rejects: errors.Is(err, ErrInvalid)
// tells a handler "the associate scanned something unusable, ask for a
// rescan" apart from a fault on our side.
var ErrInvalid = errors.New("invalid scan")

// Reason classifies why a scan was rejected, so that callers and tests can
// react to the kind of problem (a torn label gives check-digit and length
// errors; a wrong barcode gives unrecognised codes) without reading messages.
type Reason int

// Reasons a scan is rejected.
const (
	// ReasonEmpty: nothing was scanned (only whitespace, or only a symbology
	// identifier or separators).
	ReasonEmpty Reason = iota + 1
	// ReasonUnrecognised: the string is none of the formats the node knows,
	// e.g. a supplier's internal barcode or a mistyped location.
	ReasonUnrecognised
	// ReasonSyntax: a GS1 string is malformed, e.g. an unclosed parenthesis
	// in the human-readable form.
	ReasonSyntax
	// ReasonUnknownAI: a GS1 Application Identifier this parser does not
	// know, or one that is incomplete.
	ReasonUnknownAI
	// ReasonLength: data missing after an AI, a fixed-length field cut
	// short, a variable-length field too long (often a scanner that dropped
	// the GS separator), or too many elements.
	ReasonLength
	// ReasonCharset: a character not allowed in the field, e.g. a letter in
	// a GTIN.
	ReasonCharset
	// ReasonCheckDigit: the GS1 mod-10 check digit of a GTIN, SSCC or GLN
	// does not match; the label is misprinted or was misread.
	ReasonCheckDigit
	// ReasonDate: a YYMMDD date with an impossible month or day.
	ReasonDate
	// ReasonConflict: the same AI twice with different data.
	ReasonConflict
	// ReasonAmbiguous: a GS1 scan without any GS separator whose last,
	// variable-length field (a lot, a serial number) ends with what reads as
	// further complete elements, e.g. lot "COV010917220901" ending in AI 17
	// with a valid date: the scanner probably dropped the separator and the
	// field swallowed an expiry date or a GTIN. Parse refuses rather than
	// guess where the field ends when the scan has no symbology identifier
	// or Config.GSMayBeDropped is set; otherwise it reads the field as
	// encoded, with a warning.
	ReasonAmbiguous
	// ReasonValue: data in the right characters and length that a GS1
	// Barcode Syntax Dictionary linter refuses, e.g. AI 422 with 999, which
	// is no ISO 3166 country, or AI 8006 piece 3 of 2.
	ReasonValue
	// ReasonRequires: an AI without the AIs the dictionary says it needs
	// (req=), e.g. a count (AI 37) without the content GTIN (AI 02) it
	// counts, in a scan that carries an identification key.
	ReasonRequires
	// ReasonExcludes: two AIs the dictionary says may not appear together
	// (ex=), e.g. a GTIN (AI 01) with a content GTIN (AI 02).
	ReasonExcludes
)

var reasonNames = [...]string{"", "empty", "unrecognised", "syntax", "unknown_ai", "length", "charset", "check_digit", "date", "conflict", "ambiguous", "value", "requires", "excludes"}

// String returns a short snake_case name for the reason, e.g. "check_digit".
func (r Reason) String() string {
	if r <= 0 || int(r) >= len(reasonNames) {
		return "reason(" + strconv.Itoa(int(r)) + ")"
	}
	return reasonNames[r]
}

// Error explains why a raw scan was rejected, precisely enough for a handheld
// to tell the associate what is wrong with the label. Use errors.As to get
// it; it also matches ErrInvalid under errors.Is.
type Error struct {
	Pos    int    // byte offset in the trimmed raw string where the problem is
	AI     string // the GS1 Application Identifier concerned, "" if none
	Reason Reason // the class of problem
	Msg    string // what is wrong, in words, without the AI
	// Rule is the GS1 Barcode Syntax Dictionary rule that refused the scan,
	// as the dictionary spells it: a component ("N6", "X..20"), a linter
	// ("csum", "yymmd0", "iso3166"), a pairing ("req=01,02", "ex=01,03")
	// or a Digital Link rule ("dlpkey=22,10,21|235", "dlattr"); "" when no
	// single dictionary rule applies (an unknown AI, a malformed string).
	Rule string
	// Other is the second AI of a pairing rule (ReasonRequires: the AI
	// needed; ReasonExcludes: the AI it may not appear with).
	Other string
}

// Error returns the message, prefixed with the AI when there is one, e.g.
// "AI 17: month 13 is not a month".
func (e *Error) Error() string {
	if e.AI == "" {
		return e.Msg
	}
	return "AI " + e.AI + ": " + e.Msg
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func newError(pos int, ai string, r Reason, msg string) *Error {
	return &Error{Pos: pos, AI: ai, Reason: r, Msg: msg}
}

func newRuleError(pos int, ai string, r Reason, rule, msg string) *Error {
	return &Error{Pos: pos, AI: ai, Reason: r, Msg: msg, Rule: rule}
}
