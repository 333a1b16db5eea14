package label

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidation(t *testing.T) {
	t.Parallel()
	gtin := "09501101530003"
	tests := []struct {
		name string
		err  error
	}{
		{"empty location code", LocationPNG(&bytes.Buffer{}, Location{})},
		{"location code with space", zplErr(LocationZPL(Location{Code: "A 01"}))},
		{"location code with tab", zplErr(LocationZPL(Location{Code: "A\t01"}))},
		{"location code not ASCII", zplErr(LocationZPL(Location{Code: "KÜHL-01"}))},
		{"location code too wide for the label", zplErr(LocationZPL(Location{Code: strings.Repeat("A", 32)}))},
		{"location code too wide for a sheet label", LocationSheetPDF(&bytes.Buffer{}, A4, []Location{{Code: strings.Repeat("A", 29)}})},
		{"zone with control character", zplErr(LocationZPL(Location{Code: "A-01", Zone: "A\n"}))},
		{"lpn without code or sscc", zplErr(LPNZPL(LPN{}))},
		{"lpn code with tilde", zplErr(LPNZPL(LPN{Code: "LPN~1"}))},
		{"sscc wrong check digit", zplErr(LPNZPL(LPN{SSCC: "106141411234567898"}))},
		{"sscc 17 digits", zplErr(LPNZPL(LPN{SSCC: "10614141123456789"}))},
		{"sscc not digits", zplErr(LPNZPL(LPN{SSCC: "10614141123456789A"}))},
		{"company prefix too short", zplErr(LPNZPL(LPN{SSCC: "106141411234567897", CompanyPrefixLen: 5}))},
		{"empty gtin", zplErr(ItemZPL(Item{SKU: "X"}))},
		{"gtin wrong check digit", zplErr(ItemZPL(Item{GTIN: "4006381333932"}))},
		{"gtin 11 digits", zplErr(ItemZPL(Item{GTIN: "03600029145"}))},
		{"lot 21 characters", zplErr(ItemZPL(Item{GTIN: gtin, Lot: strings.Repeat("L", 21)}))},
		{"lot with character outside GS1 set", zplErr(ItemZPL(Item{GTIN: gtin, Lot: "A#1"}))},
		{"lot with ZPL invocation character", zplErr(ItemZPL(Item{GTIN: gtin, Lot: "A>1"}))},
		{"expiry a century ago", zplErr(ItemZPL(Item{GTIN: gtin, Expiry: time.Now().AddDate(-100, 0, 0)}))},
		{"expiry read in the previous century", zplErr(ItemZPL(Item{GTIN: gtin, Expiry: time.Now().AddDate(60, 0, 0)}))},
		{"unknown symbology", zplErr(ItemZPL(Item{GTIN: gtin, Symbology: "pdf417"}))},
		{"ean13 with lot", zplErr(ItemZPL(Item{GTIN: "4006381333931", Lot: "A1", Symbology: EAN13}))},
		{"ean13 with gtin-14", zplErr(ItemZPL(Item{GTIN: "10614141000415", Symbology: EAN13}))},
		{"upca with gtin-13", zplErr(ItemZPL(Item{GTIN: "4006381333931", Symbology: UPCA}))},
		{"upca with gtin-8", zplErr(ItemZPL(Item{GTIN: "95012346", Symbology: UPCA}))},
		{"gs1 qr with expiry", zplErr(ItemZPL(Item{GTIN: gtin, Expiry: expiry, Symbology: QR}))},
		{"gs1-128 too wide for the label", zplErr(ItemZPL(Item{GTIN: gtin, Lot: "ABCDEFGHIJKLMNOPQRST", Expiry: expiry}))},
		{"description too long", zplErr(ItemZPL(Item{GTIN: gtin, Description: strings.Repeat("d", 201)}))},
		{"unknown format", Render(&bytes.Buffer{}, "svg", Location{Code: "A-01"})},
		{"pdf of an item", Render(&bytes.Buffer{}, FormatPDF, Item{GTIN: gtin})},
		{"png of many locations", Render(&bytes.Buffer{}, FormatPNG, []Location{{Code: "A-01"}})},
		{"empty sheet", LocationSheetPDF(&bytes.Buffer{}, A4, nil)},
		{"unknown paper", LocationSheetPDF(&bytes.Buffer{}, "a3", []Location{{Code: "A-01"}})},
		{"bad location on a sheet", LocationSheetPDF(&bytes.Buffer{}, A4, []Location{{Code: "A-01"}, {}})},
		{"print nothing", Print(t.Context(), "127.0.0.1:9", nil)},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tt.name, tt.err)
		}
	}
}

func zplErr(_ []byte, err error) error { return err }

func TestValidInputsAccepted(t *testing.T) {
	t.Parallel()
	for name, err := range map[string]error{
		"gtin-8 as gs1-128":       zplErr(ItemZPL(Item{GTIN: "95012346"})),
		"gtin-12 as ean13":        zplErr(ItemZPL(Item{GTIN: "036000291452", Symbology: EAN13})),
		"gtin-14 leading 0 ean":   zplErr(ItemZPL(Item{GTIN: "04006381333931", Symbology: EAN13})),
		"lot of 20 as datamatrix": zplErr(ItemZPL(Item{GTIN: "09501101530003", Lot: "ABCDEFGHIJKLMNOPQRST", Expiry: expiry, Symbology: DataMatrix})),
		"location zpl stream":     Render(&bytes.Buffer{}, FormatZPL, []Location{{Code: "A-01"}, {Code: "A-02"}}),
		"unicode description":     zplErr(ItemZPL(Item{GTIN: "4006381333931", Description: "Crème fraîche 200 g"})),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestGS1(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]byte{
		"10614141123456789": '7', // SSCC example from the GS1 General Specifications
		"400638133393":      '1',
		"03600029145":       '2',
		"0950110153000":     '3',
		"9501234":           '6',
	} {
		if got := gs1CheckDigit(body); got != want {
			t.Errorf("gs1CheckDigit(%s) = %c, want %c", body, got, want)
		}
	}
	if got, want := ssccHRI("106141411234567897", 7), "(00) 1 0614141 123456789 7"; got != want {
		t.Errorf("ssccHRI = %q, want %q", got, want)
	}
	if got, want := ssccHRI("106141411234567897", 0), "(00) 1 0614141123456789 7"; got != want {
		t.Errorf("ssccHRI without prefix length = %q, want %q", got, want)
	}
	fields := []aiField{{"01", "09501101530003"}, {"10", "ABC"}, {"17", "261231"}, {"21", "S1"}}
	if got, want := gs1Data(fields, "|"), "|0109501101530003"+"10ABC|"+"17261231"+"21S1"; got != want {
		t.Errorf("gs1Data = %q, want %q (FNC1 first, after lot, not after fixed-length or last)", got, want)
	}
	if got, want := gs1HRI(fields[:2]), "(01)09501101530003(10)ABC"; got != want {
		t.Errorf("gs1HRI = %q, want %q", got, want)
	}
	it := Item{GTIN: "036000291452", Lot: "L1", Expiry: expiry}
	item, err := itemFields(it, expiry)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := gs1Data(item, "|"), "|0100036000291452"+"17261231"+"10L1"; got != want {
		t.Errorf("item element string = %q, want %q", got, want)
	}
}

func TestDefaultSymbology(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		it   Item
		want Symbology
	}{
		{Item{GTIN: "036000291452"}, UPCA},
		{Item{GTIN: "4006381333931"}, EAN13},
		{Item{GTIN: "10614141000415"}, GS1128},
		{Item{GTIN: "95012346"}, GS1128},
		{Item{GTIN: "4006381333931", Lot: "A"}, GS1128},
		{Item{GTIN: "4006381333931", Symbology: QR}, QR},
	} {
		if got := tt.it.symbology(); got != tt.want {
			t.Errorf("%+v: symbology %s, want %s", tt.it, got, tt.want)
		}
	}
}

// TestLPNMustScanAsPlate refuses license plate labels whose code the node's
// scanner takes for something else, in every output and through Render (the
// RPC's path), and accepts real plates.
func TestLPNMustScanAsPlate(t *testing.T) {
	t.Parallel()
	for _, l := range []LPN{
		{Code: "TOTE-0001"},   // a location
		{Code: "LPN-000-123"}, // a location
		{Code: "PO-1001"},     // a purchase order
		{Code: "17"},          // a location check code
		{Code: "96385074"},    // an EAN-8 GTIN
		{Code: "B-LEAD"},      // a badge
		{Code: "lpn000123"},   // scans as LPN000123, not as printed
		{Code: "TOTE-0001", SSCC: "106141411234567897"},
	} {
		for name, err := range map[string]error{
			"png":        LPNPNG(&bytes.Buffer{}, l),
			"zpl":        zplErr(LPNZPL(l)),
			"render png": Render(&bytes.Buffer{}, FormatPNG, l),
			"render zpl": Render(&bytes.Buffer{}, FormatZPL, l),
		} {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%+v %s: err = %v, want ErrInvalid", l, name, err)
			}
		}
	}
	for _, l := range []LPN{
		{Code: "LPN000123"},
		{Code: "LPN-T1"},
		{Code: "LPN9"},
		{SSCC: "106141411234567897"},
		{Code: "LPN000124", SSCC: "106141411234567880"},
	} {
		if _, err := LPNZPL(l); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
}
