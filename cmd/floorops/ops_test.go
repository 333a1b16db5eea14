package main

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustMigrate creates a node database for a one-shot command to open, as an
// operator would with floorops migrate (or serve).
func mustMigrate(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "node.db")
	if _, _, err := runCLI(t, "migrate", "--db", db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func noFile(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists (stat: %v)", p, err)
		}
	}
}

// TestOneShotCommandsNeverCreateTheDatabase: a mistyped --db fails, names
// the path, and leaves no empty node behind; only migrate creates one.
func TestOneShotCommandsNeverCreateTheDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csv := mustWriteFile(t, dir, "items.csv", "sku\nSKU-1\n")
	typo := filepath.Join(dir, "flooorops.db")
	for _, args := range [][]string{
		{"users", "list"},
		{"users", "add", "--badge", "B-ANA", "--pin", "4821"},
		{"users", "disable", "--badge", "B-ANA"},
		{"apikeys", "list"},
		{"apikeys", "create", "--name", "erp"},
		{"apikeys", "disable", "--name", "erp"},
		{"import", "items", csv},
		{"labels", "locations", "--format", "zpl", "--out", filepath.Join(dir, "l.zpl")},
	} {
		args = append(args[:2:2], append([]string{"--db", typo}, args[2:]...)...)
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), typo) {
			t.Errorf("floorops %s = %v, want an error naming %s", strings.Join(args, " "), err, typo)
		}
		if code := exitCode(err, discard{}); code != 1 {
			t.Errorf("floorops %s: exit %d, want 1", strings.Join(args, " "), code)
		}
		noFile(t, typo)
	}
	db := mustMigrate(t)
	if out, _, err := runCLI(t, "users", "list", "--db", db); err != nil || !strings.Contains(out, "BADGE") {
		t.Fatalf("users list on a migrated database = %q, %v", out, err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestServeOnABusyPortCreatesNoDatabase: serve holds both ports before it
// creates the database, so a port conflict leaves nothing behind.
func TestServeOnABusyPortCreatesNoDatabase(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	db := filepath.Join(t.TempDir(), "node.db")
	for _, args := range [][]string{
		{"serve", "--db", db, "--grpc-addr", busy.Addr().String(), "--http-addr", "127.0.0.1:0"},
		{"serve", "--db", db, "--grpc-addr", "127.0.0.1:0", "--http-addr", busy.Addr().String()},
	} {
		if _, _, err := runCLI(t, args...); err == nil {
			t.Fatalf("floorops %s on a busy port succeeded", strings.Join(args, " "))
		}
		noFile(t, db)
	}
}
