package scan

import (
	"fmt"
	"strings"
)

// GS1 Digital Link (GS1 Digital Link Standard: URI Syntax) puts GS1 data in
// a web address, so that one QR code serves consumers' phones and the
// warehouse: https://id.gs1.org/01/09506000134352/10/ABC123?17=261231. The
// path holds a primary key (the AI and its value) and, after it, key
// qualifiers (lot, serial …); the query holds data attributes (expiry,
// weight …) by AI. Any host and any path before the key are allowed.

// dlShortNames are the path names of the first Digital Link version, still
// printed on packaging ("convenience alphas"): a documented leniency, GS1's
// reference reads them only when asked to.
var dlShortNames = map[string]string{
	"gtin": "01", "sscc": "00", "gln": "414", "grai": "8003", "giai": "8004", "gsrn": "8018",
	"lot": "10", "ser": "21", "cpv": "22",
}

// isWebAddress reports whether body starts with http:// or https://, in
// any case (QR codes upper-case URLs to use the denser alphanumeric mode).
func isWebAddress(body string) bool {
	for _, scheme := range []string{"https://", "http://"} {
		if len(body) >= len(scheme) && strings.EqualFold(body[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}

// uriChars marks the characters a URI may hold (RFC 3986, with "%").
var uriChars = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%" {
		t[c] = true
	}
	return t
}()

// digitalLink decodes a GS1 Digital Link URI into the scan's element
// strings, as the GS1 Digital Link standard (URI syntax) and GS1's
// reference read it:
//
//   - the primary key is the rightmost "/AI/value" pair of the path whose
//     AI is a key (dlpkey in the dictionary) and after which the path is
//     only "/AI/value" pairs; anything before it (a brand's own path) is
//     ignored;
//   - the AIs after the key are its qualifiers, in one of the orders the
//     dictionary's dlpkey gives (01: 22, 10, 21 or 235); anything else in
//     the path, a data attribute or a trailing slash, is refused;
//   - the query holds data attributes: AIs the dictionary marks as such,
//     none that belongs in the path as a qualifier, none twice or also in
//     the path; a numeric parameter that is no AI is refused, other
//     parameters (linkType, a brand's own) are not GS1 data and ignored.
//
// Leniencies (documented in README): short names (gtin, lot, ser …) for
// AIs in the path, and a GTIN-8, -12 or -13 in the path, padded to 14.
func (p *Parser) digitalLink(s *Scan, body string, off int) error {
	for i := 0; i < len(body); i++ {
		if !uriChars[body[i]] {
			return newRuleError(off+i, "", ReasonCharset, "", fmt.Sprintf("GS1 Digital Link: %q may not appear in a web address", body[i]))
		}
	}
	hostAt := strings.Index(body, "://") + 3
	if scheme := body[:hostAt]; scheme != strings.ToLower(scheme) && scheme != strings.ToUpper(scheme) {
		return newError(off, "", ReasonSyntax, "GS1 Digital Link: the scheme is either lower or upper case, not mixed")
	}
	rest := body[hostAt:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	query := ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query = rest[:i], rest[i+1:]
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return newError(off, "", ReasonUnrecognised, "a web address, not a GS1 Digital Link: no GTIN or other GS1 key in its path")
	}
	if i := strings.IndexAny(rest[:slash], "_~?#@!$&'()*+,;=%"); i >= 0 {
		return newError(off+hostAt+i, "", ReasonSyntax, fmt.Sprintf("GS1 Digital Link: %q may not appear in a domain name", rest[i]))
	}
	path := rest[slash:] // from the "/" before the first segment
	pathAt := off + hostAt + slash
	root := dlRoot(path)
	if root < 0 {
		// Say what is wrong when the path plainly meant to hold a key.
		segs := strings.Split(path[1:], "/")
		for i, seg := range segs {
			if e := dlEntry(seg); e != nil && e.dlkey && i+1 < len(segs) {
				return newRuleError(pathAt, e.ai, ReasonSyntax, "dlpkey",
					"GS1 Digital Link path: after the key comes only /AI/value pairs (an AI without its value, an unknown AI or a trailing slash)")
			}
		}
		return newError(off, "", ReasonUnrecognised, "a web address, not a GS1 Digital Link: no GTIN or other GS1 key in its path")
	}
	g := gs1Parser{p: p, s: s}
	var seq [maxElements]*aiEntry
	nseq := 0
	for i := root; i < len(path); {
		a := i + 1
		v := a + strings.IndexByte(path[a:], '/')
		end := len(path)
		if k := strings.IndexByte(path[v+1:], '/'); k >= 0 {
			end = v + 1 + k
		}
		e := dlEntry(path[a:v])
		if path[v+1:end] == "" {
			return newRuleError(pathAt+v+1, e.ai, ReasonLength, e.comps[0].spec(), "GS1 Digital Link: no value after the AI")
		}
		val := dlUnescape(path[v+1:end], false)
		if e.ai == "01" && len(val) != 14 && allDigits(val) {
			var err error
			if val, err = normalizeGTIN(val, pathAt+v+1); err != nil {
				err.(*Error).AI = e.ai
				return err
			}
		}
		if nseq == maxElements {
			return newError(pathAt+a, e.ai, ReasonLength, fmt.Sprintf("more than %d element strings in one scan", maxElements))
		}
		if err := g.add(e.ai, val, e, pathAt+v+1); err != nil {
			return err
		}
		seq[nseq] = e
		nseq++
		i = end
	}
	key := seq[0]
	if !dlQualified(key, seq[1:nseq]) {
		for _, q := range seq[1:nseq] {
			if !dlQualified(key, []*aiEntry{q}) {
				return dlPathError(pathAt, key, q.ai, "is not a key qualifier of")
			}
		}
		return dlPathError(pathAt, key, seq[nseq-1].ai, "is out of order after the other qualifiers of")
	}
	qpos := off + hostAt + len(rest) + 1 // after the "?"
	for q := 0; q < len(query); {
		end := len(query)
		if k := strings.IndexByte(query[q:], '&'); k >= 0 {
			end = q + k
		}
		param := query[q:end]
		at := qpos + q
		q = end + 1
		name, raw, _ := strings.Cut(param, "=")
		if name == "" || !allDigits(name) {
			continue // not GS1 data
		}
		// A numeric key is an AI with or without "=": "?17" alone is an
		// expiry date without its value, refused below, not dropped.
		e := entry(name)
		if e == nil {
			return newError(at, "", ReasonUnknownAI, fmt.Sprintf("GS1 Digital Link query: %q is not a GS1 Application Identifier", name))
		}
		if raw == "" {
			return newRuleError(at+len(name)+1, e.ai, ReasonLength, e.comps[0].spec(), "GS1 Digital Link: no value after the AI")
		}
		if g.has(e.ai) >= 0 {
			return newError(at, e.ai, ReasonConflict, "GS1 Digital Link: the AI appears twice")
		}
		if !e.dlattr {
			return newRuleError(at, e.ai, ReasonSyntax, "dlattr", fmt.Sprintf("GS1 Digital Link: %s is not a data attribute, so not allowed in the query", e.name()))
		}
		if dlBelongsInPath(key, seq[1:nseq], e) {
			return newRuleError(at, e.ai, ReasonSyntax, dlpkeyRule(key),
				fmt.Sprintf("GS1 Digital Link: %s qualifies the key AI %s, so it belongs in the path, not the query", e.name(), key.ai))
		}
		val := dlUnescape(raw, true)
		if e.ai == "01" && allDigits(val) && (len(val) == 8 || len(val) == 12 || len(val) == 13) {
			val = "000000"[:14-len(val)] + val
		}
		if err := g.add(e.ai, val, e, at+len(name)+1); err != nil {
			return err
		}
	}
	if err := g.pairs(); err != nil {
		return err
	}
	if s.n == 1 && s.elems[0].AI == "00" {
		s.Kind = KindSSCC
	} else {
		s.Kind = KindGS1
	}
	return nil
}

// dlRoot finds where in path (starting with "/") the Digital Link's primary
// key pair starts: walking back from the end over "/AI/value" pairs of
// known AIs, the first whose AI is a primary key. -1 if there is none.
func dlRoot(path string) int {
	end := len(path)
	for {
		v := strings.LastIndexByte(path[:end], '/')
		if v <= 0 {
			return -1
		}
		a := strings.LastIndexByte(path[:v], '/')
		if a < 0 {
			return -1
		}
		e := dlEntry(path[a+1 : v])
		if e == nil {
			return -1
		}
		if e.dlkey {
			return a
		}
		end = a
	}
}

// dlEntry is the AI a path segment names: digits, or a short name.
func dlEntry(seg string) *aiEntry {
	if ai, ok := dlShortNames[strings.ToLower(seg)]; ok {
		return entry(ai)
	}
	return entry(seg)
}

// dlQualified reports whether quals, in order, are qualifiers of key by one
// of its dlpkey sequences (each qualifier optional, the order kept).
func dlQualified(key *aiEntry, quals []*aiEntry) bool {
next:
	for _, alt := range key.dlqual {
		k := 0
		for _, q := range quals {
			for k < len(alt) && alt[k] != q.ai {
				k++
			}
			if k == len(alt) {
				continue next
			}
			k++
		}
		return true
	}
	return false
}

// dlBelongsInPath reports whether attribute e, put anywhere after the key in
// the path, would make a valid key-qualifier path.
func dlBelongsInPath(key *aiEntry, quals []*aiEntry, e *aiEntry) bool {
	var trial [maxElements + 1]*aiEntry
	for j := 0; j <= len(quals); j++ {
		n := copy(trial[:], quals[:j])
		trial[n] = e
		n++
		n += copy(trial[n:], quals[j:])
		if dlQualified(key, trial[:n]) {
			return true
		}
	}
	return false
}

func dlpkeyRule(key *aiEntry) string {
	alts := make([]string, 0, len(key.dlqual))
	for _, a := range key.dlqual {
		if len(a) > 0 {
			alts = append(alts, strings.Join(a, ","))
		}
	}
	if len(alts) == 0 {
		return "dlpkey"
	}
	return "dlpkey=" + strings.Join(alts, "|")
}

func dlPathError(pathAt int, key *aiEntry, ai, what string) error {
	rule := dlpkeyRule(key)
	valid := "none"
	if rule != "dlpkey" {
		valid = strings.ReplaceAll(strings.TrimPrefix(rule, "dlpkey="), "|", " or ")
	}
	err := newRuleError(pathAt, ai, ReasonSyntax, rule, fmt.Sprintf(
		"GS1 Digital Link path: AI %s %s the key AI %s (its qualifiers, in order: %s); data attributes go in the query", ai, what, key.ai, valid))
	err.Other = key.ai
	return err
}

// dlUnescape reverses percent-encoding ("%2F" is "/"), leaving a "%" not
// followed by two hex digits as it is; in the query, "+" is a space.
func dlUnescape(s string, query bool) string {
	if strings.IndexByte(s, '%') < 0 && (!query || strings.IndexByte(s, '+') < 0) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '+' && query:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
