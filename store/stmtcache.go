package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync/atomic"

	"modernc.org/sqlite"
)

// The statement cache: every SQLite connection the node opens (the writer
// and each reader) keeps the statements it has compiled, keyed by SQL text
// (and the 0/1 shape of the arguments, below),
// and runs them again instead of parsing and planning the same SQL on every
// call. It lives in the connection, below database/sql, so it serves every
// caller unchanged: a Write's Tx across transactions and group-commit
// batches, and every query on db.Reader(). It is closed with the connection.
//
// A statement with open rows cannot run again until those rows are closed
// (SQLite would reset it under them), so a query whose cached statement is
// busy (the same caller running the same query while iterating its rows)
// runs on a statement of its own, compiled for that call, as before.
//
// database/sql uses a connection from one goroutine at a time (it holds the
// connection's lock around every driver call, Rows.Next and Rows.Close
// included), so a connection's cache needs no lock of its own.
//
// Schema changes are safe: SQLite recompiles a prepared statement by itself
// when the schema it was planned against changes (sqlite3_prepare_v2).

// A statement is cached once per 0/1 shape of its arguments, not once per
// SQL text. Since SQLite 3.54 a "col = ?" term of a join or of an ORDER BY
// query plans differently for the values 0 and 1, so SQLite expires the
// statement whenever such an argument changes between 0 or 1 and any other
// value, and the next step parses and plans it again (sqlite3Reprepare).
// A statement run for item 1 and then for item 7, turn about, was
// recompiled on every run: 3% of the writer's CPU under the bench, on the
// GTIN and sellable-location lookups. Keyed also by which integer
// arguments are 0 or 1, each cached statement keeps one side of that line
// and is never expired by it; SQLite still plans 0 and 1 as it means to.

// maxCachedStatements bounds one connection's cache; SQL texts built at run
// time (an IN list of some length) beyond it run uncached.
const maxCachedStatements = 512

// stmtStats counts a connector's cache work, for tests and benchmarks.
type stmtStats struct {
	prepared atomic.Int64 // statements compiled into a cache
	closed   atomic.Int64 // cached statements closed
	hits     atomic.Int64 // runs of an already cached statement
	runs     atomic.Int64 // statements run, cached or not
}

// cachingConnector opens modernc SQLite connections wrapped in a cache.
type cachingConnector struct {
	driver.Connector
	stats *stmtStats
}

func newCachingConnector(dsn string) (*cachingConnector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConnector{Connector: base, stats: &stmtStats{}}, nil
}

// sqliteConn is every interface a modernc connection implements that
// database/sql looks for.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

func (c *cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(sqliteConn)
	if !ok {
		dc.Close()
		return nil, errors.New("store: the SQLite driver's connection lacks the context interfaces")
	}
	return &cachingConn{inner: inner, stats: c.stats, stmts: make(map[stmtKey]*cacheEntry)}, nil
}

// cachingConn is one SQLite connection with its compiled statements.
type cachingConn struct {
	inner sqliteConn
	stats *stmtStats
	stmts map[stmtKey]*cacheEntry
}

// stmtKey names a cached statement: its SQL and which of its first 64
// arguments are the integer 0 or 1 (bit i for argument i).
type stmtKey struct {
	query   string
	zeroOne uint64
}

func keyOf(query string, args []driver.NamedValue) stmtKey {
	k := stmtKey{query: query}
	for i, a := range args {
		if i == 64 {
			break
		}
		switch v := a.Value.(type) {
		case int64:
			if v == 0 || v == 1 {
				k.zeroOne |= 1 << i
			}
		case bool:
			k.zeroOne |= 1 << i
		}
	}
	return k
}

type cacheEntry struct {
	st   cachedStmt
	busy bool // its rows are open
}

// Unwrap is the modernc connection, for its own extensions (commit hooks,
// the backup API, sqlite.Limit).
func (c *cachingConn) Unwrap() driver.Conn { return c.inner }

// entry is the cached statement for query with args, compiled on first use; nil when
// it is busy, when the cache is full, or when it does not compile (the
// uncached path then reports the error).
func (c *cachingConn) entry(ctx context.Context, query string, args []driver.NamedValue) *cacheEntry {
	key := keyOf(query, args)
	if e, ok := c.stmts[key]; ok {
		if e.busy {
			return nil
		}
		c.stats.hits.Add(1)
		return e
	}
	if len(c.stmts) >= maxCachedStatements {
		return nil
	}
	ds, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	st, ok := ds.(cachedStmt)
	if !ok {
		ds.Close()
		return nil
	}
	e := &cacheEntry{st: st}
	c.stmts[key] = e
	c.stats.prepared.Add(1)
	return e
}

// ExecContext and QueryContext run nothing for a ctx already done: the
// writer's statements run on a held sql.Conn, which, unlike a sql.Tx, does
// not check the ctx itself, and Tx relies on a cancelled ctx to refuse a
// statement (Tx.QueryRowContext once SQLite ended the transaction).
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.stats.runs.Add(1)
	if e := c.entry(ctx, query, args); e != nil {
		return e.st.ExecContext(ctx, args)
	}
	return c.inner.ExecContext(ctx, query, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.stats.runs.Add(1)
	e := c.entry(ctx, query, args)
	if e == nil {
		return c.inner.QueryContext(ctx, query, args)
	}
	rows, err := e.st.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	e.busy = true
	return &cachedRows{Rows: rows, entry: e}, nil
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for q, e := range c.stmts {
		errs = append(errs, e.st.Close())
		c.stats.closed.Add(1)
		delete(c.stmts, q)
	}
	errs = append(errs, c.inner.Close())
	return errors.Join(errs...)
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}

// Begin is driver.Conn's; database/sql calls BeginTx.
func (c *cachingConn) Begin() (driver.Tx, error) { return c.inner.Begin() }
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.inner.IsValid() }

// cachedRows are a cached statement's rows: closing them frees the
// statement for its next run.
type cachedRows struct {
	driver.Rows
	entry *cacheEntry
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.entry.busy = false
	return err
}

// The column type interfaces modernc's rows implement, passed through so
// sql.Rows.ColumnTypes says the same with the cache as without.

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// StatementsRun is how many SQL statements the node has run so far, on the
// writer and the readers together (each Exec or Query, savepoints
// included; not the statements triggers run inside them). Benchmarks read
// it before and after to count the statements one scan costs.
func (db *DB) StatementsRun() int64 {
	return db.writerStmts.runs.Load() + db.readerStmts.runs.Load()
}

// rawConn is the modernc connection under a database/sql driver
// connection, seen through the cache.
func rawConn(dc any) any {
	if u, ok := dc.(interface{ Unwrap() driver.Conn }); ok {
		return u.Unwrap()
	}
	return dc
}
