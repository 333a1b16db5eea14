package scan

import (
	"fmt"
	"time"
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
func (g *gs1Parser) scanned(data string, off int) error {
	i := 0
	for {
		for i < len(data) && g.p.isSep(data[i]) {
			i++
		}
		if i == len(data) {
			return nil
		}
		sp, n, ok := lookupAI(data[i:])
		if !ok {
			return unknownAI(data[i:], n, off+i)
		}
		ai := data[i : i+n]
		j := i + n
		end := len(data)
		if predefined(int(ai[0]-'0')*10 + int(ai[1]-'0')) {
			end = min(j+sp.max, len(data))
		}
		k := j
		for k < end && !g.p.isSep(data[k]) {
			k++
		}
		if err := g.add(ai, data[j:k], sp, off+j); err != nil {
			return err
		}
		i = k
	}
}

// bracketed decodes the human-readable form people type from under a
// barcode, e.g. "(01)09506000134352(17)261231(10)AB-123". Spaces around
// elements are allowed; a value ends where "(" followed by an AI and ")"
// begins the next element.
func (g *gs1Parser) bracketed(data string, off int) error {
	i := 0
	for {
		for i < len(data) && (data[i] == ' ' || g.p.isSep(data[i])) {
			i++
		}
		if i == len(data) {
			return nil
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
		sp, n, ok := lookupAI(ai)
		if !ok || n != len(ai) {
			return unknownAI(ai, len(ai), off+i+1)
		}
		j := closeAt + 1
		for j < len(data) && data[j] == ' ' {
			j++
		}
		k := j
		for k < len(data) && !g.p.isSep(data[k]) && !isAIOpen(data, k) {
			k++
		}
		v := k
		for v > j && data[v-1] == ' ' {
			v--
		}
		if err := g.add(ai, data[j:v], sp, off+j); err != nil {
			return err
		}
		i = k
	}
}

// isAIOpen reports whether data[i:] starts with "(", 2 to 4 digits and ")".
func isAIOpen(data string, i int) bool {
	if data[i] != '(' {
		return false
	}
	j := i + 1
	for j < len(data) && j-i <= 5 && isDigit(data[j]) {
		j++
	}
	return j-i-1 >= 2 && j-i-1 <= 4 && j < len(data) && data[j] == ')'
}

func unknownAI(s string, n, pos int) error {
	switch {
	case n == 0:
		return newError(pos, "", ReasonUnknownAI, fmt.Sprintf("expected a GS1 Application Identifier, found %q", s[:min(len(s), 4)]))
	case n > len(s):
		return newError(pos, s, ReasonUnknownAI, "incomplete Application Identifier at the end of the scan")
	}
	return newError(pos, s[:n], ReasonUnknownAI, "unknown Application Identifier")
}

// add checks one element's data against its AI and records it in the Scan.
func (g *gs1Parser) add(ai, v string, sp aiSpec, pos int) error {
	s := g.s
	switch {
	case v == "":
		return newError(pos, ai, ReasonLength, "no data after the AI")
	case sp.min == sp.max && len(v) != sp.min:
		unit := "characters"
		if sp.numeric {
			unit = "digits"
		}
		return newError(pos, ai, ReasonLength, fmt.Sprintf("%s has %d %s, got %d", sp.name, sp.min, unit, len(v)))
	case len(v) > sp.max:
		return newError(pos, ai, ReasonLength, fmt.Sprintf("%s is longer than %d characters", sp.name, sp.max))
	case len(v) < sp.min:
		return newError(pos, ai, ReasonLength, fmt.Sprintf("%s is shorter than %d characters", sp.name, sp.min))
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if sp.numeric || i < sp.numPrefix {
			if !isDigit(c) {
				return newError(pos+i, ai, ReasonCharset, fmt.Sprintf("%s has %q where a digit belongs", sp.name, c))
			}
		} else if !cset82[c] {
			return newError(pos+i, ai, ReasonCharset, fmt.Sprintf("%s has %q, which GS1 data may not contain", sp.name, c))
		}
	}
	if sp.checkLen > 0 {
		if err := verifyCheckDigit(v[:sp.checkLen], ai, sp.name, pos); err != nil {
			return err
		}
	}
	var d Date
	if sp.date {
		var err error
		if d, err = g.date(ai, v, pos); err != nil {
			return err
		}
	}
	for _, e := range s.elems[:s.n] {
		if e.AI == ai {
			if e.Value == v {
				return nil // a repeated element with the same data says nothing new
			}
			return newError(pos, ai, ReasonConflict, fmt.Sprintf("appears twice with different data (%s and %s)", e.Value, v))
		}
	}
	if s.n == maxElements {
		return newError(pos-len(ai), ai, ReasonLength, fmt.Sprintf("more than %d element strings in one scan", maxElements))
	}
	s.elems[s.n] = Element{AI: ai, Value: v}
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
		s.ProductionDate = d
	case "13":
		s.PackagingDate = d
	case "15":
		s.BestBefore = d
	case "17":
		s.Expiry = d
	case "30", "37":
		s.Count, s.HasCount = atoi(v), true
	case "3100", "3101", "3102", "3103", "3104", "3105":
		s.NetWeightKg = float64(atoi(v)) / pow10[ai[3]-'0']
		s.HasNetWeight = true
	}
	return nil
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
	return nil
}

// NormalizeGTIN checks a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN) or GTIN-14
// and its check digit, and returns it as the 14 digits the item master
// stores, zero-padded on the left: "4006381333931" -> "04006381333931".
func NormalizeGTIN(s string) (string, error) { return normalizeGTIN(s, 0) }

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
