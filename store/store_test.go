package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

func mustOpen(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenIsReentrant(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "node.db")
	for i := 0; i < 2; i++ {
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var mode string
		if err := db.Reader().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
		}
		var sync int
		if err := db.Reader().QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 2 {
			t.Fatalf("synchronous = %d, %v; want 2 (FULL)", sync, err)
		}
		db.Close()
	}
}

func TestReaderIsReadOnly(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	if _, err := db.Reader().Exec(`DELETE FROM items`); err == nil {
		t.Fatal("reader pool accepted a write")
	}
}

func TestIdempotentRunsOnce(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	type body struct{ N int }
	calls := 0
	run := func(id string, n int) (int, error) {
		return store.Idempotent(ctx, db, store.Request{ID: id, Method: "Test", Body: body{n}}, func(tx *store.Tx) (int, error) {
			calls++
			return n * 10, nil
		})
	}
	for i := 0; i < 3; i++ {
		got, err := run("r1", 4)
		if err != nil || got != 40 {
			t.Fatalf("run #%d = %d, %v; want 40", i, got, err)
		}
	}
	if calls != 1 {
		t.Fatalf("fn ran %d times, want 1", calls)
	}
	if _, err := run("r1", 5); !floorops.IsCode(err, floorops.ECONFLICT) {
		t.Fatalf("reused id with another body: err = %v, want conflict", err)
	}
	if _, err := run("", 5); !floorops.IsCode(err, floorops.EINVALID) {
		t.Fatalf("empty id: err = %v, want invalid", err)
	}
}

func TestIdempotentFailureStoresNothing(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	boom := errors.New("boom")
	req := store.Request{ID: "r2", Method: "Test"}
	_, err := store.Idempotent(ctx, db, req, func(tx *store.Tx) (int, error) {
		if _, err := tx.Exec(`INSERT INTO outbox (kind, payload, created_at) VALUES ('x', x'00', 'now')`); err != nil {
			return 0, err
		}
		return 0, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	var n int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("outbox rows after failed fn = %d, %v; want 0", n, err)
	}
	got, err := store.Idempotent(ctx, db, req, func(tx *store.Tx) (int, error) { return 7, nil })
	if err != nil || got != 7 {
		t.Fatalf("retry after failure = %d, %v; want 7", got, err)
	}
}

func TestConcurrentWritesSerialize(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(`INSERT INTO outbox (kind, payload, created_at) VALUES ('x', x'00', 'now')`)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var n int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 20 {
		t.Fatalf("outbox rows = %d, %v; want 20", n, err)
	}
}

func TestCheckConstraintByCode(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO items (sku, unit_cost_cents, created_at, updated_at) VALUES ('X', -1, 'now', 'now')`)
		return err
	})
	if !store.IsConstraint(err, store.ConstraintCheck) {
		t.Fatalf("err = %v, want CHECK constraint", err)
	}
}

// TestPageTokensAreScoped: a page token is good only for the listing and
// filters that issued it, and only in this token format.
func TestPageTokensAreScoped(t *testing.T) {
	t.Parallel()
	first, err := store.PageRequest("locations|A", 1, "")
	if err != nil || first.After != "" || first.Fetch() != 2 {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	rows, tok := store.PageOf(first, []string{"10|A-01-01-A", "20|A-01-02-A"}, func(s string) string { return s })
	if len(rows) != 1 || tok == "" {
		t.Fatalf("page of 1 from 2 rows: %v, token %q", rows, tok)
	}
	if p, err := store.PageRequest("locations|A", 1, tok); err != nil || p.After != "10|A-01-01-A" {
		t.Fatalf("own token: %+v, %v", p, err)
	}
	for _, scope := range []string{"locations|B", "locations|", "items"} {
		if _, err := store.PageRequest(scope, 1, tok); !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("token of locations|A used for %s: %v", scope, err)
		}
	}
	// "MHxET0NLLTAz" is the key "0|DOCK-03" unwrapped; the last is a
	// token of the earlier format (no version in its tag) for the same
	// listing and key.
	sum := sha256.Sum256([]byte("locations|A"))
	old := base64.RawURLEncoding.EncodeToString(append(sum[:4], "10|A-01-01-A"...))
	for _, bad := range []string{"!!", "AA", "MHxET0NLLTAz", old} {
		if _, err := store.PageRequest("locations|A", 1, bad); !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	newest, _, _ := store.NewestFirst("receipts|", 1, "")
	_, tok = store.PageOf(newest, []int64{9, 5}, store.IDKey)
	if _, _, err := store.NewestFirst("movements|X", 10, tok); !floorops.IsCode(err, floorops.EINVALID) {
		t.Errorf("receipts token for movements: %v", err)
	}
	if _, before, err := store.NewestFirst("receipts|", 10, tok); err != nil || before != 9 {
		t.Errorf("receipts token: before %d, %v; want 9", before, err)
	}
}
