package scan

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// gs1Parser decodes one GS1 element string into a Scan.
type gs1Parser struct {
	p    *Parser
	s    *Scan
	year int // this year, for the century rule; 0 until a date needs it
}

// parseGS1 decodes data, which starts at byte off of s.Raw, as GS1 element
// strings: either as scanned (AIs and data run together, variable-length
// data ended by a separator) or in the human-readable form with the AIs in
// parentheses.
func (p *Parser) parseGS1(s *Scan, data string, off int) error {
	g := gs1Parser{p: p, s: s}
	var err error
	if data != "" && data[0] == '(' {
		if s.Symbology != "" && s.Symbology != "]e0" {
			// A scanner sends the AIs bare; the parentheses are only the
			// human-readable line, which is typed, not scanned. Only
			// ZXing's DataBar Expanded reader returns that line under ]e0.
			return newError(off, "", ReasonSyntax, "the human-readable form \"(AI)…\" after symbology identifier "+s.Symbology+": a scanned GS1 string has its AIs without parentheses")
		}
		err = g.bracketed(data, off)
	} else {
		err = g.scanned(data, off)
	}
	if err != nil {
		return err
	}
	switch {
	case s.n == 0:
		return newError(off, "", ReasonEmpty, "no GS1 element strings in the scan")
	case s.n == 1 && s.elems[0].AI == "00":
		s.Kind = KindSSCC
	default:
		s.Kind = KindGS1
	}
	return nil
}

// scanned decodes the form the scanner sends: a predefined-length AI's data
// is exactly its length; any other AI's data runs to the next separator or
// the end. Separators before, between and after elements are skipped.
//
// A scanner that drops GS (or a decoder that drops FNC1, as ZXing does for
// Code 128 without its ASSUME_GS1 hint) runs a variable-length field into
// whatever follows it. That is harmless when the field is last, as GS1
// recommends; otherwise it cannot be undone in general, and a scan without
// any separator whose last field ends with what reads as further complete
// elements is refused (see swallowed).
func (g *gs1Parser) scanned(data string, off int) error {
	i, sawSep := 0, false
	for {
		for i < len(data) {
			n := g.p.sepLen(data, i)
			if n == 0 {
				break
			}
			i += n
			sawSep = true
		}
		if i == len(data) {
			break
		}
		e, n, ok := lookupAI(data[i:])
		if !ok {
			return unknownAI(data[i:], n, off+i)
		}
		ai := data[i : i+n]
		j := i + n
		end := len(data)
		if e.fixed {
			end = min(j+e.maxLen, len(data))
		}
		k := j
		for k < end && g.p.sepLen(data, k) == 0 {
			k++
		}
		if err := g.add(ai, data[j:k], e, off+j); err != nil {
			return err
		}
		i = k
	}
	if err := g.pairs(); err != nil {
		return err
	}
	if sawSep || g.s.n == 0 {
		return nil
	}
	last := g.s.elems[g.s.n-1]
	if g.s.ents[g.s.n-1].fixed {
		return nil
	}
	if at, ai, name, ok := g.swallowed(last.Value); ok {
		sp := g.s.ents[g.s.n-1]
		if g.s.Symbology != "" && !g.p.dropGS {
			// The imager said this is GS1 data and transmits FNC1 as GS:
			// the data is as encoded, as GS1's reference reads it. The
			// guess is only a warning (see Warnings).
			g.s.swallowAI, g.s.swallowTail, g.s.swallowAs = last.AI, last.Value[at:], ai
			return nil
		}
		return newError(off+len(data)-len(last.Value)+at, last.AI, ReasonAmbiguous, fmt.Sprintf(
			"%s %q ends with %q, which reads as AI %s (%s), and the scan has no GS separator: the scanner may have dropped it; "+
				"set the scanner to transmit GS (FNC1), or type the human-readable line", sp.name(), last.Value, last.Value[at:], ai, name))
	}
	return nil
}

// swallowed reports whether v, the data of a variable-length field that
// ends a scan without separators, ends with one or more complete
// predefined-length elements (GTIN, SSCC, GLN, dates, measures) that are
// valid and whose AIs the scan does not already hold: what the field looks
// like when the scanner dropped the GS after it. The evidence must be
// strong, because a false alarm rejects a good label for good: the run must
// hold an element with a check digit (a GTIN, SSCC or GLN), or a valid date
// or a net weight (AI 310n, which the node reads) after data that is not
// all digits ("COV0109" then "17220901", "ABC123" then "3103000189"). A
// numeric lot that happens to end in digits reading as a date ("4711" then
// "11250101") is accepted as scanned. at is where in v the run starts; ai
// and name say what its first element is.
func (g *gs1Parser) swallowed(v string) (at int, ai, name string, ok bool) {
	for at = 1; at+8 <= len(v); at++ {
		ai, name, checkDigit, dateOrWeight := g.predefinedRun(v[at:])
		if checkDigit || (dateOrWeight && !allDigits(v[:at])) {
			return at, ai, name, true
		}
	}
	return 0, "", "", false
}

// predefinedRun reads t as a run of predefined-length elements, possibly
// ended by one variable-length element. When t is exactly such a run, all
// valid, none with an AI the scan already holds, it
// says whether the run holds an element with a check digit and one with a
// date or a net weight; ai and name are the first element's.
func (g *gs1Parser) predefinedRun(t string) (ai, name string, checkDigit, date bool) {
	for first := true; t != ""; first = false {
		sp, n, found := lookupAI(t)
		if !found || len(t) <= n {
			return "", "", false, false
		}
		if !sp.fixed {
			// The last element may be a variable-length one that the
			// swallowed run ends with, e.g. expiry then serial.
			if _, valid := g.check(sp, t[n:]); first || !valid {
				return "", "", false, false
			}
			if _, dup := g.s.AI(t[:n]); dup {
				return "", "", false, false
			}
			return ai, name, checkDigit, date
		}
		if len(t) < n+sp.maxLen {
			return "", "", false, false
		}
		v := t[n : n+sp.maxLen]
		if _, valid := g.check(sp, v); !valid || !sp.numeric {
			return "", "", false, false
		}
		if _, dup := g.s.AI(t[:n]); dup {
			return "", "", false, false
		}
		checkDigit = checkDigit || sp.checkDigit
		date = date || sp.date || t[:3] == "310"
		if first {
			ai, name = t[:n], sp.name()
		}
		t = t[n+sp.maxLen:]
	}
	return ai, name, checkDigit, date
}

// bracketed decodes the human-readable form people type from under a
// barcode, e.g. "(01)09506000134352(17)261231(10)AB-123". Spaces around
// elements are allowed; a value ends where "(" followed by an AI and ")"
// begins the next element. A numeric value may be printed in spaced groups,
// as the SSCC is on a logistic label, "(00) 1 0614141 123456789 7"; its
// spaces are dropped.
func (g *gs1Parser) bracketed(data string, off int) error {
	i := 0
	for {
		for i < len(data) {
			n := 0
			if data[i] == ' ' {
				n = 1
			} else if n = g.p.sepLen(data, i); n == 0 {
				break
			}
			i += n
		}
		if i == len(data) {
			return g.pairs()
		}
		if data[i] != '(' {
			return newError(off+i, "", ReasonSyntax, fmt.Sprintf("expected \"(\" before an AI, found %q", data[i]))
		}
		closeAt := i + 1
		for closeAt < len(data) && closeAt <= i+5 && data[closeAt] != ')' {
			closeAt++
		}
		if closeAt >= len(data) || data[closeAt] != ')' {
			return newError(off+i, "", ReasonSyntax, "\"(\" without a closing \")\" after the AI")
		}
		ai := data[i+1 : closeAt]
		if ai == "" {
			return newError(off+i, "", ReasonSyntax, "empty AI: \"()\" holds no Application Identifier")
		}
		sp, n, ok := lookupAI(ai)
		if !ok || n != len(ai) {
			return unknownAI(ai, len(ai), off+i+1)
		}
		j := closeAt + 1
		for j < len(data) && data[j] == ' ' {
			j++
		}
		k := j
		escaped := false
		// The data ends at the next "(": one that is not "\(" opens the
		// next AI, and "(10)AB(1" is an AI without its ")", not lot "AB(1".
		for k < len(data) && g.p.sepLen(data, k) == 0 && data[k] != '(' {
			if data[k] == '\\' && k+1 < len(data) && data[k+1] == '(' {
				// "\(" is a "(" in the data, as GS1's bracketed syntax
				// writes one: "(10)12\(34" is lot "12(34".
				escaped = true
				k++
			}
			k++
		}
		v := k
		for v > j && data[v-1] == ' ' {
			v--
		}
		value := data[j:v]
		if sp.numeric && strings.IndexByte(value, ' ') > 0 && digitGroups(value) {
			value = strings.ReplaceAll(value, " ", "")
		}
		if escaped {
			value = strings.ReplaceAll(value, "\\(", "(")
		}
		if err := g.add(ai, value, sp, off+j); err != nil {
			return err
		}
		i = k
	}
}

func unknownAI(s string, n, pos int) error {
	switch {
	case n == 0:
		return newError(pos, "", ReasonUnknownAI, fmt.Sprintf("expected a GS1 Application Identifier, found %q", s[:min(len(s), 4)]))
	case n > len(s):
		return newError(pos, s, ReasonUnknownAI, "incomplete Application Identifier at the end of the scan")
	}
	// Name the digits only: in "23ABC" the unknown AI is "23" (no AI
	// starts "23" followed by a letter), not "23A".
	m := 0
	for m < n && isDigit(s[m]) {
		m++
	}
	return newError(pos, s[:m], ReasonUnknownAI, "unknown Application Identifier")
}

// add checks one element's data against its AI and records it in the Scan.
func (g *gs1Parser) add(ai, v string, e *aiEntry, pos int) error {
	s := g.s
	if v == "" {
		return newRuleError(pos, ai, ReasonLength, e.comps[0].spec(), "no data after the AI")
	}
	if f, ok := g.check(e, v); !ok {
		return g.faultError(e, v, f, pos)
	}
	for i, x := range s.elems[:s.n] {
		if x.AI == ai {
			if x.Value == v {
				return nil // a repeated element with the same data says nothing new
			}
			_ = i
			return newError(pos, ai, ReasonConflict, fmt.Sprintf("appears twice with different data (%s and %s)", x.Value, v))
		}
	}
	if s.n == maxElements {
		return newError(pos-len(ai), ai, ReasonLength, fmt.Sprintf("more than %d element strings in one scan", maxElements))
	}
	s.elems[s.n] = Element{AI: ai, Value: v}
	s.ents[s.n] = e
	s.at[s.n] = pos - len(ai)
	s.n++

	switch ai {
	case "00":
		s.SSCC = v
	case "01":
		s.GTIN = v
	case "02":
		if s.GTIN == "" {
			s.GTIN = v
		}
	case "10":
		s.Lot = v
	case "21":
		s.Serial = v
	case "11":
		s.ProductionDate = g.mustDate(v)
	case "13":
		s.PackagingDate = g.mustDate(v)
	case "15":
		s.BestBefore = g.mustDate(v)
	case "17":
		s.Expiry = g.mustDate(v)
	case "7003":
		// Expiry date and time: the date drives FEFO when AI 17 is absent.
		if s.Expiry.IsZero() {
			s.Expiry = g.mustDate(v[:6])
		}
	case "30", "37":
		s.Count, s.HasCount = atoi(v), true
	case "3100", "3101", "3102", "3103", "3104", "3105":
		s.NetWeightKg = float64(atoi(v)) / pow10[ai[3]-'0']
		s.HasNetWeight = true
	}
	return nil
}

// faultError words a fault found by check, naming the dictionary rule.
func (g *gs1Parser) faultError(e *aiEntry, v string, f fault, pos int) error {
	c := e.comps[f.comp]
	name := e.name()
	switch {
	case f.reason == ReasonLength && e.minLen == e.maxLen:
		unit := "characters"
		if e.numeric {
			unit = "digits"
		}
		return newRuleError(pos, e.ai, ReasonLength, c.spec(), fmt.Sprintf("%s has %d %s, got %d", name, e.maxLen, unit, len(v)))
	case f.reason == ReasonLength && f.detail == "long":
		return newRuleError(pos, e.ai, ReasonLength, c.spec(), fmt.Sprintf("%s is longer than %d characters", name, e.maxLen))
	case f.reason == ReasonLength:
		return newRuleError(pos+f.at, e.ai, ReasonLength, c.spec(), fmt.Sprintf("%s is too short: part %d (%s) is cut short", name, f.comp+1, c.spec()))
	case f.reason == ReasonCharset && c.cset == 'N':
		return newRuleError(pos+f.at, e.ai, ReasonCharset, c.spec(), fmt.Sprintf("%s has %q where a digit belongs", name, v[f.at]))
	case f.reason == ReasonCharset:
		r, _ := utf8.DecodeRuneInString(v[f.at:])
		return newRuleError(pos+f.at, e.ai, ReasonCharset, c.spec(), fmt.Sprintf("%s has %q, which GS1 character set %s does not contain", name, r, csetName[c.cset]))
	}
	rule := linterNames[f.lint]
	part := partOf(e, v, f.comp)
	var msg string
	switch f.lint {
	case lintCsum:
		if strings.Trim(part, "0") == "" {
			msg = fmt.Sprintf("%s is all zeros: a placeholder, not a real %s", name, name)
		} else {
			want, _ := GS1CheckDigit(part[:len(part)-1])
			msg = fmt.Sprintf("%s check digit is %c, expected %c", name, part[len(part)-1], want)
		}
	case lintCsumalpha:
		msg = fmt.Sprintf("%s check characters %q do not match", name, part[max(0, len(part)-2):])
	case lintYymmd0, lintYymmdd, lintYyyymmdd:
		y := 2
		if f.lint == lintYyyymmdd {
			y = 4
		}
		if mm := atoi(part[y : y+2]); mm < 1 || mm > 12 {
			msg = fmt.Sprintf("month %d is not a month", mm)
		} else if dd := atoi(part[y+2 : y+4]); dd == 0 {
			msg = fmt.Sprintf("%s: day 00 is not a day", name)
		} else {
			msg = fmt.Sprintf("day %d is past the end of %s", dd, time.Month(mm))
		}
	case lintHhmi, lintHh, lintMi, lintSs:
		msg = fmt.Sprintf("%s: %q is not a time of day (%s)", name, part, rule)
	default:
		msg = fmt.Sprintf("%s: %q fails the %s check (%s)", name, part, rule, lintWords[f.lint])
	}
	return newRuleError(pos+f.at, e.ai, f.reason, rule, msg)
}

var csetName = map[byte]string{'N': "numeric", 'X': "82", 'Y': "39", 'Z': "64"}

var lintWords = [numLinters]string{
	lintIso3166: "not an ISO 3166 country code", lintIso3166999: "not an ISO 3166 country code or 999",
	lintIso3166alpha2: "not an ISO 3166 alpha-2 country code", lintIso4217: "not an ISO 4217 currency code",
	lintIso5218: "not an ISO 5218 sex code", lintPieceoftotal: "piece must be 1 to the total",
	lintNonzero: "may not be zero", lintZero: "must be 0", lintNozeroprefix: "may not start with 0",
	lintHasnondigit: "needs a character that is not a digit", lintYesno: "must be 0 or 1",
	lintWinding: "must be 0, 1 or 9", lintHyphen: "must be -", lintPcenc: "bad percent-encoding",
	lintIban: "not a valid IBAN", lintLatitude: "latitude out of range", lintLongitude: "longitude out of range",
	lintMediatype: "not an AIDC media type", lintImporteridx: "not an importer index",
	lintPosinseqslash:  "must be position/total",
	lintCouponcode:     "not a North American coupon code: its fields and length indicators do not fit GS1 US's coupon structure",
	lintCouponposoffer: "not a positive offer file coupon: format code, funder, offer code and serial do not fit GS1 US's AI 8112 structure",
	lintPackagetype:    "not a package type code",
	lintGcppos1:        "does not start with a GS1 Company Prefix", lintGcppos2: "does not start with a GS1 Company Prefix after its first character",
}

// partOf returns component ci of v (v already fits the components before it).
func partOf(e *aiEntry, v string, ci int) string {
	at := 0
	for i := 0; i < ci && at < len(v); i++ {
		at += min(e.comps[i].max, len(v)-at)
	}
	if at >= len(v) {
		return ""
	}
	return v[at:min(len(v), at+e.comps[ci].max)]
}

// mustDate decodes a date check has accepted.
func (g *gs1Parser) mustDate(v string) Date {
	d, _ := g.date("", v, 0)
	return d
}

var pow10 = [...]float64{1, 10, 100, 1000, 1e4, 1e5}

// atoi converts a run of at most 18 digits, already checked.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// date decodes a GS1 date YYMMDD (GS1 General Specifications §7.12).
func (g *gs1Parser) date(ai, v string, pos int) (Date, error) {
	yy, mm, dd := atoi(v[0:2]), atoi(v[2:4]), atoi(v[4:6])
	if mm < 1 || mm > 12 {
		return Date{}, newError(pos+2, ai, ReasonDate, fmt.Sprintf("month %d is not a month", mm))
	}
	if g.year == 0 {
		g.year = g.p.now().Year()
	}
	y := CenturyYear(yy, g.year)
	last := daysIn(y, mm)
	switch {
	case dd == 0:
		dd = last
	case dd > last:
		return Date{}, newError(pos+4, ai, ReasonDate, fmt.Sprintf("day %d is past the end of %s %d", dd, time.Month(mm), y))
	}
	return Date{Year: y, Month: mm, Day: dd}, nil
}

// CenturyYear resolves the two-digit year yy of a GS1 date, read in the year
// now, by the GS1 century rule (GS1 General Specifications §7.12): a year
// 51 to 99 years ahead of now is in the previous century, one 50 to 99 years
// behind is in the next century, anything else in the current century. So
// in 2026, "76" is 2076 and "77" is 1977.
func CenturyYear(yy, now int) int {
	cur := now % 100
	century := now - cur
	switch d := yy - cur; {
	case d >= 51:
		return century - 100 + yy
	case d <= -50:
		return century + 100 + yy
	}
	return century + yy
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// GS1CheckDigit returns the GS1 mod-10 check digit ('0'..'9') that closes
// payload, the digits of a GTIN, SSCC or GLN without their last digit; it is
// what a label printer appends. ok is false when payload is empty or not all
// digits.
func GS1CheckDigit(payload string) (digit byte, ok bool) {
	if payload == "" {
		return 0, false
	}
	sum, w := 0, 3
	for i := len(payload) - 1; i >= 0; i-- {
		c := payload[i]
		if !isDigit(c) {
			return 0, false
		}
		sum += int(c-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10), true
}

// ValidGS1CheckDigit reports whether s (a GTIN, SSCC, GLN …) is all digits
// and ends with its correct GS1 mod-10 check digit.
func ValidGS1CheckDigit(s string) bool {
	if len(s) < 2 {
		return false
	}
	d, ok := GS1CheckDigit(s[:len(s)-1])
	return ok && d == s[len(s)-1]
}

func verifyCheckDigit(s, ai, name string, pos int) error {
	want, ok := GS1CheckDigit(s[:len(s)-1])
	if !ok || !isDigit(s[len(s)-1]) {
		return newError(pos, ai, ReasonCharset, name+" must be digits")
	}
	if got := s[len(s)-1]; got != want {
		return newError(pos+len(s)-1, ai, ReasonCheckDigit, fmt.Sprintf("%s check digit is %c, expected %c", name, got, want))
	}
	if strings.Trim(s, "0") == "" {
		// Passes the check, but no company prefix: a placeholder printed
		// by a label template, never a real key.
		return newError(pos, ai, ReasonCheckDigit, fmt.Sprintf("%s is all zeros: a placeholder, not a real %s", name, name))
	}
	return nil
}

// NormalizeGTIN checks a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN) or GTIN-14
// and its check digit, and returns it as the 14 digits the item master
// stores, zero-padded on the left: "4006381333931" -> "04006381333931".
func NormalizeGTIN(s string) (string, error) { return normalizeGTIN(s, 0) }

// ExpandUPCE checks an 8-digit UPC-E (number system 0 or 1, six digits, the
// check digit) and returns the GTIN-12 it stands for as 14 digits:
// "04252614" -> "00042100005264". UPC-E is a zero-suppressed UPC-A (GS1
// General Specifications §5.2.2.4.2); its check digit is the GTIN-12's.
func ExpandUPCE(s string) (string, error) { return expandUPCE(s, 0) }

func expandUPCE(s string, pos int) (string, error) {
	if len(s) != 8 || !allDigits(s) {
		return "", newError(pos, "", ReasonLength, fmt.Sprintf("a UPC-E has 8 digits, got %q", s))
	}
	if s[0] != '0' && s[0] != '1' {
		return "", newError(pos, "", ReasonSyntax, fmt.Sprintf("a UPC-E starts with number system 0 or 1, got %c", s[0]))
	}
	// Manufacturer and item digits of the GTIN-12, by the last of the six.
	var b [14]byte
	b[0], b[1], b[2] = '0', '0', s[0]
	x := s[1:7]
	switch x[5] {
	case '0', '1', '2':
		copy(b[3:], x[0:2])
		b[5] = x[5]
		copy(b[6:], "0000")
		copy(b[10:], x[2:5])
	case '3':
		copy(b[3:], x[0:3])
		copy(b[6:], "00000")
		copy(b[11:], x[3:5])
	case '4':
		copy(b[3:], x[0:4])
		copy(b[7:], "00000")
		b[12] = x[4]
	default:
		copy(b[3:], x[0:5])
		copy(b[8:], "0000")
		b[12] = x[5]
	}
	want, _ := GS1CheckDigit(string(b[2:13]))
	if s[7] != want {
		return "", newError(pos+7, "", ReasonCheckDigit, fmt.Sprintf("UPC-E check digit is %c, expected %c", s[7], want))
	}
	b[13] = want
	return string(b[:]), nil
}

func normalizeGTIN(s string, pos int) (string, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", newError(pos, "", ReasonLength, fmt.Sprintf("a GTIN has 8, 12, 13 or 14 digits, got %d characters", len(s)))
	}
	if err := verifyCheckDigit(s, "", "GTIN", pos); err != nil {
		return "", err
	}
	if len(s) == 14 {
		return s, nil
	}
	return "000000"[:14-len(s)] + s, nil
}

// pairs applies the dictionary's ex= and req= rules to the scan's elements
// (GS1 General Specifications §4.14, "invalid" and "mandatory" AI pairs).
// Exclusions are always enforced: two AIs that contradict each other are
// wrong on any label. Requisites are enforced when the scan carries an
// identification key (a GTIN, SSCC, GLN, ITIP …): then the label is the
// item's and a missing requisite is missing. A scan without any key is a
// partial label, lot and expiry printed apart from the GTIN's barcode; the
// dictionary says pairings are judged over all carriers of an item, so a
// missing requisite there is a warning, not a refusal.
func (g *gs1Parser) pairs() error {
	s := g.s
	keyed := false
	for _, e := range s.ents[:s.n] {
		keyed = keyed || e.identifies()
	}
	for i, e := range s.ents[:s.n] {
		for _, p := range e.ex {
			for j := 0; j < s.n; j++ {
				if other := s.elems[j].AI; other != e.ai && matchAI(p, other) {
					// Name the later of the two at its place in the scan.
					later, earlier := i, j
					if j > i {
						later, earlier = j, i
					}
					err := newRuleError(s.at[later], s.elems[later].AI, ReasonExcludes, "ex="+strings.Join(e.ex, ","),
						fmt.Sprintf("%s may not appear with AI %s (%s)", s.ents[later].name(), s.elems[earlier].AI, s.ents[earlier].name()))
					err.Other = s.elems[earlier].AI
					return err
				}
			}
		}
	}
	if err := g.signedKeySerialised(); err != nil {
		return err
	}
	for i, e := range s.ents[:s.n] {
		if len(e.req) == 0 || g.hasOneOf(e.req) {
			continue
		}
		if !keyed {
			s.unmet[s.nunmet] = e
			s.nunmet++
			continue
		}
		err := newRuleError(s.at[i], e.ai, ReasonRequires, "req="+reqString(e.req),
			fmt.Sprintf("%s needs %s, which the scan does not have", e.name(), reqWords(e.req)))
		err.Other = e.req[0][0]
		for _, ai := range e.req[0] {
			if g.has(ai) < 0 {
				err.Other = ai
				break
			}
		}
		return err
	}
	return nil
}

// signedKeySerialised enforces GS1's rule for a digital signature (AI
// 8030): it signs one instance, so a GDTI (253), GCN (255) or GRAI (8003)
// beside it must carry its optional serial component.
func (g *gs1Parser) signedKeySerialised() error {
	s := g.s
	sig := g.has("8030")
	if sig < 0 {
		return nil
	}
	for i, e := range s.ents[:s.n] {
		switch e.ai {
		case "253", "255", "8003":
			if len(s.elems[i].Value) <= e.minLen {
				err := newRuleError(s.at[sig], "8030", ReasonRequires, "8030 needs a serialised "+e.ai,
					fmt.Sprintf("a digital signature needs the serial component of AI %s (%s)", e.ai, e.name()))
				err.Other = e.ai
				return err
			}
		}
	}
	return nil
}

// hasOneOf reports whether the scan holds every AI of one of the groups.
func (g *gs1Parser) hasOneOf(groups [][]string) bool {
next:
	for _, grp := range groups {
		for _, p := range grp {
			if g.has(p) < 0 {
				continue next
			}
		}
		return true
	}
	return false
}

// has returns the index of an element whose AI matches the pattern p, -1 if none.
func (g *gs1Parser) has(p string) int {
	for j := 0; j < g.s.n; j++ {
		if matchAI(p, g.s.elems[j].AI) {
			return j
		}
	}
	return -1
}

func reqString(groups [][]string) string {
	parts := make([]string, len(groups))
	for i, grp := range groups {
		parts[i] = strings.Join(grp, "+")
	}
	return strings.Join(parts, ",")
}

// reqWords says a req= rule in words: "AI 01, 02 or 8006", "AI 00 with 02".
func reqWords(groups [][]string) string {
	parts := make([]string, len(groups))
	for i, grp := range groups {
		parts[i] = strings.Join(grp, " with ")
	}
	if len(parts) == 1 {
		return "AI " + parts[0]
	}
	return "AI " + strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}
