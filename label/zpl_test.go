package label

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestZPLGolden compares each label's ZPL with testdata/<name>.zpl. Run
// `go test ./label -update` after an intended layout change and review the
// diff; print the files on a real printer (or a ZPL viewer) before committing.
func TestZPLGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		zpl  func() ([]byte, error)
	}{
		{"location", func() ([]byte, error) { return LocationZPL(Location{Code: "A-01-02-B", Zone: "A", Type: "PICK"}) }},
		{"location_escaped_text", func() ([]byte, error) {
			return LocationZPL(Location{Code: "B-07-01-A", Zone: "Kühl_2", Type: "^PICK~"})
		}},
		{"lpn", func() ([]byte, error) { return LPNZPL(LPN{Code: "LPN000123"}) }},
		{"lpn_sscc", func() ([]byte, error) {
			return LPNZPL(LPN{Code: "LPN000124", SSCC: "106141411234567897", CompanyPrefixLen: 7})
		}},
		{"item_ean13", func() ([]byte, error) {
			return ItemZPL(Item{SKU: "SKU-1001", Description: "Widget, blue, 12-pack", GTIN: "4006381333931"})
		}},
		{"item_upca", func() ([]byte, error) { return ItemZPL(Item{SKU: "SKU-1002", GTIN: "036000291452"}) }},
		{"item_gs1_128", func() ([]byte, error) {
			return ItemZPL(Item{SKU: "SKU-1003", Description: "Yoghurt 500 g", GTIN: "09501101530003", Lot: "ABC123", Expiry: expiry})
		}},
		{"item_datamatrix", func() ([]byte, error) {
			return ItemZPL(Item{SKU: "SKU-1003", GTIN: "09501101530003", Lot: "AB_123", Expiry: expiry, Symbology: DataMatrix})
		}},
		{"item_qr", func() ([]byte, error) { return ItemZPL(Item{SKU: "SKU-1004", GTIN: "09501101530003", Symbology: QR}) }},
		// The lot ends in what reads as AI 15 and a date: it goes first,
		// ended by FNC1.
		{"item_gs1_128_lot_first", func() ([]byte, error) {
			return ItemZPL(Item{SKU: "SKU-1005", GTIN: "09501101530003", Lot: "B-15251130"})
		}},
		{"item_datamatrix_lot_first", func() ([]byte, error) {
			return ItemZPL(Item{SKU: "SKU-1005", GTIN: "09501101530003", Lot: "L11250312", Expiry: expiry, Symbology: DataMatrix})
		}},
		{"location_longest", func() ([]byte, error) {
			return LocationZPL(Location{Code: "ABCDEF-1234-ABCD-ABCD-ABCD", Zone: "ABCDEF", Type: "RESERVE"})
		}},
		{"location_zpl_reserved", func() ([]byte, error) { return LocationZPL(Location{Code: "A^1~2>3_4"}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.zpl()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.name+".zpl")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestZPLCode128MatchesPNG checks that the ZPL field data selects the same
// Code 128 symbol characters as the PNG encoder, so the printed barcode is as
// wide as the preview and centred the same way.
func TestZPLCode128MatchesPNG(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		"A-01-02-B", "LPN000123", "12345", "1234", "A1234B", "123", "MEZZ-12-34-56-B-9999",
		"ABCDEF-1234-ABCD-ABCD-ABCD", "A^1~2>3", "^>~",
		gs1Data([]aiField{{"00", "106141411234567897"}}, fnc1Code128),
		gs1Data([]aiField{{"01", "09501101530003"}, {"17", "261231"}, {"10", "ABC123"}}, fnc1Code128),
		gs1Data([]aiField{{"01", "09501101530003"}, {"10", "1234"}, {"21", "77"}}, fnc1Code128),
		gs1Data([]aiField{{"01", "09501101530003"}, {"10", "A"}, {"21", "B"}}, fnc1Code128),
		gs1Data([]aiField{{"10", "B-15251130"}, {"01", "09501101530003"}, {"17", "261231"}}, fnc1Code128),
		gs1Data([]aiField{{"10", "2024-17250601"}, {"01", "09501101530003"}}, fnc1Code128),
	} {
		sym, err := newSymbol(symCode128, data)
		if err != nil {
			t.Fatal(err)
		}
		mw, _ := sym.modules()
		fd := zplCode128(data)
		// Each invocation code, subset C digit pair or subset B character is
		// one symbol character of 11 modules; the check character adds 11
		// and the stop pattern 13.
		if got := 11*(zplSymbolChars(fd)+1) + 13; got != mw {
			t.Errorf("%q: ZPL ^FD%s is %d modules, PNG symbol %d", data, fd, got, mw)
		}
	}
}

func zplSymbolChars(fd string) int {
	n, subsetC := 0, false
	for i := 0; i < len(fd); n++ {
		if fd[i] == '>' {
			switch fd[i+1] {
			case ';', '5':
				subsetC = true
			case ':', '6':
				subsetC = false
			}
			i += 2
			continue
		}
		if subsetC {
			i += 2
			continue
		}
		i++
	}
	return n
}

func TestZPLText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"PICK":   "PICK",
		"A_1":    "A_5F1",
		"^XZ~JA": "_5EXZ_7EJA",
		"Kühl":   "K_C3_BChl",
	} {
		got, escaped := zplText(in)
		if got != want || escaped != (in != want) {
			t.Errorf("zplText(%q) = %q, %v; want %q", in, got, escaped, want)
		}
	}
	if got := zplDataMatrix(fnc1DataMatrix + "10A_B" + fnc1DataMatrix + "21X"); got != "_110A__B_121X" {
		t.Errorf("zplDataMatrix = %q", got)
	}
	if !strings.HasPrefix(zplCode128(fnc1Code128+"00106141411234567897"), ">;>8") {
		t.Error("GS1-128 must start in subset C with FNC1")
	}
}
