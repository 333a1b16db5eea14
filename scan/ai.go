package scan

// aiLength is the number of digits of the AIs starting with the two digits
// fam (GS1 General Specifications, "AI length by first two digits"), for
// AIs the dictionary does not have.
func aiLength(fam int) int {
	switch {
	case fam >= 23 && fam <= 25, fam >= 40 && fam <= 42, fam == 71:
		return 3
	case fam >= 31 && fam <= 36, fam == 39, fam == 43, fam == 70, fam >= 72 && fam <= 82:
		return 4
	}
	return 2
}

// lookupAI identifies the Application Identifier at the start of s. n is the
// AI's length in digits (as far as the first two digits tell, 0 when s does
// not start with two digits); ok is false for an AI the dictionary does not
// have.
func lookupAI(s string) (e *aiEntry, n int, ok bool) {
	if len(s) == 1 && isDigit(s[0]) {
		return nil, 2, false // incomplete
	}
	if len(s) < 2 || !isDigit(s[0]) || !isDigit(s[1]) {
		return nil, 0, false
	}
	n = aiLen(int(s[0]-'0')*10 + int(s[1]-'0'))
	if len(s) < n {
		return nil, n, false
	}
	e = entry(s[:n])
	return e, n, e != nil
}
