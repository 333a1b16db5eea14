package scan

// The North American coupon structures of AIs 8110 (couponcode) and 8112
// (couponposoffer), as GS1 US's "North American Coupon Application
// Guideline Using GS1 DataBar Expanded Symbols" and "GS1 AI (8112) Coupon
// Data Specification" define them: all digits, fields introduced by a
// variable length indicator (VLI) digit saying how long they are.

// couponReader walks the digits of a coupon code.
type couponReader struct {
	v  string
	at int
}

// digit reads one digit; ok is false at the end of the data.
func (r *couponReader) digit() (d int, ok bool) {
	if r.at >= len(r.v) {
		return 0, false
	}
	r.at++
	return int(r.v[r.at-1] - '0'), true
}

// take reads n digits; ok is false when fewer are left.
func (r *couponReader) take(n int) (s string, ok bool) {
	if len(r.v)-r.at < n {
		return "", false
	}
	r.at += n
	return r.v[r.at-n : r.at], true
}

// next says whether the next digit is an optional field's indicator d.
func (r *couponReader) next(d byte) bool {
	return r.at < len(r.v) && r.v[r.at] == d
}

// vli reads a length indicator in [lo, hi] and then the field of that
// length plus add.
func (r *couponReader) vli(lo, hi, add int) (string, bool) {
	n, ok := r.digit()
	if !ok || n < lo || n > hi {
		return "", false
	}
	return r.take(n + add)
}

// hasGCP says whether s starts with the shortest GS1 Company Prefix.
func hasGCP(s string) bool {
	return len(s) >= 4 && allDigits(s[:4])
}

// couponCode checks AI 8110. off is where in v the fault is.
func (g *gs1Parser) couponCode(v string) (off int, ok bool) {
	if !allDigits(v) {
		return 0, false
	}
	r := &couponReader{v: v}
	fail := func() (int, bool) { return min(r.at, len(v)), false }
	// Company prefix (VLI 0-6: 6 to 12 digits), offer code, save value
	// (VLI 1-5), primary purchase requirement (VLI 1-5), its code (0-4,
	// 9) and its family code.
	if gcp, ok := r.vli(0, 6, 6); !ok || !hasGCP(gcp) {
		return fail()
	}
	if _, ok := r.take(6); !ok {
		return fail()
	}
	if _, ok := r.vli(1, 5, 0); !ok {
		return fail()
	}
	if !g.couponPurchase(r) {
		return fail()
	}
	// 1: additional purchase rules code (0-3), second purchase and its
	// company prefix (VLI 0-6, or 9 for none).
	if r.next('1') {
		r.at++
		if d, ok := r.digit(); !ok || d > 3 {
			return fail()
		}
		if !g.couponPurchase(r) || !couponPurchaseGCP(r) {
			return fail()
		}
	}
	// 2: third purchase and its company prefix.
	if r.next('2') {
		r.at++
		if !g.couponPurchase(r) || !couponPurchaseGCP(r) {
			return fail()
		}
	}
	// 3: expiration date; 4: start date, not after the expiration.
	var expiry string
	if r.next('3') {
		r.at++
		d, ok := r.take(6)
		if !ok {
			return fail()
		}
		if _, ok := g.lint(lintYymmdd, d); !ok {
			return r.at - 6, false
		}
		expiry = d
	}
	if r.next('4') {
		r.at++
		d, ok := r.take(6)
		if !ok {
			return fail()
		}
		if _, ok := g.lint(lintYymmdd, d); !ok || (expiry != "" && d > expiry) {
			return r.at - 6, false
		}
	}
	// 5: serial number (VLI 0-9: 6 to 15 digits).
	if r.next('5') {
		r.at++
		if _, ok := r.vli(0, 9, 6); !ok {
			return fail()
		}
	}
	// 6: retailer company prefix or GLN (VLI 1-7: 7 to 13 digits).
	if r.next('6') {
		r.at++
		if gln, ok := r.vli(1, 7, 6); !ok || !hasGCP(gln) {
			return fail()
		}
	}
	// 9: save value code (0-2, 5, 6), applies to item (0-2), store
	// coupon flag, don't multiply flag (0-1).
	if r.next('9') {
		r.at++
		if d, ok := r.digit(); !ok || d > 6 || d == 3 || d == 4 {
			return fail()
		}
		if d, ok := r.digit(); !ok || d > 2 {
			return fail()
		}
		if _, ok := r.digit(); !ok {
			return fail()
		}
		if d, ok := r.digit(); !ok || d > 1 {
			return fail()
		}
	}
	if r.at != len(v) {
		return r.at, false
	}
	return 0, true
}

// couponPurchase reads a purchase requirement (VLI 1-5), its code (0-4 or
// 9) and its 3-digit family code.
func (g *gs1Parser) couponPurchase(r *couponReader) bool {
	if _, ok := r.vli(1, 5, 0); !ok {
		return false
	}
	if d, ok := r.digit(); !ok || (d > 4 && d != 9) {
		return false
	}
	_, ok := r.take(3)
	return ok
}

// couponPurchaseGCP reads the company prefix of a second or third
// purchase: VLI 0-6 (6 to 12 digits), or 9 for the coupon's own.
func couponPurchaseGCP(r *couponReader) bool {
	n, ok := r.digit()
	if !ok || (n > 6 && n != 9) {
		return false
	}
	if n == 9 {
		return true
	}
	gcp, ok := r.take(n + 6)
	return ok && hasGCP(gcp)
}

// couponPosOffer checks AI 8112: format code (0 or 1), funder (VLI 0-6: 6
// to 12 digits), offer code, serial number (VLI 0-9: 6 to 15 digits),
// nothing after.
func couponPosOffer(v string) (off int, ok bool) {
	if !allDigits(v) {
		return 0, false
	}
	r := &couponReader{v: v}
	if d, ok := r.digit(); !ok || d > 1 {
		return 0, false
	}
	if _, ok := r.vli(0, 6, 6); !ok {
		return min(r.at, len(v)), false
	}
	if _, ok := r.take(6); !ok {
		return r.at, false
	}
	if _, ok := r.vli(0, 9, 6); !ok {
		return min(r.at, len(v)), false
	}
	if r.at != len(v) {
		return r.at, false
	}
	return 0, true
}
