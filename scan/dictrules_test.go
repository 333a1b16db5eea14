package scan_test

import (
	"errors"
	"testing"
	"time"

	"github.com/floorops/floorops/scan"
)

// ck appends the GS1 mod-10 check digit to payload.
func ck(payload string) string {
	d, _ := scan.GS1CheckDigit(payload)
	return payload + string(d)
}

const (
	gtin = "09506000134352"     // GS1 General Specifications' example GTIN
	sscc = "106141411234567897" // and SSCC
	gln  = "9501101020917"
)

func dictParser(t *testing.T) *scan.Parser {
	t.Helper()
	p, err := scan.NewParser(scan.Config{Now: fixedClock(2026, time.March, 15)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDictionaryAccepts: valid element strings of every rule class, from
// the GS1 General Specifications' examples and the dictionary's formats.
func TestDictionaryAccepts(t *testing.T) {
	p := dictParser(t)
	gsrn := ck("95011010209170000")
	for _, tt := range []struct {
		name, raw, ai, value string
	}{
		{"423 one country", "(01)" + gtin + "(423)276", "423", "276"},
		{"423 five countries", "(01)" + gtin + "(423)276056040208250", "423", "276056040208250"},
		{"7007 a date", "(01)" + gtin + "(7007)260101", "7007", "260101"},
		{"7007 a date range", "(01)" + gtin + "(7007)260101260131", "7007", "260101260131"},
		{"8008 date and hour", "(01)" + gtin + "(8008)26010112", "8008", "26010112"},
		{"8008 date, hour, minute, second", "(01)" + gtin + "(8008)260101123059", "8008", "260101123059"},
		{"7011 test by date and time", "(01)" + gtin + "(7011)2601011230", "7011", "2601011230"},
		{"17 day 00 is the end of the month", "(01)" + gtin + "(17)260200", "17", "260200"},
		{"7250 date of birth YYYYMMDD", "(8018)" + gsrn + "(7250)20240229", "7250", "20240229"},
		{"8030 digital signature, base64url", "(00)" + sscc + "(8030)QUJD-_ab12==", "8030", "QUJD-_ab12=="},
		{"7230 certification reference", "(01)" + gtin + "(7230)EMxyz123", "7230", "EMxyz123"},
		{"8111 loyalty points with a GCN", "(255)" + gln + "(8111)0100", "8111", "0100"},
		{"3940 percentage off with a GCN", "(255)" + gln + "(3940)0010", "3940", "0010"},
		{"8006 ITIP piece 1 of 2", "(8006)" + gtin + "0102", "8006", gtin + "0102"},
		{"3912 amount in euro", "(415)" + gln + "(8020)INV1(3912)978100", "3912", "978100"},
		{"4307 ship-to country", "(00)" + sscc + "(4307)DE", "4307", "DE"},
		{"4321 dangerous goods yes", "(00)" + sscc + "(4321)1", "4321", "1"},
		{"8007 IBAN", "(415)" + gln + "(8020)INV1(8007)GB82WEST12345698765432", "8007", "GB82WEST12345698765432"},
		{"8013 GMN with its check characters", "(8013)1987654Ad4X4bL5ttr2310c2K", "8013", "1987654Ad4X4bL5ttr2310c2K"},
		{"8001 roll dimensions", "(01)" + gtin + "(8001)01000050001010", "8001", "01000050001010"},
		{"4330 temperature below zero", "(00)" + sscc + "(4330)002000-", "4330", "002000-"},
		{"8030 padding to a multiple of 3", "(00)" + sscc + "(8030)AB=", "8030", "AB="},
		{"8110 coupon, primary purchase only", "(8110)012345612345611110123", "8110", "012345612345611110123"},
		{"8110 coupon with expiry, start and flags", "(8110)012345612345611110123" + "3261231" + "4260101" + "90000", "8110", "012345612345611110123326123142601019" + "0000"},
		{"8112 positive offer coupon", "(8112)001234561234560123456", "8112", "001234561234560123456"},
		{"8030 with a serialised GDTI", "(253)" + ck("950110153000") + "S1(8030)QUJD", "8030", "QUJD"},
		{"401 GINC with a company prefix", "(401)9501101AB1", "401", "9501101AB1"},
		{"8010 CPID in set 39", "(8010)95011010#-/AB(8011)123", "8010", "95011010#-/AB"},
		{"escaped parenthesis in the human-readable form", "(01)" + gtin + `(10)12\(34(21)S\(21)`, "10", "12(34"},
		{"escaped AI-like text stays data", "(01)" + gtin + `(21)S\(21)X`, "21", "S(21)X"},
		{"01 with 37 needs 00 and 02: pallet label", "(00)" + sscc + "(02)" + gtin + "(37)12", "37", "12"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := p.Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			if v, _ := s.AI(tt.ai); v != tt.value {
				t.Fatalf("Parse(%q) AI %s = %q, want %q", tt.raw, tt.ai, v, tt.value)
			}
			if w := s.Warnings(); len(w) != 0 {
				t.Errorf("Parse(%q) warns %q", tt.raw, w)
			}
		})
	}
}

// TestDictionaryRejects: each rule class refuses what breaks it, with the
// reason, the AI and the dictionary rule.
func TestDictionaryRejects(t *testing.T) {
	p := dictParser(t)
	for _, tt := range []struct {
		name, raw    string
		reason       scan.Reason
		ai, rule, or string // or: the other AI of a pairing rule
	}{
		{"423 four digits", "(01)" + gtin + "(423)2760", scan.ReasonLength, "423", "[N3]", ""},
		{"423 not a country", "(01)" + gtin + "(423)999", scan.ReasonValue, "423", "iso3166", ""},
		{"423 second code not a country", "(01)" + gtin + "(423)276998", scan.ReasonValue, "423", "iso3166", ""},
		{"7007 seven digits", "(01)" + gtin + "(7007)2601011", scan.ReasonLength, "7007", "[N6]", ""},
		{"7007 month 13", "(01)" + gtin + "(7007)261301", scan.ReasonDate, "7007", "yymmdd", ""},
		{"7007 day 00", "(01)" + gtin + "(7007)260100", scan.ReasonDate, "7007", "yymmdd", ""},
		{"8008 hour 25", "(01)" + gtin + "(8008)26010125", scan.ReasonDate, "8008", "hh", ""},
		{"8008 minute cut short", "(01)" + gtin + "(8008)260101121", scan.ReasonLength, "8008", "[N2]", ""},
		{"17 February 30", "(01)" + gtin + "(17)260230", scan.ReasonDate, "17", "yymmd0", ""},
		{"7003 minute 60", "(01)" + gtin + "(7003)2612312360", scan.ReasonDate, "7003", "hhmi", ""},
		{"7250 February 29 2023", "(8018)" + ck("95011010209170000") + "(7250)20230229", scan.ReasonDate, "7250", "yyyymmdd", ""},
		{"01 check digit", "(01)09506000134353", scan.ReasonCheckDigit, "01", "csum", ""},
		{"8013 check characters", "(8013)1987654Ad4X4bL5ttr2310c2L", scan.ReasonCheckDigit, "8013", "csumalpha", ""},
		{"8006 piece 3 of 2", "(8006)" + gtin + "0302", scan.ReasonValue, "8006", "pieceoftotal", ""},
		{"8006 piece 0", "(8006)" + gtin + "0002", scan.ReasonValue, "8006", "pieceoftotal", ""},
		{"3912 no such currency", "(415)" + gln + "(8020)INV1(3912)000100", scan.ReasonValue, "3912", "iso4217", ""},
		{"4307 no such country", "(00)" + sscc + "(4307)XX", scan.ReasonValue, "4307", "iso3166alpha2", ""},
		{"4321 neither yes nor no", "(00)" + sscc + "(4321)2", scan.ReasonValue, "4321", "yesno", ""},
		{"8001 winding 2", "(01)" + gtin + "(8001)01000050001020", scan.ReasonValue, "8001", "winding", ""},
		{"8001 zero width", "(01)" + gtin + "(8001)00000050001010", scan.ReasonValue, "8001", "nonzero", ""},
		{"8007 IBAN check", "(415)" + gln + "(8020)INV1(8007)GB83WEST12345698765432", scan.ReasonValue, "8007", "iban", ""},
		{"8011 leading zero", "(8010)95011010AB(8011)0123", scan.ReasonValue, "8011", "nozeroprefix", ""},
		{"8010 lower case outside set 39", "(8010)95011010ab(8011)1", scan.ReasonCharset, "8010", "Y..30", ""},
		{"4330 not a hyphen", "(00)" + sscc + "(4330)002000+", scan.ReasonValue, "4330", "hyphen", ""},
		{"4300 bad percent-encoding", "(00)" + sscc + "(4300)ACME%2", scan.ReasonValue, "4300", "pcenc", ""},
		{"8030 outside set 64", "(00)" + sscc + "(8030)AB+C", scan.ReasonCharset, "8030", "Z..90", ""},
		{"GTIN with content GTIN", "(01)" + gtin + "(02)" + gtin, scan.ReasonExcludes, "02", "ex=01,03", "01"},
		{"two net weights", "(01)" + gtin + "(3100)000189(3102)001890", scan.ReasonExcludes, "3102", "ex=310n", "3100"},
		{"two percentages off", "(255)" + gln + "(3940)0010(3941)0100", scan.ReasonExcludes, "3941", "ex=394n,8111", "3940"},
		{"percentage off with points", "(255)" + gln + "(3940)0010(8111)0100", scan.ReasonExcludes, "8111", "ex=394n,8111", "3940"},
		{"count without content", "(01)" + gtin + "(37)12", scan.ReasonExcludes, "37", "ex=255,37", "01"},
		{"count of content without SSCC", "(02)" + gtin + "(37)12", scan.ReasonRequires, "37", "req=00+02,00+8026", "00"},
		{"content GTIN without count", "(00)" + sscc + "(02)" + gtin, scan.ReasonRequires, "02", "req=37", "37"},
		{"serial with a GTIN but secondary serial without", "(01)" + gtin + "(250)S2", scan.ReasonRequires, "250", "req=01+21,03+21,8006+21", "21"},
		{"401 too short for a company prefix", "(401)123", scan.ReasonValue, "401", "gcppos1", ""},
		{"7023 letter inside the company prefix", "(7023)12A4", scan.ReasonValue, "7023", "gcppos1", ""},
		{"8030 padding not to a multiple of 3", "(00)" + sscc + "(8030)ABC=", scan.ReasonCharset, "8030", "Z..90", ""},
		{"8110 company prefix VLI 7", "(8110)71234567890123", scan.ReasonValue, "8110", "couponcode", ""},
		{"8110 expires before it starts", "(8110)01234561234561111012335006064500607", scan.ReasonValue, "8110", "couponcode", ""},
		{"8110 data after the last field", "(8110)012345612345611110123900000", scan.ReasonValue, "8110", "couponcode", ""},
		{"8112 format code 2", "(8112)201234561234560123456", scan.ReasonValue, "8112", "couponposoffer", ""},
		{"8112 serial cut short", "(8112)001234561234561123456", scan.ReasonValue, "8112", "couponposoffer", ""},
		{"8030 with a GDTI without serial", "(253)" + ck("950110153000") + "(8030)QUJD", scan.ReasonRequires, "8030", "8030 needs a serialised 253", "253"},
		{"unknown AI", "(01)" + gtin + "(23)ABC", scan.ReasonUnknownAI, "23", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Parse(tt.raw)
			var se *scan.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *scan.Error", tt.raw, err)
			}
			if se.Reason != tt.reason || se.AI != tt.ai || se.Rule != tt.rule || se.Other != tt.or {
				t.Fatalf("Parse(%q): %v: reason %s AI %q rule %q other %q, want %s %q %q %q",
					tt.raw, err, se.Reason, se.AI, se.Rule, se.Other, tt.reason, tt.ai, tt.rule, tt.or)
			}
		})
	}
}

// TestRequisitesOnPartialLabels: a scan without any identification key
// (a lot and expiry label beside the GTIN's barcode) is read, with a
// warning per unmet requisite rule.
func TestRequisitesOnPartialLabels(t *testing.T) {
	p := dictParser(t)
	s, err := p.Parse("(10)ABC123(17)261231")
	if err != nil {
		t.Fatal(err)
	}
	if s.Lot != "ABC123" || len(s.Warnings()) != 2 {
		t.Fatalf("lot %q, warnings %q; want the lot and 2 warnings", s.Lot, s.Warnings())
	}
	// The same lot beside a key that is not its own is refused.
	if _, err := p.Parse("(00)" + sscc + "(10)ABC123"); !errors.Is(err, scan.ErrInvalid) {
		t.Fatalf("lot with only an SSCC: %v, want refused", err)
	}
}

func TestDigitalLinkDictionary(t *testing.T) {
	p := dictParser(t)
	const id = "https://id.gs1.org"
	for _, tt := range []struct {
		name, raw string
		want      map[string]string
	}{
		{"key, qualifiers, attributes", id + "/01/" + gtin + "/10/ABC123?17=261231&linkType=all", map[string]string{"01": gtin, "10": "ABC123", "17": "261231"}},
		{"all three qualifiers in order", id + "/01/" + gtin + "/22/2A/10/ABC/21/S1", map[string]string{"22": "2A", "10": "ABC", "21": "S1"}},
		{"the other qualifier sequence", id + "/01/" + gtin + "/235/TPX1", map[string]string{"235": "TPX1"}},
		{"rightmost key; the path before it is the brand's", "https://example.com/00/" + sscc + "/01/" + gtin, map[string]string{"01": gtin, "00": ""}},
		{"a second key as a query attribute", id + "/01/" + gtin + "?00=" + sscc, map[string]string{"00": sscc}},
		{"net weight attribute, percent-encoded internal data", id + "/01/" + gtin + "?3103=000189&99=A%2DB", map[string]string{"3103": "000189", "99": "A-B"}},
		{"leniency: short names", "https://example.com/gtin/" + gtin + "/lot/ABC", map[string]string{"01": gtin, "10": "ABC"}},
		{"leniency: GTIN-13 in the path", id + "/01/9506000134352", map[string]string{"01": gtin}},
		{"upper-case scheme", "HTTPS://ID.GS1.ORG/01/" + gtin, map[string]string{"01": gtin}},
		{"GLN with its extension", id + "/414/" + gln + "/254/A1", map[string]string{"414": gln, "254": "A1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := p.Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			for ai, want := range tt.want {
				if got, _ := s.AI(ai); got != want {
					t.Errorf("Parse(%q) AI %s = %q, want %q", tt.raw, ai, got, want)
				}
			}
		})
	}
	for _, tt := range []struct {
		name, raw string
		reason    scan.Reason
		ai, rule  string
	}{
		{"qualifiers out of order", id + "/01/" + gtin + "/21/S1/10/ABC", scan.ReasonSyntax, "10", "dlpkey=22,10,21|235"},
		{"qualifier sequences mixed", id + "/01/" + gtin + "/10/ABC/235/T", scan.ReasonSyntax, "235", "dlpkey=22,10,21|235"},
		{"data attribute in the path", id + "/01/" + gtin + "/17/261231", scan.ReasonSyntax, "17", "dlpkey=22,10,21|235"},
		{"a key without qualifiers qualified", id + "/00/" + sscc + "/10/ABC", scan.ReasonSyntax, "10", "dlpkey"},
		{"trailing slash after the key", id + "/01/" + gtin + "/", scan.ReasonSyntax, "01", "dlpkey"},
		{"qualifier in the query", id + "/01/" + gtin + "?10=ABC", scan.ReasonSyntax, "10", "dlpkey=22,10,21|235"},
		{"not a data attribute", id + "/01/" + gtin + "/10/ABC?21=S1", scan.ReasonSyntax, "21", "dlattr"},
		{"AI in path and query", id + "/01/" + gtin + "/10/ABC?17=261231&10=ABC", scan.ReasonConflict, "10", ""},
		{"AI twice in the query", id + "/01/" + gtin + "?17=261231&17=261231", scan.ReasonConflict, "17", ""},
		{"unknown numeric parameter", id + "/01/" + gtin + "?89=1", scan.ReasonUnknownAI, "", ""},
		{"empty attribute", id + "/01/" + gtin + "?17=", scan.ReasonLength, "17", "N6"},
		{"mixed-case scheme", "HtTpS://id.gs1.org/01/" + gtin, scan.ReasonSyntax, "", ""},
		{"attribute fails its linter", id + "/01/" + gtin + "?17=261301", scan.ReasonDate, "17", "yymmd0"},
		{"pairing rule across path and query", id + "/01/" + gtin + "?37=5", scan.ReasonExcludes, "37", "ex=255,37"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Parse(tt.raw)
			var se *scan.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *scan.Error", tt.raw, err)
			}
			if se.Reason != tt.reason || se.AI != tt.ai || se.Rule != tt.rule {
				t.Fatalf("Parse(%q): %v: reason %s AI %q rule %q, want %s %q %q", tt.raw, err, se.Reason, se.AI, se.Rule, tt.reason, tt.ai, tt.rule)
			}
		})
	}
}
