package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/floorops/floorops/store"
)

const probeInsert = `INSERT INTO outbox (kind, payload, created_at) VALUES ('cache', x'00', ?)`

// A statement compiled for one write is run again, not compiled again, by
// later transactions and later group-commit batches.
func TestStatementReusedAcrossTransactionsAndBatches(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	write := func() {
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, probeInsert, store.FormatTime(tx.Now))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	write() // compiles it
	before := store.WriterStatements(db)
	commits := store.Commits(db)
	for range 20 { // serial: one batch each
		write()
	}
	var wg sync.WaitGroup
	for range 50 { // concurrent: batches of several
		wg.Add(1)
		go func() { defer wg.Done(); write() }()
	}
	wg.Wait()
	after := store.WriterStatements(db)
	if got := store.Commits(db) - commits; got < 21 {
		t.Fatalf("%d commits; the test wants the statement run across at least 21 batches", got)
	}
	if after.Prepared != before.Prepared {
		t.Errorf("writer compiled %d statements for 70 runs of one it had cached", after.Prepared-before.Prepared)
	}
	// Each write runs the insert plus the savepoint statements, all cached.
	if got := after.Hits - before.Hits; got < 70 {
		t.Errorf("%d cache hits for 70 writes of one cached statement", got)
	}
}

// Readers keep their statements across queries too, each connection its own.
func TestReaderStatementsReused(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	const q = `SELECT COUNT(*) FROM outbox WHERE kind = ?`
	for range 30 {
		var n int
		if err := db.Reader().QueryRow(q, "none").Scan(&n); err != nil || n != 0 {
			t.Fatalf("count = %d, %v", n, err)
		}
	}
	st := store.ReaderStatements(db)
	// At most one compile per reader connection (8) for 30 runs.
	if st.Prepared > 8 || st.Hits < 30-8 {
		t.Fatalf("readers: %+v; want the query compiled at most once per connection", st)
	}
}

// The same query run again while its first rows are still open (nested
// iteration, in one transaction or on the readers) gives both callers their
// own rows.
func TestNestedQueryOfACachedStatement(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range 3 {
			if _, err := tx.ExecContext(ctx, probeInsert, fmt.Sprint(i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT created_at FROM outbox WHERE kind = 'cache' ORDER BY seq`
	type querier interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}
	all := func(rows *sql.Rows, err error) func(each func()) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return func(each func()) []string {
			defer rows.Close()
			var got []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				got = append(got, s)
				each()
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return got
		}
	}
	nested := func(name string, on querier) {
		for range 2 { // the second time the statement is cached
			outer := all(on.QueryContext(ctx, q))(func() {
				if inner := all(on.QueryContext(ctx, q))(func() {}); fmt.Sprint(inner) != "[0 1 2]" {
					t.Errorf("%s: inner rows %v, want [0 1 2]", name, inner)
				}
			})
			if fmt.Sprint(outer) != "[0 1 2]" {
				t.Errorf("%s: outer rows %v, want [0 1 2]", name, outer)
			}
		}
	}
	nested("readers", db.Reader())
	if err := db.Write(ctx, func(tx *store.Tx) error { nested("write", tx); return nil }); err != nil {
		t.Fatal(err)
	}
}

// Closing the database closes every statement its connections cached.
func TestCloseClosesCachedStatements(t *testing.T) {
	t.Parallel()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, probeInsert, "x")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	w, r := store.WriterStatements(db), store.ReaderStatements(db)
	if w.Prepared == 0 || r.Prepared == 0 {
		t.Fatalf("nothing cached: writer %+v, readers %+v", w, r)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	w, r = store.WriterStatements(db), store.ReaderStatements(db)
	if w.Closed != w.Prepared || r.Closed != r.Prepared {
		t.Fatalf("after Close: writer %+v, readers %+v; want every cached statement closed", w, r)
	}
}

// A cached statement keeps working, and sees the new schema, after a
// schema change on its table (SQLite recompiles it), and after a migration
// reopens the node.
func TestCachedStatementSurvivesSchemaChange(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, q); return err }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const sel = `SELECT * FROM cache_probe`
	columns := func() int {
		t.Helper()
		n := -1
		for range 9 { // every reader connection, and then a cached one
			rows, err := db.Reader().Query(sel)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			rows.Close()
			n = len(cols)
		}
		var c int
		if err := db.Write(ctx, func(tx *store.Tx) error {
			rows, err := tx.QueryContext(ctx, sel)
			if err != nil {
				return err
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			c = len(cols)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if c != n {
			t.Fatalf("writer sees %d columns, readers %d", c, n)
		}
		return n
	}
	exec(`CREATE TABLE cache_probe (a INTEGER)`)
	if got := columns(); got != 1 {
		t.Fatalf("%d columns, want 1", got)
	}
	exec(`ALTER TABLE cache_probe ADD COLUMN b TEXT`)
	if got := columns(); got != 2 {
		t.Fatalf("after ALTER TABLE: %d columns, want 2", got)
	}
	exec(`DROP TABLE cache_probe`)
	exec(`CREATE TABLE cache_probe (a INTEGER, b TEXT, c BLOB)`)
	if got := columns(); got != 3 {
		t.Fatalf("after DROP and CREATE: %d columns, want 3", got)
	}
}

// zeroOneQuery is a join with a "col = ?" term: SQLite plans it apart for
// the values 0 and 1, and expires a statement whose argument crosses that
// line.
const zeroOneQuery = `SELECT COUNT(*) FROM outbox o CROSS JOIN (SELECT ? AS k) b WHERE o.seq = ? AND o.kind = b.k`

// A statement run for 1 and for other values, turn about, is cached once
// for each side of the 0/1 line and then only reused, with the right
// answers: neither copy is ever expired by an argument crossing the line.
func TestStatementCachedPerZeroOneShape(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	var first int64
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for range 3 {
			res, err := tx.ExecContext(ctx, probeInsert, store.FormatTime(tx.Now))
			if err != nil {
				return err
			}
			if first == 0 {
				first, _ = res.LastInsertId()
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	count := func(seq int64) (n int) {
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, zeroOneQuery, "cache", seq).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	count(1)
	count(first + 1)
	before := store.WriterStatements(db)
	for i := range 20 {
		seq, want := []int64{1, first + 1, 0, first + 2}[i%4], 0
		if seq >= first && seq <= first+2 {
			want = 1
		}
		if got := count(seq); got != want {
			t.Fatalf("seq %d: %d rows, want %d", seq, got, want)
		}
	}
	if got := store.WriterStatements(db).Prepared - before.Prepared; got != 0 {
		t.Errorf("writer compiled %d statements for 20 runs of a query cached for both sides of 0/1", got)
	}
}

// BenchmarkZeroOneTurnAbout runs a cached join for the values 1 and 7 turn
// about, as the writer does for the GTINs of item 1 and of another item.
// Cached by SQL text alone, every run parsed and planned it again.
func BenchmarkZeroOneTurnAbout(b *testing.B) {
	db := mustOpen(b)
	ctx := context.Background()
	var n int
	i := 0
	for b.Loop() {
		i++
		if err := db.Reader().QueryRowContext(ctx, zeroOneQuery, "cache", []int64{1, 7}[i%2]).Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
}
