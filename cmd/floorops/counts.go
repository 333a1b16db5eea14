package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/cyclecount"
)

// countsGroup is "floorops counts": cycle counting from the command line.
var countsGroup = group{name: "counts", subs: []subcommand{
	{name: "plan", summary: "print the day's risk-ranked count plan, each task with its score's named factors (stores nothing)", define: countsPlan},
}}

func cmdCounts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return countsGroup.run(ctx, args, stdout, stderr)
}

func countsPlan(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	date := fs.String("date", "", "the day to plan, YYYY-MM-DD (default today, UTC)")
	capacity := fs.Int("capacity", 50, "locations the floor can count that day (0: limit by --minutes only)")
	minutes := fs.Float64("minutes", 0, "minutes of counting the floor has that day (0: no limit by time)")
	return func(ctx context.Context, stdout, _ io.Writer) error {
		if math.IsNaN(*minutes) || math.IsInf(*minutes, 0) {
			return fmt.Errorf("%w: --minutes %v: want a number of minutes", errUsage, *minutes)
		}
		if *capacity < 0 || *minutes < 0 || (*capacity == 0 && *minutes == 0) {
			return fmt.Errorf("%w: --capacity or --minutes must be positive", errUsage)
		}
		now := time.Now().UTC()
		day := now.Truncate(24 * time.Hour)
		if *date != "" {
			d, err := time.Parse(time.DateOnly, *date)
			if err != nil {
				return fmt.Errorf("%w: --date %q: want YYYY-MM-DD", errUsage, *date)
			}
			day = d
		}
		// The same days PlanCounts plans (a past day's plan is not what
		// was counted that day).
		if err := cyclecount.CheckPlanDate(day.Format(time.DateOnly), now); err != nil {
			var fe *floorops.Error
			if errors.As(err, &fe) {
				return fmt.Errorf("%w: --date: %s", errUsage, fe.Message)
			}
			return err
		}
		db, err := openDB(ctx, *dbPath)
		if err != nil {
			return err
		}
		defer db.Close()
		// The day's list as a plan would leave it: the counts a plan keeps
		// (triggered since the last plan, added, recounts, started) and
		// the tasks it would add in their share of the capacity.
		tasks, err := cyclecount.Preview(ctx, db.Reader(), day, now, cyclecount.Capacity{Counts: *capacity, Minutes: *minutes})
		if err != nil {
			return err
		}
		kept, err := cyclecount.Kept(ctx, db.Reader(), day.Format(time.DateOnly))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "count plan for %s: %d locations\n", day.Format(time.DateOnly), len(kept)+len(tasks))
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tLOCATION\tZONE\tKIND\tSCORE\tMINUTES\tWHY")
		for i, c := range kept {
			fmt.Fprintf(tw, "%d\t%s\t\t%s (kept)\t%.2f\t\t%s\n", i+1, c.LocationCode, cmp.Or(c.TaskKind, "recount"), c.Score, strings.Join(c.Reasons, "; "))
		}
		for i, t := range tasks {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.2f\t%.1f\t%s\n", len(kept)+i+1, t.Location, t.Zone, t.Kind, t.Score, t.Minutes, strings.Join(t.Reasons(), "; "))
		}
		return tw.Flush()
	}
}
