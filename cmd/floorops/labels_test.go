package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops/label"
	"github.com/floorops/floorops/scan"
)

// zbarRaw decodes the symbols in an image with zbarimg and returns their
// data, one string per symbol. zbarimg missing skips the test, or fails it
// under CI=true, where it must be installed.
func zbarRaw(t *testing.T, path string) []string {
	t.Helper()
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg is not on PATH; CI must install zbar-tools")
		}
		t.Skip("zbarimg is not on PATH; install zbar-tools to decode labels")
	}
	out, err := exec.Command(zbarimg, "--nodbus", "--quiet", "--raw", "-Supca.enable", path).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", path, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

func runLabels(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, &out, &errOut)
	return out.String(), err
}

func TestCmdLabelsScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string // what the scanner sends; GS1 symbols drop the leading FNC1
	}{
		{"plain lpn", []string{"labels", "lpn", "--code", "LPN000123"}, "LPN000123"},
		{"sscc", []string{"labels", "lpn", "--sscc", "106141411234567897", "--prefix-len", "7"}, "00106141411234567897"},
		{"item upca", []string{"labels", "item", "--gtin", "036000291452", "--sku", "SKU-2", "--desc", "Tomato soup"}, "036000291452"},
		{"item gs1-128", []string{"labels", "item", "--gtin", "09501101530003", "--sku", "SKU-3", "--lot", "ABC123", "--expiry", "2026-12-31"},
			"0109501101530003" + "17261231" + "10ABC123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "label.png")
			if _, err := runLabels(t, append(tt.args, "--out", path)...); err != nil {
				t.Fatal(err)
			}
			got := zbarRaw(t, path)
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("zbarimg read %q, want [%q]", got, tt.want)
			}
		})
	}
}

func TestCmdLabelsZPLToStdout(t *testing.T) {
	t.Parallel()
	out, err := runLabels(t, "labels", "item", "--gtin", "09501101530003", "--lot", "L1", "--symbology", "datamatrix", "--format", "zpl")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "^XA\n") || !strings.HasSuffix(out, "^XZ\n") || !strings.Contains(out, "^BXN,") {
		t.Errorf("want one ZPL format with a Data Matrix, got:\n%s", out)
	}
	// The format follows --out's extension when --format is not given.
	path := filepath.Join(t.TempDir(), "plate.zpl")
	if _, err := runLabels(t, "labels", "lpn", "--code", "LPN9", "--out", path); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("^XA")) {
		t.Errorf("plate.zpl = %q, %v; want ZPL", b, err)
	}
}

func TestCmdLabelsUsage(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"no subcommand":      {"labels"},
		"unknown subcommand": {"labels", "bins"},
		"lpn without code":   {"labels", "lpn"},
		"item without gtin":  {"labels", "item", "--sku", "X"},
		"bad expiry":         {"labels", "item", "--gtin", "4006381333931", "--expiry", "31/12/2026"},
		"bad check digit":    {"labels", "item", "--gtin", "4006381333932"},
		"pdf of an lpn":      {"labels", "lpn", "--code", "LPN1", "--format", "pdf"},
		"unknown paper":      {"labels", "locations", "--paper", "a3"},
		"locations as svg":   {"labels", "locations", "--format", "svg"},
		"print no printer":   {"print", "x.zpl"},
		"print no file":      {"print", "--printer", "127.0.0.1:9"},
	} {
		if _, err := runLabels(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%s: err = %v, want errUsage", name, err)
		}
	}
	_, err := runLabels(t, "labels", "lpn", "--sscc", "106141411234567898")
	if !errors.Is(err, label.ErrInvalid) {
		t.Errorf("bad SSCC: err = %v, want it to wrap label.ErrInvalid as well", err)
	}
}

func TestCmdPrint(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan []byte, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			received <- nil
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn)
		received <- b
	}()

	zpl, err := label.LocationZPL(label.Location{Code: "A-01-02-B", Zone: "A"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.zpl")
	if err := os.WriteFile(path, zpl, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runLabels(t, "print", "--printer", ln.Addr().String(), path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "sent ") {
		t.Errorf("stdout %q", out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	select {
	case got := <-received:
		if !bytes.Equal(got, zpl) {
			t.Errorf("printer got %q, want %q", got, zpl)
		}
	case <-ctx.Done():
		t.Fatal("printer received nothing")
	}
}

// TestCmdLabelsRefuseMisleadingLabels refuses license plates the node's
// scanner reads as something else, and expiry dates a scanner would read in
// another century.
func TestCmdLabelsRefuseMisleadingLabels(t *testing.T) {
	t.Parallel()
	farExpiry := fmt.Sprintf("%d-06-30", time.Now().Year()+60)
	for name, args := range map[string][]string{
		"tote code":            {"labels", "lpn", "--code", "TOTE-0001"},
		"location code":        {"labels", "lpn", "--code", "LPN-000-123"},
		"po code":              {"labels", "lpn", "--code", "PO-1001"},
		"check code":           {"labels", "lpn", "--code", "17"},
		"gtin":                 {"labels", "lpn", "--code", "96385074"},
		"code beside sscc":     {"labels", "lpn", "--code", "TOTE-0001", "--sscc", "106141411234567897"},
		"expiry a century off": {"labels", "item", "--gtin", "09501101530003", "--expiry", farExpiry},
		"expiry on datamatrix": {"labels", "item", "--gtin", "09501101530003", "--expiry", farExpiry, "--symbology", "datamatrix"},
	} {
		path := filepath.Join(t.TempDir(), "label.png")
		_, err := runLabels(t, append(args, "--out", path)...)
		if !errors.Is(err, label.ErrInvalid) {
			t.Errorf("%s: err = %v, want label.ErrInvalid", name, err)
		}
		if _, serr := os.Stat(path); serr == nil {
			t.Errorf("%s: the label was written", name)
		}
	}
	// Typed in lower case, a plate is printed as the node stores it.
	out, err := runLabels(t, "labels", "lpn", "--code", "lpn000123", "--format", "zpl")
	if err != nil || !strings.Contains(out, "^FDLPN000123^FS") {
		t.Errorf("lower-case plate: %v\n%s", err, out)
	}
}

// TestCmdLabelsLotReadingAsElements prints item labels whose lot ends in
// what reads as another AI and a date, and scans them back into the node's
// parser.
func TestCmdLabelsLotReadingAsElements(t *testing.T) {
	t.Parallel()
	for _, lot := range []string{"B-15251130", "2024-17250601", "L11250312"} {
		path := filepath.Join(t.TempDir(), "label.png")
		if _, err := runLabels(t, "labels", "item", "--gtin", "09501101530003", "--lot", lot, "--out", path); err != nil {
			t.Fatalf("%s: %v", lot, err)
		}
		got := zbarRaw(t, path)
		if len(got) != 1 {
			t.Fatalf("%s: zbarimg read %q", lot, got)
		}
		s, err := scan.Parse("]C1" + got[0])
		if err != nil || s.GTIN != "09501101530003" || s.Lot != lot {
			t.Errorf("%s: scan.Parse(%q) = GTIN %s lot %q, %v", lot, got[0], s.GTIN, s.Lot, err)
		}
	}
}

// mustLocationsDB imports locations into a new database.
func mustLocationsDB(t *testing.T, codes ...string) string {
	t.Helper()
	dir := t.TempDir()
	db := mustMigrate(t)
	csv := "code,zone,type\n"
	for _, c := range codes {
		csv += c + ",A,storage\n"
	}
	path := filepath.Join(dir, "locations.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "import", "locations", "--db", db, path); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestCmdLabelsLocationsLongestCode prints a zone holding a location code as
// long as the node's location format allows, in every format.
func TestCmdLabelsLocationsLongestCode(t *testing.T) {
	t.Parallel()
	const long = "ABCDEF-1234-ABCD-ABCD-ABCD"
	db := mustLocationsDB(t, "A-01-01-A", long)
	dir := t.TempDir()
	if _, err := runLabels(t, "labels", "locations", "--db", db, "--zone", "A", "--format", "png", "--out", dir); err != nil {
		t.Fatal(err)
	}
	if got := zbarRaw(t, filepath.Join(dir, long+".png")); len(got) != 1 || got[0] != long {
		t.Errorf("zbarimg read %q, want [%q]", got, long)
	}
	for _, f := range []string{"pdf", "zpl"} {
		out, err := runLabels(t, "labels", "locations", "--db", db, "--zone", "A", "--format", f)
		if err != nil || len(out) == 0 {
			t.Errorf("%s: %v, %d bytes", f, err, len(out))
		}
	}
}

// TestCmdLabelsLocationsWriteNothingOnBadLocation prints a zone in which one
// location's label cannot be printed: every format fails with that location
// named, before anything is written.
func TestCmdLabelsLocationsWriteNothingOnBadLocation(t *testing.T) {
	t.Parallel()
	const tooWide = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF" // 32 characters of subset B
	db := mustLocationsDB(t, "A-01-01-A", "A-01-01-B", "A-01-01-C")
	mustLegacyLocation(t, db, tooWide, "A") // no scannable code is too wide
	for _, f := range []string{"png", "pdf", "zpl"} {
		dir := t.TempDir()
		out := filepath.Join(dir, "labels")
		if f != "png" {
			out += "." + f
		}
		for _, dst := range []string{out, "-"} {
			if f == "png" && dst == "-" {
				continue // several PNGs need a directory
			}
			stdout, err := runLabels(t, "labels", "locations", "--db", db, "--zone", "A", "--format", f, "--out", dst)
			var le *label.LocationError
			if !errors.Is(err, label.ErrInvalid) || !errors.As(err, &le) || le.Code != tooWide {
				t.Errorf("%s to %s: err = %v, want label.ErrInvalid naming %s", f, dst, err, tooWide)
			}
			if stdout != "" {
				t.Errorf("%s to %s: wrote %d bytes to stdout", f, dst, len(stdout))
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("%s: wrote %d files", f, len(entries))
		}
	}
}
