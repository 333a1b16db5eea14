package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleasedMigrationsUnchanged: a released migration may have run on a
// node, which will never run it again; editing it would leave that node's
// schema behind the code's.
func TestReleasedMigrationsUnchanged(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/released_migrations.sha256")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		body, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			t.Errorf("released migration %s is gone: %v", name, err)
			continue
		}
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("released migration %s was edited (sha256 %s, released as %s): add a new migration instead", name, got, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeFromEarlierSchema opens a database made by the first seven
// migrations, with a putaway task in it, and checks the later ones apply.
func TestUpgradeFromEarlierSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", dsn(path, false, true, busyTimeout))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for v, name := range []string{"0001_ledger.sql", "0002_auth.sql", "0003_exceptions.sql", "0004_receiving.sql", "0005_putaway.sql", "0006_count_requests.sql", "0007_picking.sql"} {
		body, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, ?, 'then')`, v+1, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(`INSERT INTO items (sku, created_at, updated_at) VALUES ('S', 'now', 'now');
		INSERT INTO locations (code, zone, type, check_code, created_at, updated_at) VALUES ('DOCK-01', 'D', 'dock', '00', 'now', 'now');
		INSERT INTO putaway_tasks (item_id, from_location_id, status, qty, state, origin, created_at) VALUES (1, 1, 'available', 5, 'open', 'staged', 'then');
		INSERT INTO api_keys (name, key_hash, created_at) VALUES ('erp', x'01', 'then')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var restock int
	if err := db.Reader().QueryRow(`SELECT restock FROM putaway_tasks WHERE id = 1`).Scan(&restock); err != nil || restock != 0 {
		t.Fatalf("old task after the upgrade: restock %d, %v", restock, err)
	}
	if err := db.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO putaway_tasks (item_id, from_location_id, status, qty, state, origin, restock, created_at)
			VALUES (1, 1, 'available', 1, 'open', 'staged', 1, 'now')`)
		return err
	}); err != nil {
		t.Fatalf("restock task on an upgraded node: %v", err)
	}
	var keys int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM api_keys WHERE name = 'erp' AND key_hash = x'01' AND disabled = 0`).Scan(&keys); err != nil || keys != 1 {
		t.Fatalf("API key after the upgrade: %d rows, %v", keys, err)
	}
}
