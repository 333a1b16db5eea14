package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/scan"
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
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "b-ana", "--name", "Ana", "--role", "lead", "--pin", "4821"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-BEN", "--role", "boss", "--pin", "4821"); err == nil {
		t.Fatal("a bad role was accepted")
	}
	if _, _, err := runCLI(t, "users", "disable", "--db", db, "--badge", "B-ANA"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "users", "list", "--db", db)
	if err != nil || !strings.Contains(out, "B-ANA") || !strings.Contains(out, "disabled") {
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
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-NINE", "--role", "associate"); err != nil {
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

// TestUsersAddRefusesUnscannableBadge refuses a badge that scans as a
// location: it could never be scanned to sign in.
func TestUsersAddRefusesUnscannableBadge(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "node.db")
	for _, badge := range []string{"B-1042", "b-7", "17", "LPN000123"} {
		_, _, err := runCLI(t, "users", "add", "--db", db, "--badge", badge, "--role", "associate", "--pin", "4821")
		if !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("users add --badge %s: err = %v, want invalid", badge, err)
		}
	}
	for _, badge := range []string{"B-ADMIN", "B-LEAD", "B-ASSOC", "B-A1042"} {
		if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", badge, "--role", "associate", "--pin", "4821"); err != nil {
			t.Errorf("users add --badge %s: %v", badge, err)
		}
	}
	out, _, err := runCLI(t, "users", "list", "--db", db)
	if err != nil || strings.Contains(out, "B-1042") || !strings.Contains(out, "B-A1042") {
		t.Fatalf("users list = %q, %v", out, err)
	}
}

// TestUsersAddNodeBadgePattern checks a badge against the badge format the
// environment gives the node, as the node's handhelds will scan it.
func TestUsersAddNodeBadgePattern(t *testing.T) {
	t.Setenv("FLOOROPS_BADGE_PATTERN", `^EMP[0-9]+$`)
	t.Cleanup(func() {
		p, err := scan.NewParser(scan.Config{})
		if err != nil {
			t.Fatal(err)
		}
		scan.SetNodeParser(p)
	})
	db := filepath.Join(t.TempDir(), "node.db")
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "EMP1042", "--role", "associate", "--pin", "4821"); err != nil {
		t.Errorf("badge of the node's format: %v", err)
	}
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-ANA", "--role", "associate", "--pin", "4821"); !floorops.IsCode(err, floorops.EINVALID) {
		t.Errorf("badge of the default format on a node with its own: err = %v, want invalid", err)
	}
}
