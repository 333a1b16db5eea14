package scan

import "strings"

// Code is a code as an associate typed or a scanner read it, in the form
// the node stores and compares it: without the spaces around it, upper
// case. Every code the floor names something by (a SKU, a location or
// zone, an LPN, a PO, ASN or order number, a vendor, a badge) goes through
// it, so "a-01-02-b " and "A-01-02-B" are the same bin everywhere. Free
// text (reasons, notes) and lots keep their own case.
func Code(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
