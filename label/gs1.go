package label

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/floorops/floorops/scan"
)

// aiField is one GS1 element string: an Application Identifier and its data,
// e.g. AI "10" (batch/lot) with "ABC123".
type aiField struct {
	ai, value string
}

// predefinedLength reports whether an AI's data has a length fixed by the GS1
// General Specifications (figure 7.8.5-2: AIs starting 00-04, 11-20, 31-36
// and 41). Only those may be followed by the next AI without an FNC1
// separator; every other (variable-length) field is ended by FNC1 unless it
// is the last field in the symbol.
func predefinedLength(ai string) bool {
	switch ai[:2] {
	case "00", "01", "02", "03", "04",
		"11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
		"31", "32", "33", "34", "35", "36", "41":
		return true
	}
	return false
}

// gs1Data joins element strings the way a GS1 symbol carries them: fnc1
// first (it marks the symbol as GS1), then each AI and its data, with fnc1 as
// the separator after a variable-length field that is not last. fnc1 is the
// encoder's own representation of the FNC1 character.
func gs1Data(fields []aiField, fnc1 string) string {
	var b strings.Builder
	b.WriteString(fnc1)
	for i, f := range fields {
		b.WriteString(f.ai)
		b.WriteString(f.value)
		if i < len(fields)-1 && !predefinedLength(f.ai) {
			b.WriteString(fnc1)
		}
	}
	return b.String()
}

// gs1Scanned is what a scanner transmits for a GS1 symbol (after its
// symbology identifier): the leading FNC1 dropped, separators sent as GS
// (0x1D). Tests compare decoder output with it.
func gs1Scanned(fields []aiField) string {
	return strings.TrimPrefix(gs1Data(fields, "\x1d"), "\x1d")
}

// gs1HRI is the human-readable interpretation printed under a GS1 symbol,
// AIs in parentheses and the data as encoded: "(01)09501101530003(10)ABC123".
// It is the form an associate types into a handheld's scan field when the
// symbol will not read, and scan.Parse reads it as the symbol's data.
func gs1HRI(fields []aiField) string {
	var b strings.Builder
	for _, f := range fields {
		// A "(" in the data is written "\(", as GS1's bracketed syntax
		// has it, so the line typed as printed reads back as the item.
		b.WriteString("(" + f.ai + ")" + strings.ReplaceAll(f.value, "(", `\(`))
	}
	return b.String()
}

// gs1CheckDigit computes the GS1 mod-10 check digit for body (all digits,
// without the check digit): weights 3 and 1 alternating from the right.
func gs1CheckDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// checkGS1Number validates a GS1 key (GTIN, SSCC): n digits, the last one
// the mod-10 check digit of the others.
func checkGS1Number(what, s string, n int) error {
	if len(s) != n {
		return invalidf("%s %q has %d digits, want %d", what, s, len(s), n)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return invalidf("%s %q is not all digits", what, s)
		}
	}
	if want := gs1CheckDigit(s[:n-1]); s[n-1] != want {
		return invalidf("%s %q has check digit %c, want %c", what, s, s[n-1], want)
	}
	return nil
}

// checkLot validates a batch/lot number for AI (10): up to 20 characters
// from GS1's character set 82. '>' is refused as well: ZPL's Code 128 uses it
// to start invocation codes.
func checkLot(lot string) error {
	if len(lot) > 20 {
		return invalidf("lot %q is %d characters; GS1 AI (10) allows 20", lot, len(lot))
	}
	for _, r := range lot {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' ||
			strings.ContainsRune(`!"%&'()*+,-./:;<=?_`, r)
		if !ok {
			return invalidf("lot %q: character %q is not allowed in a GS1 lot number", lot, r)
		}
	}
	return nil
}

// gtin14 left-pads a GTIN-8/12/13 with zeros to the 14 digits AI (01) carries.
func gtin14(gtin string) string {
	return strings.Repeat("0", 14-len(gtin)) + gtin
}

// gs1Date is t as the YYMMDD data of a GS1 date AI such as (17) expiry. The
// year travels as two digits, which a scanner resolves with the GS1 century
// rule relative to the year it reads the label in (scan.CenturyYear): only
// dates from 49 years before now to 50 years after come back as printed.
// Any other date is refused rather than printed to be read in the wrong
// century (2080-06-30 encoded in 2026 reads as 1980-06-30).
func gs1Date(what string, t, now time.Time) (string, error) {
	yy := t.Year() % 100
	if yy < 0 {
		yy = -yy
	}
	if read := scan.CenturyYear(yy, now.Year()); read != t.Year() {
		return "", invalidf("%s %s cannot be printed: a GS1 date carries a two-digit year, and in %d a scanner reads %02d as %d",
			what, t.Format(time.DateOnly), now.Year(), yy, read)
	}
	return t.Format("060102"), nil
}

// itemFields is the GS1 content of an item label in the usual order:
// fixed-length AIs first so the only variable-length one (lot) ends the
// symbol and needs no separator. now is the date the label is printed, for
// the century rule of the expiry date.
func itemFields(it Item, now time.Time) ([]aiField, error) {
	fields := []aiField{{"01", gtin14(it.GTIN)}}
	if !it.Expiry.IsZero() {
		exp, err := gs1Date("expiry", it.Expiry, now)
		if err != nil {
			return nil, err
		}
		fields = append(fields, aiField{"17", exp})
	}
	if it.Lot != "" {
		fields = append(fields, aiField{"10", it.Lot})
	}
	return fields, nil
}

// lotFirst moves the lot (AI 10) to the front of fields, where the FNC1
// separator after it ends it explicitly. The usual order leaves the lot last
// and unterminated; when the lot's tail reads as further elements ("B-1"
// then "5251130", a best-before date under AI 15), the node cannot tell the
// label from one whose scanner dropped a separator and refuses it. With the
// lot first, every element after it has a fixed length.
func lotFirst(fields []aiField) []aiField {
	out := make([]aiField, 0, len(fields))
	for _, f := range fields {
		if f.ai == "10" {
			out = append(out, f)
		}
	}
	for _, f := range fields {
		if f.ai != "10" {
			out = append(out, f)
		}
	}
	return out
}

// readsBack checks that the node's scanner (it.Scanner, with the node's
// configuration) reads raw as this item: the same GTIN, lot and expiry. raw
// is a symbol's data as a scanner transmits it, AIM symbology identifier
// first, or the human-readable line as an associate types it. The error is
// the parser's own (a *scan.Error) when it refuses raw.
func (it Item) readsBack(raw string) error {
	s, err := orDefault(it.Scanner).Parse(raw)
	if err != nil {
		return err
	}
	if s.MayHaveDroppedGS() {
		// Read as encoded, but a scanner that drops GS would read the
		// lot's tail as further elements: as ambiguous as a refusal.
		return errMayDropGS
	}
	var exp scan.Date
	if !it.Expiry.IsZero() {
		exp = scan.Date{Year: it.Expiry.Year(), Month: int(it.Expiry.Month()), Day: it.Expiry.Day()}
	}
	if s.GTIN != gtin14(it.GTIN) || s.Lot != it.Lot || s.Expiry != exp {
		return fmt.Errorf("it reads as GTIN %s, lot %q, expiry %q", s.GTIN, s.Lot, s.Expiry)
	}
	return nil
}

// ambiguous reports whether err is the node refusing a GS1 scan whose last,
// unterminated field may have swallowed further elements.
func ambiguous(err error) bool {
	var se *scan.Error
	return errors.Is(err, errMayDropGS) || errors.As(err, &se) && se.Reason == scan.ReasonAmbiguous
}

// errMayDropGS is readsBack's answer for data whose last field ends with
// what reads as further elements (scan.Scan.MayHaveDroppedGS).
var errMayDropGS = errors.New("the last field ends with what reads as further elements: a scanner that drops GS would misread it")

// itemElements is the GS1 content of an item label in the order it is
// encoded, checked against the node's scanner: aimID is the symbology
// identifier a scanner sends before the data (]C1 for GS1-128, ]d2 for GS1
// DataMatrix). In the usual order the lot comes last; when the scanner would
// refuse that as ambiguous, the lot comes first (see lotFirst). A label the
// scanner would still not read back as the item is refused.
func itemElements(it Item, sym Symbology, aimID string, now time.Time) ([]aiField, error) {
	fields, err := itemFields(it, now)
	if err != nil {
		return nil, err
	}
	err = it.readsBack(aimID + gs1Scanned(fields))
	if ambiguous(err) {
		fields = lotFirst(fields)
		err = it.readsBack(aimID + gs1Scanned(fields))
	}
	if err != nil {
		return nil, invalidf("the node's scanner would not read this %s label back: %v", sym, err)
	}
	return fields, nil
}

// ssccHRI is the human-readable line of an SSCC label: "(00) 1 0614141
// 123456789 7" with the company prefix split out when its length is known.
func ssccHRI(sscc string, prefixLen int) string {
	body := sscc[1:17]
	if prefixLen > 0 {
		body = body[:prefixLen] + " " + body[prefixLen:]
	}
	return "(00) " + sscc[:1] + " " + body + " " + sscc[17:]
}

// expiryText is the expiry date as people read it on a label.
func expiryText(t time.Time) string {
	return t.Format(time.DateOnly)
}
