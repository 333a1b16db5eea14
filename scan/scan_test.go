package scan_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/floorops/floorops/scan"
)

func TestParseCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want scan.View // Raw is filled in from the trimmed input
	}{
		{"GTIN-8", "12345670", scan.View{Kind: "gtin", GTIN: "00000012345670"}},
		{"GTIN-12 UPC-A", "036000291452", scan.View{Kind: "gtin", GTIN: "00036000291452"}},
		{"GTIN-13 EAN", "4006381333931", scan.View{Kind: "gtin", GTIN: "04006381333931"}},
		{"GTIN-14 case", "09506000134352", scan.View{Kind: "gtin", GTIN: "09506000134352"}},
		{"EAN-13 identifier", "]E04006381333931", scan.View{Kind: "gtin", Symbology: "]E0", GTIN: "04006381333931"}},
		{"EAN-8 identifier", "]E412345670", scan.View{Kind: "gtin", Symbology: "]E4", GTIN: "00000012345670"}},
		{"plain SSCC", "106141411234567897", scan.View{Kind: "sscc", SSCC: "106141411234567897"}},
		{"location", "A-01-02-B", scan.View{Kind: "location", Code: "A-01-02-B"}},
		{"location lower case", "a-01-02-b", scan.View{Kind: "location", Code: "A-01-02-B"}},
		{"location with Enter", "A-01-02-B\r\n", scan.View{Kind: "location", Code: "A-01-02-B"}},
		{"location with spaces and LF", "  a-01-02-b \n", scan.View{Kind: "location", Code: "A-01-02-B"}},
		{"location starting with B", "B-01-02-A", scan.View{Kind: "location", Code: "B-01-02-A"}},
		{"dock door", "DOCK-01", scan.View{Kind: "location", Code: "DOCK-01"}},
		{"staging", "STG-01", scan.View{Kind: "location", Code: "STG-01"}},
		{"ship lane", "SHIP-01", scan.View{Kind: "location", Code: "SHIP-01"}},
		{"returns area", "RET-01", scan.View{Kind: "location", Code: "RET-01"}},
		{"location, deepest", "ZONE12-1234-AB12-C-9", scan.View{Kind: "location", Code: "ZONE12-1234-AB12-C-9"}},
		{"location from Code 128", "]C0A-01-02-B", scan.View{Kind: "location", Symbology: "]C0", Code: "A-01-02-B"}},
		{"location from QR", "]Q1a-01-02-b", scan.View{Kind: "location", Symbology: "]Q1", Code: "A-01-02-B"}},
		{"check code", "47", scan.View{Kind: "check_code", Code: "47"}},
		{"check code typed with Enter", "07\r", scan.View{Kind: "check_code", Code: "07"}},
		{"badge admin", "B-ADMIN", scan.View{Kind: "badge", Code: "B-ADMIN"}},
		{"badge lower case", "b-lead", scan.View{Kind: "badge", Code: "B-LEAD"}},
		{"badge with digits", "B-ASSOC42", scan.View{Kind: "badge", Code: "B-ASSOC42"}},
		{"PO", "PO-1001", scan.View{Kind: "po", Code: "PO-1001"}},
		{"PO without dash", "po1001", scan.View{Kind: "po", Code: "PO1001"}},
		{"PO from DataMatrix", "]d1PO-2026-0001", scan.View{Kind: "po", Symbology: "]d1", Code: "PO-2026-0001"}},
		{"sales order", "SO-5001", scan.View{Kind: "order", Code: "SO-5001"}},
		{"order ORD", "ord-77", scan.View{Kind: "order", Code: "ORD-77"}},
		{"RMA", "RMA-5", scan.View{Kind: "rma", Code: "RMA-5"}},
		{"RMA from Code 39", "]A0RMA-2026-9", scan.View{Kind: "rma", Symbology: "]A0", Code: "RMA-2026-9"}},
		{"LPN", "LPN-000123", scan.View{Kind: "lpn", Code: "LPN-000123"}},
		{"LPN lower, no dash", "lpn0001", scan.View{Kind: "lpn", Code: "LPN0001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := scan.Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			tt.want.Raw = strings.TrimSpace(tt.raw)
			if diff := cmp.Diff(tt.want, s.View()); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    string
		reason scan.Reason
	}{
		{"empty", "", scan.ReasonEmpty},
		{"only Enter", "\r\n", scan.ReasonEmpty},
		{"only spaces", "   ", scan.ReasonEmpty},
		{"EAN identifier only", "]E0", scan.ReasonEmpty},
		{"GTIN-13 check digit", "4006381333932", scan.ReasonCheckDigit},
		{"GTIN-8 check digit", "12345671", scan.ReasonCheckDigit},
		{"SSCC check digit", "106141411234567898", scan.ReasonCheckDigit},
		{"EAN-13 check digit with identifier", "]E04006381333930", scan.ReasonCheckDigit},
		{"random word", "HELLO", scan.ReasonUnrecognised},
		{"underscore location", "A_01_02", scan.ReasonUnrecognised},
		{"location aisle not numeric", "A-AB-01", scan.ReasonUnrecognised},
		{"location too many parts", "A-01-02-03-04-05", scan.ReasonUnrecognised},
		{"non-ASCII", "Å-01-02", scan.ReasonUnrecognised},
		{"badge without name", "B-", scan.ReasonUnrecognised},
		{"PO without number", "PO-", scan.ReasonUnrecognised},
		{"three digits", "123", scan.ReasonUnrecognised},
		{"not AIM, just a bracket", "]", scan.ReasonUnrecognised},
		{"unknown AI family without identifier", "0512345", scan.ReasonUnrecognised},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := scan.Parse(tt.raw)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.raw, s.View())
			}
			assertError(t, err, tt.reason, "")
			if s.Raw != strings.TrimSpace(tt.raw) {
				t.Errorf("Raw = %q on error, want the trimmed input", s.Raw)
			}
		})
	}
}

func TestCustomPatterns(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{
		BadgePattern:    `^[0-9]{6}$`,            // numeric badges
		LocationPattern: `^[A-Z]{2}[0-9]{4}$`,    // AB1234
		LPNPattern:      `^(TOTE|PAL)[0-9]{5}$`,  // totes and pallets
		OrderPattern:    `[0-9]{3}-[0-9]{3}`,     // unanchored
		RMAPattern:      `^R[0-9]+$|^RET[0-9]+$`, // alternatives
	})
	tests := []struct {
		raw  string
		kind scan.Kind
	}{
		{"123456", scan.KindBadge},
		{"ab1234", scan.KindLocation},
		{"TOTE00001", scan.KindLPN},
		{"X123-456Y", scan.KindOrder},
		{"R55", scan.KindRMA},
		{"ret7", scan.KindRMA},
		{"PO-1", scan.KindPO}, // default PO pattern still applies
		{"47", scan.KindCheckCode},
		{"4006381333931", scan.KindGTIN},
	}
	for _, tt := range tests {
		s, err := p.Parse(tt.raw)
		if err != nil || s.Kind != tt.kind {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.raw, s.Kind, err, tt.kind)
		}
	}
	if _, err := p.Parse("A-01-02-B"); err == nil {
		t.Error("default location format still accepted after replacing it")
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	want := []string{"unknown", "gs1", "gtin", "sscc", "location", "check_code", "lpn", "po", "order", "rma", "badge"}
	for k, w := range want {
		if got := scan.Kind(k).String(); got != w {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, w)
		}
	}
	if got := scan.Kind(99).String(); got != "kind(99)" {
		t.Errorf("Kind(99).String() = %q", got)
	}
	if got := scan.ReasonCheckDigit.String(); got != "check_digit" {
		t.Errorf("ReasonCheckDigit.String() = %q", got)
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	var zero scan.Date
	if !zero.IsZero() || zero.String() != "" || !zero.Time().IsZero() {
		t.Errorf("zero Date: IsZero %v String %q Time %v", zero.IsZero(), zero.String(), zero.Time())
	}
	d := scan.Date{Year: 2026, Month: 2, Day: 3}
	if d.IsZero() || d.String() != "2026-02-03" || d.Time().Format("2006-01-02") != "2026-02-03" {
		t.Errorf("Date %+v: String %q Time %v", d, d.String(), d.Time())
	}
}

// defaultPatterns pairs each default code format with its kind, in match order.
var defaultPatterns = func() []*regexp.Regexp {
	c := scan.DefaultConfig()
	var res []*regexp.Regexp
	for _, p := range []string{c.BadgePattern, c.POPattern, c.OrderPattern, c.RMAPattern, c.LPNPattern, c.LocationPattern} {
		res = append(res, regexp.MustCompile(p))
	}
	return res
}()

var defaultKinds = []scan.Kind{scan.KindBadge, scan.KindPO, scan.KindOrder, scan.KindRMA, scan.KindLPN, scan.KindLocation}

// checkAgainstRegexps fails when the parser's classification of code differs
// from what the default regexps say, applied in order to the upper-cased
// code (the specification of the node's code formats, which are ASCII).
func checkAgainstRegexps(t *testing.T, code string) {
	t.Helper()
	s, err := scan.Parse(code)
	body := trimRaw(code)
	if id := s.Symbology; id != "" {
		switch strings.ToLower(id) {
		case "]c1", "]d2", "]d5", "]q3", "]q4", "]j1":
			return // GS1 data, never a node code
		}
		if id == "]e0" {
			return
		}
		body = body[len(id):]
	} else if i := strings.IndexByte(body, ':'); i > 0 && zbarNames[body[:i]] {
		body = body[i+1:] // zbarimg's symbology name
	}
	want := scan.KindUnknown
	up := strings.ToUpper(body)
	for i, re := range defaultPatterns {
		if re.MatchString(up) && isASCII(body) {
			want = defaultKinds[i]
			break
		}
	}
	got := scan.KindUnknown
	if err == nil {
		switch s.Kind {
		case scan.KindBadge, scan.KindPO, scan.KindOrder, scan.KindRMA, scan.KindLPN, scan.KindLocation:
			got = s.Kind
		}
	}
	if got != want {
		t.Errorf("Parse(%q) = %v, %v; the default patterns say %v", code, s.Kind, err, want)
	}
}

// zbarNames are the symbology names zbarimg prints before the data.
var zbarNames = map[string]bool{
	"EAN-13": true, "UPC-A": true, "ISBN-13": true, "UPC-E": true, "EAN-8": true, "EAN-2": true, "EAN-5": true,
	"I2/5": true, "CODE-128": true, "CODE-39": true, "CODE-93": true, "CODABAR": true, "DataBar": true,
	"DataBar-Exp": true, "QR-Code": true, "PDF417": true, "COMPOSITE": true, "SQ-CODE": true, "ISBN-10": true,
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestDefaultPatternsMatchRegexps checks the hand-written matchers against
// the documented regexps on generated codes.
func TestDefaultPatternsMatchRegexps(t *testing.T) {
	t.Parallel()
	pieces := []string{"A", "B", "Z", "P", "O", "S", "R", "D", "M", "L", "N", "0", "1", "9", "-", "-", "PO", "SO", "ORD", "RMA", "LPN", "B-", "12", "123", "1234"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b strings.Builder
		for n := rng.IntN(8); n >= 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		code := b.String()
		if rng.IntN(4) == 0 {
			code = strings.ToLower(code)
		}
		checkAgainstRegexps(t, code)
	}
}

func TestParseAllocations(t *testing.T) {
	// Not parallel: AllocsPerRun measures the whole process.
	for _, raw := range []string{
		"]C1010950600013435217261231" + gsc + "10ABC123",
		"]C1" + "0109506000134352" + "17261231" + "10ABC1234567", // no GS: checked for a swallowed element
		"]d2" + gsc + "0109506000134352" + "10ABC123" + "^]" + "17261231\r\n",
		"(01)09506000134352(17)261231(10)ABC123",
		"A-01-02-B\x00\r\n",
		"A-01-02-B",
		"LPN-000123",
		"106141411234567897",
	} {
		if n := testing.AllocsPerRun(100, func() { _, _ = scan.Parse(raw) }); n != 0 {
			t.Errorf("Parse(%q) allocates %v times, want 0", raw, n)
		}
	}
	// Padding a GTIN-13 to 14 digits, or expanding a UPC-E, makes the one
	// new string.
	for _, raw := range []string{"4006381333931", "4006381333931\x00\r\n", "]E004252614", "UPC-E:04252614"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = scan.Parse(raw) }); n > 1 {
			t.Errorf("Parse(%q) allocates %v times, want at most 1", raw, n)
		}
	}
}
