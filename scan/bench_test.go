package scan_test

import (
	"testing"

	"github.com/floorops/floorops/scan"
)

// BenchmarkParse measures Parse on what handhelds send most: a GS1-128 case
// label, a retail EAN barcode, a location label and an LPN.
func BenchmarkParse(b *testing.B) {
	for _, bm := range []struct{ name, raw string }{
		{"gs1-128", "]C1010950600013435217261231" + gsc + "10ABC123"},
		{"gs1-128-no-gs", "]C1" + "0109506000134352" + "17261231" + "10ABC1234567890"},
		{"gs1-dm-spelled-gs", "]d2" + gsc + "0109506000134352" + "10ABC123" + "<GS>" + "17261231\r\n"},
		{"gs1-hri", "(01)09506000134352(17)261231(10)ABC123"},
		{"digital-link", "https://id.gs1.org/01/09506000134352/10/ABC123?17=261231&linkType=all"},
		{"gtin-13", "4006381333931"},
		{"location", "A-01-02-B"},
		{"location-lower", "a-01-02-b\r\n"},
		{"lpn", "LPN-000123"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := scan.Parse(bm.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
