package label

import (
	"bytes"
	"image"
	_ "image/png"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
)

var expiry = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)

// TestPNGScans renders every label kind and reads it back with zbarimg: the
// decoder must report exactly one symbol carrying exactly the encoded data.
func TestPNGScans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		render func(*bytes.Buffer) error
		want   scanned
	}{
		{
			name: "location",
			render: func(b *bytes.Buffer) error {
				return LocationPNG(b, Location{Code: "A-01-02-B", Zone: "A", Type: "PICK"})
			},
			want: scanned{Type: "CODE-128", Data: "A-01-02-B"},
		},
		{
			name:   "location long code",
			render: func(b *bytes.Buffer) error { return LocationPNG(b, Location{Code: "MEZZ-12-34-56-B-9999"}) },
			want:   scanned{Type: "CODE-128", Data: "MEZZ-12-34-56-B-9999"},
		},
		{
			name:   "plain lpn",
			render: func(b *bytes.Buffer) error { return LPNPNG(b, LPN{Code: "LPN000123"}) },
			want:   scanned{Type: "CODE-128", Data: "LPN000123"},
		},
		{
			name:   "sscc",
			render: func(b *bytes.Buffer) error { return LPNPNG(b, LPN{SSCC: "106141411234567897", CompanyPrefixLen: 7}) },
			want:   scanned{Type: "CODE-128", Data: "00106141411234567897", GS1: true},
		},
		{
			name:   "sscc with plate code",
			render: func(b *bytes.Buffer) error { return LPNPNG(b, LPN{Code: "LPN000124", SSCC: "106141411234567880"}) },
			want:   scanned{Type: "CODE-128", Data: "00106141411234567880", GS1: true},
		},
		{
			name:   "item ean13",
			render: func(b *bytes.Buffer) error { return ItemPNG(b, Item{SKU: "SKU-1", GTIN: "4006381333931"}) },
			want:   scanned{Type: "EAN-13", Data: "4006381333931"},
		},
		{
			name:   "item upca",
			render: func(b *bytes.Buffer) error { return ItemPNG(b, Item{SKU: "SKU-2", GTIN: "036000291452"}) },
			want:   scanned{Type: "UPC-A", Data: "036000291452"},
		},
		{
			name: "item gs1-128 lot and expiry",
			render: func(b *bytes.Buffer) error {
				return ItemPNG(b, Item{SKU: "SKU-3", GTIN: "09501101530003", Lot: "ABC123", Expiry: expiry})
			},
			want: scanned{Type: "CODE-128", Data: "0109501101530003" + "17261231" + "10ABC123", GS1: true},
		},
		{
			name:   "item gs1-128 case gtin-14",
			render: func(b *bytes.Buffer) error { return ItemPNG(b, Item{SKU: "SKU-4", GTIN: "10614141000415"}) },
			want:   scanned{Type: "CODE-128", Data: "0110614141000415", GS1: true},
		},
		{
			name: "item gs1-128 longest lot",
			render: func(b *bytes.Buffer) error {
				return ItemPNG(b, Item{GTIN: "09501101530003", Lot: "LOT-2026/12.a_b(c)%&", Symbology: GS1128})
			},
			want: scanned{Type: "CODE-128", Data: "0109501101530003" + "10LOT-2026/12.a_b(c)%&", GS1: true},
		},
		{
			name: "item qr",
			render: func(b *bytes.Buffer) error {
				return ItemPNG(b, Item{SKU: "SKU-5", GTIN: "09501101530003", Symbology: QR})
			},
			want: scanned{Type: "QR-Code", Data: "09501101530003"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			got := zbarPNG(t, b.Bytes())
			if diff := cmp.Diff([]scanned{tt.want}, got); diff != "" {
				t.Errorf("zbarimg (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGS1SeparatorScans proves FNC1 separators: a variable-length field that
// is not last is ended by FNC1, which zbar transmits as GS (0x1D), while the
// leading FNC1 only shows as the GS1 modifier.
func TestGS1SeparatorScans(t *testing.T) {
	t.Parallel()
	fields := []aiField{{"01", "09501101530003"}, {"10", "ABC123"}, {"21", "SER9"}}
	sym, err := newSymbol(symCode128, gs1Data(fields, fnc1Code128))
	if err != nil {
		t.Fatal(err)
	}
	sym.height = 150
	if err := sym.fit(stockWidth, minModule, 4); err != nil {
		t.Fatal(err)
	}
	lay := &layout{width: stockWidth, height: 200}
	lay.add(lay.centeredSymbol(sym, 25))
	var b bytes.Buffer
	if err := lay.writePNG(&b); err != nil {
		t.Fatal(err)
	}
	want := []scanned{{Type: "CODE-128", Data: "0109501101530003" + "10ABC123\x1d" + "21SER9", GS1: true}}
	if diff := cmp.Diff(want, zbarPNG(t, b.Bytes())); diff != "" {
		t.Errorf("zbarimg (-want +got):\n%s", diff)
	}
	if got := gs1Scanned(fields); got != want[0].Data {
		t.Errorf("gs1Scanned = %q, want what the scanner sent, %q", got, want[0].Data)
	}
}

// TestDataMatrixDecodes reads GS1 DataMatrix item labels back with ZXing's
// Go port (zbar cannot read Data Matrix). ZXing reports the leading FNC1 as
// the symbology identifier ]d2 (GS1 DataMatrix) and transmits it as GS.
func TestDataMatrixDecodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item Item
		want string
	}{
		{"gtin only", Item{SKU: "SKU-6", GTIN: "09501101530003", Symbology: DataMatrix}, "0109501101530003"},
		{"lot and expiry", Item{SKU: "SKU-7", GTIN: "09501101530003", Lot: "ABC123", Expiry: expiry, Symbology: DataMatrix},
			"0109501101530003" + "17261231" + "10ABC123"},
		{"longest lot", Item{GTIN: "4006381333931", Lot: "L0T_2026-12/31.a(b)c", Expiry: expiry, Symbology: DataMatrix},
			"0104006381333931" + "17261231" + "10L0T_2026-12/31.a(b)c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := ItemPNG(&b, tt.item); err != nil {
				t.Fatal(err)
			}
			img, _, err := image.Decode(&b)
			if err != nil {
				t.Fatal(err)
			}
			// ZXing's Data Matrix detector looks outward from the image
			// centre, which on this label is text: give it the symbol and
			// its quiet zone, as a handheld's aimer would.
			bmp, err := gozxing.NewBinaryBitmapFromImage(img.(*image.Gray).SubImage(matrixRect(t, tt.item)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := datamatrix.NewDataMatrixReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("gozxing decode: %v", err)
			}
			if got, want := res.GetText(), "\x1d"+tt.want; got != want {
				t.Errorf("decoded %q, want %q", got, want)
			}
			if got := res.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER]; got != "]d2" {
				t.Errorf("symbology identifier %v, want ]d2 (GS1 DataMatrix)", got)
			}
		})
	}
}

// matrixRect is where itemLayout put the 2D symbol, quiet zone included.
func matrixRect(t *testing.T, it Item) image.Rectangle {
	t.Helper()
	lay, err := itemLayout(it)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lay.elems {
		if s, ok := e.(symbolAt); ok {
			w, h := s.sym.size()
			q := s.sym.quietModules() * s.sym.module
			return image.Rect(s.x-q, s.y-q, s.x+w+q, s.y+h+q)
		}
	}
	t.Fatal("no symbol on the label")
	return image.Rectangle{}
}
