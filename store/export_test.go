package store

import (
	"context"
	"time"
)

// QueuedWrites is how many writes wait for the writer.
func QueuedWrites(db *DB) int { return len(db.writes) }

// Commits is how many transactions the writer has committed.
func Commits(db *DB) int64 { return db.commits.Load() }

// OpenBusyTimeout is Open with another wait for locks other processes
// hold, so a test of a locked database need not wait the node's 10 s.
func OpenBusyTimeout(ctx context.Context, path string, busy time.Duration) (*DB, error) {
	return open(ctx, path, true, busy)
}

// StatementStats is what the writer's and the readers' statement caches
// have done: statements compiled into a cache, cached statements closed,
// and runs that reused a cached statement.
type StatementStats struct{ Prepared, Closed, Hits int64 }

func WriterStatements(db *DB) StatementStats { return statsOf(db.writerStmts) }
func ReaderStatements(db *DB) StatementStats { return statsOf(db.readerStmts) }

func statsOf(s *stmtStats) StatementStats {
	return StatementStats{s.prepared.Load(), s.closed.Load(), s.hits.Load()}
}

// BareExec runs a statement on the write's connection, past Tx's guard
// against statements after SQLite ended the transaction.
func BareExec(tx *Tx, query string) error {
	_, err := tx.conn.ExecContext(context.Background(), query)
	return err
}

// StopCheckpoints ends the checkpointer early (Close then skips it).
func StopCheckpoints(db *DB) {
	db.stopCheckpointsOnce.Do(func() { close(db.stopCheckpoints) })
	<-db.checkpointsDone
}

// Checkpoint runs one of the checkpointer's checkpoints now.
func Checkpoint(ctx context.Context, db *DB) (walFrames, copied int64, err error) {
	return db.checkpoint(ctx)
}
