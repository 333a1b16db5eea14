package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs floorops with args and returns what it printed.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestUsersAndAPIKeysCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "node.db")
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "b-1042", "--name", "Ana", "--role", "lead", "--pin", "4821"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-1043", "--role", "boss", "--pin", "4821"); err == nil {
		t.Fatal("a bad role was accepted")
	}
	if _, _, err := runCLI(t, "users", "disable", "--db", db, "--badge", "B-1042"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "users", "list", "--db", db)
	if err != nil || !strings.Contains(out, "B-1042") || !strings.Contains(out, "disabled") {
		t.Fatalf("users list = %q, %v", out, err)
	}
	key, _, err := runCLI(t, "apikeys", "create", "--db", db, "--name", "erp")
	if err != nil || !strings.HasPrefix(key, "fok_") {
		t.Fatalf("apikeys create = %q, %v", key, err)
	}
	if _, _, err := runCLI(t, "users", "frobnicate"); !errors.Is(err, errUsage) {
		t.Fatalf("unknown users command: %v, want usage error", err)
	}
}

func TestImportCommandReportsBadRows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "node.db")
	csv := filepath.Join(dir, "locations.csv")
	os.WriteFile(csv, []byte("code,zone,type,capacity\nA-01-01-A,A,pickface,120\nA-01-01-B,A,shelf,480\nA-01-01-C,A,storage,-1\n"), 0o644)
	out, errOut, err := runCLI(t, "import", "locations", "--db", db, csv)
	if err == nil {
		t.Fatal("import with bad rows exited 0")
	}
	if !strings.Contains(errOut, "locations.csv:3:") || !strings.Contains(errOut, "locations.csv:4:") || !strings.Contains(out, "1 imported, 2 rejected") {
		t.Fatalf("stdout %q stderr %q", out, errOut)
	}
	if _, _, err := runCLI(t, "import", "pallets", csv); !errors.Is(err, errUsage) {
		t.Fatalf("unknown import kind: %v", err)
	}
}

func TestAPIKeyDisableAndPINFromStdin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "node.db")
	stdin = strings.NewReader("5937\n")
	t.Cleanup(func() { stdin = os.Stdin })
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-9", "--role", "associate"); err != nil {
		t.Fatalf("PIN from stdin: %v", err)
	}
	if _, _, err := runCLI(t, "apikeys", "create", "--db", db, "--name", "wms"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "apikeys", "disable", "--db", db, "--name", "wms"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "apikeys", "list", "--db", db)
	if err != nil || !strings.Contains(out, "wms") || !strings.Contains(out, "disabled") {
		t.Fatalf("apikeys list = %q, %v", out, err)
	}
	if _, _, err := runCLI(t, "apikeys", "disable", "--db", db, "--name", "nope"); err == nil {
		t.Fatal("disabling an unknown key succeeded")
	}
}
