package scan_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/floorops/floorops/scan"
)

// TestParseDevices feeds Parse what real scanners, keyboard wedges and
// decoder libraries send for the same labels. Each case names the device or
// decoder behaviour it reproduces; the sources are the manufacturers'
// programming guides (AIM ID tables, UPC-E and FNC1 settings), the decoders'
// code and issue trackers, and zbarimg and gozxing run on labels in this
// repository (see TestDecoderRoundTrips).
func TestParseDevices(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	gtin := func(id, g string) scan.View { return scan.View{Kind: "gtin", Symbology: id, GTIN: g} }
	labelAIs := map[string]string{"01": "09506000134352", "17": "261231", "10": "ABC123"}
	label := func(id string) scan.View {
		return scan.View{Kind: "gs1", Symbology: id, GTIN: "09506000134352", Expiry: "2026-12-31", Lot: "ABC123", AIs: labelAIs}
	}
	tests := []struct {
		name string
		raw  string
		want scan.View
	}{
		// AIM symbology identifiers (ISO/IEC 15424) as scanners prefix them
		// when "AIM ID" is on (Zebra, Honeywell, Datalogic, NCR tables).
		{"]C1 GS1-128: FNC1 in first position", "]C1" + "0109506000134352" + "17261231" + "10ABC123", label("]C1")},
		{"]C0 plain Code 128 with a GTIN-14", "]C009506000134352", gtin("]C0", "09506000134352")},
		{"]E0 EAN-13", "]E04006381333931", gtin("]E0", "04006381333931")},
		// Honeywell/NCR: ]E0 is "13 digits for UPC-A and UPC-E"; Datalogic
		// converts UPC-A and UPC-E to EAN-13 when adding AIM IDs.
		{"]E0 UPC-A as 13 digits", "]E00036000291452", gtin("]E0", "00036000291452")},
		// gozxing and zxing-cpp 2.x: UPC-A keeps its 12 digits under ]E0.
		{"]E0 UPC-A as 12 digits (ZXing)", "]E0036000291452", gtin("]E0", "00036000291452")},
		// gozxing, zxing-cpp 2.x and Zebra with "Convert UPC-E to UPC-A"
		// off: UPC-E as its 8 digits under ]E0. UPC-E is a zero-suppressed
		// GTIN-12 (UPC-A 04210000526 + check 4).
		{"]E0 UPC-E as 8 digits (ZXing, Zebra)", "]E004252614", gtin("]E0", "00042100005264")},
		// Datalogic expands UPC-E to 13 digits under ]E0.
		{"]E0 UPC-E expanded to 13 digits (Datalogic)", "]E00042100005264", gtin("]E0", "00042100005264")},
		{"]E4 EAN-8", "]E412345670", gtin("]E4", "00000012345670")},
		// ISO/IEC 15420 Annex B: ]E3 is the combined packet, main symbol
		// as 13 digits then the add-on, no separator.
		{"]E3 EAN-13 + 2-digit add-on (ISO)", "]E3" + "9771234567003" + "05", gtin("]E3", "09771234567003")},
		{"]E3 EAN-13 + 5-digit add-on (ISO)", "]E3" + "9781234567897" + "51299", gtin("]E3", "09781234567897")},
		// zxing-cpp: ]E3 with a space between symbol and add-on; EAN-8
		// with an add-on stays ]E4.
		{"]E3 UPC-E + add-on (zxing-cpp)", "]E3" + "04252614 12", gtin("]E3", "00042100005264")},
		{"]E4 EAN-8 + add-on (zxing-cpp)", "]E4" + "12345670 12345", gtin("]E4", "00000012345670")},
		// Datalogic "AIM formats": the add-on follows with its own ]E2.
		{"]E0 + ]E2 add-on (Datalogic)", "]E0" + "4006381333931" + "]E2" + "12345", gtin("]E0", "04006381333931")},
		// ISO/IEC 24724: DataBar data is transmitted with AI 01 under ]e0.
		{"]e0 DataBar as element string", "]e0" + "0109506000134352", scan.View{Kind: "gs1", Symbology: "]e0",
			GTIN: "09506000134352", AIs: map[string]string{"01": "09506000134352"}}},
		// ZXing (Java, gozxing, zxing-cpp 2.x) RSS-14: the 14-digit GTIN
		// without its AI.
		{"]e0 DataBar as bare GTIN (ZXing)", "]e009506000134352", gtin("]e0", "09506000134352")},
		// ZXing RSS Expanded: the human-readable form with parentheses.
		{"]e0 DataBar Expanded as HRI (ZXing)", "]e0(01)09506000134352(3103)001750", scan.View{Kind: "gs1",
			Symbology: "]e0", GTIN: "09506000134352", NetWeightKg: new(1.75),
			AIs: map[string]string{"01": "09506000134352", "3103": "001750"}}},
		{"]d2 GS1 DataMatrix", "]d2" + "0109506000134352" + "17261231" + "10ABC123", label("]d2")},
		{"]Q3 GS1 QR", "]Q3" + "0109506000134352" + "17261231" + "10ABC123", label("]Q3")},
		// ISO/IEC 18004: ]Q4 is FNC1 first with ECI; ]d5 likewise for
		// Data Matrix (ISO/IEC 16022).
		{"]Q4 GS1 QR with ECI", "]Q4" + "0109506000134352" + "17261231" + "10ABC123", label("]Q4")},
		{"]d5 GS1 DataMatrix with ECI", "]d5" + "0109506000134352" + "17261231" + "10ABC123", label("]d5")},
		// Keyboard wedge with Caps Lock on inverts the identifier's case.
		{"]c1 (Caps Lock) is GS1-128", "]c1" + "0109506000134352" + "17261231" + "10ABC123", label("]c1")},
		{"]D2 (Caps Lock) is GS1 DataMatrix", "]D2" + "0109506000134352" + "17261231" + "10ABC123", label("]D2")},
		{"]e0 + 13 digits (Caps Lock) is EAN-13", "]e04006381333931", gtin("]e0", "04006381333931")},
		// ITF-14 on a shipper case carries the case's GTIN-14: ]I0 no
		// check, ]I1 check verified, ]I3 verified and stripped.
		{"]I0 ITF-14 (gozxing, Honeywell)", "]I009506000134352", gtin("]I0", "09506000134352")},
		{"]I1 ITF-14, check digit verified", "]I109506000134352", gtin("]I1", "09506000134352")},
		{"]I3 ITF-14, check digit stripped", "]I30950600013435", gtin("]I3", "09506000134352")},
		{"ITF-14 without identifier (zbarimg --raw)", "09506000134352", gtin("", "09506000134352")},
		{"]A0 Code 39 location", "]A0A-01-02-B", scan.View{Kind: "location", Symbology: "]A0", Code: "A-01-02-B"}},

		// GS (FNC1) delivery.
		{"GS as ASCII 29", "]C1" + "0109506000134352" + "10ABC123" + gsc + "17261231", label("]C1")},
		// gozxing DataMatrix: the leading FNC1 comes through as GS, right
		// after the identifier.
		{"leading GS after identifier (gozxing DataMatrix)", "]d2" + gsc + "0109506000134352" + "17261231" + "10ABC123", label("]d2")},
		{"trailing GS before Enter", "]C1" + "0109506000134352" + "17261231" + "10ABC123" + gsc + "\r\n", label("]C1")},
		// Honeywell Data Collection Wedge "Ctrl Char Mapping" and other
		// wedges that type control characters as text: caret notation of
		// Ctrl+] (the GS key chord), and names in brackets.
		{"GS typed as ^]", "]C1" + "0109506000134352" + "10ABC123^]" + "17261231", label("]C1")},
		{"GS typed as <GS>", "]C1" + "0109506000134352" + "10ABC123<GS>" + "17261231", label("]C1")},
		{"GS typed as {GS}", "0109506000134352" + "10ABC123{GS}" + "17261231", label("")},
		{"GS typed as [gs]", "0109506000134352" + "10ABC123[gs]" + "17261231", label("")},
		{"FNC1 typed as <FNC1>", "]d2" + "0109506000134352" + "10ABC123<FNC1>" + "17261231", label("]d2")},
		{"GS shown as U+241D (phone apps)", "0109506000134352" + "10ABC123\u241d" + "17261231", label("")},
		// Scanners that send FNC1 only as the ]C1 prefix and drop the rest,
		// and ZXing's Code 128 reader without ASSUME_GS1: nothing is lost
		// while variable-length fields come last, as GS1 recommends.
		{"GS dropped, lot last", "]C1" + "0109506000134352" + "17261231" + "10ABC123", label("]C1")},
		// zbarimg on GS1-128: no identifier (the leading FNC1 only shows as
		// zbar's GS1 modifier in --xml), later FNC1s as GS.
		{"zbarimg GS1-128", "0109506000134352" + "10ABC123" + gsc + "17261231", label("")},
		{"zbarimg GS1-128 with its type name", "CODE-128:" + "0109506000134352" + "10ABC123" + gsc + "17261231", label("")},
		// zbarimg reads UPC-A as EAN-13 with a leading 0 unless
		// upca.enable; the GTIN is the same.
		{"zbarimg UPC-A as EAN-13", "0036000291452", gtin("", "00036000291452")},
		{"zbarimg EAN-13 with type name", "EAN-13:0036000291452", gtin("", "00036000291452")},
		// zbarimg expands UPC-E to EAN-13 by default, sends its 8 digits
		// with upce.enable; its type name says which.
		{"zbarimg UPC-E expanded", "0042100005264", gtin("", "00042100005264")},
		{"zbarimg UPC-E with type name", "UPC-E:04252614", gtin("", "00042100005264")},
		{"zbarimg ITF with type name", "I2/5:09506000134352", gtin("", "09506000134352")},

		// ISO/IEC 15434 envelope, format 05 (GS1 element strings), as some
		// 2D symbols carry it and imagers pass it through.
		{"ISO/IEC 15434 format 05", "[)>\x1e05" + gsc + "0109506000134352" + gsc + "17261231" + gsc + "10ABC123\x1e\x04", label("")},
		{"]d1 + ISO/IEC 15434 format 05", "]d1[)>\x1e05" + gsc + "0109506000134352" + "17261231" + "10ABC123\x1e\x04", label("]d1")},
		{"ISO/IEC 15434 format 05, trailer dropped by the wedge", "[)>\x1e05" + gsc + "0109506000134352" + "17261231" + "10ABC123", label("")},

		// EAN-13 + 2-digit add-on run together without AIM identifiers
		// (the add-on is an issue number, not part of the GTIN), or typed
		// from the human-readable line with a space.
		{"EAN-13 + add-on, no identifier", "400638133393105", gtin("", "04006381333931")},
		{"EAN-13 + add-on typed with a space", "4006381333931 05", gtin("", "04006381333931")},
		{"]e3 (Caps Lock) EAN-13 + add-on", "]e3400638133393105", gtin("]e3", "04006381333931")},
		{"]i3 (Caps Lock) ITF-14, check digit stripped", "]i34006381333931", gtin("]i3", "40063813339314")},
		// Serial scanners framing each read with STX ... ETX.
		{"STX/ETX framing", "\x024006381333931\x03", gtin("", "04006381333931")},

		// GS1 Digital Link in a QR code: key and qualifiers in the path,
		// attributes in the query, any host; short names of version 1.0;
		// upper case from QR's alphanumeric mode; a short GTIN padded.
		{"GS1 Digital Link", "]Q1https://id.gs1.org/01/09506000134352/10/ABC123?17=261231&linkType=gs1:pip", label("]Q1")},
		{"GS1 Digital Link, brand host and path, upper case", "HTTPS://EXAMPLE.COM/P/01/9506000134352/10/ABC123?17=261231", label("")},
		{"GS1 Digital Link, short names", "https://example.com/gtin/09506000134352/lot/ABC123?17=261231", label("")},
		{"GS1 Digital Link, SSCC", "https://id.gs1.org/00/106141411234567897", scan.View{Kind: "sscc",
			SSCC: "106141411234567897", AIs: map[string]string{"00": "106141411234567897"}}},
		{"GS1 Digital Link, percent-encoded lot", "https://id.gs1.org/01/09506000134352/10/AB%2F1", scan.View{Kind: "gs1",
			GTIN: "09506000134352", Lot: "AB/1", AIs: map[string]string{"01": "09506000134352", "10": "AB/1"}}},

		// What the wedge adds around the data.
		{"CR", "4006381333931\r", gtin("", "04006381333931")},
		{"LF", "4006381333931\n", gtin("", "04006381333931")},
		{"CRLF", "4006381333931\r\n", gtin("", "04006381333931")},
		{"Tab suffix instead of Enter", "A-01-02-B\t", scan.View{Kind: "location", Code: "A-01-02-B"}},
		{"spaces around", "  ]E04006381333931  ", gtin("]E0", "04006381333931")},
		{"NUL padding (serial buffers)", "4006381333931\x00\x00\x00", gtin("", "04006381333931")},
		{"NUL then CRLF", "\x00]C1" + "0109506000134352" + "17261231" + "10ABC123\x00\r\n", label("]C1")},

		// The human-readable line, typed by a person.
		{"HRI with spaces", "(01) 09506000134352 (17) 261231 (10) ABC123", label("")},
		// label.ssccHRI prints the SSCC in groups under the pallet label.
		{"SSCC HRI as printed on our labels", "(00) 1 0614141 123456789 7", scan.View{Kind: "sscc",
			SSCC: "106141411234567897", AIs: map[string]string{"00": "106141411234567897"}}},
		{"SSCC HRI without prefix grouping", "(00) 1 0614141123456789 7", scan.View{Kind: "sscc",
			SSCC: "106141411234567897", AIs: map[string]string{"00": "106141411234567897"}}},
		{"EAN-13 HRI typed with spaces", "4 006381 333931", gtin("", "04006381333931")},
		{"UPC-A HRI typed with spaces", "0 36000 29145 2", gtin("", "00036000291452")},
		{"SSCC typed in groups", "1 0614141 123456789 7", scan.View{Kind: "sscc", SSCC: "106141411234567897"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := p.Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			tt.want.Raw = trimRaw(tt.raw)
			if diff := cmp.Diff(tt.want, s.View()); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

// TestParseDevicesRejects covers what devices send that cannot be read
// safely, and the error that says why.
func TestParseDevicesRejects(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	tests := []struct {
		name   string
		raw    string
		reason scan.Reason
		ai     string
	}{
		// An add-on scanned without its main symbol: an issue number or a
		// price, not a product; without this it would read as a check code.
		{"]E1 2-digit add-on alone", "]E112", scan.ReasonUnrecognised, ""},
		{"]E2 5-digit add-on alone", "]E212345", scan.ReasonUnrecognised, ""},
		{"zbarimg EAN-5 alone", "EAN-5:12345", scan.ReasonUnrecognised, ""},
		{"]E3 add-on of 3 digits", "]E34006381333931 123", scan.ReasonLength, ""},
		{"]E0 with 10 digits", "]E00123456789", scan.ReasonLength, ""},
		{"]E0 UPC-E check digit", "]E004252615", scan.ReasonCheckDigit, ""},
		{"]E0 UPC-E number system 5", "]E054252614", scan.ReasonSyntax, ""},
		{"]e0 DataBar GTIN check digit", "]e009506000134353", scan.ReasonCheckDigit, ""},
		// A bare 8-digit UPC-E (Zebra without AIM IDs, zbarimg with
		// upce.enable and --raw) is not an EAN-8: its EAN-8 check digit
		// fails, and the message points at the setting.
		{"bare UPC-E read as EAN-8", "04252614", scan.ReasonCheckDigit, ""},
		// ZXing Java/gozxing Code 128 without ASSUME_GS1 drops every FNC1
		// (zxing/zxing#1457: "010500045611225310COV010917220901"); the lot
		// then swallows the expiry date.
		{"FNC1 dropped: lot swallowed expiry (ZXing)", "010500045611225310COV010917220901", scan.ReasonAmbiguous, "10"},
		// Too long for the field: a dropped GS that the length shows.
		{"GS dropped: lot longer than 20", "]C1" + "10ABCDEFGH123" + "3103001234", scan.ReasonLength, "10"},
		// A wedge that replaces GS by a space.
		{"GS typed as space", "]C1" + "0109506000134352" + "10ABC123 17261231", scan.ReasonCharset, "10"},
		// ISO/IEC 15434 formats other than 05 use other data identifiers.
		{"ISO/IEC 15434 format 06 (ANSI MH10 DIs)", "[)>\x1e06" + gsc + "1PABC" + gsc + "Q12\x1e\x04", scan.ReasonUnrecognised, ""},
		{"ISO/IEC 15434 format 05, empty", "[)>\x1e05" + gsc + "\x1e\x04", scan.ReasonEmpty, ""},
		// Digits that merely start like an attribute AI are not GS1 data
		// without an identifier: a GS1 string starts with a key (00, 01…).
		{"truncated EAN read as AI 400", "4006381333", scan.ReasonUnrecognised, ""},
		{"digits read as AI 21", "2112345", scan.ReasonUnrecognised, ""},
		{"digits read as AI 99", "9912345678", scan.ReasonUnrecognised, ""},
		// A non-GS1 symbology (Code 128 without FNC1) is not GS1 data.
		{"]C0 digits are not GS1", "]C0" + "0109506000134352" + "10ABC123", scan.ReasonUnrecognised, ""},
		// Two net weights with the decimal point in different places.
		{"two net weights", "(01)09506000134352(3103)000189(3102)001890", scan.ReasonExcludes, "3102"},
		{"GRAI check digit", "(8003)00614141123453SER1", scan.ReasonCheckDigit, "8003"},
		{"all-zero GTIN", "00000000000000", scan.ReasonCheckDigit, ""},
		{"all-zero SSCC", "(00)000000000000000000", scan.ReasonCheckDigit, "00"},
		{"impossible check code", "99", scan.ReasonUnrecognised, ""},
		{"7003 hour 24", "(01)09506000134352(7003)2612312400", scan.ReasonDate, "7003"},
		{"web address without a GS1 key", "https://example.com/product/123", scan.ReasonUnrecognised, ""},
		{"GS1 Digital Link, trailing slash", "https://id.gs1.org/01/09506000134352/10/ABC123/?17=261231", scan.ReasonSyntax, "01"},
		{"GS1 Digital Link, AI without value", "https://id.gs1.org/01/09506000134352/10", scan.ReasonSyntax, "01"},
		{"GS1 Digital Link, bad GTIN", "https://id.gs1.org/01/09506000134353", scan.ReasonCheckDigit, "01"},
		{"GS1 Digital Link, two expiries", "https://id.gs1.org/01/09506000134352?17=261231&17=270101", scan.ReasonConflict, "17"},
		{"GS1 Digital Link, bad expiry", "https://id.gs1.org/01/09506000134352?17=261399", scan.ReasonDate, "17"},
		{"only NULs", "\x00\x00", scan.ReasonEmpty, ""},
		{"zbarimg type name only", "CODE-128:", scan.ReasonEmpty, ""},
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

// TestDroppedGSAccepted lists what a scan without separators reads as when
// the parser cannot tell a dropped GS from data: accepted as scanned. These
// are the limits of recovery documented on Parse.
func TestDroppedGSAccepted(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{})
	tests := []struct {
		name, raw, ai, value string
	}{
		// A numeric lot last that happens to end in digits reading as a
		// production date: a good label, and no scanner setting could add
		// a GS it does not need; refusing it would refuse it for good.
		{"numeric lot ending like a date", "]C1" + "0109506000134352" + "104711250101", "10", "4711250101"},
		// Two variable-length fields run together read as one.
		{"lot swallowed a serial", "]C1" + "10ABC" + "21SER", "10", "ABC21SER"},
		// The swallowed AI is already on the label: not a lost element.
		{"lot ending like the expiry already scanned", "]C1" + "17261231" + "10ABC17261231", "10", "ABC17261231"},
		// A date after an all-digit start is no evidence.
		{"numeric lot ending like an expiry", "]C1" + "10123456" + "17261231", "10", "12345617261231"},
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
		})
	}
}

// TestEightDigitUPCE: with Config.EightDigitUPCE a bare 8-digit scan that
// starts with 0 or 1 is a UPC-E; an AIM identifier still decides.
func TestEightDigitUPCE(t *testing.T) {
	t.Parallel()
	p := mustParser(t, scan.Config{EightDigitUPCE: true})
	for _, tt := range []struct{ raw, gtin string }{
		{"04252614", "00042100005264"},
		{"14252611", "00142100005261"}, // UPC-E1, number system 1
		{"]E412345670", "00000012345670"},
		{"]E004252614", "00042100005264"},
		{"95012346", "00000095012346"}, // cannot be a UPC-E: an EAN-8
	} {
		s, err := p.Parse(tt.raw)
		if err != nil || s.Kind != scan.KindGTIN || s.GTIN != tt.gtin {
			t.Errorf("Parse(%q) = %v %q, %v; want gtin %s", tt.raw, s.Kind, s.GTIN, err, tt.gtin)
		}
	}
	// The trade-off: an EAN-8 starting with 0 or 1 whose digits also make
	// a valid UPC-E reads as the UPC-E; one that does not is refused.
	if s, err := p.Parse("12345670"); err != nil || s.GTIN != "00123456000070" {
		t.Errorf("Parse(12345670) = %q, %v; want the UPC-E's GTIN-12", s.GTIN, err)
	}
	if _, err := p.Parse("10000001"); err == nil {
		t.Error("Parse(10000001) succeeded; as a UPC-E its check digit is wrong")
	}
	// Without the setting the same scan is an EAN-8.
	if s, err := scan.Parse("12345670"); err != nil || s.GTIN != "00000012345670" {
		t.Errorf("default Parse(12345670) = %q, %v; want the EAN-8", s.GTIN, err)
	}
}

// TestExpandUPCE checks the zero-suppression rules of GS1 General
// Specifications §5.2.2.4.2, one per last digit of the six.
func TestExpandUPCE(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ upce, want string }{
		{"04252614", "00042100005264"}, // 0-2: mfr X1 X2 X6 00, item 00 X3 X4 X5
		{"06541238", "00065400000128"}, // 3: mfr X1 X2 X3 00, item 000 X4 X5
		{"01234543", "00012340000053"}, // 4: mfr X1..X4 0, item 0000 X5
		{"01234565", "00012345000065"}, // 5-9: mfr X1..X5, item 0000 X6
		{"14252611", "00142100005261"}, // number system 1 (UPC-E1)
	} {
		got, err := scan.ExpandUPCE(tt.upce)
		if err != nil || got != tt.want {
			t.Errorf("ExpandUPCE(%q) = %q, %v; want %q", tt.upce, got, err, tt.want)
		}
		if !scan.ValidGS1CheckDigit(got) {
			t.Errorf("ExpandUPCE(%q) = %q has a bad check digit", tt.upce, got)
		}
	}
	for _, bad := range []string{"", "0425261", "042526140", "0425261A", "24252614", "04252615"} {
		if got, err := scan.ExpandUPCE(bad); err == nil {
			t.Errorf("ExpandUPCE(%q) = %q, want an error", bad, got)
		}
	}
}

// trimRaw is what Parse keeps of a raw scan: without the wedge's Enter or
// Tab, spaces and NUL padding.
func trimRaw(s string) string {
	for {
		t := strings.TrimSpace(strings.Trim(s, "\x00\x02\x03"))
		if t == s {
			return t
		}
		s = t
	}
}
