// Package store opens the node's SQLite database and owns how it is written:
// pragmas that make an acknowledged write durable, embedded migrations, the
// single write entry point every mutation goes through, and request-id
// idempotency so handhelds on flaky Wi-Fi can retry freely.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/floorops/floorops"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DB is one node's database: a single writer connection (SQLite has one
// writer) and a pool of read-only connections.
type DB struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	// The statement caches of the writer's and the readers' connections
	// (stmtcache.go), counted.
	writerStmts, readerStmts *stmtStats
	runner                   *runner // the writer's: only writeLoop uses it

	// Group commit (see Write): requests wait in writes for the one writer
	// goroutine; mu and closed stop new requests once Close begins.
	writes     chan *writeReq
	mu         sync.RWMutex
	closed     bool
	writerDone chan struct{}
	commits    atomic.Int64 // committed transactions, for tests
	// committing is set while the writer commits a batch: the writer
	// connection's commit hook refuses every other commit (see guardCommits).
	committing atomic.Bool

	// observer, if set, is told of every group commit (ObserveCommits).
	observer atomic.Pointer[CommitObserver]

	// Now stamps transactions; tests replace it to control time.
	Now func() time.Time

	// The checkpointer (checkpointLoop): stopCheckpoints ends it,
	// checkpointsDone closes when it has.
	stopCheckpoints, checkpointsDone chan struct{}
	stopCheckpointsOnce              sync.Once
}

// checkpointEvery is how often the checkpointer copies the WAL's committed
// pages into the database file.
const checkpointEvery = 250 * time.Millisecond

// checkpointLoop checkpoints the WAL from a reader connection, off the
// writer: SQLite's automatic checkpoint ran inside the writer's COMMIT
// whenever the WAL passed 1,000 pages, copying them into the database file
// and syncing it while every queued write waited (under the bench, the
// commits over 5 ms, about one in twenty, were most of the writer's time
// in COMMIT). A PASSIVE checkpoint runs beside the writer and the readers
// without blocking them; once it has copied everything, the writer starts
// the WAL over by itself. Durability is the WAL's, unchanged: a commit is
// on disk when its WAL frames are synced (synchronous FULL), checkpointed
// or not. A checkpoint that fails (a full disk) is tried again next tick;
// the writes themselves report the failure.
func (db *DB) checkpointLoop() {
	defer close(db.checkpointsDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-db.stopCheckpoints:
			return
		case <-t.C:
			_, _, _ = db.checkpoint(context.Background())
		}
	}
}

// checkpoint runs one PASSIVE checkpoint: how many frames the WAL holds
// and how many of them are now in the database file.
func (db *DB) checkpoint(ctx context.Context) (walFrames, copied int64, err error) {
	var busy int64
	err = db.reader.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &walFrames, &copied)
	return walFrames, copied, err
}

// CommitObserver is told of every group commit: how many requests it made
// durable together, and how long the commit took (mostly its fsync).
type CommitObserver func(requests int, took time.Duration)

// ObserveCommits makes fn hear of every later group commit, for the node's
// metrics. fn runs on the writer goroutine and must be quick.
func (db *DB) ObserveCommits(fn CommitObserver) { db.observer.Store(&fn) }

func (db *DB) observeCommit(requests int, took time.Duration) {
	if fn := db.observer.Load(); fn != nil {
		(*fn)(requests, took)
	}
}

// Probe proves the database takes writes: it rewrites the one write_probe
// row through the writer, so it waits its turn in a group commit and
// returns only once that commit is on disk. The node's health check calls
// it; a full disk, a lost file system or a closed database fail it.
func (db *DB) Probe(ctx context.Context) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO write_probe (id, probed_at) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, FormatTime(tx.Now))
		return err
	})
}

// Open opens the database file at path, creating it if needed, and applies
// any pending migrations. Only a node about to serve (or an explicit
// migrate) creates its database; one-shot tools use OpenExisting.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true, busyTimeout)
}

// OpenExisting opens the database file at path and applies any pending
// migrations, but never creates it: a mistyped --db is ENOTFOUND naming the
// path, not a new empty node.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false, busyTimeout)
}

// busyTimeout is how long a statement waits for a lock another process
// holds on the database file (a backup, an operator's sqlite3 shell)
// before SQLite gives up with SQLITE_BUSY; Write then answers EUNAVAILABLE.
const busyTimeout = 10 * time.Second

func open(ctx context.Context, path string, create bool, busy time.Duration) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: database path %q: ? and # are not allowed in the file name", path)
	}
	if !create {
		st, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, floorops.Errorf(floorops.ENOTFOUND, "database %s does not exist (check --db or FLOOROPS_DB; floorops migrate --db %s creates one)", path, path)
		case err != nil:
			return nil, fmt.Errorf("store: database %s: %w", path, err)
		case st.IsDir():
			return nil, floorops.Errorf(floorops.EINVALID, "database %s is a directory, not a database file", path)
		}
	}
	if err := refuseCentral(ctx, path); err != nil {
		return nil, err
	}
	// mode=rw makes SQLite itself refuse to create the file, should it
	// vanish between the check above and the open.
	wc, err := newCachingConnector(dsn(path, false, create, busy))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w := sql.OpenDB(wc)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, writer: w, writerStmts: wc.stats, Now: time.Now, writes: make(chan *writeReq, maxBatch), writerDone: make(chan struct{})}
	go db.writeLoop()
	if err := db.migrate(ctx); err != nil {
		db.stopWriter()
		w.Close()
		return nil, err
	}
	if err := db.guardCommits(ctx); err != nil {
		db.stopWriter()
		w.Close()
		return nil, err
	}
	rc, err := newCachingConnector(dsn(path, true, false, busy))
	if err != nil {
		db.stopWriter()
		w.Close()
		return nil, fmt.Errorf("store: open readers %s: %w", path, err)
	}
	r := sql.OpenDB(rc)
	db.readerStmts = rc.stats
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db.reader = r
	db.stopCheckpoints, db.checkpointsDone = make(chan struct{}), make(chan struct{})
	go db.checkpointLoop()
	return db, nil
}

// dsn builds the connection string. Pragmas go in the DSN so every pooled
// connection gets them: WAL so readers never block the writer, synchronous
// FULL so a committed transaction is on disk before it is acknowledged,
// immediate transactions so a writer takes the lock up front instead of
// failing halfway with SQLITE_BUSY. Without create the file must exist
// (mode=rw): readers open after the writer has created it, and one-shot
// tools never create one.
func dsn(path string, readOnly, create bool, busy time.Duration) string {
	v := url.Values{}
	if !create {
		v.Set("mode", "rw")
	}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	v.Add("_pragma", "journal_mode(wal)")
	v.Add("_pragma", "synchronous(full)")
	v.Add("_pragma", "foreign_keys(1)")
	// Each write of a group commit runs in its own savepoint, whose undo
	// pages (the statement subjournal) SQLite otherwise spills to a temp
	// file with a pwrite per page: in memory they cost no syscalls. It
	// holds only what rolls a savepoint back inside an open transaction,
	// so durability is the WAL's, unchanged.
	v.Add("_pragma", "temp_store(memory)")
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Set("_txlock", "immediate")
		// The writer never checkpoints in its commits; the
		// checkpointer does, beside it (checkpointLoop).
		v.Add("_pragma", "wal_autocheckpoint(0)")
	}
	return "file:" + path + "?" + v.Encode()
}

// guardCommits makes the writer connection refuse any commit but the
// writer's own. If SQLite rolls a batch's transaction back by itself (an
// I/O error, OR ROLLBACK), the connection is back in autocommit mode and a
// request's next statement would commit alone, outside its savepoint, while
// the request is answered with an error; the hook turns that commit into a
// rollback instead.
func (db *DB) guardCommits(ctx context.Context) error {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: writer connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		h, ok := rawConn(dc).(sqlite.HookRegisterer)
		if !ok {
			return errors.New("store: the SQLite driver cannot register a commit hook")
		}
		h.RegisterCommitHook(func() int32 {
			if db.committing.Load() {
				return 0
			}
			return 1 // non-zero: SQLite rolls the commit back
		})
		return nil
	})
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close finishes the writes already queued, refuses new ones and closes
// all connections.
func (db *DB) Close() error {
	db.stopWriter()
	db.stopCheckpointsOnce.Do(func() { close(db.stopCheckpoints) })
	<-db.checkpointsDone
	return errors.Join(db.reader.Close(), db.writer.Close())
}

// Reader is the read-only pool, for queries that change nothing.
func (db *DB) Reader() *sql.DB { return db.reader }

// Tx is one Write's view of the write transaction, with the time it
// started; every row it writes is stamped with Now so one request has one
// time. Its changes commit, or roll back, as a whole (a savepoint inside the
// group commit, see Write).
//
// Its statements run compiled once per connection (the statement cache,
// stmtcache.go): the writer's connection keeps every SQL text it has run
// across transactions and group-commit batches, so a wave of scans parses
// each statement once. QueryContext may run the same query again while
// earlier rows of it are open; that call compiles a statement of its own.
//
// Its statements ignore the cancellation of the ctx they are given: once a
// write has started it runs to its end, because SQLite answers an
// interrupted INSERT or UPDATE by rolling back the whole transaction, which
// other requests share. A client that gave up learns the outcome by
// retrying its request id.
type Tx struct {
	// conn is the writer's connection, inside the batch's transaction.
	// It is a held sql.Conn rather than a sql.Tx: a sql.Tx's context is
	// always cancellable, so database/sql gave every query's rows a
	// goroutine (and a child context) to watch it: 5-7% of the node's CPU
	// under the bench, with the garbage it left. The statements ignore
	// cancellation anyway (see above), so nothing watches them now.
	conn *sql.Conn
	Now  time.Time
	// RequestID is the client request id Idempotent runs the function
	// for; empty in a plain Write. The outbox stamps it on every event
	// the request causes.
	RequestID string
	// ended is the error with which SQLite ended the transaction on its
	// own (a full disk, an I/O error): later statements would run outside
	// any transaction and commit alone, so they are refused.
	ended error
	// The rows (and single rows) this write's queries returned, closed when
	// its function returns (closeLeftOpen): rows left open would hold the
	// writer's connection, as a sql.Tx's end used to close them.
	rows   []*sql.Rows
	oneRow []*sql.Row
}

// closeLeftOpen closes whatever rows the write's function left open. A
// Row has no Close: Scan with no destinations closes it, whether or not it
// was scanned before (its error is the careless function's, ignored).
func (tx *Tx) closeLeftOpen() {
	for _, r := range tx.rows {
		_ = r.Close()
	}
	for _, r := range tx.oneRow {
		_ = r.Scan()
	}
	tx.rows, tx.oneRow = nil, nil
}

// errNotYours refuses Commit and Rollback on a Tx: the transaction is shared
// by the requests of a group commit, and Write commits a request's changes
// when its function returns nil, or rolls them back when it fails.
var errNotYours = errors.New("store: a Write's function does not commit or roll back; return nil or an error")

// Commit is refused; see errNotYours.
func (tx *Tx) Commit() error { return errNotYours }

// Rollback is refused; see errNotYours.
func (tx *Tx) Rollback() error { return errNotYours }

// note records err if it is one with which SQLite rolls back the whole
// transaction by itself.
func (tx *Tx) note(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_INTERRUPT,
			sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_ABORT:
			tx.ended = err
		}
	}
	return err
}

func (tx *Tx) endedError() error {
	return fmt.Errorf("store: the transaction ended after an earlier error: %w", tx.ended)
}

// ExecContext runs one statement that returns no rows.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.ended != nil {
		return nil, tx.endedError()
	}
	res, err := tx.conn.ExecContext(context.WithoutCancel(ctx), query, args...)
	return res, tx.note(err)
}

// Exec is ExecContext without a context, for tests and scripts.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(context.Background(), query, args...)
}

// QueryContext runs a query returning rows.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx.ended != nil {
		return nil, tx.endedError()
	}
	rows, err := tx.conn.QueryContext(context.WithoutCancel(ctx), query, args...)
	if err == nil {
		tx.rows = append(tx.rows, rows)
	}
	return rows, tx.note(err)
}

// QueryRowContext runs one query expected to return at most one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx.ended != nil {
		// A Row carries its error to Scan; a cancelled query is one that
		// runs nothing.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		return tx.conn.QueryRowContext(cancelled, query, args...)
	}
	row := tx.conn.QueryRowContext(context.WithoutCancel(ctx), query, args...)
	tx.oneRow = append(tx.oneRow, row)
	return row
}

// PrepareContext compiles a statement for repeated use within this write;
// the caller closes it before the write's function returns.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx.ended != nil {
		return nil, tx.endedError()
	}
	st, err := tx.conn.PrepareContext(context.WithoutCancel(ctx), query)
	return st, tx.note(err)
}

// Constraint kinds reported by SQLite.
const (
	ConstraintUnique     = sqlite3.SQLITE_CONSTRAINT_UNIQUE
	ConstraintPrimaryKey = sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	ConstraintCheck      = sqlite3.SQLITE_CONSTRAINT_CHECK
	ConstraintForeignKey = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	ConstraintNotNull    = sqlite3.SQLITE_CONSTRAINT_NOTNULL
)

// IsConstraint reports whether err is SQLite's constraint violation of the
// given kind (one of the Constraint constants), by error code.
func IsConstraint(err error, kind int) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == kind
}

// unavailable turns SQLite's "the database file is locked" (SQLITE_BUSY,
// SQLITE_LOCKED and their extended codes, by code) into EUNAVAILABLE: the
// lock is another process's (the node has one writer), the write changed
// nothing, and the client should retry with the same request id rather
// than be told the node failed.
func unavailable(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return floorops.Errorf(floorops.EUNAVAILABLE, "the node's database is busy (locked by another process); retry the request")
		}
	}
	return err
}

// TimeFormat is how times are stored: RFC 3339 in UTC with fixed
// nanoseconds, so text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// FormatTime renders t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads a stored time; a malformed value is a bug, reported as internal.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		return time.Time{}, floorops.Errorf(floorops.EINTERNAL, "stored time %q: %v", s, err)
	}
	return t, nil
}

// ParseTimeOrZero reads a stored time that may not be set yet (an empty
// column, as a receipt's closed_at while it is open) as the zero time.
func ParseTimeOrZero(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ParseTime(s)
}

// ParseResponseTime reads a time from the JSON of a stored idempotent
// response: RFC 3339, as encoding/json writes a time.Time, and as
// FormatTime wrote the responses stored while the domain held that time
// as a string, where "" was a time not set (the zero time). A type whose
// time fields were strings once decodes them with it, so a retry across
// the change gets the first answer back.
func ParseResponseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, floorops.Errorf(floorops.EINTERNAL, "stored response time %q: %v", s, err)
	}
	return t, nil
}
