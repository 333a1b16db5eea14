package cyclecount

import (
	"time"

	"github.com/floorops/floorops"
)

// CheckPlanDate refuses a day to plan counts for that is not a date, is in
// the past or is more than MaxPlanDaysAhead days after now (UTC): EINVALID
// on date. It is the one rule for PlanCounts and `floorops counts plan`.
func CheckPlanDate(date string, now time.Time) error {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return floorops.Invalid("date", "%q is not a day YYYY-MM-DD", date)
	}
	if date < now.UTC().Format(time.DateOnly) {
		return floorops.Invalid("date", "%s is in the past: plan today or a later day", date)
	}
	if date > now.UTC().AddDate(0, 0, MaxPlanDaysAhead).Format(time.DateOnly) {
		return floorops.Invalid("date", "%s is more than %d days ahead: plan a nearer day", date, MaxPlanDaysAhead)
	}
	return nil
}
