package scan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/floorops/floorops/scan"
)

// TestTrailingFieldReadsAsAI: with a symbology identifier and no
// separator, a last lot or serial whose data ends in what reads as further
// elements is read as encoded, as GS1's reference does, with a warning;
// Config.GSMayBeDropped refuses it as a dropped GS (issue 16).
func TestTrailingFieldReadsAsAI(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	pDrop := mustParser(t, scan.Config{GSMayBeDropped: true})
	const gtin = "0109506000134352"
	tests := []struct {
		name, raw, ai, value string
	}{
		{"lot ending like an expiry", "]C1" + gtin + "10B17250101", "10", "B17250101"},
		{"lot ending like a production date", "]C1" + gtin + "10ABC11250101", "10", "ABC11250101"},
		{"lot ending like a net weight", "]C1" + gtin + "10L3103000500", "10", "L3103000500"},
		{"lot ending like expiry and serial", "]C1" + gtin + "10ABC1726123121XYZ", "10", "ABC1726123121XYZ"},
		{"lot ending like expiry, ]C1 kept", "]C1" + gtin + "10ABC123" + "17261231", "10", "ABC12317261231"},
		{"serial ending like expiry and weight", "]d2" + gtin + "21S9" + "17261231" + "3103001234", "21", "S9172612313103001234"},
		{"numeric lot ending like a GTIN", "]C1" + "10123" + "0109506000134352", "10", "1230109506000134352"},
		{"lot ending like date and next lot", "]C1" + "10ABC" + "17261231" + "21SER", "10", "ABC1726123121SER"},
		{"lot ending like a net weight, ABC123", "]C1" + gtin + "10ABC123" + "3103000189", "10", "ABC1233103000189"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := p.Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			if v, _ := s.AI(tt.ai); v != tt.value {
				t.Errorf("Parse(%q) AI %s = %q, want %q", tt.raw, tt.ai, v, tt.value)
			}
			if len(s.Warnings()) == 0 || !s.MayHaveDroppedGS() {
				t.Errorf("Parse(%q): no warning", tt.raw)
			}
			_, err = pDrop.Parse(tt.raw)
			assertError(t, err, scan.ReasonAmbiguous, tt.ai)
		})
	}
}

// TestQA16Refusals: malformed input the black-box QA of issue 16 found
// accepted or badly reported.
func TestQA16Refusals(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	tests := []struct {
		name, raw string
		reason    scan.Reason
		ai        string
	}{
		// "(" in data must be "\(": an AI without its ")".
		{"unescaped ( then a digit", "(01)09506000134352(10)AB(1", scan.ReasonSyntax, ""},
		{"unescaped ( then an AI's digits", "(01)09506000134352(10)AB(99", scan.ReasonSyntax, ""},
		{"unescaped ( at the end", "(01)09506000134352(10)AB(", scan.ReasonSyntax, ""},
		{"unescaped ( ) around letters", "(10)A(B)C(21)7", scan.ReasonUnknownAI, ""},
		// The unknown AI is the digits that start no AI.
		{"unknown AI 23 before letters", "]C1" + "0109506000134352" + "23ABC", scan.ReasonUnknownAI, "23"},
		// An empty AI.
		{"empty AI", "(01)09506000134352()", scan.ReasonSyntax, ""},
		{"empty AI first", "()09506000134352", scan.ReasonSyntax, ""},
		// The bracketed form is typed, not scanned.
		{"bracketed form after ]C1", "]C1(01)09506000134352", scan.ReasonSyntax, ""},
		{"bracketed form after ]d2", "]d2(01)09506000134352(10)AB", scan.ReasonSyntax, ""},
		// A numeric Digital Link query key without "=" is an AI without its value.
		{"Digital Link ?17 without value", "https://id.gs1.org/01/09506000134352?17", scan.ReasonLength, "17"},
		{"Digital Link &17 without value", "https://id.gs1.org/01/09506000134352?linkType=all&17", scan.ReasonLength, "17"},
		{"Digital Link unknown numeric key without value", "https://id.gs1.org/01/09506000134352?99999", scan.ReasonUnknownAI, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := p.Parse(tt.raw)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.raw, s.View())
			}
			assertError(t, err, tt.reason, tt.ai)
		})
	}
}

// TestCouponErrorsSayWhat: a refused coupon (AIs 8110, 8112) names the data
// and the linter's reason; the dictionary leaves their titles empty.
func TestCouponErrorsSayWhat(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	for _, raw := range []string{
		"(8110)9",              // cut short after the company prefix indicator
		"(8110)0012345",        // no offer code
		"(8112)2",              // format code 2
		"(8112)0012345612345",  // no serial
		"]C1" + "81101" + "23", // scanned form
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			_, err := p.Parse(raw)
			var se *scan.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *scan.Error", raw, err)
			}
			if se.Rule == "" || strings.HasPrefix(se.Msg, ":") || strings.Contains(se.Msg, "()") || strings.HasPrefix(se.Msg, " ") {
				t.Errorf("Parse(%q): rule %q, message %q: empty title or linter reason", raw, se.Rule, se.Msg)
			}
		})
	}
}

// TestBracketedAfterDataBar: ZXing's DataBar Expanded reader returns the
// human-readable form under ]e0, a documented leniency.
func TestBracketedAfterDataBar(t *testing.T) {
	t.Parallel()
	s, err := scan.Parse("]e0(01)09506000134352(10)AB")
	if err != nil || s.Lot != "AB" {
		t.Fatalf("Parse = %+v, %v", s.View(), err)
	}
}
