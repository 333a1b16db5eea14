package scan_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops/scan"
)

// FuzzParse checks that Parse never panics, that a success is always
// classified, that GS1 elements are never empty and are cut from the raw
// scan (less the spaces of digit groups), that parsing is deterministic and idempotent on the trimmed input,
// and that the default code matchers agree with the documented regexps.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"]C1010950600013435217261231" + gsc + "10ABC123",
		"(01)09506000134352(17)141120(10)AB-123",
		"]C100106141411234567897",
		"]C100106141411234567897" + "0209506000134352" + "3712" + gsc + "400PO-4711",
		"]d20109506000134352" + "21SER-9" + gsc + "3103001234" + "11250101" + gsc,
		"]Q30109506000134352" + "15261000" + "13260301",
		"]e00109506000134352",
		"0109506000134352" + "10LOT-7~17261231~",
		"01095060001343521726123110ABC123",
		"(01) 09506000134352 (17) 261200 (10) ABC123",
		"(10)A(B)C(21)7",
		"]C1" + "4109501101020917" + "2401234" + gsc + "3922123" + gsc + "422276" + gsc + "8005000120",
		"]C13106001234", "]C1310", "(0110)1", "(01", "]C1" + gsc,
		"(8110)012345612345611110123" + "3261231" + "4260101" + "90000", "]C18112001234561234560123456", "(253)1234567890128(8030)ABC=",
		"4006381333931", "12345670", "036000291452", "106141411234567897", "]E04006381333931",
		"A-01-02-B\r\n", "a-01-02-b", "B-01-02-A", "DOCK-01", "B-ADMIN", "b-lead", "PO-1001", "po1001",
		"SO-5001", "ORD-77", "RMA-5", "LPN-000123", "47", "", " ", "]", "]E0", "Å-01", "123",
		"17261331", "]C110" + strings.Repeat("A", 21),
		// What devices send (see TestParseDevices).
		"]E004252614", "]E3400638133393105", "]E34006381333931 12", "]E04006381333931]E212345", "]E112",
		"]e009506000134352", "]I30950600013435", "]c10109506000134352", "]D20109506000134352",
		"]d2" + gsc + "010950600013435210AB" + gsc + "\r\n", "0109506000134352" + "10ABC^]17261231",
		"]C1010950600013435210ABC<GS>17261231", "0109506000134352{fnc1}10A\u241d21B",
		"010500045611225310COV010917220901", "]C1101230109506000134352", "]C110ABC1726123121SER",
		"(00) 1 0614141 123456789 7", "4 006381 333931", "4006381333931\x00\x00", "\x00A-01-02-B\t",
		"UPC-E:04252614", "EAN-13:0036000291452", "CODE-128:0109506000134352", "QR-Code:a-01-02-b", "EAN-5:12345",
	} {
		f.Add(seed)
	}
	p, err := scan.NewParser(scan.Config{FNC1Standin: '~', Now: fixedClock(2026, time.March, 15)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := p.Parse(raw)
		again, err2 := p.Parse(raw)
		if s != again || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("Parse(%q) is not deterministic: %+v, %v then %+v, %v", raw, s.View(), err, again.View(), err2)
		}
		if s.Raw != trimRaw(raw) {
			t.Fatalf("Parse(%q).Raw = %q, want the trimmed input", raw, s.Raw)
		}
		if trimmed, terr := p.Parse(s.Raw); trimmed != s || (terr == nil) != (err == nil) {
			t.Fatalf("Parse(%q) and Parse of its trimmed form %q differ", raw, s.Raw)
		}
		if err != nil {
			var se *scan.Error
			if !errors.As(err, &se) || !errors.Is(err, scan.ErrInvalid) || se.Reason == 0 {
				t.Fatalf("Parse(%q) error %v is not a classified *scan.Error", raw, err)
			}
			if se.Pos < 0 || se.Pos > len(s.Raw) {
				t.Fatalf("Parse(%q) error position %d outside the raw scan", raw, se.Pos)
			}
			if s.Kind != scan.KindUnknown {
				t.Fatalf("Parse(%q) failed with Kind %v", raw, s.Kind)
			}
		} else if s.Kind == scan.KindUnknown {
			t.Fatalf("Parse(%q) succeeded with KindUnknown", raw)
		}
		for _, e := range s.Elements() {
			if e.AI == "" || e.Value == "" {
				t.Fatalf("Parse(%q) has an empty element %+v", raw, e)
			}
			// A numeric value of the human-readable form loses the spaces
			// of its digit groups.
			if !strings.Contains(s.Raw, e.AI) || !strings.Contains(strings.ReplaceAll(s.Raw, " ", ""), e.Value) {
				t.Fatalf("Parse(%q) element %+v is not from the raw scan", raw, e)
			}
		}
		if s.Kind == scan.KindGS1 && len(s.Elements()) == 0 {
			t.Fatalf("Parse(%q) is GS1 without elements", raw)
		}
		if s.Kind == scan.KindGTIN && (len(s.GTIN) != 14 || !scan.ValidGS1CheckDigit(s.GTIN)) {
			t.Fatalf("Parse(%q) GTIN %q is not 14 digits with a valid check digit", raw, s.GTIN)
		}
		_ = s.View()
		checkAgainstRegexps(t, raw)
	})
}
