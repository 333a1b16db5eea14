package main

import (
	"errors"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
)

// TestCountsPlanRefusesTheDaysPlanCountsRefuses: `floorops counts plan`
// plans the days PlanCounts plans (cyclecount.CheckPlanDate): a past day
// or one too far ahead is a usage error; today and tomorrow are planned.
func TestCountsPlanRefusesTheDaysPlanCountsRefuses(t *testing.T) {
	t.Parallel()
	db := mustMigrate(t)
	now := time.Now().UTC()
	for _, date := range []string{"2020-01-01", now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, cyclecount.MaxPlanDaysAhead+2).Format(time.DateOnly)} {
		if _, _, err := runCLI(t, "counts", "plan", "--db", db, "--date", date); !errors.Is(err, errUsage) {
			t.Errorf("--date %s: %v, want a usage error", date, err)
		}
	}
	for _, date := range []string{now.Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)} {
		if _, _, err := runCLI(t, "counts", "plan", "--db", db, "--date", date); err != nil {
			t.Errorf("--date %s: %v", date, err)
		}
	}
}
