package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// TestLockedDatabaseIsUnavailable: while another process holds the
// database file's write lock (an operator's sqlite3 shell, a backup
// tool), a write waits the busy timeout and then fails as EUNAVAILABLE, a
// kind a client retries, having written nothing; once the lock is
// released the same write goes through.
func TestLockedDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	db, err := store.OpenBusyTimeout(ctx, path, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	write := func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO write_probe (id, probed_at) VALUES (1, 'locked-test')
			ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`)
		return err
	}

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"a write", "the probe"} {
		var err error
		if what == "a write" {
			err = db.Write(ctx, write)
		} else {
			err = db.Probe(ctx)
		}
		if !floorops.IsCode(err, floorops.EUNAVAILABLE) {
			t.Fatalf("%s while another process holds the lock: %v, want unavailable", what, err)
		}
	}
	if _, err := holder.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	var probed string
	if err := db.Reader().QueryRow(`SELECT COALESCE(MAX(probed_at), '') FROM write_probe`).Scan(&probed); err != nil || probed == "locked-test" {
		t.Fatalf("a refused write was stored: %q %v", probed, err)
	}
	if err := db.Write(ctx, write); err != nil {
		t.Fatalf("the write once the lock is released: %v", err)
	}
}
