package inventory

import (
	"github.com/floorops/floorops"
	"github.com/floorops/floorops/scan"
)

// LotReadable refuses, with EINVALID on field, a scan of an item tracked by
// lot or serial whose last field may have swallowed further elements
// because the scanner dropped the GS separator (scan.Scan.MayHaveDroppedGS:
// lot "LQA117280101", where "17280101" also reads as an expiry). The GS1
// reference reads such a scan as encoded, which is right for a lookup; but
// the lot or serial a workflow records from it may be another's, and the
// expiry it then asks for would be typed beside the wrong lot. Every
// workflow that records a scanned lot or serial, or chooses stock by it,
// asks this first.
func LotReadable(sc *scan.Scan, it Item, field string) error {
	if !sc.MayHaveDroppedGS() || (!it.LotTracked && !it.SerialTracked) {
		return nil
	}
	w := sc.Warnings()
	why := "the scan's last field may hold further elements: the scanner may have dropped the GS separator"
	if len(w) > 0 {
		why = w[0]
	}
	return floorops.Invalid(field, "%s. %s's lot or serial cannot be recorded as read: scan again with the scanner sending GS, or scan the GTIN alone and type the lot", why, it.SKU)
}
