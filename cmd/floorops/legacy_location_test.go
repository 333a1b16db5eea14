package main

import (
	"context"
	"testing"

	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// mustLegacyLocation adds a location to the database at path the way a
// node that ran before location codes had to scan as locations may hold
// one: written directly, since UpsertLocation and the CSV import now
// refuse such a code. Tests of what commands do with old data use it.
func mustLegacyLocation(t *testing.T, path, code, zone string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Write(ctx, func(tx *store.Tx) error {
		now := store.FormatTime(tx.Now)
		_, err := tx.ExecContext(ctx, `INSERT INTO locations (code, zone, type, walk_seq, capacity, blocked, check_code, created_at, updated_at)
			VALUES (?, ?, 'storage', 0, 0, 0, ?, ?, ?)`, code, zone, scan.CheckCode(code), now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
