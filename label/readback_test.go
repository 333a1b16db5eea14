package label

import (
	"bytes"
	"errors"
	"image"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"

	"github.com/floorops/floorops/scan"
)

// mustReadBack fails the test unless the node's scanner reads raw as it.
func mustReadBack(t *testing.T, raw string, it Item) {
	t.Helper()
	s, err := scan.Parse(raw)
	if err != nil {
		t.Fatalf("scan.Parse(%q): %v", raw, err)
	}
	want := scan.Scan{GTIN: gtin14(it.GTIN), Lot: it.Lot}
	if !it.Expiry.IsZero() {
		want.Expiry = scan.Date{Year: it.Expiry.Year(), Month: int(it.Expiry.Month()), Day: it.Expiry.Day()}
	}
	got := scan.Scan{GTIN: s.GTIN, Lot: s.Lot, Expiry: s.Expiry}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(scan.Scan{})); diff != "" {
		t.Errorf("scan.Parse(%q) (-want +got):\n%s", raw, diff)
	}
}

// TestGS1DateCenturyRule checks the century rule on a fixed printing date:
// in 2026 a scanner reads the two-digit years 77-99 as 1977-1999 and 00-76 as
// 2000-2076, so only expiry dates in 1977-2076 can be printed.
func TestGS1DateCenturyRule(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		date string
		ok   bool
	}{
		{"2026-12-31", true},
		{"2076-12-31", true},
		{"1977-01-01", true},
		{"2077-01-01", false}, // reads as 1977
		{"2080-06-30", false}, // reads as 1980
		{"2099-12-31", false},
		{"1976-12-31", false}, // reads as 2076
		{"2126-12-31", false}, // reads as 2026
	} {
		d, _ := time.Parse(time.DateOnly, tt.date)
		got, err := gs1Date("expiry", d, now)
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("gs1Date(%s) = %q, %v; want ok %v", tt.date, got, err, tt.ok)
		}
		if tt.ok && got != d.Format("060102") {
			t.Errorf("gs1Date(%s) = %q", tt.date, got)
		}
	}
}

// TestExpiryCenturyRule renders item labels with expiry dates around the
// edges of the century window of this year: every symbology that carries an
// expiry refuses a date a scanner would read in another century.
func TestExpiryCenturyRule(t *testing.T) {
	t.Parallel()
	year := time.Now().Year()
	at := func(y int) time.Time { return time.Date(y, 6, 30, 0, 0, 0, 0, time.UTC) }
	for _, sym := range []Symbology{GS1128, DataMatrix} {
		for _, tt := range []struct {
			expiry time.Time
			ok     bool
		}{
			{at(year + 1), true},
			{at(year + 50), true},
			{at(year - 49), true},
			{at(year + 51), false},
			{at(year + 60), false},
			{at(year - 50), false},
			{at(year + 100), false},
		} {
			it := Item{GTIN: "09501101530003", Expiry: tt.expiry, Symbology: sym}
			_, err := ItemZPL(it)
			if tt.ok && err != nil {
				t.Errorf("%s expiry %s: %v", sym, tt.expiry.Format(time.DateOnly), err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalid) {
				t.Errorf("%s expiry %s: err = %v, want ErrInvalid", sym, tt.expiry.Format(time.DateOnly), err)
			}
			if !tt.ok && !errors.Is(Render(&bytes.Buffer{}, FormatPNG, it), ErrInvalid) {
				t.Errorf("%s expiry %s: the PNG was rendered", sym, tt.expiry.Format(time.DateOnly))
			}
		}
	}
}

// lotsThatReadAsElements end in digits that read as another AI with a valid
// value (15 best before, 17 expiry, 11 production date): with the lot last
// and unterminated, the node cannot tell them from a scan that lost a GS
// separator.
var lotsThatReadAsElements = []string{"B-15251130", "2024-17250601", "L11250312"}

// TestLotReadingAsElementsScans renders GS1-128 item labels (PNG, and ZPL as
// the printer reads it) whose lot would be ambiguous at the end of the
// symbol, reads them with zbarimg, and checks that the node's scanner reads
// the result as the item.
func TestLotReadingAsElementsScans(t *testing.T) {
	t.Parallel()
	var items []Item
	for _, lot := range lotsThatReadAsElements {
		items = append(items,
			Item{SKU: "SKU-8", GTIN: "09501101530003", Lot: lot},
			Item{SKU: "SKU-8", GTIN: "09501101530003", Lot: lot, Expiry: expiry},
		)
	}
	for _, it := range items {
		name := it.Lot + "/no expiry"
		if !it.Expiry.IsZero() {
			name = it.Lot + "/expiry"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := ItemPNG(&b, it); err != nil {
				t.Fatal(err)
			}
			zpl, err := ItemZPL(it)
			if err != nil {
				t.Fatal(err)
			}
			for name, img := range map[string][]byte{"png": b.Bytes(), "zpl": zplCode128PNG(t, zpl)} {
				got := zbarPNG(t, img)
				if len(got) != 1 || got[0].Type != "CODE-128" || !got[0].GS1 {
					t.Fatalf("%s: zbarimg read %+v, want one GS1-128 symbol", name, got)
				}
				mustReadBack(t, "]C1"+got[0].Data, it)
				// A scanner without AIM identifiers sends the data alone.
				mustReadBack(t, got[0].Data, it)
			}
		})
	}
}

// TestLotReadingAsElementsDataMatrix is the same for GS1 DataMatrix, read
// with ZXing's Go port.
func TestLotReadingAsElementsDataMatrix(t *testing.T) {
	t.Parallel()
	for _, lot := range lotsThatReadAsElements {
		it := Item{GTIN: "09501101530003", Lot: lot, Expiry: expiry, Symbology: DataMatrix}
		var b bytes.Buffer
		if err := ItemPNG(&b, it); err != nil {
			t.Fatalf("%s: %v", lot, err)
		}
		img, _, err := image.Decode(&b)
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img.(*image.Gray).SubImage(matrixRect(t, it)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := datamatrix.NewDataMatrixReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("%s: gozxing decode: %v", lot, err)
		}
		// gozxing sends the leading FNC1 as GS after the identifier.
		mustReadBack(t, "]d2"+strings.TrimPrefix(res.GetText(), "\x1d"), it)

		zpl, err := ItemZPL(it)
		if err != nil {
			t.Fatal(err)
		}
		mustReadBack(t, "]d2"+zplDataMatrixScanned(t, zpl), it)
	}
}

var zplDataMatrixField = regexp.MustCompile(`\^BXN,\d+,200,,,,_\^FD([^^]*)\^FS`)

// zplDataMatrixScanned is what a scanner sends for the Data Matrix of a ZPL
// label, read the way the printer reads ^BX field data with _ as escape
// character (_1 FNC1, __ an underscore): the leading FNC1 dropped, the
// others sent as GS.
func zplDataMatrixScanned(t *testing.T, zpl []byte) string {
	t.Helper()
	m := zplDataMatrixField.FindSubmatch(zpl)
	if m == nil {
		t.Fatalf("no ^BX quality 200 field with _ as escape in\n%s", zpl)
	}
	fd := string(m[1])
	if !strings.HasPrefix(fd, "_1") {
		t.Fatalf("^FD%s does not start with FNC1 (_1): not a GS1 DataMatrix", fd)
	}
	var b strings.Builder
	for i := 2; i < len(fd); i++ {
		if fd[i] != '_' {
			b.WriteByte(fd[i])
			continue
		}
		i++
		switch {
		case i < len(fd) && fd[i] == '1':
			b.WriteByte('\x1d')
		case i < len(fd) && fd[i] == '_':
			b.WriteByte('_')
		default:
			t.Fatalf("^FD%s: escape _%s is not FNC1 or an underscore", fd, fd[i:min(i+1, len(fd))])
		}
	}
	return b.String()
}

// TestHumanReadableScans types the human-readable text of every kind of
// item label into the node's scanner: it must read as the item. A 2D label
// prints one element a line; typed one after the other they are the whole
// string.
func TestHumanReadableScans(t *testing.T) {
	t.Parallel()
	for _, it := range []Item{
		{GTIN: "4006381333931", Symbology: QR},
		{GTIN: "09501101530003", Symbology: QR},
		{GTIN: "95012346", Symbology: QR},
		{GTIN: "4006381333931"},
		{GTIN: "036000291452"},
		{GTIN: "10614141000415"},
		{GTIN: "4006381333931", Lot: "ABC", Expiry: expiry},
		{GTIN: "09501101530003", Lot: "LOT-2026/12.a_b(c)%&"},
		{GTIN: "4006381333931", Lot: "ABC", Expiry: expiry, Symbology: DataMatrix},
		{GTIN: "09501101530003", Lot: "ABCDEFGHIJKLMNOPQRST", Expiry: expiry, Symbology: DataMatrix},
		{GTIN: "09501101530003", Lot: "B-15251130", Expiry: expiry},
		{GTIN: "09501101530003", Lot: "L11250312", Symbology: DataMatrix},
	} {
		_, hri, err := itemContent(it, time.Now())
		if err != nil {
			t.Errorf("%+v: %v", it, err)
			continue
		}
		mustReadBack(t, strings.Join(hri, ""), it)
		lay, err := itemLayout(it)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range hri {
			if !onLabel(lay, line) {
				t.Errorf("%+v: human-readable %q is not printed whole on the label", it, line)
			}
		}
	}
	// The GS1 human-readable form, as scan.Parse reads it.
	_, hri, err := itemContent(Item{GTIN: "4006381333931", Lot: "ABC", Expiry: expiry}, time.Now())
	if err != nil || len(hri) != 1 || hri[0] != "(01)04006381333931(17)261231(10)ABC" {
		t.Errorf("gs1-128 human-readable %q, %v", hri, err)
	}
	_, hri, err = itemContent(Item{GTIN: "4006381333931", Symbology: QR}, time.Now())
	if err != nil || len(hri) != 1 || hri[0] != "(01)04006381333931" {
		t.Errorf("qr human-readable %q, %v", hri, err)
	}
}

// onLabel reports whether s is one of the label's text lines, uncut.
func onLabel(lay *layout, s string) bool {
	for _, e := range lay.elems {
		if tx, ok := e.(text); ok && tx.s == s {
			return true
		}
	}
	return false
}

// TestHumanReadableEscapesParens prints a "(" in a lot as "\\(", as GS1's
// bracketed syntax has it, so the human-readable line typed from the label
// reads back as the same lot instead of splitting it at what looks like an
// AI.
func TestHumanReadableEscapesParens(t *testing.T) {
	t.Parallel()
	for _, sym := range []Symbology{GS1128, DataMatrix} {
		it := Item{GTIN: "09501101530003", Lot: "AB(17)261231", Symbology: sym}
		_, hri, err := itemContent(it, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", sym, err)
		}
		want := `(01)09501101530003(10)AB\(17)261231`
		// DataMatrix prints one element a line; the associate types them
		// as one.
		typed := strings.Join(hri, "")
		if typed != want {
			t.Fatalf("%s: human-readable %q, want %q", sym, hri, want)
		}
		s, err := scan.Parse(typed)
		if err != nil {
			t.Fatalf("%s: typed line %q: %v", sym, typed, err)
		}
		if got, _ := s.AI("10"); got != it.Lot {
			t.Errorf("%s: typed line reads lot %q, want %q", sym, got, it.Lot)
		}
	}
}
