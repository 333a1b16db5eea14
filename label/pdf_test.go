package label

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestLocationSheetScans prints an aisle of 30 locations (two pages), rasters
// each page with pdftoppm at 200 dpi, as an office printer would, and reads
// every barcode back with zbarimg.
func TestLocationSheetScans(t *testing.T) {
	t.Parallel()
	var aisle []Location
	for bay := 1; bay <= 10; bay++ {
		for _, level := range []string{"A", "B", "C"} {
			aisle = append(aisle, Location{Code: fmt.Sprintf("C-%02d-%02d-%s", 7, bay, level), Zone: "C", Type: "PICK"})
		}
	}
	for _, paper := range []Paper{A4, Letter} {
		t.Run(string(paper), func(t *testing.T) {
			t.Parallel()
			pages := rasterSheet(t, paper, aisle)
			if len(pages) != 2 {
				t.Fatalf("%d pages, want 2 (24 labels a page)", len(pages))
			}
			for i, page := range pages {
				var want []string
				for _, l := range aisle[i*24 : min(len(aisle), (i+1)*24)] {
					want = append(want, l.Code)
				}
				var got []string
				for _, s := range zbarFile(t, page) {
					if s.Type != "CODE-128" || s.GS1 {
						t.Errorf("page %d: unexpected symbol %+v", i+1, s)
					}
					got = append(got, s.Data)
				}
				slices.Sort(want)
				slices.Sort(got)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("page %d codes (-want +got):\n%s", i+1, diff)
				}
			}
		})
	}
}

// TestLocationSheetLongCode checks that the longest codes of the node's
// location format still fit and scan from a sheet label on either paper.
func TestLocationSheetLongCode(t *testing.T) {
	t.Parallel()
	var ls []Location
	var want []scanned
	for _, code := range longestLocationCodes {
		ls = append(ls, Location{Code: code, Zone: "MEZZANINE", Type: "RESERVE"})
		want = append(want, scanned{Type: "CODE-128", Data: code})
	}
	sortScans := cmpopts.SortSlices(func(a, b scanned) bool { return a.Data < b.Data })
	for _, paper := range []Paper{A4, Letter} {
		t.Run(string(paper), func(t *testing.T) {
			t.Parallel()
			pages := rasterSheet(t, paper, ls)
			if diff := cmp.Diff(want, zbarFile(t, pages[0]), sortScans); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// rasterSheet renders ls as a PDF sheet and returns one PNG path per page.
func rasterSheet(t *testing.T, paper Paper, ls []Location) []string {
	t.Helper()
	pdftoppm := requireTool(t, "pdftoppm")
	requireTool(t, "zbarimg")
	dir := t.TempDir()
	pdf := filepath.Join(dir, "sheet.pdf")
	f, err := os.Create(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if err := LocationSheetPDF(f, paper, ls); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftoppm, "-png", "-r", "200", pdf, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(pages)
	return pages
}
