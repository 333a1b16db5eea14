package store

// QueuedWrites is how many writes wait for the writer.
func QueuedWrites(db *DB) int { return len(db.writes) }

// Commits is how many transactions the writer has committed.
func Commits(db *DB) int64 { return db.commits.Load() }
