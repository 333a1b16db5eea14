package scan

// Hand-written matchers for the default code formats. They accept exactly
// what the default patterns accept on an upper-cased ASCII code (a test and
// FuzzParse compare them with the regexps), without regexp's cost on the
// request path.

func isUpper(c byte) bool   { return 'A' <= c && c <= 'Z' }
func isAlnumUp(c byte) bool { return isUpper(c) || isDigit(c) }
func allAlnumUp(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnumUp(s[i]) {
			return false
		}
	}
	return true
}

// matchBadge matches ^B-[A-Z][A-Z0-9]*$.
func matchBadge(s string) bool {
	return len(s) >= 3 && s[0] == 'B' && s[1] == '-' && isUpper(s[2]) && allAlnumUp(s[3:])
}

// matchDocument matches ^PREFIX(-[0-9A-Z]|[0-9])[0-9A-Z-]*$ (dashes
// allowed after the first character of the number) or, with dashes false,
// ^PREFIX(-[0-9A-Z]|[0-9])[0-9A-Z]*$. Without the dash the number starts
// with a digit, so words that merely begin with the prefix ("SOLID",
// "POSTAGE") are not documents.
func matchDocument(s, prefix string, dashes bool) bool {
	if len(s) <= len(prefix) || s[:len(prefix)] != prefix {
		return false
	}
	s = s[len(prefix):]
	if s[0] == '-' {
		s = s[1:]
		if s == "" || !isAlnumUp(s[0]) {
			return false
		}
	} else if !isDigit(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlnumUp(s[i]) && !(dashes && s[i] == '-') {
			return false
		}
	}
	return true
}

func matchPO(s string) bool  { return matchDocument(s, "PO", true) }
func matchRMA(s string) bool { return matchDocument(s, "RMA", true) }
func matchLPN(s string) bool { return matchDocument(s, "LPN", false) }
func matchOrder(s string) bool {
	return matchDocument(s, "SO", true) || matchDocument(s, "ORD", true)
}

// matchLocation matches ^[A-Z][A-Z0-9]{0,5}-[0-9]{1,4}(-[A-Z0-9]{1,4}){0,3}$:
// a zone or area of up to 6 characters starting with a letter, a numeric
// aisle or door, then up to three short parts (bay, level, position).
func matchLocation(s string) bool {
	part := 0
	for start := 0; start <= len(s); {
		end := start
		for end < len(s) && s[end] != '-' {
			end++
		}
		seg := s[start:end]
		switch part {
		case 0:
			if len(seg) < 1 || len(seg) > 6 || !isUpper(seg[0]) || !allAlnumUp(seg) {
				return false
			}
		case 1:
			if len(seg) < 1 || len(seg) > 4 || !allDigits(seg) {
				return false
			}
		default:
			if len(seg) < 1 || len(seg) > 4 || !allAlnumUp(seg) || part > 4 {
				return false
			}
		}
		part++
		start = end + 1
	}
	return part >= 2
}
