package main

import (
	"context"
	"fmt"
	"io"

	"github.com/floorops/floorops/store"
)

// cmdBackup takes an online, consistent copy of a node's database while the
// node serves (store.Backup: SQLite's VACUUM INTO on one snapshot).
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	db := dbFlag(fs)
	to := fs.String("to", "", "`FILE` to write the copy to; must not exist yet")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 || *to == "" {
		return fmt.Errorf("%w: backup --to FILE [--db floorops.db]", errUsage)
	}
	if err := store.Backup(ctx, *db, *to); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (integrity check ok).\n", *db, *to)
	return nil
}

// cmdRestore puts a backup in place as a stopped node's database.
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", stderr)
	db := dbFlag(fs)
	from := fs.String("from", "", "backup `FILE` written by floorops backup")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 || *from == "" {
		return fmt.Errorf("%w: restore --from FILE [--db floorops.db]", errUsage)
	}
	if err := store.Restore(ctx, *from, *db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored %s as %s; start the node on it.\n", *from, *db)
	return nil
}
