package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
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
		{"users", "enable", "--badge", "B-ANA"},
		{"users", "reset-pin", "--badge", "B-ANA", "--pin", "4821"},
		{"users", "unlock", "--badge", "B-ANA"},
		{"users", "audit"},
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

// TestUsersAdminCommands: an admin at the node disables and re-enables a
// badge, resets its PIN and unlocks it; the audit trail names the
// operating-system user who did each.
func TestUsersAdminCommands(t *testing.T) {
	db := mustMigrate(t)
	ctx := context.Background()
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-ANA", "--pin", "4821"); err != nil {
		t.Fatal(err)
	}
	login := func(pin string) error {
		t.Helper()
		st, err := store.OpenExisting(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = auth.NewService(st, scan.Default()).Login(ctx, "B-ANA", pin, "hh")
		return err
	}
	status := func() string {
		t.Helper()
		out, _, err := runCLI(t, "users", "list", "--db", db)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mustRun := func(args ...string) {
		t.Helper()
		if _, _, err := runCLI(t, append(args, "--db", db, "--badge", "B-ANA")...); err != nil {
			t.Fatalf("floorops %s: %v", strings.Join(args, " "), err)
		}
	}
	mustRun("users", "disable")
	if !strings.Contains(status(), "disabled") {
		t.Fatal("users disable did not disable")
	}
	mustRun("users", "enable")
	if strings.Contains(status(), "disabled") {
		t.Fatal("users enable did not enable")
	}
	for i := 0; i < 5; i++ {
		login("0000")
	}
	if err := login("4821"); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("badge not locked: %v", err)
	}
	mustRun("users", "unlock")
	if err := login("4821"); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	stdin = strings.NewReader("2468\n")
	t.Cleanup(func() { stdin = os.Stdin })
	mustRun("users", "reset-pin")
	if err := login("2468"); err != nil {
		t.Fatalf("after reset-pin: %v", err)
	}
	out, _, err := runCLI(t, "users", "audit", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"disable", "enable", "unlock", "reset_pin"} {
		if !strings.Contains(out, action) {
			t.Errorf("users audit lacks %s:\n%s", action, out)
		}
	}
	if !strings.Contains(out, "cli:") {
		t.Errorf("users audit does not say who:\n%s", out)
	}
	if _, _, err := runCLI(t, "users", "enable", "--db", db, "--badge", "B-NOBODY"); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Errorf("enable an unknown badge: %v, want not found", err)
	}
}

// TestVersionAndBareUsage: floorops version names the module and its VCS
// revision from the build info; bare floorops prints the usage and exits 2.
func TestVersionAndBareUsage(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "floorops ") || !strings.Contains(out, "github.com/floorops/floorops") || !strings.Contains(out, "revision") {
		t.Fatalf("floorops version = %q, %v", out, err)
	}
	if _, _, err := runCLI(t, "version", "extra"); exitCode(err, discard{}) != 2 {
		t.Errorf("floorops version extra: %v, want exit 2", err)
	}
	out, errOut, err := runCLI(t)
	if code := exitCode(err, discard{}); code != 2 || out != "" || !strings.Contains(errOut, "usage: floorops") {
		t.Fatalf("bare floorops: exit %d, stdout %q, stderr %q; want exit 2 and the usage on stderr", code, out, errOut)
	}
}

// TestFlagsAfterArguments: a flag after a positional argument is read as a
// flag (floorops import items FILE.csv --db node.db), and -- ends flags.
func TestFlagsAfterArguments(t *testing.T) {
	t.Parallel()
	db := mustMigrate(t)
	csv := mustWriteFile(t, t.TempDir(), "items.csv", "sku\nSKU-1\n")
	if out, _, err := runCLI(t, "import", "items", csv, "--db", db); err != nil || !strings.Contains(out, "1 imported") {
		t.Fatalf("import items FILE --db DB = %q, %v", out, err)
	}
	out, _, err := runCLI(t, "scan", "A-01-02-B", "--json")
	if err != nil || !strings.HasPrefix(out, "{") {
		t.Fatalf("scan RAW --json = %q, %v", out, err)
	}
	if _, _, err := runCLI(t, "scan", "--", "--json"); err == nil || errors.Is(err, errUsage) {
		t.Fatalf("scan -- --json: %v, want --json read as a (bad) scan", err)
	}
	if _, _, err := runCLI(t, "users", "list", "extra", "--db", db); exitCode(err, discard{}) != 2 {
		t.Fatalf("users list extra --db: %v, want exit 2", err)
	}
}

// TestLabelsRefuseBinaryOnATerminal: PNG and PDF written to a terminal
// would garble it; ZPL is text and goes through.
func TestLabelsRefuseBinaryOnATerminal(t *testing.T) {
	stdoutIsTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { stdoutIsTerminal = isTerminal })
	for _, args := range [][]string{
		{"labels", "item", "--gtin", "4006381333931", "--format", "png"},
		{"labels", "lpn", "--code", "LPN000123"}, // png by default
		{"labels", "item", "--gtin", "4006381333931", "--format", "png", "--out", "-"},
	} {
		out, _, err := runCLI(t, args...)
		if exitCode(err, discard{}) != 2 || out != "" {
			t.Errorf("floorops %s on a terminal: %v, %d bytes out; want exit 2 and nothing written", strings.Join(args, " "), err, len(out))
		}
	}
	if out, _, err := runCLI(t, "labels", "item", "--gtin", "4006381333931", "--format", "zpl"); err != nil || !strings.Contains(out, "^XA") {
		t.Fatalf("zpl on a terminal: %v", err)
	}
}
