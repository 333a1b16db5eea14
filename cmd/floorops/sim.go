package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/cyclecount/sim"
)

// cmdSim is "floorops sim": it replays a synthetic node with hidden count
// errors under the count policies at the same daily capacity and reports
// how accurate each kept the records, so a lead can see what the risk
// scheduler buys over fixed ABC frequencies or random counts. It opens no
// database.
func cmdSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	def := sim.DefaultConfig()
	fs := newFlags("sim", stderr)
	policy := fs.String("policy", "all", "count policy: random, abc, risk or all")
	days := fs.Int("days", def.Days, "days to simulate")
	skus := fs.Int("skus", def.SKUs, "SKUs at the node")
	locations := fs.Int("locations", def.Locations, "bins at the node (at least --skus)")
	capacity := fs.Int("capacity", def.Capacity, "location counts per day, the same for every policy")
	seed := fs.Uint64("seed", def.Seed, "random seed (the node, its demand and its errors)")
	asJSON := fs.Bool("json", false, "print one JSON object per policy")
	shrink := fs.Float64("shrink-rate", def.ShrinkRate, "units lost per unit of demand at a bin (hidden)")
	misplace := fs.Float64("misplace-rate", def.MisplaceRate, "chance a unit put away lands in the neighbouring bin (hidden)")
	txErr := fs.Float64("transaction-error-rate", def.TransactionErrorRate, "chance a pick or putaway moves one unit more or fewer than recorded (hidden)")
	prone := fs.Float64("error-prone-share", def.ErrorProneShare, fmt.Sprintf("hidden share of bins with %.0fx the error rates", def.ErrorProneFactor))
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: floorops sim [--policy random|abc|risk|all] [--days N] [--skus N] [--locations N] [--capacity N] [--seed N] [--json]")
		fmt.Fprintln(w, "                    [--shrink-rate R] [--misplace-rate R] [--transaction-error-rate R] [--error-prone-share S]")
		fmt.Fprintln(w, "\nReplays a synthetic node day by day and plans each day's counts with the real scheduler.")
		fmt.Fprintln(w, "The error processes are hidden from the policies: they see records, touches, their own counts and short picks.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: sim: unexpected arguments %q", errUsage, fs.Args())
	}
	policies := []string{*policy}
	switch *policy {
	case "all":
		policies = cyclecount.Policies
	case "random", "abc", "risk":
	default:
		return fmt.Errorf("%w: sim: --policy %q: want random, abc, risk or all", errUsage, *policy)
	}
	cfg := def
	cfg.Days, cfg.SKUs, cfg.Locations, cfg.Capacity, cfg.Seed = *days, *skus, *locations, *capacity, *seed
	cfg.ShrinkRate, cfg.MisplaceRate, cfg.TransactionErrorRate, cfg.ErrorProneShare = *shrink, *misplace, *txErr, *prone

	results := make([]sim.Result, 0, len(policies))
	for _, name := range policies {
		r, err := sim.Run(ctx, cfg, name)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("%w: sim: %v", errUsage, err)
		}
		results = append(results, r)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(stdout, "%d days, %d SKUs, %d locations, %d counts/day, seed %d\n", cfg.Days, cfg.SKUs, cfg.Locations, cfg.Capacity, cfg.Seed)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\taccuracy\terror unit-days\toversells\tcounts\tdiscrepancies\tper count\tzero checks\tzero-check finds\tcapacity spent\tper capacity\thidden stockouts\tshadow random / abc / risk\tshadow risk / random\t")
	for _, r := range results {
		sh := r.ShadowDiscrepanciesPerCount
		fmt.Fprintf(tw, "%s\t%.2f%%\t%d\t%d\t%d\t%d\t%.3f\t%d\t%d\t%.1f\t%.3f\t%d\t%.3f / %.3f / %.3f\t%.2fx\t\n", r.Policy, 100*r.RecordAccuracy, r.ErrorUnitDays, r.Oversells,
			r.CountsPerformed, r.DiscrepanciesFound, r.DiscrepanciesPerCount, r.ZeroChecksPerformed, r.ZeroCheckDiscrepanciesFound,
			r.CapacitySpent, r.DiscrepanciesPerCapacity, r.HiddenStockoutsFound, sh["random"], sh["abc"], sh["risk"], r.ShadowVsRandom["risk"])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, "counts and per count are full counts only; zero checks (a glance at a bin the record says emptied) and their finds are apart;\n"+
		"per capacity is all finds over the capacity spent in full counts; shadow columns: what each policy's plans would find on this policy's floor, per count of capacity")
	return err
}
