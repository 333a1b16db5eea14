package label

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/floorops/floorops/scan"
)

// longestLocationCodes are 26-character codes, the longest the node's
// default location format accepts (a 6-character zone, a 4-digit aisle and
// three 4-character parts), with wide letters for the printed text.
var longestLocationCodes = []string{
	"ABCDEF-1234-ABCD-ABCD-ABCD",
	"MWMWMW-9876-WWWW-MMMM-W0W0",
	"Z00000-0000-0000-0000-0000",
}

// TestLongestLocationCodes renders the longest location codes the node
// accepts as PNG and as ZPL (as the printer reads it) and reads both back
// with zbarimg; the code text must stay clear of the check code box.
func TestLongestLocationCodes(t *testing.T) {
	t.Parallel()
	for _, code := range longestLocationCodes {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			if s, err := scan.Parse(code); err != nil || s.Kind != scan.KindLocation || s.Code != code {
				t.Fatalf("test code %s is not a location code of the node: %v %v", code, s.Kind, err)
			}
			l := Location{Code: code, Zone: "MEZZANINE", Type: "RESERVE"}
			readsBack(t, l)

			lay, err := locationLayout(l)
			if err != nil {
				t.Fatal(err)
			}
			var printed string
			for _, e := range lay.elems {
				tx, ok := e.(text)
				if !ok || tx.reverse || tx.y >= 176 {
					continue
				}
				printed += tx.s
				if end := tx.x + textWidth(tx.s, tx.bold, tx.size); end > stockWidth-margin-180-margin {
					t.Errorf("code text %q ends at %d dots, into the check code box", tx.s, end)
				}
			}
			if printed != code {
				t.Errorf("code text %q, want %q", printed, code)
			}
		})
	}
}

// TestLocationCodeCharacters prints codes with every kind of character the
// node may store in a location code, ZPL's reserved ^ ~ > included, and reads
// them back from the PNG and from the ZPL.
func TestLocationCodeCharacters(t *testing.T) {
	t.Parallel()
	for i, code := range []string{"A^1", "A~1", "A>1", "^~>", "R_1.2/3", `A#1+B:C!"%&'()*,;<=?@[\]{|}`, "a-01-b", "A-1>8"} {
		// Named by number: zbarimg's XML would not survive the characters
		// in the temporary directory's name.
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			l := Location{Code: code}
			zpl := readsBack(t, l)
			if n := bytes.Count(zpl, []byte("^XA")); n != 1 {
				t.Errorf("ZPL holds %d ^XA; the code's characters broke the format:\n%s", n, zpl)
			}
		})
	}
}

// failedCodes lists the codes of the LocationErrors in err, in order.
func failedCodes(err error) []string {
	var codes []string
	var le *LocationError
	if errors.As(err, &le) && errors.Unwrap(err) != nil {
		return []string{le.Code}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			codes = append(codes, failedCodes(e)...)
		}
	}
	return codes
}

// TestBatchWithBadLocations renders a zone in which two locations cannot be
// printed: the PDF sheet and the ZPL stream are refused as a whole, nothing
// is written, and both bad locations are named.
func TestBatchWithBadLocations(t *testing.T) {
	t.Parallel()
	tooWide := "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"
	zone := []Location{{Code: "A-01"}, {Code: "A 02"}, {Code: "A-03"}, {Code: tooWide}, {Code: "A-05"}}
	want := []string{"A 02", tooWide}
	for name, render := range map[string]func(*bytes.Buffer) error{
		"pdf":        func(b *bytes.Buffer) error { return LocationSheetPDF(b, Letter, zone) },
		"render pdf": func(b *bytes.Buffer) error { return Render(b, FormatPDF, zone) },
		"render zpl": func(b *bytes.Buffer) error { return Render(b, FormatZPL, zone) },
	} {
		var b bytes.Buffer
		err := render(&b)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
		if got := failedCodes(err); !slices.Equal(got, want) {
			t.Errorf("%s: failed codes %q, want %q", name, got, want)
		}
		if b.Len() > 0 {
			t.Errorf("%s: wrote %d bytes of a batch that failed", name, b.Len())
		}
	}
	good := slices.DeleteFunc(slices.Clone(zone), func(l Location) bool { return slices.Contains(want, l.Code) })
	var b bytes.Buffer
	if err := Render(&b, FormatZPL, good); err != nil || bytes.Count(b.Bytes(), []byte("^XA")) != 3 {
		t.Errorf("good locations: %v, %d formats", err, strings.Count(b.String(), "^XA"))
	}
}

func TestSplitCode(t *testing.T) {
	t.Parallel()
	for code, want := range map[string][2]string{
		"ABCDEF-1234-ABCD-ABCD-ABCD": {"ABCDEF-1234-", "ABCD-ABCD-ABCD"},
		"A-1234-ABCD-ABCD-ABCD":      {"A-1234-ABCD-", "ABCD-ABCD"},
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ": {"ABCDEFGHIJKLM", "NOPQRSTUVWXYZ"},
		"ABCDEFGHIJKLMNOPQRSTUVWX-Y": {"ABCDEFGHIJKLM", "NOPQRSTUVWX-Y"},
	} {
		if a, b := splitCode(code); a != want[0] || b != want[1] {
			t.Errorf("splitCode(%s) = %q, %q; want %q", code, a, b, want)
		}
	}
}

// readsBack renders l as PNG and as ZPL, checks zbarimg reads the code from
// both, and returns the ZPL.
func readsBack(t *testing.T, l Location) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := LocationPNG(&b, l); err != nil {
		t.Fatal(err)
	}
	zpl, err := LocationZPL(l)
	if err != nil {
		t.Fatal(err)
	}
	want := []scanned{{Type: "CODE-128", Data: l.Code}}
	for name, img := range map[string][]byte{"png": b.Bytes(), "zpl": zplCode128PNG(t, zpl)} {
		if diff := cmp.Diff(want, zbarPNG(t, img)); diff != "" {
			t.Errorf("%s: zbarimg (-want +got):\n%s", name, diff)
		}
	}
	return zpl
}
