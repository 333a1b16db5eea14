package putaway

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorops/floorops/store"
)

// TestQueryPlans checks that every suggestion query runs from indexes: a
// full scan of balances or locations would make SuggestLocation slow on a
// large node (see BenchmarkSuggestLocation).
func TestQueryPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const byItem, byPK = "SEARCH balances USING INDEX balances_item", "SEARCH l USING INTEGER PRIMARY KEY"
	const reserved = "SEARCH r USING COVERING INDEX putaway_tasks_directed (directed_location_id=?)"
	for name, q := range map[string]struct {
		sql  string
		args []any
		want []string // steps the plan must have
	}{
		"consolidate":       {consolidateSQL, []any{7, 1, "", "", 2}, []string{byItem, byPK, reserved}},
		"home pick face":    {homeSQL, []any{7, 1, 2}, []string{byItem, byPK, reserved}},
		"quarantine":        {quarantineSQL, []any{7, 1, 2}, []string{"SEARCH l USING INDEX putaway_locations_type (type=?)", reserved}},
		"empty in zone":     {emptyInZoneSQL, []any{7, 1, 2, 10, "A"}, []string{"SEARCH l USING INDEX putaway_empty_zone (zone=?)", reserved}},
		"empty storage":     {emptyStorageSQL, []any{7, 1, 2, 10}, []string{"SCAN l USING INDEX putaway_empty_storage", reserved}},
		"task by id":        {`SELECT ` + taskColumns + taskFrom + ` WHERE t.id = ?`, []any{1}, nil},
		"stale stocks":      {staleStocksSQL, nil, []string{"SCAN t USING COVERING INDEX putaway_tasks_open_stock", "SEARCH b USING INDEX sqlite_autoindex_balances_1"}},
		"open tasks by age": {`SELECT ` + taskColumns + taskFrom + ` WHERE t.state = 'open' AND (t.created_at > ? OR (t.created_at = ? AND t.id > ?)) ORDER BY t.created_at, t.id LIMIT ?`, []any{"", "", 0, 10}, []string{"SCAN t USING INDEX putaway_tasks_open"}},
	} {
		rows, err := db.Reader().QueryContext(ctx, `EXPLAIN QUERY PLAN `+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "\n  ")
		t.Logf("%s:\n  %s", name, all)
		for _, w := range q.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: plan lacks %q", name, w)
			}
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "USING") && !strings.HasPrefix(step, "SCAN c") {
				t.Errorf("%s: full scan: %s", name, step)
			}
			if strings.Contains(step, "USING TEMP B-TREE") && strings.HasPrefix(name, "empty") {
				t.Errorf("%s: sorts instead of walking an index: %s", name, step)
			}
		}
	}
}
