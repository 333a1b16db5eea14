package scan

//go:generate go run ./internal/gs1dict/gen

import (
	"strconv"
	"strings"
)

// The Application Identifier table is generated (aitable_gen.go) from GS1's
// Barcode Syntax Dictionary in internal/gs1dict: each AI's components with
// their character set, length and linters, its req= and ex= pairing rules
// and its GS1 Digital Link role. A new dictionary release is that one file
// replaced and "go generate ./scan".

// aiEntry is one AI of the dictionary.
type aiEntry struct {
	ai     string
	fixed  bool // predefined length: no separator follows its data
	dlattr bool // may be a GS1 Digital Link data attribute (query parameter)
	comps  []aiComp
	req    [][]string // one of these groups of AIs (patterns, "n" any digit) must all be present
	ex     []string   // may not appear with any of these
	dlkey  bool       // a GS1 Digital Link primary key
	dlqual [][]string // the ordered, optional key qualifiers, one list per alternative
	title  string

	// Filled in from comps at init.
	minLen, maxLen int
	numeric        bool // every component numeric
	checkDigit     bool // the first component ends with a GS1 mod-10 check digit
	date           bool // the first component is a GS1 date
}

// aiComp is one component of an AI's data.
type aiComp struct {
	cset     byte // 'N' digits, 'X' GS1 character set 82, 'Y' set 39, 'Z' set 64
	min, max int
	opt      bool
	lint     []linter
}

// spec spells the component as the dictionary does: "N6", "X..20", "[N3]".
func (c aiComp) spec() string {
	s := string(c.cset)
	if c.min != c.max {
		s += ".."
	}
	s += strconv.Itoa(c.max)
	if c.opt {
		s = "[" + s + "]"
	}
	return s
}

// A linter is one of the dictionary's content checks on a component.
type linter uint8

// The dictionary's linters. Those marked "not checked" are accepted as
// their character set allows; README "Scanner formats" says why.
const (
	lintNone           linter = iota
	lintCsum                  // GS1 mod-10 check digit
	lintCsumalpha             // GS1 check character pair (GMN, MUDI)
	lintGcppos1               // a GS1 Company Prefix starts at 1: its shortest form (4 digits); the prefix table is not consulted
	lintGcppos2               // a GS1 Company Prefix starts at 2: likewise
	lintYymmd0                // YYMMDD, day 00 allowed (end of month)
	lintYymmdd                // YYMMDD
	lintYyyymmdd              // YYYYMMDD
	lintHhmi                  // HHMI
	lintHh                    // HH
	lintMi                    // MI
	lintSs                    // SS
	lintIso3166               // ISO 3166-1 numeric country
	lintIso3166999            // ISO 3166-1 numeric country or 999
	lintIso3166alpha2         // ISO 3166-1 alpha-2 country
	lintIso4217               // ISO 4217 numeric currency
	lintIso5218               // ISO 5218 sex: 0, 1, 2, 9
	lintPieceoftotal          // PPTT: piece 1..total
	lintNonzero               // not all zeros
	lintZero                  // exactly "0"
	lintNozeroprefix          // no leading zero
	lintHasnondigit           // at least one character that is not a digit
	lintYesno                 // 0 or 1
	lintWinding               // 0, 1 or 9
	lintHyphen                // "-"
	lintPcenc                 // valid percent-encoding
	lintIban                  // IBAN with its mod 97 check
	lintLatitude              // 0..1800000000
	lintLongitude             // 0..3600000000
	lintMediatype             // AIDC media type 01-10, 80-99
	lintImporteridx           // importer index character
	lintPosinseqslash         // "p/t", piece 1..total, neither with a leading zero
	lintPackagetype           // UN/ECE Rec 21 package type: not checked (code list not in the repository)
	lintCouponcode            // North American coupon code (coupon.go)
	lintCouponposoffer        // positive offer file coupon (coupon.go)
	numLinters
)

var linterNames = [numLinters]string{
	"", "csum", "csumalpha", "gcppos1", "gcppos2", "yymmd0", "yymmdd", "yyyymmdd", "hhmi", "hh", "mi", "ss",
	"iso3166", "iso3166999", "iso3166alpha2", "iso4217", "iso5218", "pieceoftotal", "nonzero", "zero",
	"nozeroprefix", "hasnondigit", "yesno", "winding", "hyphen", "pcenc", "iban", "latitude", "longitude",
	"mediatype", "importeridx", "posinseqslash", "packagetype", "couponcode", "couponposoffer",
}

// Lookup indexes, by AI as a number and its length.
var (
	aiIndex2 [100]int16
	aiIndex3 [1000]int16
	aiIndex4 [10000]int16
	famLen   [100]uint8 // AI length by first two digits, from the table
	iso3166N [1000]bool
	iso3166A [26 * 26]bool
	iso4217N [1000]bool
)

func init() {
	for i := range aiTable {
		e := &aiTable[i]
		e.numeric = true
		for _, c := range e.comps {
			e.maxLen += c.max
			if !c.opt {
				e.minLen += c.min
			}
			e.numeric = e.numeric && c.cset == 'N'
		}
		for _, l := range e.comps[0].lint {
			e.checkDigit = e.checkDigit || l == lintCsum
			e.date = e.date || l == lintYymmd0
		}
		n := atoi(e.ai)
		switch len(e.ai) {
		case 2:
			aiIndex2[n] = int16(i + 1)
		case 3:
			aiIndex3[n] = int16(i + 1)
		case 4:
			aiIndex4[n] = int16(i + 1)
		}
		if fam := atoi(e.ai[:2]); famLen[fam] == 0 {
			famLen[fam] = uint8(len(e.ai))
		}
	}
	for _, c := range strings.Fields(iso3166Numeric) {
		iso3166N[atoi(c)] = true
	}
	for _, c := range strings.Fields(iso3166Alpha2) {
		iso3166A[int(c[0]-'A')*26+int(c[1]-'A')] = true
	}
	for _, c := range strings.Fields(iso4217Numeric) {
		iso4217N[atoi(c)] = true
	}
}

// entry returns the dictionary entry of ai (2 to 4 digits), nil if unknown.
func entry(ai string) *aiEntry {
	if !allDigits(ai) {
		return nil
	}
	var i int16
	switch len(ai) {
	case 2:
		i = aiIndex2[atoi(ai)]
	case 3:
		i = aiIndex3[atoi(ai)]
	case 4:
		i = aiIndex4[atoi(ai)]
	}
	if i == 0 {
		return nil
	}
	return &aiTable[i-1]
}

// aiLen is the length of the AIs starting with the two digits fam: the
// dictionary's where it has such AIs, else GS1's "AI length by first two
// digits" (for a helpful message about an AI it does not have).
func aiLen(fam int) int {
	if n := famLen[fam]; n != 0 {
		return int(n)
	}
	return aiLength(fam)
}

// matchAI reports whether ai matches the dictionary pattern p, where "n"
// stands for any digit ("310n", "31nn").
func matchAI(p, ai string) bool {
	if len(p) != len(ai) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != ai[i] && p[i] != 'n' {
			return false
		}
	}
	return true
}

// identifies reports whether e is an identification key: a Digital Link
// primary key, or the content, made-to-order and ITIP-content GTINs.
func (e *aiEntry) identifies() bool {
	switch e.ai {
	case "02", "03", "8026":
		return true
	}
	return e.dlkey
}

// name is what the data is, for messages.
func (e *aiEntry) name() string {
	if n, ok := aiNames[e.ai]; ok {
		return n
	}
	if e.title == "" {
		// The dictionary leaves a few titles empty (the coupon AIs 8110
		// and 8112 among them in some releases).
		return "the data of AI " + e.ai
	}
	return strings.ToLower(e.title)
}

var aiNames = map[string]string{
	"00": "SSCC", "01": "GTIN", "02": "GTIN", "03": "GTIN", "10": "lot", "11": "production date",
	"12": "due date", "13": "packaging date", "15": "best before date", "16": "sell by date",
	"17": "expiry date", "20": "variant", "21": "serial number", "30": "count", "37": "count",
	"7003": "expiry date and time", "8006": "ITIP", "8026": "ITIP", "253": "GDTI", "255": "GCN",
	"8003": "GRAI", "8017": "GSRN", "8018": "GSRN", "402": "GSIN",
	"8110": "North American coupon code", "8112": "positive offer file coupon code",
}

// A fault is why data does not fit its AI, without words yet: linting runs
// on the hot path and in the swallowed-separator search, where it must not
// allocate.
type fault struct {
	reason Reason
	at     int    // offset in the data
	comp   int    // component index
	lint   linter // the linter that refused, lintNone for length and character set
	detail string // a constant detail for the message, or ""
}

// check validates v as the data of e, component by component, as the
// dictionary says: each component takes a prefix of its length; optional
// components may be left out once the data is used up.
func (g *gs1Parser) check(e *aiEntry, v string) (fault, bool) {
	rest, at := v, 0
	for ci, c := range e.comps {
		if rest == "" {
			if c.opt {
				break
			}
			return fault{reason: ReasonLength, at: at, comp: ci, detail: "short"}, false
		}
		take := min(c.max, len(rest))
		part := rest[:take]
		if len(part) < c.min {
			return fault{reason: ReasonLength, at: at, comp: ci, detail: "short"}, false
		}
		if i := badChar(c.cset, part); i >= 0 {
			return fault{reason: ReasonCharset, at: at + i, comp: ci}, false
		}
		for _, l := range c.lint {
			if off, ok := g.lint(l, part); !ok {
				r := ReasonValue
				switch l {
				case lintCsum, lintCsumalpha:
					r = ReasonCheckDigit
				case lintYymmd0, lintYymmdd, lintYyyymmdd, lintHhmi, lintHh, lintMi, lintSs:
					r = ReasonDate
				}
				return fault{reason: r, at: at + off, comp: ci, lint: l}, false
			}
		}
		rest, at = rest[take:], at+take
	}
	if rest != "" {
		return fault{reason: ReasonLength, at: at, comp: len(e.comps) - 1, detail: "long"}, false
	}
	return fault{}, true
}

// badChar returns the index of the first character of s outside the
// character set cset, -1 if none.
func badChar(cset byte, s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		var ok bool
		switch cset {
		case 'N':
			ok = isDigit(c)
		case 'X':
			ok = cset82[c]
		case 'Y':
			ok = isDigit(c) || (c >= 'A' && c <= 'Z') || c == '#' || c == '-' || c == '/'
		case 'Z':
			ok = isDigit(c) || isLetter(c) || c == '-' || c == '_' || (c == '=' && cset64Padding(s, i))
		}
		if !ok {
			return i
		}
	}
	return -1
}

// cset64Padding says whether s[i:] is valid padding of the set 64 data s:
// one or two "=" at the end, and as the dictionary's cset64 linter counts
// it, the data with its padding a multiple of 3 characters long.
func cset64Padding(s string, i int) bool {
	pads := len(s) - i
	return strings.Trim(s[i:], "=") == "" && pads <= 2 && len(s)%3 == 0
}

// cset82 marks the characters of the GS1 AI encodable character set 82: the
// printable ASCII characters except space # $ @ [ \ ] ^ ` { | } ~.
var cset82 = func() (t [256]bool) {
	for c := '!'; c <= 'z'; c++ {
		t[c] = true
	}
	for _, c := range "#$@[\\]^`" {
		t[c] = false
	}
	return t
}()

// cset82Order is set 82 in the order the check character pair weighs it.
const cset82Order = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// cset32 is the alphabet of the check character pair.
const cset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

var primes = [...]int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113}

// lint applies one linter to a component's data v (already in its
// character set and length). off is where in v the problem is.
func (g *gs1Parser) lint(l linter, v string) (off int, ok bool) {
	switch l {
	case lintGcppos1, lintGcppos2:
		// The shortest GS1 Company Prefix is 4 digits: the key must start
		// (at its 1st or 2nd character) with that many. Whether the
		// prefix was issued needs GS1's prefix table, which is not here.
		at := 0
		if l == lintGcppos2 {
			at = 1
		}
		for i := at; i < at+4; i++ {
			if i >= len(v) || !isDigit(v[i]) {
				return min(i, len(v)), false
			}
		}
	case lintCsum:
		if !ValidGS1CheckDigit(v) {
			return len(v) - 1, false
		}
		if strings.Trim(v, "0") == "" {
			// Passes the check, but no company prefix: a placeholder
			// printed by a label template, never a real key.
			return 0, false
		}
	case lintCsumalpha:
		if len(v) < 3 {
			return 0, false
		}
		sum, n := 0, len(v)-2
		for i := 0; i < n; i++ {
			k := strings.IndexByte(cset82Order, v[i])
			if k < 0 || n-1-i >= len(primes) {
				return i, false
			}
			sum += k * primes[n-1-i]
		}
		sum %= 1021
		if v[n] != cset32[sum>>5] || v[n+1] != cset32[sum&31] {
			return n, false
		}
	case lintYymmd0, lintYymmdd:
		mm, dd := atoi(v[2:4]), atoi(v[4:6])
		if mm < 1 || mm > 12 {
			return 2, false
		}
		if dd == 0 && l == lintYymmd0 {
			return 0, true
		}
		if g.year == 0 {
			g.year = g.p.now().Year()
		}
		if dd < 1 || dd > daysIn(CenturyYear(atoi(v[0:2]), g.year), mm) {
			return 4, false
		}
	case lintYyyymmdd:
		mm, dd := atoi(v[4:6]), atoi(v[6:8])
		if mm < 1 || mm > 12 {
			return 4, false
		}
		if dd < 1 || dd > daysIn(atoi(v[0:4]), mm) {
			return 6, false
		}
	case lintHhmi:
		if atoi(v[0:2]) > 23 {
			return 0, false
		}
		if atoi(v[2:4]) > 59 {
			return 2, false
		}
	case lintHh:
		return 0, atoi(v) <= 23
	case lintMi, lintSs:
		return 0, atoi(v) <= 59
	case lintIso3166:
		return 0, len(v) == 3 && iso3166N[atoi(v)]
	case lintIso3166999:
		return 0, len(v) == 3 && (v == "999" || iso3166N[atoi(v)])
	case lintIso3166alpha2:
		return 0, len(v) == 2 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z' &&
			iso3166A[int(v[0]-'A')*26+int(v[1]-'A')]
	case lintIso4217:
		return 0, len(v) == 3 && iso4217N[atoi(v)]
	case lintIso5218:
		return 0, v == "0" || v == "1" || v == "2" || v == "9"
	case lintPieceoftotal:
		if len(v)%2 != 0 {
			return 0, false
		}
		piece, total := atoi(v[:len(v)/2]), atoi(v[len(v)/2:])
		if piece == 0 || piece > total {
			return 0, false
		}
	case lintNonzero:
		return 0, strings.Trim(v, "0") != ""
	case lintZero:
		return 0, v == "0"
	case lintNozeroprefix:
		return 0, len(v) == 1 || v[0] != '0'
	case lintHasnondigit:
		return 0, !allDigits(v)
	case lintYesno:
		return 0, v == "0" || v == "1"
	case lintWinding:
		return 0, v == "0" || v == "1" || v == "9"
	case lintHyphen:
		return 0, strings.Trim(v, "-") == ""
	case lintPcenc:
		for i := 0; i < len(v); i++ {
			if v[i] == '%' {
				if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
					return i, false
				}
			}
		}
	case lintIban:
		return ibanOK(v)
	case lintCouponcode:
		return g.couponCode(v)
	case lintCouponposoffer:
		return couponPosOffer(v)
	case lintLatitude:
		return 0, atoi(v) <= 1800000000
	case lintLongitude:
		return 0, atoi(v) <= 3600000000
	case lintMediatype:
		n := atoi(v)
		return 0, (n >= 1 && n <= 10) || (n >= 80 && n <= 99)
	case lintImporteridx:
		c := v[0]
		return 0, len(v) == 1 && (isDigit(c) || isLetter(c) || c == '-' || c == '_')
	case lintPosinseqslash:
		i := strings.IndexByte(v, '/')
		if i <= 0 || i == len(v)-1 || !allDigits(v[:i]) || !allDigits(v[i+1:]) {
			return 0, false
		}
		if v[0] == '0' {
			return 0, false // no zero, and no zero prefix
		}
		if v[i+1] == '0' {
			return i + 1, false
		}
		piece, total := atoi(v[:i]), atoi(v[i+1:])
		return 0, piece >= 1 && piece <= total
	}
	return 0, true
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// ibanOK checks an IBAN: country, two check digits, then letters and
// digits, with ISO 7064 MOD 97-10 giving 1.
func ibanOK(v string) (int, bool) {
	if len(v) < 5 {
		return 0, false
	}
	if v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' || !iso3166A[int(v[0]-'A')*26+int(v[1]-'A')] {
		return 0, false
	}
	if !isDigit(v[2]) || !isDigit(v[3]) {
		return 2, false
	}
	r := 0
	for k := 0; k < len(v); k++ {
		c := v[(k+4)%len(v)]
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		default:
			return (k + 4) % len(v), false
		}
	}
	return 2, r == 1
}
