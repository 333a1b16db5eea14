package scan

// aiSpec is what the GS1 General Specifications (§3, the AI table) say about
// one Application Identifier's data: its length, its characters, and its
// check digit.
type aiSpec struct {
	name      string // what the data is, for messages: "lot", "GTIN"
	min, max  int    // data length bounds; a fixed-length field has min == max
	numeric   bool   // digits only; otherwise GS1 AI encodable character set 82
	numPrefix int    // alphanumeric field whose first numPrefix characters are digits
	checkLen  int    // > 0: a GS1 mod-10 check digit closes the first checkLen digits
	date      bool   // YYMMDD, GS1 century rule, day 00 = end of month
}

func fixedN(n int, name string) aiSpec { return aiSpec{name: name, min: n, max: n, numeric: true} }
func varN(max int, name string) aiSpec { return aiSpec{name: name, min: 1, max: max, numeric: true} }
func varX(max int, name string) aiSpec { return aiSpec{name: name, min: 1, max: max} }

func checked(sp aiSpec, n int) aiSpec { sp.checkLen = n; return sp }

// Specs used on the hot path, built once.
var (
	specSSCC   = checked(fixedN(18, "SSCC"), 18)
	specGTIN   = checked(fixedN(14, "GTIN"), 14)
	specGLN    = checked(fixedN(13, "GLN"), 13)
	specLot    = varX(20, "lot")
	specSerial = varX(20, "serial number")
	specCount  = varN(8, "count")
	specWeight = fixedN(6, "measure")
)

// dateSpecs are AIs 11 to 17, indexed by AI - 11 (14 is unassigned).
var dateSpecs = [...]aiSpec{
	dateSpec("production date"), dateSpec("due date"), dateSpec("packaging date"), {},
	dateSpec("best before date"), dateSpec("sell by date"), dateSpec("expiry date"),
}

func dateSpec(name string) aiSpec {
	return aiSpec{name: name, min: 6, max: 6, numeric: true, date: true}
}

// aiLength is the number of digits of the AIs starting with the two digits
// fam (GS1 General Specifications, "AI length by first two digits").
func aiLength(fam int) int {
	switch {
	case fam >= 23 && fam <= 25, fam >= 40 && fam <= 42, fam == 71:
		return 3
	case fam >= 31 && fam <= 36, fam == 39, fam == 43, fam == 70, fam >= 72 && fam <= 82:
		return 4
	}
	return 2
}

// predefined reports whether AIs starting with fam have a predefined length,
// so that no separator follows their data (GS1 General Specifications,
// Figure 7.8.5-2). Every other AI is ended by a separator or end of data,
// even when its data has a fixed length.
func predefined(fam int) bool {
	switch fam {
	case 0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 31, 32, 33, 34, 35, 36, 41:
		return true
	}
	return false
}

// lookupAI identifies the Application Identifier at the start of s. n is the
// AI's length in digits (as far as the first two digits tell, 0 when s does
// not start with two digits); ok is false for an AI this parser does not know.
func lookupAI(s string) (sp aiSpec, n int, ok bool) {
	if len(s) == 1 && isDigit(s[0]) {
		return aiSpec{}, 2, false // incomplete
	}
	if len(s) < 2 || !isDigit(s[0]) || !isDigit(s[1]) {
		return aiSpec{}, 0, false
	}
	fam := int(s[0]-'0')*10 + int(s[1]-'0')
	n = aiLength(fam)
	if len(s) < n {
		return aiSpec{}, n, false
	}
	d3, d4 := -1, -1
	if n >= 3 {
		if !isDigit(s[2]) {
			return aiSpec{}, n, false
		}
		d3 = int(s[2] - '0')
	}
	if n == 4 {
		if !isDigit(s[3]) {
			return aiSpec{}, n, false
		}
		d4 = int(s[3] - '0')
	}
	sp, ok = lookupFamily(fam, d3, d4)
	return sp, n, ok
}

// lookupFamily returns the spec of the AI fam, fam d3, or fam d3 d4
// (d3 and d4 are -1 when the AI is shorter).
func lookupFamily(fam, d3, d4 int) (aiSpec, bool) {
	switch fam {
	case 0:
		return specSSCC, true
	case 1, 2, 3:
		return specGTIN, true
	case 10:
		return specLot, true
	case 11, 12, 13, 15, 16, 17:
		return dateSpecs[fam-11], true
	case 20:
		return fixedN(2, "variant"), true
	case 21:
		return specSerial, true
	case 22:
		return varX(20, "consumer product variant"), true
	case 23:
		return varX(28, "third-party serial number"), d3 == 5
	case 24:
		switch d3 {
		case 0, 1:
			return varX(30, "product identification"), true
		case 2:
			return varN(6, "made-to-order variation"), true
		case 3:
			return varX(20, "packaging component number"), true
		}
	case 25:
		switch d3 {
		case 0, 1:
			return varX(30, "serial number"), true
		case 3:
			return aiSpec{name: "GDTI", min: 13, max: 30, numPrefix: 13, checkLen: 13}, true
		case 4:
			return varX(20, "GLN extension"), true
		case 5:
			return aiSpec{name: "GCN", min: 13, max: 25, numeric: true, checkLen: 13}, true
		}
	case 30, 37:
		return specCount, true
	case 31: // 310n-316n, n = decimal places 0-5; 310n is net weight in kg
		return specWeight, d3 <= 6 && d4 <= 5
	case 33, 35: // 330n-337n, 350n-357n
		return specWeight, d3 <= 7 && d4 <= 5
	case 32, 34, 36:
		return specWeight, d4 <= 5
	case 39:
		switch d3 {
		case 0, 2:
			return varN(15, "amount"), true
		case 1, 3:
			return aiSpec{name: "amount", min: 4, max: 18, numeric: true}, true
		case 4:
			return fixedN(4, "percentage discount"), d4 <= 3
		case 5:
			return fixedN(6, "amount per unit"), d4 <= 5
		}
	case 40:
		switch d3 {
		case 0, 1, 3:
			return varX(30, "reference"), true
		case 2:
			return checked(fixedN(17, "GSIN"), 17), true
		}
	case 41:
		return specGLN, d3 <= 7
	case 42:
		switch d3 {
		case 0:
			return varX(20, "postal code"), true
		case 1:
			return aiSpec{name: "postal code", min: 4, max: 12, numPrefix: 3}, true
		case 2, 4, 6:
			return fixedN(3, "country code"), true
		case 3, 5:
			return aiSpec{name: "country codes", min: 4, max: 15, numeric: true}, true
		case 7:
			return varX(3, "country subdivision"), true
		}
	case 70:
		if d3 != 0 {
			return aiSpec{}, false
		}
		switch d4 {
		case 1:
			return fixedN(13, "NATO stock number"), true
		case 2, 5, 8, 9:
			return varX(30, "meat description"), true
		case 3:
			return fixedN(10, "expiry date and time"), true
		case 4:
			return varN(4, "active potency"), true
		case 6:
			return dateSpec("first freeze date"), true
		case 7:
			return aiSpec{name: "harvest date", min: 6, max: 12, numeric: true}, true
		}
	case 71:
		return varX(20, "reimbursement number"), d3 <= 6
	case 80:
		switch d3*10 + d4 {
		case 1:
			return fixedN(14, "roll product dimensions"), true
		case 2, 12:
			return varX(20, "identifier"), true
		case 3:
			return aiSpec{name: "GRAI", min: 14, max: 30, numPrefix: 14, checkLen: 14}, true
		case 4, 10:
			return varX(30, "identifier"), true
		case 5:
			return fixedN(6, "price per unit"), true
		case 6:
			return checked(fixedN(18, "GTIN"), 14), true
		case 7:
			return varX(34, "IBAN"), true
		case 8:
			return aiSpec{name: "production date and time", min: 8, max: 12, numeric: true}, true
		case 9:
			return varX(50, "sensor indicator"), true
		case 11:
			return varN(12, "serial number"), true
		case 13, 20:
			return varX(25, "reference"), true
		case 17, 18:
			return checked(fixedN(18, "GSRN"), 18), true
		case 19:
			return varN(10, "service relation instance"), true
		}
	case 90:
		return varX(30, "mutually agreed information"), true
	case 91, 92, 93, 94, 95, 96, 97, 98, 99:
		return varX(90, "company internal information"), true
	}
	return aiSpec{}, false
}

// cset82 marks the characters of the GS1 AI encodable character set 82: the
// printable ASCII characters except space # $ @ [ \ ] ^ ` { | } ~.
var cset82 = func() (t [256]bool) {
	for c := '!'; c <= 'z'; c++ {
		t[c] = true
	}
	for _, c := range "#$@[\\]^`" {
		t[c] = false
	}
	return t
}()
