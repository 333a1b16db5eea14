package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCmdScanJSON(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	args := []string{"--json",
		"]C1010950600013435217261231\x1d10ABC123",
		"]C100106141411234567897" + "0209506000134352" + "3712" + "\x1d" + "3102012345",
		"a-01-02-b",
	}
	if err := cmdScan(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("cmdScan: %v\nstderr: %s", err, stderr.String())
	}
	want := []map[string]any{
		{
			"raw": "]C1010950600013435217261231\x1d10ABC123", "kind": "gs1", "symbology": "]C1",
			"ais":  map[string]any{"01": "09506000134352", "17": "261231", "10": "ABC123"},
			"gtin": "09506000134352", "expiry": "2026-12-31", "lot": "ABC123",
		},
		{
			"raw": "]C100106141411234567897" + "0209506000134352" + "3712" + "\x1d" + "3102012345", "kind": "gs1", "symbology": "]C1",
			"ais":  map[string]any{"00": "106141411234567897", "02": "09506000134352", "37": "12", "3102": "012345"},
			"sscc": "106141411234567897", "gtin": "09506000134352", "count": 12.0, "net_weight_kg": 123.45,
		},
		{"raw": "a-01-02-b", "kind": "location", "code": "A-01-02-B"},
	}
	if diff := cmp.Diff(want, decodeJSONLines(t, stdout.String())); diff != "" {
		t.Errorf("cmdScan --json output mismatch (-want +got):\n%s", diff)
	}
}

func TestCmdScanInvalid(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := cmdScan(context.Background(), []string{"--json", "]C10109506000134353", "A-01-02-B", "HELLO"}, &stdout, &stderr)
	if err == nil || errors.Is(err, errUsage) {
		t.Fatalf("cmdScan = %v, want a non-usage error for the invalid scans", err)
	}
	got := decodeJSONLines(t, stdout.String())
	if len(got) != 3 {
		t.Fatalf("got %d JSON lines, want one per scan: %s", len(got), stdout.String())
	}
	for _, i := range []int{0, 2} {
		if got[i]["error"] == nil || got[i]["kind"] != nil {
			t.Errorf("line %d = %v, want an error object", i, got[i])
		}
	}
	if got[1]["kind"] != "location" {
		t.Errorf("valid scan after an invalid one: %v", got[1])
	}
}

func TestCmdScanText(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := cmdScan(context.Background(), []string{"--fnc1", "~", "0109506000134352" + "10LOT7~17261231", "4006381333932"}, &stdout, &stderr)
	if err == nil {
		t.Fatal("cmdScan succeeded with a bad GTIN check digit")
	}
	out := stdout.String()
	for _, want := range []string{"gs1", "(01)09506000134352(10)LOT7(17)261231", "gtin=09506000134352", "lot=LOT7", "expiry=2026-12-31"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q", out, want)
		}
	}
	if lines := strings.Count(out, "\n"); lines != 1 {
		t.Errorf("stdout has %d lines, want 1: %q", lines, out)
	}
	if !strings.Contains(stderr.String(), "4006381333932") {
		t.Errorf("stderr %q does not name the invalid scan", stderr.String())
	}
}

func TestCmdScanUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"--json"},
		{"--nope", "A-01-02-B"},
		{"--fnc1", "~~", "A-01-02-B"},
		{"--fnc1", "X", "A-01-02-B"},
	} {
		var stdout, stderr bytes.Buffer
		if err := cmdScan(context.Background(), args, &stdout, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("cmdScan(%q) = %v, want a usage error", args, err)
		}
	}
}

// decodeJSONLines decodes one JSON object per line.
func decodeJSONLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var res []map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("decoding %q: %v", out, err)
		}
		res = append(res, m)
	}
	if strings.Count(out, "\n") != len(res) {
		t.Errorf("output is not one object per line: %q", out)
	}
	return res
}

// TestCmdScanScannerFlags: scan reads codes with the scanner flags serve
// takes, so a scan can be checked as a node configured the same way reads it.
func TestCmdScanScannerFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want map[string]any // fields of the one JSON line
	}{
		{"bare 8 digits are an EAN-8", []string{"12345670"}, map[string]any{"kind": "gtin", "gtin": "00000012345670"}},
		{"or a UPC-E", []string{"--eight-digit-upce", "12345670"}, map[string]any{"kind": "gtin", "gtin": "00123456000070"}},
		{"own location format", []string{"--location-pattern", `^BIN[0-9]+$`, "bin42"}, map[string]any{"kind": "location", "code": "BIN42"}},
		{"own LPN format", []string{"--lpn-pattern", `^TOTE[0-9]+$`, "TOTE7"}, map[string]any{"kind": "lpn", "code": "TOTE7"}},
		{"own badge format", []string{"--badge-pattern", `^EMP[0-9]+$`, "EMP1042"}, map[string]any{"kind": "badge", "code": "EMP1042"}},
		{"own PO format", []string{"--po-pattern", `^P[0-9]{6}$`, "P123456"}, map[string]any{"kind": "po", "code": "P123456"}},
		{"own order format", []string{"--order-pattern", `^WEB[0-9]+$`, "WEB9"}, map[string]any{"kind": "order", "code": "WEB9"}},
		{"own RMA format", []string{"--rma-pattern", `^RET[0-9]+$`, "RET5"}, map[string]any{"kind": "rma", "code": "RET5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if err := cmdScan(context.Background(), append([]string{"--json"}, tt.args...), &stdout, &stderr); err != nil {
				t.Fatalf("cmdScan: %v\nstderr: %s", err, stderr.String())
			}
			got := decodeJSONLines(t, stdout.String())
			if len(got) != 1 {
				t.Fatalf("got %d JSON lines, want 1", len(got))
			}
			for k, v := range tt.want {
				if got[0][k] != v {
					t.Errorf("%s = %v, want %v (scan %v)", k, got[0][k], v, got[0])
				}
			}
		})
	}
	// The default location format no longer reads as a location.
	var stdout, stderr bytes.Buffer
	err := cmdScan(context.Background(), []string{"--location-pattern", `^BIN[0-9]+$`, "A-01-01-A"}, &stdout, &stderr)
	if err == nil || errors.Is(err, errUsage) {
		t.Errorf("A-01-01-A with another location format: err = %v, want an invalid scan", err)
	}
	err = cmdScan(context.Background(), []string{"--order-pattern", `(`, "SO-1"}, &stdout, &stderr)
	if !errors.Is(err, errUsage) {
		t.Errorf("bad --order-pattern: err = %v, want a usage error", err)
	}
}

// TestCmdScanEnvironment: without flags, scan follows the FLOOROPS_*
// variables that configure the node's scanners; a flag overrides them.
func TestCmdScanEnvironment(t *testing.T) {
	t.Setenv("FLOOROPS_EIGHT_DIGIT_UPCE", "true")
	t.Setenv("FLOOROPS_LPN_PATTERN", `^TOTE[0-9]+$`)
	t.Setenv("FLOOROPS_FNC1", "~")
	for _, tt := range []struct {
		args       []string
		kind, gtin string
	}{
		{[]string{"12345670"}, "gtin", "00123456000070"},
		{[]string{"--eight-digit-upce=false", "12345670"}, "gtin", "00000012345670"},
		{[]string{"TOTE7"}, "lpn", ""},
		{[]string{"0109506000134352" + "10LOT7~17261231"}, "gs1", "09506000134352"},
	} {
		var stdout, stderr bytes.Buffer
		if err := cmdScan(context.Background(), append([]string{"--json"}, tt.args...), &stdout, &stderr); err != nil {
			t.Errorf("scan %q: %v\nstderr: %s", tt.args, err, stderr.String())
			continue
		}
		got := decodeJSONLines(t, stdout.String())
		if len(got) != 1 || got[0]["kind"] != tt.kind || (tt.gtin != "" && got[0]["gtin"] != tt.gtin) {
			t.Errorf("scan %q = %v, want kind %s gtin %q", tt.args, got, tt.kind, tt.gtin)
		}
	}
	t.Setenv("FLOOROPS_FNC1", "~~")
	var stdout, stderr bytes.Buffer
	if err := cmdScan(context.Background(), []string{"A-01-01-A"}, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("FLOOROPS_FNC1=~~: err = %v, want a usage error", err)
	}
}

// TestServeAndScanShareScannerFlags: serve and scan take the same scanner
// flags, so a scanner setting tried with scan is the one to give serve.
func TestServeAndScanShareScannerFlags(t *testing.T) {
	t.Parallel()
	names := flagNames(func(fs *flag.FlagSet) { scannerFlags(fs) })
	if len(names) != 8 {
		t.Errorf("scanner flags = %q, want 8", names)
	}
	for _, cmd := range []string{"serve", "scan"} {
		out, _, err := runCLI(t, cmd, "-h")
		if !errors.Is(err, errHelp) {
			t.Fatalf("%s -h: %v", cmd, err)
		}
		for _, name := range names {
			if !strings.Contains(out, "-"+name+" ") && !strings.Contains(out, "-"+name+"\n") {
				t.Errorf("%s -h does not list --%s", cmd, name)
			}
		}
	}
}

// TestCmdScanNamesDictionaryRule: a refused scan names the GS1 Barcode
// Syntax Dictionary rule that refused it, and a partial label's unmet
// requisite rule is a warning.
func TestCmdScanNamesDictionaryRule(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	raws := []string{"(01)09506000134352(423)999", "(01)09506000134352(02)09506000134352", "(10)ABC123"}
	if err := cmdScan(context.Background(), append([]string{"--json"}, raws...), &stdout, &stderr); err == nil {
		t.Fatal("cmdScan accepted invalid scans")
	}
	got := decodeJSONLines(t, stdout.String())
	if len(got) != 3 {
		t.Fatalf("got %d JSON lines, want 3: %s", len(got), stdout.String())
	}
	for i, want := range []map[string]any{
		{"reason": "value", "ai": "423", "rule": "iso3166"},
		{"reason": "excludes", "ai": "02", "rule": "ex=01,03", "other_ai": "01"},
	} {
		for k, v := range want {
			if got[i][k] != v {
				t.Errorf("line %d %s = %v, want %v (%v)", i, k, got[i][k], v, got[i])
			}
		}
	}
	if w, _ := got[2]["warnings"].([]any); got[2]["lot"] != "ABC123" || len(w) != 1 {
		t.Errorf("partial label = %v, want the lot and one warning", got[2])
	}
	stdout.Reset()
	stderr.Reset()
	_ = cmdScan(context.Background(), raws[:1], &stdout, &stderr)
	if !strings.Contains(stderr.String(), "rule iso3166") {
		t.Errorf("stderr %q does not name the rule", stderr.String())
	}
}
