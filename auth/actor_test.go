package auth_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/inventory"
)

// TestCallerIsOneActor: who is calling reaches every workflow one way. The
// interceptor signs the caller in with auth.NewContext, and every handler
// and workflow reads the caller as inventory.ActorFrom, with the role the
// workflows decide their policies from; no package builds its own actor
// from auth's principal.
func TestCallerIsOneActor(t *testing.T) {
	t.Parallel()
	t.Run("one definition", func(t *testing.T) {
		t.Parallel()
		own := regexp.MustCompile(`auth\.FromContext\(|func actor\(|auth\.Principal\)?\s*\.Badge`)
		err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "auth" || d.Name() == "proto" || strings.HasPrefix(d.Name(), ".")) && path != "..":
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(src), "\n") {
				if code, _, _ := strings.Cut(line, "//"); own.MatchString(code) {
					t.Errorf("%s:%d builds the caller's actor itself (use inventory.ActorFrom): %s", path, i+1, strings.TrimSpace(code))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	for _, tt := range []struct {
		name string
		p    *auth.Principal
		want inventory.Actor
	}{
		{"associate on a handheld", &auth.Principal{Badge: "B-ANA", Name: "Ana", Role: auth.Associate, Device: "hh-7"},
			inventory.Actor{Badge: "B-ANA", Device: "hh-7", Role: inventory.Associate}},
		{"lead", &auth.Principal{Badge: "B-LEAD", Role: auth.Lead, Device: "hh-1"},
			inventory.Actor{Badge: "B-LEAD", Device: "hh-1", Role: inventory.Lead}},
		{"central's API key", &auth.Principal{Badge: "key:erp", Role: auth.Integration},
			inventory.Actor{Badge: "key:erp", Role: inventory.Integration}},
		{"no one signed in", nil, inventory.Actor{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.p != nil {
				ctx = auth.NewContext(ctx, *tt.p)
			}
			if got := inventory.ActorFrom(ctx); got != tt.want {
				t.Errorf("ActorFrom = %+v, want %+v", got, tt.want)
			}
		})
	}
}
