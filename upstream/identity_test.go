package upstream_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
)

// A database keeps the node name it first served under: without --node-id
// the recorded name is used on any host, and another --node-id is refused,
// so central never receives one outbox under two names.
func TestNodeIDIsTheDatabases(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	steps := []struct {
		asked, host string
		want        string
		code        floorops.Code
	}{
		{asked: "", host: "host-a", want: "host-a"},       // first start: the host name is recorded
		{asked: "", host: "host-b", want: "host-a"},       // moved to another host: still host-a
		{asked: "host-a", host: "host-b", want: "host-a"}, // the same name, given explicitly
		{asked: "dc-west2", host: "host-a", code: floorops.EPRECONDITION},
	}
	for i, s := range steps {
		got, err := upstream.ClaimNodeID(ctx, db, s.asked, s.host)
		if s.code != "" {
			if !floorops.IsCode(err, s.code) {
				t.Fatalf("step %d: ClaimNodeID(%q, %q) = %q, %v; want %s", i, s.asked, s.host, got, err, s.code)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Fatalf("step %d: ClaimNodeID(%q, %q) = %q, %v; want %q", i, s.asked, s.host, got, err, s.want)
		}
	}

	fresh, err := store.Open(ctx, filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got, err := upstream.ClaimNodeID(ctx, fresh, "dc-east", "host-a"); err != nil || got != "dc-east" {
		t.Fatalf("a new database takes the given name: got %q, %v", got, err)
	}
}
