package main

import (
	"context"
	"fmt"
	"io"

	"github.com/floorops/floorops/store"
)

// cmdMigrate is "floorops migrate": the one command besides serve that
// creates a node's database, so an operator can set up users and master
// data before the node first serves. Every other one-shot command opens an
// existing database only.
func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	dbPath := dbFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: floorops migrate [--db FILE]\n    create the database if it does not exist and apply any pending migrations")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: migrate: unexpected arguments %q", errUsage, fs.Args())
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is up to date\n", *dbPath)
	return nil
}
