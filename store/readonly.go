package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/floorops/floorops"
)

// OpenReadOnly opens an existing node database for reading only: it never
// creates, migrates or writes the file (sync status, audits). A file that
// is not a node's database (central's, or an empty one) is EPRECONDITION.
func OpenReadOnly(ctx context.Context, path string) (*sql.DB, error) {
	if err := checkExisting(path); err != nil {
		return nil, err
	}
	c, err := newCachingConnector("file:" + path + "?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := sql.OpenDB(c)
	if err := checkNodeFile(ctx, db, path, false); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func checkExisting(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return floorops.Errorf(floorops.ENOTFOUND, "database %s does not exist (check --db or FLOOROPS_DB)", path)
	case err != nil:
		return fmt.Errorf("store: database %s: %w", path, err)
	case st.IsDir():
		return floorops.Errorf(floorops.EINVALID, "database %s is a directory, not a database file", path)
	}
	return nil
}

// refuseCentral refuses to open central's database as a node's, looking
// through its own short read-only connection (nothing when the file is
// missing or empty: the node creates its schema).
func refuseCentral(ctx context.Context, path string) error {
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		return nil
	}
	c, err := newCachingConnector("file:" + path + "?mode=ro")
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	return checkNodeFile(ctx, db, path, true)
}

// checkNodeFile refuses a database that is the reference central's (it
// has node_keys and no schema_migrations); with allowEmpty false it also
// refuses a file with no node schema at all.
func checkNodeFile(ctx context.Context, q *sql.DB, path string, allowEmpty bool) error {
	var migrations, central int
	if err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'),
		(SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'node_keys')`).Scan(&migrations, &central); err != nil {
		return fmt.Errorf("store: read schema of %s: %w", path, err)
	}
	switch {
	case central > 0 && migrations == 0:
		return floorops.Errorf(floorops.EPRECONDITION, "%s is a floorops central database, not a node's (give the node's --db)", path)
	case migrations == 0 && !allowEmpty:
		return floorops.Errorf(floorops.EPRECONDITION, "%s is not a floorops node database (no schema_migrations)", path)
	}
	return nil
}
