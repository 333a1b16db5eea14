package receiving

import (
	"slices"

	"github.com/floorops/floorops/inventory"
)

// SeesExpected reports whether a reaches what a blind receipt hides: the
// quantities a blind PO orders, its ASNs announce and its receipts expect,
// are short or over. Associates count what arrived without them, so the
// count is theirs and not the paperwork's; leads, admins and central see
// them. Every read and answer of the receiving service goes through it.
func SeesExpected(a inventory.Actor) bool { return a.Role != inventory.Associate }

// seenBy is po as a may see it: a blind PO's ordered quantities are zero
// for an associate.
func (po PurchaseOrder) seenBy(a inventory.Actor) PurchaseOrder {
	if !po.Blind || SeesExpected(a) {
		return po
	}
	po.Ordered = 0
	po.Lines = slices.Clone(po.Lines)
	for i := range po.Lines {
		po.Lines[i].Ordered = 0
	}
	return po
}

// seenBy is asn as a may see it: on an ASN of a blind PO the quantities of
// its contents are zero for an associate.
func (asn ASN) seenBy(a inventory.Actor) ASN {
	if !asn.Blind || SeesExpected(a) {
		return asn
	}
	asn.Containers = slices.Clone(asn.Containers)
	for i := range asn.Containers {
		asn.Containers[i].Contents = withoutQuantities(asn.Containers[i].Contents)
	}
	return asn
}

// seenBy is rc as a may see it: on a blind receipt the expected, short and
// over quantities of its lines are zero for an associate.
func (rc Receipt) seenBy(a inventory.Actor) Receipt {
	if !rc.Blind || SeesExpected(a) {
		return rc
	}
	rc.Lines = slices.Clone(rc.Lines)
	for i := range rc.Lines {
		rc.Lines[i].Expected, rc.Lines[i].Short, rc.Lines[i].Over = 0, 0, 0
	}
	return rc
}

// seenBy is res as a may see it: what a pallet or carton on a blind receipt
// holds is shown to an associate without quantities.
func (res ScanResult) seenBy(a inventory.Actor) ScanResult {
	if !res.Blind || SeesExpected(a) {
		return res
	}
	res.Contents = withoutQuantities(res.Contents)
	return res
}

func withoutQuantities(cs []Content) []Content {
	cs = slices.Clone(cs)
	for i := range cs {
		cs[i].Qty = 0
	}
	return cs
}
