package store_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/floorops/floorops/store"
)

// holdWriter starts a write that blocks the writer until release is closed,
// and returns once it runs, so later writes queue up behind it.
func holdWriter(t *testing.T, db *store.DB) (release chan struct{}, done chan error) {
	t.Helper()
	release, done = make(chan struct{}), make(chan error, 1)
	running := make(chan struct{})
	go func() {
		done <- db.Write(context.Background(), func(tx *store.Tx) error {
			close(running)
			<-release
			_, err := tx.Exec(`INSERT INTO outbox (kind, payload, created_at) VALUES ('hold', x'00', 'now')`)
			return err
		})
	}()
	<-running
	return release, done
}

// waitQueued waits until n writes are queued behind the writer.
func waitQueued(t *testing.T, db *store.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for store.QueuedWrites(db) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", store.QueuedWrites(db), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommitIsolatesRequests queues writes that succeed, fail and
// panic behind a held writer, so they run as one group commit: only the
// successful ones' rows stay, failures get their own errors, a panic is
// raised in its own caller, and the batch costs one commit.
func TestGroupCommitIsolatesRequests(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	release, held := holdWriter(t, db)
	before := store.Commits(db)

	const n = 30
	errBad := errors.New("refused")
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.Write(context.Background(), func(tx *store.Tx) error {
				if _, err := tx.ExecContext(context.Background(), `INSERT INTO outbox (kind, payload, created_at) VALUES (?, x'00', 'now')`, fmt.Sprint("w", i)); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return errBad
				case 2:
					panic(fmt.Sprint("boom ", i))
				}
				return nil
			})
		}()
	}
	waitQueued(t, db, n)
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i := range n {
		switch i % 3 {
		case 0:
			if errs[i] != nil || panics[i] != nil {
				t.Errorf("write %d: err %v, panic %v", i, errs[i], panics[i])
			}
		case 1:
			if !errors.Is(errs[i], errBad) {
				t.Errorf("write %d: err %v, want its own error", i, errs[i])
			}
		case 2:
			if panics[i] != fmt.Sprint("boom ", i) {
				t.Errorf("write %d: panic %v, want its own", i, panics[i])
			}
		}
	}
	var rows int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind LIKE 'w%'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != n/3 {
		t.Fatalf("%d rows committed, want the %d successful writes'", rows, n/3)
	}
	if got := store.Commits(db) - before; got != 2 {
		t.Fatalf("%d commits for the held write and one queue of %d, want 2", got, n)
	}
}

// TestQueuedWriteWithEndedContextDoesNotRun: a request whose client gave up
// while it waited is answered with its context's error and changes nothing.
func TestQueuedWriteWithEndedContextDoesNotRun(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	release, held := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	done := make(chan error, 1)
	go func() {
		done <- db.Write(ctx, func(tx *store.Tx) error { ran = true; return nil })
	}()
	waitQueued(t, db, 1)
	cancel()
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled queued write: err %v, ran %v", err, ran)
	}
}

// TestWriteAfterClose is refused, and Close lets queued writes finish.
func TestWriteAfterClose(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	release, held := holdWriter(t, db)
	queued := make(chan error, 1)
	go func() {
		queued <- db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(`INSERT INTO outbox (kind, payload, created_at) VALUES ('queued', x'00', 'now')`)
			return err
		})
	}()
	waitQueued(t, db, 1)
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-queued; err != nil {
		t.Fatalf("a write queued before Close: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := db.Write(context.Background(), func(*store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
}

// TestWriteSurvivesGoexit: a function that exits its goroutine (t.Fatal in
// a test's write) fails its request without taking the writer down.
func TestWriteSurvivesGoexit(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO outbox (kind, payload, created_at) VALUES ('gone', x'00', 'now')`); err != nil {
			return err
		}
		runtime.Goexit()
		return nil
	})
	if err == nil {
		t.Fatal("a write that exited its goroutine succeeded")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO outbox (kind, payload, created_at) VALUES ('after', x'00', 'now')`)
		return err
	}); err != nil {
		t.Fatalf("write after a Goexit: %v", err)
	}
	var gone int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'gone'`).Scan(&gone); err != nil || gone != 0 {
		t.Fatalf("the exited write left %d rows (%v)", gone, err)
	}
}

// TestTxRefusesCommit: the transaction belongs to the group commit.
func TestTxRefusesCommit(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		if tx.Commit() == nil || tx.Rollback() == nil {
			t.Error("a Write's function committed or rolled back the shared transaction")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteWaitsForATakenRequest: a caller whose ctx ends while its write
// runs gets the write's own outcome, so an error always means nothing was
// committed (and the caller's data is not in use after Write returns).
func TestWriteWaitsForATakenRequest(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	go func() { <-started; cancel() }()
	var written []int
	err := db.Write(ctx, func(tx *store.Tx) error {
		close(started)
		<-ctx.Done() // the caller gives up while its write runs
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, payload, created_at) VALUES ('late', x'00', 'now')`); err != nil {
			return err
		}
		written = append(written, 1)
		return nil
	})
	var rows int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'late'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err != nil || rows != 1 || len(written) != 1 {
		t.Fatalf("a write that ran to the end after its ctx ended: err %v, %d rows, %d appends", err, rows, len(written))
	}
}

// TestUnscannedRowDoesNotBreakTheNextRequest: requests in one batch do not
// share prepared statements, so a Row one left unscanned cannot break the
// same query in another.
func TestUnscannedRowDoesNotBreakTheNextRequest(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	release, held := holdWriter(t, db)
	const q = `SELECT COUNT(*) FROM outbox`
	errGaveUp := errors.New("gives up")
	errs := make(chan error, 2)
	go func() {
		errs <- db.Write(context.Background(), func(tx *store.Tx) error {
			tx.QueryRowContext(context.Background(), q) // never scanned
			return errGaveUp
		})
	}()
	waitQueued(t, db, 1)
	go func() {
		errs <- db.Write(context.Background(), func(tx *store.Tx) error {
			var n int
			return tx.QueryRowContext(context.Background(), q).Scan(&n)
		})
	}()
	waitQueued(t, db, 2)
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	var failed int
	for range 2 {
		if err := <-errs; err != nil {
			failed++
			if !errors.Is(err, errGaveUp) {
				t.Errorf("the second request failed: %v", err)
			}
		}
	}
	if failed != 1 {
		t.Fatalf("%d requests failed, want only the one that gave up", failed)
	}
}

// TestNothingCommitsAfterSQLiteEndsTheTransaction: when a statement makes
// SQLite roll back the whole transaction (here INSERT OR ROLLBACK on a
// duplicate key), a request that carries on writing must not commit those
// writes on their own, outside any transaction.
func TestNothingCommitsAfterSQLiteEndsTheTransaction(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO outbox (seq, kind, payload, created_at) VALUES (1, 'first', x'00', 'now')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := store.BareExec(tx, `INSERT OR ROLLBACK INTO outbox (seq, kind, payload, created_at) VALUES (1, 'dup', x'00', 'now')`); err == nil {
			t.Error("duplicate key accepted")
		}
		// A careless function goes on, on the bare connection, after SQLite
		// rolled the transaction back.
		_ = store.BareExec(tx, `INSERT INTO outbox (kind, payload, created_at) VALUES ('stray', x'00', 'now')`)
		return nil
	})
	if err == nil {
		t.Fatal("a write whose transaction SQLite rolled back succeeded")
	}
	var stray int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'stray'`).Scan(&stray); err != nil || stray != 0 {
		t.Fatalf("%d stray rows committed outside the transaction (%v)", stray, err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO outbox (kind, payload, created_at) VALUES ('after', x'00', 'now')`)
		return err
	}); err != nil {
		t.Fatalf("write after the aborted one: %v", err)
	}
}

// TestTheWriterLeavesCheckpointsToTheCheckpointer: the writer's commits
// never checkpoint the WAL (SQLite's automatic checkpoint would, inside a
// COMMIT, every 1,000 pages, while every queued write waited); the
// checkpointer's checkpoint copies all of it into the database file.
func TestTheWriterLeavesCheckpointsToTheCheckpointer(t *testing.T) {
	t.Parallel()
	db := mustOpen(t)
	store.StopCheckpoints(db)
	ctx := context.Background()
	page := strings.Repeat("x", 4096)
	for range 1500 {
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, payload, created_at) VALUES ('page', ?, 'now')`, page)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	frames, copied, err := store.Checkpoint(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if frames < 1500 {
		t.Errorf("the WAL holds %d frames after 1,500 writes of a page each: the writer checkpointed", frames)
	}
	if copied != frames {
		t.Errorf("the checkpoint copied %d of the WAL's %d frames", copied, frames)
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'page'`).Scan(&n); err != nil || n != 1500 {
		t.Fatalf("%d pages read back (%v), want 1500", n, err)
	}
}
