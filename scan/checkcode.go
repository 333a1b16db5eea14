package scan

import "fmt"

// CheckCode returns the two-digit check code printed on a location label
// beside the barcode. An associate types it when the barcode is damaged or out
// of reach; it proves they are standing at the location, not just that they
// know its name.
//
// The code is ISO 7064 MOD 97-10 (the IBAN check) over the location code's
// letters and digits, separators ignored and letters case-folded (A=10 …
// Z=35). MOD 97-10 catches every single-character change and every swap of
// neighbouring characters, so two locations next to each other on a shelf
// (A-01-02-B and A-01-02-C) never share a check code. The result is in
// "02".."98".
func CheckCode(code string) string {
	return fmt.Sprintf("%02d", checkValue(code))
}

func checkValue(code string) int {
	r := 0
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		case c >= 'a' && c <= 'z':
			r = (r*100 + int(c-'a') + 10) % 97
		}
	}
	r = (r * 100) % 97
	return 98 - r
}
