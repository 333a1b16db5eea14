package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/floorops/floorops"
)

// Backup writes a consistent copy of the database file at path to the new
// file to, while the node keeps serving: SQLite's VACUUM INTO reads one
// snapshot (a read transaction in WAL mode, which never blocks the writer)
// and writes it compacted, with every acknowledged write committed before
// the snapshot began and none after. It opens the file on a connection of
// its own and never migrates it, so a backup tool of another version
// leaves a live node's schema alone. to must not exist yet.
func Backup(ctx context.Context, path, to string) error {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return floorops.Errorf(floorops.ENOTFOUND, "database %s does not exist", path)
		}
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Lstat(to); err == nil {
		return floorops.Errorf(floorops.EPRECONDITION, "backup %s already exists; give a new file", to)
	}
	c, err := newCachingConnector(dsn(path, false, false, busyTimeout))
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, to); err != nil {
		os.Remove(to)
		return fmt.Errorf("store: backup %s into %s: %w", path, to, err)
	}
	if err := checkIntegrity(ctx, to); err != nil {
		os.Remove(to)
		return err
	}
	return syncFile(to)
}

// Restore puts the backup from in place as the database file at path, for
// a node that is stopped: it checks the backup's integrity, copies it
// beside path and renames it into place, so a crash halfway leaves no half
// a database. A database already at path is refused (move it aside first:
// it may be the only copy of the newest scans).
func Restore(ctx context.Context, from, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return floorops.Errorf(floorops.EPRECONDITION, "database %s already exists; move it (and its -wal and -shm files) aside before restoring over it", path)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Lstat(path + side); err == nil {
			return floorops.Errorf(floorops.EPRECONDITION, "%s%s is left from an earlier database; move it aside before restoring", path, side)
		}
	}
	if _, err := os.Stat(from); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return floorops.Errorf(floorops.ENOTFOUND, "backup %s does not exist", from)
		}
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := checkIntegrity(ctx, from); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".restore-*")
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	src, err := os.Open(from)
	if err != nil {
		tmp.Close()
		return fmt.Errorf("store: restore: %w", err)
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	return syncFile(filepath.Dir(path))
}

// checkIntegrity runs PRAGMA integrity_check on the file, read-only.
func checkIntegrity(ctx context.Context, path string) error {
	c, err := newCachingConnector("file:" + path + "?mode=ro")
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("store: integrity check of %s: %w", path, err)
	}
	if res != "ok" {
		return floorops.Errorf(floorops.EPRECONDITION, "%s fails SQLite's integrity check: %s", path, res)
	}
	return nil
}

// syncFile flushes a file, or a directory's entries, to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
