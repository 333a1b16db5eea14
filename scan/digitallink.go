package scan

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// GS1 Digital Link (GS1 Digital Link Standard: URI Syntax) puts GS1 data in
// a web address, so that one QR code serves consumers' phones and the
// warehouse: https://id.gs1.org/01/09506000134352/10/ABC123?17=261231. The
// path holds a primary key (the AI and its value) and, after it, key
// qualifiers (lot, serial …); the query holds data attributes (expiry,
// weight …) by AI. Any host and any path before the key are allowed.

// dlPrimaryKeys are the AIs a Digital Link path may start with.
var dlPrimaryKeys = map[string]bool{
	"00": true, "01": true, "253": true, "255": true, "401": true, "402": true, "414": true, "417": true,
	"8003": true, "8004": true, "8006": true, "8010": true, "8013": true, "8017": true, "8018": true,
}

// dlShortNames are the path names of the first Digital Link version, still
// printed on packaging.
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

// digitalLink decodes a GS1 Digital Link URI into the scan's element
// strings. A web address with no primary key in its path is not GS1 data.
func (p *Parser) digitalLink(s *Scan, body string, off int) error {
	hostAt := strings.Index(body, "://") + 3
	rest := body[hostAt:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	query := ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query = rest[:i], rest[i+1:]
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return newError(off, "", ReasonUnrecognised, "a web address, not a GS1 Digital Link: no GTIN or other GS1 key in its path")
	}
	pathAt := off + hostAt + slash // the "/" before the first segment
	segs := strings.Split(strings.TrimSuffix(rest[slash+1:], "/"), "/")
	start := -1
	for i := 0; i+1 < len(segs); i++ {
		if dlPrimaryKeys[dlAI(segs[i])] {
			start = i
			break
		}
	}
	if start < 0 {
		return newError(off, "", ReasonUnrecognised, "a web address, not a GS1 Digital Link: no GTIN or other GS1 key in its path")
	}
	g := gs1Parser{p: p, s: s}
	pos := pathAt
	for _, seg := range segs[:start] {
		pos += 1 + len(seg)
	}
	if (len(segs)-start)%2 != 0 {
		return newError(pos, "", ReasonSyntax, "GS1 Digital Link path: an AI without its value")
	}
	for i := start; i < len(segs); i += 2 {
		ai := dlAI(segs[i])
		if err := g.dlElement(ai, segs[i+1], pos+1, pos+1+len(segs[i])+1, i == start); err != nil {
			return err
		}
		pos += 2 + len(segs[i]) + len(segs[i+1])
	}
	if query != "" {
		values, err := url.ParseQuery(query)
		if err != nil {
			return newError(off+hostAt+len(rest)+1, "", ReasonSyntax, fmt.Sprintf("GS1 Digital Link query: %v", err))
		}
		keys := make([]string, 0, len(values))
		for k := range values {
			// Other parameters (linkType, a brand's own) are not GS1 data.
			if _, n, ok := lookupAI(k); ok && n == len(k) && allDigits(k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		qpos := off + hostAt + len(rest) + 1 // after the "?"
		for _, k := range keys {
			for _, v := range values[k] {
				// A repeated attribute with other data is refused by add
				// as a conflict, like a repeated AI in a barcode.
				if err := g.dlElement(k, v, qpos, qpos, false); err != nil {
					return err
				}
			}
		}
	}
	if s.n == 1 && s.elems[0].AI == "00" {
		s.Kind = KindSSCC
	} else {
		s.Kind = KindGS1
	}
	return nil
}

// dlAI maps a path segment to its AI: digits as they are, a short name to
// its AI.
func dlAI(seg string) string {
	if ai, ok := dlShortNames[strings.ToLower(seg)]; ok {
		return ai
	}
	return seg
}

// dlElement adds one element from a Digital Link: ai at aiPos, its value
// (percent-encoded in the path) at valuePos. A GTIN may be written with
// 8, 12 or 13 digits; it is padded to 14.
func (g *gs1Parser) dlElement(ai, raw string, aiPos, valuePos int, primary bool) error {
	sp, n, ok := lookupAI(ai)
	if !ok || n != len(ai) || !allDigits(ai) {
		return newError(aiPos, "", ReasonUnknownAI, fmt.Sprintf("GS1 Digital Link: %q is not a GS1 Application Identifier", ai))
	}
	if !primary && dlPrimaryKeys[ai] {
		return newError(aiPos, ai, ReasonSyntax, "GS1 Digital Link: a second primary key")
	}
	v, err := url.PathUnescape(raw)
	if err != nil {
		return newError(valuePos, ai, ReasonSyntax, fmt.Sprintf("GS1 Digital Link: bad percent-encoding in %q", raw))
	}
	if ai == "01" && len(v) != 14 && allDigits(v) {
		if v, err = normalizeGTIN(v, valuePos); err != nil {
			err.(*Error).AI = ai
			return err
		}
	}
	return g.add(ai, v, sp, valuePos)
}
