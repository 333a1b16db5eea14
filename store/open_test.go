package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// TestOpenExistingNeverCreates: a one-shot command given a mistyped path
// fails with ENOTFOUND and leaves no file behind; an existing node's file
// opens.
func TestOpenExistingNeverCreates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, path := range []string{
		filepath.Join(dir, "typo.db"),
		filepath.Join(dir, "no-such-dir", "node.db"),
	} {
		db, err := store.OpenExisting(context.Background(), path)
		if err == nil {
			db.Close()
			t.Fatalf("OpenExisting(%s) opened a database that did not exist", path)
		}
		if !floorops.IsCode(err, floorops.ENOTFOUND) {
			t.Errorf("OpenExisting(%s) = %v, want ENOTFOUND", path, err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("OpenExisting left %s behind (stat: %v)", p, err)
			}
		}
	}

	path := filepath.Join(dir, "node.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatalf("OpenExisting of a created database: %v", err)
	}
	db.Close()
}
