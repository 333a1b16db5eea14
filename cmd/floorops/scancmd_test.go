package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
