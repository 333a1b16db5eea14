package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/floorops/floorops/central"
)

func runQuiet(args ...string) error {
	return run(context.Background(), args, io.Discard, io.Discard)
}

func missing(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created: %v", path, err)
	}
}

func TestCentralOneShotsNeverCreateADatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "central.db")
	if err := runQuiet("central", "keys", "create", "--db", db, "dc-east"); err == nil {
		t.Error("keys create on a missing database succeeded")
	}
	missing(t, db)
	if err := runQuiet("central", "ats", "--db", db); err == nil {
		t.Error("ats on a missing database succeeded")
	}
	missing(t, db)
	// A central whose port is taken leaves no database behind.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	if err := runQuiet("central", "--grpc-addr", lis.Addr().String(), "--db", db); err == nil {
		t.Error("central on a busy port succeeded")
	}
	missing(t, db)
}

func TestCentralTLSFlagsAreChecked(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "central.db")
	for _, args := range [][]string{
		{"--client-ca", filepath.Join(dir, "ca.pem")},
		{"--tls-cert", filepath.Join(dir, "cert.pem")},
		{"--tls-key", filepath.Join(dir, "key.pem")},
	} {
		err := runQuiet(append([]string{"central", "--grpc-addr", "127.0.0.1:0", "--db", db}, args...)...)
		if !errors.Is(err, errUsage) {
			t.Errorf("central %v: %v, want a usage error", args, err)
		}
	}
	err := runQuiet("central", "--grpc-addr", "127.0.0.1:0", "--db", db,
		"--tls-cert", filepath.Join(dir, "nope.pem"), "--tls-key", filepath.Join(dir, "nope.key"))
	if err == nil {
		t.Error("central with missing certificate files started")
	}
	missing(t, db)
}

func TestNodeAndCentralDatabasesAreNotMixedUp(t *testing.T) {
	dir := t.TempDir()
	node := filepath.Join(dir, "node.db")
	if err := runQuiet("migrate", "--db", node); err != nil {
		t.Fatal(err)
	}
	cdb := filepath.Join(dir, "central.db")
	c, err := central.Open(context.Background(), cdb)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := runQuiet("central", "ats", "--db", node); err == nil {
		t.Error("central ats on a node's database succeeded")
	}
	if err := runQuiet("central", "keys", "create", "--db", node, "n1"); err == nil {
		t.Error("central keys create on a node's database succeeded")
	}
	if err := runQuiet("sync", "status", "--db", cdb); err == nil {
		t.Error("sync status on central's database succeeded")
	}
	if err := runQuiet("migrate", "--db", cdb); err == nil {
		t.Error("migrate on central's database succeeded")
	}
}

// sync status only reads: a file that is not a node database is refused,
// not migrated into one.
func TestSyncStatusIsReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runQuiet("sync", "status", "--db", path); err == nil {
		t.Error("sync status on an empty file succeeded")
	}
	if st, err := os.Stat(path); err != nil || st.Size() != 0 {
		t.Errorf("sync status wrote to the file: %v, %v", st, err)
	}
	missingPath := filepath.Join(t.TempDir(), "missing.db")
	if err := runQuiet("sync", "status", "--db", missingPath); err == nil {
		t.Error("sync status on a missing file succeeded")
	}
	missing(t, missingPath)
}

func TestServeUpstreamFlagsAreChecked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "node.db")
	base := []string{"serve", "--db", db, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}
	for _, args := range [][]string{
		{"--upstream-key", "fck_x"},
		{"--upstream-addr", "127.0.0.1:1"},
		{"--upstream-addr", "127.0.0.1:1", "--upstream-cert", "c.pem"},
		{"--node-id", "dc.east", "--upstream-addr", "127.0.0.1:1", "--upstream-key", "k"},
		{"--node-id", "dc east"},
		{"--node-id", "dc>"},
	} {
		if err := runQuiet(append(append([]string{}, base...), args...)...); !errors.Is(err, errUsage) {
			t.Errorf("serve %v: %v, want a usage error", args, err)
		}
	}
	missing(t, db)
}
