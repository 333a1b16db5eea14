package scan_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/floorops/floorops/scan"
)

// refCase is one case of GS1's Syntax Engine test suite, transcribed into
// testdata/reference_cases.txt.
type refCase struct {
	line   int
	accept bool
	mode   string
	input  string
	class  string // a documented difference (README), or ""
}

func readRefCases(t *testing.T) []refCase {
	t.Helper()
	f, err := os.Open("testdata/reference_cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []refCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		outcome, rest, _ := strings.Cut(line, " ")
		mode, rest, _ := strings.Cut(rest, " ")
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		in, _ := strconv.Unquote(q)
		c := refCase{line: n, accept: outcome == "accept", mode: mode, input: in, class: strings.TrimSpace(rest[len(q):])}
		if outcome != "accept" && outcome != "refuse" {
			t.Fatalf("line %d: outcome %q", n, outcome)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// rawScan is what a scanner sends for a reference case's input.
func (c refCase) rawScan() string {
	switch c.mode {
	case "es": // ^ = FNC1: in first place the ]C1 identifier, then GS
		if strings.HasPrefix(c.input, "^") {
			return "]C1" + strings.ReplaceAll(c.input[1:], "^", gsc)
		}
		return c.input
	case "hri", "dl", "scan":
		return c.input
	}
	panic("unknown mode " + c.mode)
}

// referenceClasses are the README's documented differences from the
// reference ("Where floorops and the reference differ").
var referenceClasses = map[string]bool{
	"dl-convenience-alpha": true,
	"dl-short-gtin":        true,
	"req-without-key":      true,
	"plain-data":           true,
	"composite":            true,
	"coupon":               true,
	"pairs-syntax-only":    true,
	"upc-a-12-digits":      true,
}

// TestReferenceCases runs GS1's own Syntax Engine test cases through Parse
// and reports how many it agrees with. Every disagreement must be one of the
// documented classes, and every classed case must still disagree.
func TestReferenceCases(t *testing.T) {
	t.Parallel()
	cases := readRefCases(t)
	agree, byClass := 0, map[string]int{}
	for _, c := range cases {
		_, err := scan.Parse(c.rawScan())
		got := err == nil
		if got == c.accept {
			agree++
			if c.class != "" {
				t.Errorf("line %d %s %q: agrees with the reference now; drop its class %q", c.line, c.mode, c.input, c.class)
			}
			continue
		}
		byClass[c.class]++
		switch {
		case c.class == "":
			t.Errorf("line %d %s %q: reference accept=%v, Parse err=%v", c.line, c.mode, c.input, c.accept, err)
		case !referenceClasses[c.class]:
			t.Errorf("line %d: class %q is not documented", c.line, c.class)
		}
	}
	t.Logf("agreement with the GS1 Syntax Engine's cases: %d of %d (%.1f%%); documented differences: %v", agree, len(cases), 100*float64(agree)/float64(len(cases)), byClass)
}
