package scan

import (
	"bytes"
	"os"
	"testing"

	"github.com/floorops/floorops/scan/internal/gs1dict"
)

// TestAITableMatchesDictionary fails when aitable_gen.go was not regenerated
// after the dictionary (or the generator) changed: run "go generate ./scan".
func TestAITableMatchesDictionary(t *testing.T) {
	want, err := gs1dict.Source()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("aitable_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("aitable_gen.go is stale: run go generate ./scan")
	}
	entries, err := gs1dict.Parse(gs1dict.Dictionary)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(aiTable) {
		t.Fatalf("dictionary has %d AIs, table %d", len(entries), len(aiTable))
	}
	for _, d := range entries {
		e := entry(d.AI)
		if e == nil {
			t.Fatalf("AI %s of the dictionary is not found by entry", d.AI)
		}
		if e.fixed != d.Fixed || len(e.comps) != len(d.Components) || e.dlkey != d.DLKey || len(e.req) != len(d.Req) || len(e.ex) != len(d.Ex) {
			t.Errorf("AI %s: table %+v does not match the dictionary %+v", d.AI, *e, d)
		}
		for i, c := range d.Components {
			if got := e.comps[i]; got.cset != c.Cset || got.min != c.Min || got.max != c.Max || got.opt != c.Optional || len(got.lint) != len(c.Linters) {
				t.Errorf("AI %s component %d: %+v, dictionary %+v", d.AI, i, got, c)
			}
			for j, l := range c.Linters {
				if linterNames[e.comps[i].lint[j]] != l {
					t.Errorf("AI %s component %d linter %d is %s, dictionary %s", d.AI, i, j, linterNames[e.comps[i].lint[j]], l)
				}
			}
		}
		if _, n, ok := lookupAI(d.AI + "1"); !ok || n != len(d.AI) {
			t.Errorf("lookupAI(%s…) = %d, %v", d.AI, n, ok)
		}
	}
}
