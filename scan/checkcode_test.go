package scan

import (
	"fmt"
	"testing"
)

func TestCheckCodeNeighboursDiffer(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for bay := 1; bay <= 40; bay++ {
		for _, lvl := range "ABCDEF" {
			code := fmt.Sprintf("A-01-%02d-%c", bay, lvl)
			cc := CheckCode(code)
			if len(cc) != 2 || cc < "02" || cc > "98" {
				t.Fatalf("CheckCode(%q) = %q, want two digits in 02..98", code, cc)
			}
			if CheckCode(code) != cc {
				t.Fatalf("CheckCode(%q) is not stable", code)
			}
			seen[code] = cc
		}
	}
	for bay := 1; bay <= 40; bay++ {
		for _, pair := range []string{"AB", "BC", "CD", "DE", "EF"} {
			a := fmt.Sprintf("A-01-%02d-%c", bay, pair[0])
			b := fmt.Sprintf("A-01-%02d-%c", bay, pair[1])
			if seen[a] == seen[b] {
				t.Errorf("neighbours %s and %s share check code %s", a, b, seen[a])
			}
		}
	}
	if CheckCode("a-01-02-b") != CheckCode("A-01-02-B") {
		t.Error("check code must not depend on letter case")
	}
}
