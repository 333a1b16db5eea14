package scan_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/floorops/floorops/scan"
)

const gsc = "\x1d" // GS, the FNC1 separator as a scanner transmits it

// fixedClock returns a clock stuck at the given date.
func fixedClock(year int, month time.Month, day int) func() time.Time {
	return func() time.Time { return time.Date(year, month, day, 12, 0, 0, 0, time.UTC) }
}

// mustParser builds a parser for cfg, with the clock at 2026-03-15 unless cfg
// sets one.
func mustParser(t testing.TB, cfg scan.Config) *scan.Parser {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedClock(2026, time.March, 15)
	}
	p, err := scan.NewParser(cfg)
	if err != nil {
		t.Fatalf("NewParser: %v", err)
	}
	return p
}

func TestParseGS1(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	tests := []struct {
		name string
		raw  string
		want scan.View
	}{
		{
			// GS1 General Specifications, the GTIN + expiry + lot example.
			name: "human-readable spec example",
			raw:  "(01)09506000134352(17)141120(10)AB-123",
			want: scan.View{Kind: "gs1", GTIN: "09506000134352", Expiry: "2014-11-20", Lot: "AB-123",
				AIs: map[string]string{"01": "09506000134352", "17": "141120", "10": "AB-123"}},
		},
		{
			name: "GS1-128 as scanned",
			raw:  "]C1010950600013435217141120" + "10AB-123",
			want: scan.View{Kind: "gs1", Symbology: "]C1", GTIN: "09506000134352", Expiry: "2014-11-20", Lot: "AB-123",
				AIs: map[string]string{"01": "09506000134352", "17": "141120", "10": "AB-123"}},
		},
		{
			name: "variable field ended by GS",
			raw:  "]C1010950600013435210ABC123" + gsc + "17261231",
			want: scan.View{Kind: "gs1", Symbology: "]C1", GTIN: "09506000134352", Expiry: "2026-12-31", Lot: "ABC123",
				AIs: map[string]string{"01": "09506000134352", "17": "261231", "10": "ABC123"}},
		},
		{
			name: "DataMatrix with serial, weight and trailing GS",
			raw:  "]d20109506000134352" + "21SER-9" + gsc + "3103001234" + "11250101" + gsc,
			want: scan.View{Kind: "gs1", Symbology: "]d2", GTIN: "09506000134352", Serial: "SER-9", NetWeightKg: new(1.234),
				ProductionDate: "2025-01-01",
				AIs:            map[string]string{"01": "09506000134352", "21": "SER-9", "3103": "001234", "11": "250101"}},
		},
		{
			name: "QR with best before and packaging date",
			raw:  "]Q30109506000134352" + "15261000" + "13260301",
			want: scan.View{Kind: "gs1", Symbology: "]Q3", GTIN: "09506000134352", BestBefore: "2026-10-31", PackagingDate: "2026-03-01",
				AIs: map[string]string{"01": "09506000134352", "15": "261000", "13": "260301"}},
		},
		{
			name: "DataBar",
			raw:  "]e00109506000134352",
			want: scan.View{Kind: "gs1", Symbology: "]e0", GTIN: "09506000134352",
				AIs: map[string]string{"01": "09506000134352"}},
		},
		{
			name: "SSCC only is an SSCC",
			raw:  "]C100106141411234567897",
			want: scan.View{Kind: "sscc", Symbology: "]C1", SSCC: "106141411234567897",
				AIs: map[string]string{"00": "106141411234567897"}},
		},
		{
			name: "pallet label: SSCC, content GTIN, count, customer PO",
			raw:  "]C100106141411234567897" + "0209506000134352" + "3712" + gsc + "400PO-4711",
			want: scan.View{Kind: "gs1", Symbology: "]C1", SSCC: "106141411234567897", GTIN: "09506000134352", Count: new(12),
				AIs: map[string]string{"00": "106141411234567897", "02": "09506000134352", "37": "12", "400": "PO-4711"}},
		},
		{
			// AI 01 and AI 02 may not appear together (ex=01,03), so AI 02
			// is a pallet's content GTIN, counted by AI 37.
			name: "AI 02 gives the content GTIN of a pallet",
			raw:  "]C1" + "00106141411234567897" + "0209506000134352" + "370",
			want: scan.View{Kind: "gs1", Symbology: "]C1", SSCC: "106141411234567897", GTIN: "09506000134352", Count: new(0),
				AIs: map[string]string{"00": "106141411234567897", "02": "09506000134352", "37": "0"}},
		},
		{
			name: "net weight without decimals",
			raw:  "]C10109506000134352" + "3100000250",
			want: scan.View{Kind: "gs1", Symbology: "]C1", GTIN: "09506000134352", NetWeightKg: new(250.0),
				AIs: map[string]string{"01": "09506000134352", "3100": "000250"}},
		},
		{
			name: "net weight five decimals",
			raw:  "]C13105012345",
			want: scan.View{Kind: "gs1", Symbology: "]C1", NetWeightKg: new(0.12345), AIs: map[string]string{"3105": "012345"}},
		},
		{
			name: "leading separator, no identifier",
			raw:  gsc + "0109506000134352" + "10LOT1",
			want: scan.View{Kind: "gs1", GTIN: "09506000134352", Lot: "LOT1",
				AIs: map[string]string{"01": "09506000134352", "10": "LOT1"}},
		},
		{
			name: "separator after a fixed-length field is tolerated",
			raw:  "]C10109506000134352" + gsc + gsc + "17261231",
			want: scan.View{Kind: "gs1", Symbology: "]C1", GTIN: "09506000134352", Expiry: "2026-12-31",
				AIs: map[string]string{"01": "09506000134352", "17": "261231"}},
		},
		{
			name: "no identifier, GS dropped before the last field",
			raw:  "01095060001343521726123110ABC123",
			want: scan.View{Kind: "gs1", GTIN: "09506000134352", Expiry: "2026-12-31", Lot: "ABC123",
				AIs: map[string]string{"01": "09506000134352", "17": "261231", "10": "ABC123"}},
		},
		{
			name: "no identifier, AI 00 alone",
			raw:  "00106141411234567897",
			want: scan.View{Kind: "sscc", SSCC: "106141411234567897", AIs: map[string]string{"00": "106141411234567897"}},
		},
		{
			name: "human-readable with spaces",
			raw:  "(01) 09506000134352 (17) 261231 (10) ABC123",
			want: scan.View{Kind: "gs1", GTIN: "09506000134352", Expiry: "2026-12-31", Lot: "ABC123",
				AIs: map[string]string{"01": "09506000134352", "17": "261231", "10": "ABC123"}},
		},
		{
			name: "human-readable value with a parenthesis",
			raw:  "(10)A\\(B)C(21)7",
			want: scan.View{Kind: "gs1", Lot: "A(B)C", Serial: "7", AIs: map[string]string{"10": "A(B)C", "21": "7"}},
		},
		{
			name: "human-readable SSCC",
			raw:  "(00)106141411234567897",
			want: scan.View{Kind: "sscc", SSCC: "106141411234567897", AIs: map[string]string{"00": "106141411234567897"}},
		},
		{
			name: "other AIs: GLNs, references, prices, country",
			raw: "]C1" + "0109506000134352" + "4109501101020917" + "4149501101020917" + "2401234" + gsc + "241CPN" + gsc + "305" + gsc + "21S1" + gsc + "250S2" + gsc +
				"251REF" + gsc + "3922123" + gsc + "42012345" + gsc + "422276" + gsc + "8005000120" + gsc + "7003261231235" + "9",
			// 7003 (expiry date and time) gives the expiry when 17 is absent.
			want: scan.View{Kind: "gs1", Symbology: "]C1", GTIN: "09506000134352", Serial: "S1", Count: new(5), Expiry: "2026-12-31", AIs: map[string]string{
				"01": "09506000134352", "30": "5", "21": "S1", "410": "9501101020917", "414": "9501101020917", "240": "1234", "241": "CPN", "250": "S2",
				"251": "REF", "3922": "123", "420": "12345", "422": "276", "8005": "000120", "7003": "2612312359",
			}},
		},
		{
			name: "repeated element with the same data",
			raw:  "]C110A" + gsc + "10A",
			want: scan.View{Kind: "gs1", Symbology: "]C1", Lot: "A", AIs: map[string]string{"10": "A"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := p.Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			tt.want.Raw = tt.raw
			if diff := cmp.Diff(tt.want, s.View()); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

func TestParseGS1Elements(t *testing.T) {
	t.Parallel()
	raw := "]C1010950600013435217261231" + gsc + "10ABC123"
	s, err := scan.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []scan.Element{{AI: "01", Value: "09506000134352"}, {AI: "17", Value: "261231"}, {AI: "10", Value: "ABC123"}}
	if diff := cmp.Diff(want, s.Elements()); diff != "" {
		t.Errorf("Elements() mismatch (-want +got):\n%s", diff)
	}
	if v, ok := s.AI("10"); !ok || v != "ABC123" {
		t.Errorf(`AI("10") = %q, %v; want "ABC123", true`, v, ok)
	}
	if _, ok := s.AI("21"); ok {
		t.Error(`AI("21") found on a label without a serial`)
	}
	if got := s.Expiry.Time(); !got.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Expiry.Time() = %v", got)
	}
}

func TestCenturyAndDayZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		now  int // year of the clock
		date string
		want string
	}{
		{"this year", 2026, "260315", "2026-03-15"},
		{"50 years ahead stays in this century", 2026, "760101", "2076-01-01"},
		{"51 years ahead is the previous century", 2026, "770101", "1977-01-01"},
		{"49 years back stays in this century", 2049, "000101", "2000-01-01"},
		{"50 years back is the next century", 2060, "100101", "2110-01-01"},
		{"end of century, next century", 2099, "010101", "2101-01-01"},
		{"start of century, previous century", 2001, "990101", "1999-01-01"},
		{"start of century, 50 ahead", 2001, "510101", "2051-01-01"},
		{"start of century, 51 ahead", 2001, "520101", "1952-01-01"},
		{"day 00 is the last day: 30-day month", 2026, "261100", "2026-11-30"},
		{"day 00 is the last day: February", 2026, "260200", "2026-02-28"},
		{"day 00 is the last day: leap February", 2026, "280200", "2028-02-29"},
		{"day 00 is the last day: 2000 is leap", 2026, "000200", "2000-02-29"},
		{"day 00 is the last day: 2100 is not leap", 2080, "000200", "2100-02-28"},
		{"day 00 is the last day: December", 2026, "261200", "2026-12-31"},
		{"leap day", 2026, "280229", "2028-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustParser(t, scan.Config{Now: fixedClock(tt.now, time.June, 1)})
			s, err := p.Parse("]C117" + tt.date)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := s.Expiry.String(); got != tt.want {
				t.Errorf("expiry %s read in %d = %s, want %s", tt.date, tt.now, got, tt.want)
			}
		})
	}
}

func TestFNC1Standin(t *testing.T) {
	t.Parallel()
	for _, c := range []byte{'~', '|', '^', '#', 0x1e} {
		p := mustParser(t, scan.Config{FNC1Standin: c})
		sep := string(rune(c))
		raw := "0109506000134352" + "10LOT-7" + sep + "17261231" + sep
		s, err := p.Parse(raw)
		if err != nil {
			t.Fatalf("stand-in %q: Parse(%q): %v", c, raw, err)
		}
		if s.Kind != scan.KindGS1 || s.Lot != "LOT-7" || s.Expiry.String() != "2026-12-31" {
			t.Errorf("stand-in %q: got %+v", c, s.View())
		}
		// GS still separates.
		if s, err := p.Parse("]C110L1" + gsc + "21S1"); err != nil || s.Lot != "L1" || s.Serial != "S1" {
			t.Errorf("stand-in %q: GS no longer separates: %+v, %v", c, s.View(), err)
		}
	}
	// Without a stand-in configured, "~" is just a bad character.
	_, err := scan.Parse("]C110LOT-7~17261231")
	assertError(t, err, scan.ReasonCharset, "10")
}

func TestNewParserRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  scan.Config
	}{
		{"bad location regexp", scan.Config{LocationPattern: "["}},
		{"bad badge regexp", scan.Config{BadgePattern: "(?<"}},
		{"letter stand-in", scan.Config{FNC1Standin: 'X'}},
		{"digit stand-in", scan.Config{FNC1Standin: '1'}},
		{"dash stand-in", scan.Config{FNC1Standin: '-'}},
		{"tab stand-in (trimmed away)", scan.Config{FNC1Standin: '\t'}},
		{"non-ASCII stand-in", scan.Config{FNC1Standin: 0xe9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := scan.NewParser(tt.cfg); err == nil {
				t.Error("NewParser succeeded, want an error")
			}
		})
	}
}

// assertError checks that err is a *scan.Error of the given reason and AI
// that also matches ErrInvalid.
func assertError(t *testing.T, err error, reason scan.Reason, ai string) {
	t.Helper()
	var se *scan.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *scan.Error", err, err)
	}
	if se.Reason != reason || se.AI != ai {
		t.Errorf("error %q: reason %v AI %q, want reason %v AI %q", err, se.Reason, se.AI, reason, ai)
	}
	if !errors.Is(err, scan.ErrInvalid) {
		t.Errorf("error %q does not match ErrInvalid", err)
	}
	if err.Error() == "" {
		t.Error("empty error message")
	}
}

func TestParseGS1Errors(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	// Seventeen distinct alphanumeric AIs, one too many for a scan.
	var many []string
	for _, ai := range []string{"10", "21", "22", "240", "241", "250", "251", "400", "420", "403", "90", "91", "92", "93", "94", "95", "96"} {
		many = append(many, ai+"X")
	}
	tests := []struct {
		name   string
		raw    string
		reason scan.Reason
		ai     string
	}{
		{"SSCC check digit", "]C100106141411234567898", scan.ReasonCheckDigit, "00"},
		{"GTIN check digit", "]C10109506000134353", scan.ReasonCheckDigit, "01"},
		{"content GTIN check digit", "]C10209506000134351", scan.ReasonCheckDigit, "02"},
		{"ship-to GLN check digit", "]C14109501101020910", scan.ReasonCheckDigit, "410"},
		{"bill-to GLN check digit", "]C14119501101020911", scan.ReasonCheckDigit, "411"},
		{"purchased-from GLN check digit", "]C14129501101020912", scan.ReasonCheckDigit, "412"},
		{"ship-for GLN check digit", "]C14139501101020913", scan.ReasonCheckDigit, "413"},
		{"location GLN check digit", "]C14149501101020914", scan.ReasonCheckDigit, "414"},
		{"GTIN check digit, human-readable", "(01)09506000134351", scan.ReasonCheckDigit, "01"},
		{"GTIN check digit, no identifier", "0109506000134353" + "10A", scan.ReasonCheckDigit, "01"},
		{"month 13", "]C11726133" + "1", scan.ReasonDate, "17"},
		{"month 00", "]C115260015", scan.ReasonDate, "15"},
		{"April 31", "]C111260431", scan.ReasonDate, "11"},
		{"February 29 in a common year", "]C117270229", scan.ReasonDate, "17"},
		{"February 30 in a leap year", "]C113280230", scan.ReasonDate, "13"},
		{"lot too long", "]C110" + strings.Repeat("A", 21), scan.ReasonLength, "10"},
		{"serial too long: GS dropped", "]C121" + strings.Repeat("7", 12) + "10" + strings.Repeat("L", 8), scan.ReasonLength, "21"},
		{"count too long", "]C137123456789", scan.ReasonLength, "37"},
		{"no data after AI at the end", "]C10109506000134352" + "10", scan.ReasonLength, "10"},
		{"no data after AI before GS", "]C110" + gsc + "21X", scan.ReasonLength, "10"},
		{"no data after AI, human-readable", "(10)(21)X", scan.ReasonLength, "10"},
		{"truncated GTIN", "]C1010950600013", scan.ReasonLength, "01"},
		{"truncated date before GS", "]C1172612" + gsc + "10A", scan.ReasonLength, "17"},
		{"fixed field too long, human-readable", "(17)2612311", scan.ReasonLength, "17"},
		{"separator-ended fixed field wrong length", "]C14222760", scan.ReasonLength, "422"},
		{"unknown AI 05", "]C105123", scan.ReasonUnknownAI, "05"},
		{"unknown AI after a good one", "]C10109506000134352" + "2712", scan.ReasonUnknownAI, "27"},
		{"310n with n = 6", "]C10109506000134352" + "3106001234", scan.ReasonUnknownAI, "3106"},
		{"317n does not exist", "]C13170001234", scan.ReasonUnknownAI, "3170"},
		{"unknown AI, human-readable", "(05)123", scan.ReasonUnknownAI, "05"},
		{"AI too long, human-readable", "(0110)123", scan.ReasonUnknownAI, "0110"},
		{"incomplete AI at the end", "]C10109506000134352" + "3", scan.ReasonUnknownAI, "3"},
		{"incomplete 4-digit AI", "]C1310", scan.ReasonUnknownAI, "310"},
		{"letters where an AI belongs", "]C1AB", scan.ReasonUnknownAI, ""},
		{"letter in GTIN", "]C1010950600013435A", scan.ReasonCharset, "01"},
		{"space in lot", "]C110AB CD", scan.ReasonCharset, "10"},
		{"hash in lot", "]C110AB#CD", scan.ReasonCharset, "10"},
		{"letter in count", "]C130A", scan.ReasonCharset, "30"},
		{"letter in postal code country", "]C1421AB1234", scan.ReasonCharset, "421"},
		{"conflicting lots", "]C110A" + gsc + "10B", scan.ReasonConflict, "10"},
		{"too many elements", "]C1" + strings.Join(many, gsc), scan.ReasonLength, "96"},
		{"unclosed parenthesis", "(01", scan.ReasonSyntax, ""},
		{"text before parenthesis", "(01)09506000134352 X(10)A", scan.ReasonLength, "01"},
		{"junk between elements", "(10)A" + gsc + "X", scan.ReasonSyntax, ""},
		{"only separators after identifier", "]C1" + gsc + gsc, scan.ReasonEmpty, ""},
		{"identifier only", "]d2", scan.ReasonEmpty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := p.Parse(tt.raw)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.raw, s.View())
			}
			assertError(t, err, tt.reason, tt.ai)
			if s.Kind != scan.KindUnknown || len(s.Elements()) != 0 {
				t.Errorf("Parse(%q) failed but returned a classified scan %+v", tt.raw, s.View())
			}
		})
	}
}

func TestGS1CheckDigit(t *testing.T) {
	t.Parallel()
	for _, valid := range []string{"09506000134352", "106141411234567897", "9501101020917", "4006381333931", "12345670", "036000291452"} {
		if !scan.ValidGS1CheckDigit(valid) {
			t.Errorf("ValidGS1CheckDigit(%q) = false", valid)
		}
		d, ok := scan.GS1CheckDigit(valid[:len(valid)-1])
		if !ok || d != valid[len(valid)-1] {
			t.Errorf("GS1CheckDigit(%q) = %c, %v", valid[:len(valid)-1], d, ok)
		}
	}
	for _, invalid := range []string{"09506000134353", "", "1", "0950600013435A", "A9506000134352"} {
		if scan.ValidGS1CheckDigit(invalid) {
			t.Errorf("ValidGS1CheckDigit(%q) = true", invalid)
		}
	}
	if _, ok := scan.GS1CheckDigit("12a"); ok {
		t.Error(`GS1CheckDigit("12a") ok`)
	}
}

func TestNormalizeGTIN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		reason   scan.Reason
	}{
		{in: "12345670", want: "00000012345670"},
		{in: "036000291452", want: "00036000291452"},
		{in: "4006381333931", want: "04006381333931"},
		{in: "09506000134352", want: "09506000134352"},
		{in: "4006381333932", reason: scan.ReasonCheckDigit},
		{in: "400638133393", reason: scan.ReasonCheckDigit},
		{in: "40063813339", reason: scan.ReasonLength},
		{in: "", reason: scan.ReasonLength},
		{in: "4006381A33931", reason: scan.ReasonCharset},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := scan.NormalizeGTIN(tt.in)
			if tt.reason != 0 {
				assertError(t, err, tt.reason, "")
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NormalizeGTIN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCenturyYear(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ yy, now, want int }{
		{26, 2026, 2026}, {76, 2026, 2076}, {77, 2026, 1977}, {0, 2099, 2100}, {49, 2099, 2149}, {50, 2099, 2050}, {99, 2000, 1999}, {50, 2000, 2050},
	} {
		if got := scan.CenturyYear(tt.yy, tt.now); got != tt.want {
			t.Errorf("CenturyYear(%d, %d) = %d, want %d", tt.yy, tt.now, got, tt.want)
		}
	}
}
