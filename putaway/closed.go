package putaway

import (
	"context"
	"fmt"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// TaskDoneAt is when a task's last units were put away: zero while it is
// open, cancelled, or unknown. Returns read it for the SLA clock of
// restocked units.
func TaskDoneAt(ctx context.Context, q inventory.Querier, id int64) (time.Time, error) {
	var closed string
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT closed_at FROM putaway_tasks WHERE id = ? AND state = 'done'), '')`, id).Scan(&closed)
	if err != nil {
		return time.Time{}, fmt.Errorf("putaway: task done: %w", err)
	}
	if closed == "" {
		return time.Time{}, nil
	}
	return store.ParseTime(closed)
}
