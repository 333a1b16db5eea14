package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorops/floorops/central"
)

func TestCentralKeysCreatePrintsTheKeyLast(t *testing.T) {
	db := filepath.Join(t.TempDir(), "central.db")
	c, err := central.Open(context.Background(), db) // keys create never creates central's database
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"central", "keys", "create", "--db", db, "dc-east"}, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if key := lines[len(lines)-1]; !strings.HasPrefix(key, "fck_") || len(key) < 40 {
		t.Errorf("last line %q is not a key", key)
	}
	if err := run(context.Background(), []string{"central", "keys", "create", "--db", db}, &out, &errOut); err == nil {
		t.Error("create without a node id succeeded")
	}
}

func TestSyncStatusOfANodeNeverPushed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "node.db")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--db", db}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"sync", "status", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	for _, want := range []string{"not pushed yet", "backlog", "lag", "parked"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
}
