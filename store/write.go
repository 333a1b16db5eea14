package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// maxBatch bounds how many queued writes one group commit takes.
const maxBatch = 256

// ErrClosed is returned by Write once Close has begun.
var ErrClosed = errors.New("store: database is closed")

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan writeResult
	// state says whether the writer took the request (it will run and
	// answer) or its caller gave up first (it will not run): whichever
	// moves it from queued decides.
	state atomic.Int32
}

// Request states.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

type writeResult struct {
	err      error
	panicked any // fn panicked with this value; re-raised in the caller
}

// Write runs fn as one atomic change of the node: fn's writes commit if it
// returns nil and vanish if it returns an error (or panics, which Write
// re-raises in the caller). Every mutation goes through here, and Write
// returns only once the change is on disk (synchronous FULL).
//
// Writes are group-committed: while one transaction is being synced, the
// requests that arrive queue up, and the one writer goroutine runs the
// whole queue (up to maxBatch) in the next transaction, each request in its
// own savepoint, with one fsync for all. Requests still see each other's
// changes in queue order, exactly as if they ran one after the other; what
// changes is that a busy node pays one fsync per batch instead of one per
// scan. A request whose ctx ends while it waits in the queue is not run and
// returns the ctx's error; once the writer has taken it, Write waits for
// its outcome, so an error always means nothing was committed. A database
// file another process keeps locked past the busy timeout is EUNAVAILABLE.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	db.mu.RLock()
	if db.closed {
		db.mu.RUnlock()
		return ErrClosed
	}
	select {
	case db.writes <- req:
		db.mu.RUnlock()
	case <-ctx.Done():
		db.mu.RUnlock()
		return ctx.Err()
	}
	var r writeResult
	select {
	case r = <-req.done:
	case <-ctx.Done():
		if req.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return ctx.Err() // never taken: it will not run
		}
		r = <-req.done // taken: its outcome is the answer
	}
	if r.panicked != nil {
		panic(r.panicked)
	}
	return unavailable(r.err)
}

// stopWriter refuses new writes, lets the writer finish the queued ones,
// and waits for it.
func (db *DB) stopWriter() {
	db.mu.Lock()
	if !db.closed {
		db.closed = true
		close(db.writes)
	}
	db.mu.Unlock()
	<-db.writerDone
}

// writeLoop is the one writer: it takes every request queued, up to
// maxBatch, and commits them together.
func (db *DB) writeLoop() {
	defer close(db.writerDone)
	db.runner = startRunner()
	defer db.runner.stop()
	batch := make([]*writeReq, 0, maxBatch)
	for first := range db.writes {
		batch = append(batch[:0], first)
	collect:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-db.writes:
				if !ok {
					break collect
				}
				batch = append(batch, r)
			default:
				break collect
			}
		}
		db.commit(batch)
	}
}

// commit runs a batch and answers every request in it.
func (db *DB) commit(batch []*writeReq) {
	results := db.runBatch(batch)
	for i, r := range batch {
		r.done <- results[i]
	}
}

// runBatch runs a batch in one transaction, each request in a savepoint,
// and commits the requests that succeeded. The transaction is BEGIN and
// COMMIT on the writer's connection, held for the batch (see Tx.conn).
func (db *DB) runBatch(batch []*writeReq) []writeResult {
	results := make([]writeResult, len(batch))
	if len(batch) == 0 {
		return results
	}
	conn, err := db.writer.Conn(context.Background())
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("store: writer connection: %w", err)
		}
		return results
	}
	defer conn.Close()
	db.runBatchOn(conn, batch, results)
	return results
}

// runBatchOn runs batch on conn and fills in its results.
func (db *DB) runBatchOn(conn *sql.Conn, batch []*writeReq, results []writeResult) {
	ctx := context.Background()
	ok := func(i int) bool { return results[i].err == nil && results[i].panicked == nil }
	failOK := func(n int, err error) {
		for i := range n {
			if ok(i) {
				results[i].err = err
			}
		}
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		failOK(len(batch), fmt.Errorf("store: begin: %w", err))
		return
	}
	// rollback ends the transaction if SQLite has not ended it itself (it
	// then answers that none is active, which changes nothing).
	rollback := func() { _, _ = conn.ExecContext(ctx, `ROLLBACK`) }
	pending := 0 // requests whose changes wait for the commit
	for i, r := range batch {
		if r.ctx.Err() != nil {
			r.state.CompareAndSwap(reqQueued, reqAbandoned)
		}
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			results[i].err = r.ctx.Err() // its caller gave up while it waited
			continue
		}
		err := savepoint(conn, func() error {
			tx := &Tx{conn: conn, Now: db.Now().UTC()}
			results[i] = db.runner.run(tx, r.fn)
			tx.closeLeftOpen()
			if tx.ended != nil && results[i].panicked == nil {
				// Whatever fn made of it (a cancelled Row, say), the
				// cause is that SQLite ended the transaction.
				results[i].err = tx.endedError()
			}
			if !ok(i) {
				return errRollback
			}
			return nil
		})
		if err != nil {
			// SQLite can no longer continue the transaction (it may
			// have rolled it back itself, on an I/O error or a full
			// disk): the requests run in it so far lose their changes;
			// the rest run in a fresh transaction.
			rollback()
			aborted := fmt.Errorf("store: write transaction aborted: %w", err)
			failOK(i, aborted)
			if results[i].panicked == nil {
				results[i].err = aborted // its own error was a symptom
			}
			db.runBatchOn(conn, batch[i+1:], results[i+1:])
			return
		}
		if ok(i) {
			pending++
		}
	}
	if pending == 0 {
		rollback()
		return
	}
	db.committing.Store(true)
	start := time.Now()
	_, err := conn.ExecContext(ctx, `COMMIT`)
	took := time.Since(start)
	db.committing.Store(false)
	if err != nil {
		// A failed COMMIT can leave the transaction open (SQLITE_BUSY):
		// end it, so the next batch begins afresh.
		rollback()
		failOK(len(batch), fmt.Errorf("store: commit: %w", err))
		return
	}
	db.commits.Add(1)
	db.observeCommit(pending, took)
}

// errRollback asks savepoint to undo what fn wrote.
var errRollback = errors.New("rollback")

// savepoint runs fn inside a savepoint, rolled back when fn returns
// errRollback. Any other error means the transaction itself failed.
func savepoint(conn *sql.Conn, fn func() error) error {
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, `SAVEPOINT write`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if !errors.Is(err, errRollback) {
			return err
		}
		if _, err := conn.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
			return err
		}
	}
	_, err := conn.ExecContext(ctx, `RELEASE write`)
	return err
}

// errExited answers a request whose function neither returned nor
// panicked: it called runtime.Goexit (t.Fatal in a test's write).
var errExited = errors.New("store: the write's function exited without returning")

// runner calls the writes' functions on a goroutine of its own, one at a
// time, turning a panic or a Goexit into a result, so that neither can take
// the writer down with it. It is one long-lived goroutine rather than one
// per write: a write's call stack (database/sql down through SQLite) is
// deep, and a fresh goroutine grew its stack to it by copying, every write.
type runner struct {
	calls chan runCall
	out   chan writeResult // one call at a time: the writer waits for each
}

type runCall struct {
	tx *Tx
	fn func(*Tx) error
}

func startRunner() *runner {
	r := &runner{calls: make(chan runCall), out: make(chan writeResult, 1)}
	go r.loop()
	return r
}

// run calls fn with tx on the runner and returns its outcome.
func (r *runner) run(tx *Tx, fn func(*Tx) error) writeResult {
	r.calls <- runCall{tx: tx, fn: fn}
	return <-r.out
}

func (r *runner) stop() { close(r.calls) }

// loop runs the calls until stop. A function that calls runtime.Goexit
// (t.Fatal in a test's write) ends this goroutine: its call is answered
// errExited and a fresh goroutine takes the next calls.
func (r *runner) loop() {
	exited := true
	defer func() {
		if exited {
			r.out <- writeResult{err: errExited}
			go r.loop()
		}
	}()
	for c := range r.calls {
		r.out <- call(c.tx, c.fn)
	}
	exited = false
}

// call is fn(tx), a panic recovered into the result.
func call(tx *Tx, fn func(*Tx) error) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panicked: p}
		}
	}()
	res.err = fn(tx)
	return res
}
