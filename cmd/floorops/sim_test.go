package main

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSimCommand: floorops sim runs a tiny node under every policy, prints
// one JSON object per policy with the fields, gives the same
// output for the same seed, and prints a table without --json.
func TestSimCommand(t *testing.T) {
	t.Parallel()
	args := []string{"sim", "--policy", "all", "--days", "5", "--skus", "50", "--locations", "200", "--capacity", "5",
		"--seed", "9", "--shrink-rate", "0.02", "--misplace-rate", "0.02", "--transaction-error-rate", "0.02", "--error-prone-share", "0.2", "--json"}
	out, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	var policies []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		for _, field := range []string{"policy", "record_accuracy", "error_unit_days", "oversells", "discrepancies_found", "counts_performed", "hidden_stockouts_found",
			"zero_checks_performed", "zero_check_discrepancies_found", "capacity_spent", "shadow_discrepancies_per_count", "shadow_vs_random"} {
			if _, ok := r[field]; !ok {
				t.Errorf("%s: no %q", line, field)
			}
		}
		policies = append(policies, r["policy"].(string))
	}
	if diff := cmp.Diff([]string{"random", "abc", "risk"}, policies); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	again, _, err := runCLI(t, args...)
	if err != nil || again != out {
		t.Errorf("same seed, different output (%v):\n%s\n%s", err, out, again)
	}
	table, _, err := runCLI(t, "sim", "--policy", "risk", "--days", "2", "--skus", "20", "--locations", "40", "--capacity", "2")
	if err != nil || !strings.Contains(table, "risk") || !strings.Contains(table, "oversells") ||
		!strings.Contains(table, "zero checks") || !strings.Contains(table, "capacity spent") || !strings.Contains(table, "shadow risk / random") {
		t.Errorf("table = %q, %v", table, err)
	}
}

// TestSimUsageMistakes: a bad policy, a bad rate or a node with fewer bins
// than SKUs is a usage mistake (exit 2), not a crash.
func TestSimUsageMistakes(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"sim", "--policy", "fifo"},
		{"sim", "--days", "0"},
		{"sim", "--skus", "100", "--locations", "10"},
		{"sim", "--shrink-rate", "2"},
		{"sim", "--capacity", "-1"},
		{"sim", "extra"},
	} {
		_, _, err := runCLI(t, args...)
		if !errors.Is(err, errUsage) || exitCode(err, io.Discard) != 2 {
			t.Errorf("floorops %s: %v, want a usage mistake", strings.Join(args, " "), err)
		}
	}
}
