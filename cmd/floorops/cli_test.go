package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"github.com/floorops/floorops/store"
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
	db := mustMigrate(t)
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
	db := mustMigrate(t)
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
	db := mustMigrate(t)
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
	db := mustMigrate(t)
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

// TestUsersAddRefusesControlCharacters: a name typed at the shell with a
// BEL or an escape sequence is refused, not stored to ring or recolour the
// terminal of whoever lists the users later.
func TestUsersAddRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	db := mustMigrate(t)
	for _, name := range []string{"Bo\x07b", "Bo\tb", "\x1b[2JBob"} {
		_, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-BOB", "--name", name, "--role", "associate", "--pin", "4821")
		if !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("users add --name %q: err = %v, want invalid", name, err)
		}
	}
	for _, name := range []string{"Bo\x07", "erp\x1b"} {
		_, _, err := runCLI(t, "apikeys", "create", "--db", db, "--name", name)
		if !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("apikeys create --name %q: err = %v, want invalid", name, err)
		}
	}
	out, _, err := runCLI(t, "users", "list", "--db", db)
	if err != nil || strings.Contains(out, "B-BOB") {
		t.Fatalf("users list = %q, %v", out, err)
	}
}

// TestUsersAddNodeBadgePattern checks a badge against the badge format the
// environment gives the node, as the node's handhelds will scan it.
func TestUsersAddNodeBadgePattern(t *testing.T) {
	t.Setenv("FLOOROPS_BADGE_PATTERN", `^EMP[0-9]+$`)
	db := mustMigrate(t)
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "EMP1042", "--role", "associate", "--pin", "4821"); err != nil {
		t.Errorf("badge of the node's format: %v", err)
	}
	if _, _, err := runCLI(t, "users", "add", "--db", db, "--badge", "B-ANA", "--role", "associate", "--pin", "4821"); !floorops.IsCode(err, floorops.EINVALID) {
		t.Errorf("badge of the default format on a node with its own: err = %v, want invalid", err)
	}
}

// mustWriteFile writes a test file into dir and returns its path.
func mustWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportPOsCountsPOs: a bad row rejects its whole PO, good rows and
// all, and the summary and the failure count POs, not rows.
func TestImportPOsCountsPOs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustMigrate(t)
	if _, _, err := runCLI(t, "import", "items", "--db", db, mustWriteFile(t, dir, "items.csv", "sku\nSKU-1\nSKU-2\n")); err != nil {
		t.Fatal(err)
	}
	pos := mustWriteFile(t, dir, "pos.csv", "po_number,vendor,sku,ordered_quantity\n"+
		"PO-5001,ACME,SKU-1,10\nPO-5001,ACME,SKU-2,5\n"+
		"PO-5002,ACME,SKU-1,3\nPO-5002,ACME,SKU-NOPE,3\n"+
		"PO-5003,ACME,SKU-2,1\n")
	out, errOut, err := runCLI(t, "import", "pos", "--db", db, pos)
	if code := exitCode(err, io.Discard); code != 1 {
		t.Fatalf("exit %d (%v), want 1: bad rows fail the import", code, err)
	}
	if !strings.Contains(errOut, "pos.csv:5:") {
		t.Errorf("stderr %q does not name the bad row", errOut)
	}
	if !strings.Contains(out, "2 POs imported (3 rows)") || !strings.Contains(out, "1 PO rejected (2 rows)") {
		t.Errorf("summary %q, want 2 POs imported (3 rows) and 1 PO rejected (2 rows)", out)
	}
	if !strings.Contains(err.Error(), "PO") || strings.Contains(err.Error(), "1 rows") {
		t.Errorf("failure %q, want it to count POs", err)
	}

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := server.NewWorkflows(st, scan.Default()).Receiving
	for po, want := range map[string]int{"PO-5001": 2, "PO-5002": 0, "PO-5003": 1} {
		got, err := svc.GetPurchaseOrder(context.Background(), po)
		switch {
		case want == 0 && !floorops.IsCode(err, floorops.ENOTFOUND):
			t.Errorf("%s: err = %v, want not found: a bad row rejects its whole PO", po, err)
		case want > 0 && (err != nil || len(got.Lines) != want):
			t.Errorf("%s: %d lines, %v; want %d", po, len(got.Lines), err, want)
		}
	}
}

// TestImportOutputPlurals: no "1 rows" or "1 POs" in what an import prints.
func TestImportOutputPlurals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustMigrate(t)
	onePlural := regexp.MustCompile(`\b1 (rows|POs)\b`)
	for _, tt := range []struct{ what, name, csv string }{
		{"items", "one.csv", "sku\nSKU-1\n"},
		{"items", "bad.csv", "sku,abc_class\nSKU-2,A\nSKU-3,Z\n"},
		{"pos", "one.csv", "po_number,vendor,sku,ordered_quantity\nPO-1,ACME,SKU-1,1\n"},
		{"pos", "bad.csv", "po_number,vendor,sku,ordered_quantity\nPO-2,ACME,SKU-1,1\nPO-3,ACME,SKU-1,x\n"},
	} {
		out, errOut, err := runCLI(t, "import", tt.what, "--db", db, mustWriteFile(t, dir, tt.name, tt.csv))
		all := out + errOut
		if err != nil {
			all += err.Error()
		}
		if m := onePlural.FindString(all); m != "" {
			t.Errorf("import %s %s printed %q:\n%s", tt.what, tt.name, m, all)
		}
	}
}

func TestSummarizePOs(t *testing.T) {
	t.Parallel()
	const header = "po_number,vendor,sku,ordered_quantity\n"
	rowErr := func(lines ...int) []inventory.RowError {
		var errs []inventory.RowError
		for _, l := range lines {
			errs = append(errs, inventory.RowError{Line: l, Err: errors.New("bad")})
		}
		return errs
	}
	tests := []struct {
		name     string
		csv      string
		rep      inventory.ImportReport
		wantLine []string // substrings of the summary line
		fails    bool
	}{
		{"all imported", header + "PO-1,A,S,1\npo-1,A,S,1\nPO-2,A,S,1\n",
			inventory.ImportReport{Rows: 3, Imported: 3},
			[]string{"2 POs imported (3 rows)", "0 POs rejected"}, false},
		{"one bad row rejects its PO", header + "PO-1,A,S,1\nPO-1,A,S,x\nPO-2,A,S,1\n",
			inventory.ImportReport{Rows: 3, Imported: 1, Errors: rowErr(3)},
			[]string{"1 PO imported (1 row)", "1 PO rejected (2 rows)"}, true},
		{"rows of no PO", header + "PO-1,A,S,1\n,A,S,1\nPO-2,A,\"S\"X,1\n",
			inventory.ImportReport{Rows: 3, Imported: 1, Errors: rowErr(3, 4)},
			[]string{"1 PO imported (1 row)", "0 POs rejected", "2 rows with no readable PO number"}, true},
		{"nothing imported", header + "PO-1,A,S,x\n",
			inventory.ImportReport{Rows: 1, Errors: rowErr(2)},
			[]string{"0 POs imported", "1 PO rejected (1 row)"}, true},
		{"a report the file does not explain", header + "PO-1,A,S,1\nPO-2,A,S,1\n",
			inventory.ImportReport{Rows: 3, Imported: 1, Errors: rowErr(3)},
			[]string{"3 rows read", "1 imported", "2 not imported"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sum := summarizePOs(tt.rep, strings.NewReader(tt.csv))
			for _, want := range tt.wantLine {
				if !strings.Contains(sum.line, want) {
					t.Errorf("line %q lacks %q", sum.line, want)
				}
			}
			if (sum.failure != "") != tt.fails {
				t.Errorf("failure %q, want failing %v", sum.failure, tt.fails)
			}
		})
	}
}

// TestAPIKeyNameAfterDisable: a leaked key is disabled and replaced under
// the same name; while a key of that name is active, another is a conflict
// (exit 1, not a usage mistake).
func TestAPIKeyNameAfterDisable(t *testing.T) {
	t.Parallel()
	db := mustMigrate(t)
	for _, args := range [][]string{
		{"apikeys", "create", "--db", db, "--name", "erp"},
		{"apikeys", "disable", "--db", db, "--name", "erp"},
	} {
		if _, _, err := runCLI(t, args...); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
	}
	if _, _, err := runCLI(t, "apikeys", "create", "--db", db, "--name", "erp"); err != nil {
		t.Errorf("replacing a disabled key under its name: %v", err)
	}
	_, _, err := runCLI(t, "apikeys", "create", "--db", db, "--name", "erp")
	if !floorops.IsCode(err, floorops.ECONFLICT) || exitCode(err, io.Discard) != 1 {
		t.Errorf("a second active key named erp: err = %v, want a conflict", err)
	}
	if _, _, err := runCLI(t, "apikeys", "create", "--db", db, "--name", "erp-2"); err != nil {
		t.Errorf("a new name: %v", err)
	}
}
