package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestPolicyTable prints the policy comparison behind DefaultPolicy's
// weights: five seeds, two node sizes and six error models. It takes a
// minute or two, so it runs only when asked:
//
//	FLOOROPS_SIM_TABLE=1 go test ./cyclecount/sim -run PolicyTable -v
//
// FLOOROPS_SIM_POLICY may hold a JSON cyclecount.Policy fragment to try
// other weights against the defaults' table.
func TestPolicyTable(t *testing.T) {
	if os.Getenv("FLOOROPS_SIM_TABLE") == "" {
		t.Skip("set FLOOROPS_SIM_TABLE=1 to print the policy table")
	}
	type model struct {
		name                         string
		shrink, misplace, txn, prone float64
	}
	models := []model{
		{"shrink-heavy", 0.02, 0.001, 0.001, 0.1},
		{"misplace-heavy", 0.001, 0.02, 0.001, 0.1},
		{"transaction-heavy", 0.001, 0.001, 0.02, 0.1},
		{"mixed, 30% prone", 0.005, 0.005, 0.005, 0.3},
		{"mixed, none prone", 0.008, 0.008, 0.008, 0},
		{"all heavy", 0.03, 0.03, 0.03, 0.05},
	}
	sizes := []struct{ locations, skus, capacity int }{{4000, 1000, 80}, {20000, 5000, 400}}
	if os.Getenv("FLOOROPS_SIM_TABLE") == "small" {
		sizes = sizes[:1] // a quicker look while trying weights
	}
	base := DefaultConfig()
	if js := os.Getenv("FLOOROPS_SIM_POLICY"); js != "" {
		if err := json.Unmarshal([]byte(js), &base.Policy); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	fmt.Fprintln(&b, "| error model | node | seeds | error unit-days random / abc / risk | risk vs abc | oversells random / abc / risk | risk vs abc | discrepancies per count random / abc / risk | risk / random | per count of capacity, risk / random | shadow on abc's floor, random / abc / risk | shadow risk / random on random's / abc's / risk's floor |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, m := range models {
		for _, sz := range sizes {
			var sum [3]Result
			var eud, os, dpc, dpe []float64
			var shadowABC [3]float64
			var shadow [3][]float64 // risk / random on each driver's floor
			for seed := uint64(1); seed <= 5; seed++ {
				cfg := base
				cfg.Days, cfg.Locations, cfg.SKUs, cfg.Capacity, cfg.Seed = 90, sz.locations, sz.skus, sz.capacity, seed
				cfg.ShrinkRate, cfg.MisplaceRate, cfg.TransactionErrorRate, cfg.ErrorProneShare = m.shrink, m.misplace, m.txn, m.prone
				var r [3]Result
				for i, p := range []string{"random", "abc", "risk"} {
					res, err := Run(context.Background(), cfg, p)
					if err != nil {
						t.Fatal(err)
					}
					r[i] = res
					sum[i].ErrorUnitDays += res.ErrorUnitDays
					sum[i].Oversells += res.Oversells
					sum[i].DiscrepanciesPerCount += res.DiscrepanciesPerCount / 5
					shadow[i] = append(shadow[i], res.ShadowVsRandom["risk"])
				}
				for i, p := range []string{"random", "abc", "risk"} {
					shadowABC[i] += r[1].ShadowDiscrepanciesPerCount[p] / 5
				}
				eud = append(eud, float64(r[2].ErrorUnitDays)/float64(r[1].ErrorUnitDays)-1)
				os = append(os, float64(r[2].Oversells)/float64(r[1].Oversells)-1)
				dpc = append(dpc, r[2].DiscrepanciesPerCount/r[0].DiscrepanciesPerCount)
				dpe = append(dpe, r[2].DiscrepanciesPerEffort/r[0].DiscrepanciesPerEffort)
			}
			fmt.Fprintf(&b, "| %s | %d x %d, %d/day | 1-5 | %d / %d / %d | %s | %d / %d / %d | %s | %.3f / %.3f / %.3f | %s | %s | %.3f / %.3f / %.3f | %s / %s / %s |\n",
				m.name, sz.locations, sz.skus, sz.capacity,
				sum[0].ErrorUnitDays/5, sum[1].ErrorUnitDays/5, sum[2].ErrorUnitDays/5, pct(eud),
				sum[0].Oversells/5, sum[1].Oversells/5, sum[2].Oversells/5, pct(os),
				sum[0].DiscrepanciesPerCount, sum[1].DiscrepanciesPerCount, sum[2].DiscrepanciesPerCount, times(dpc), times(dpe),
				shadowABC[0], shadowABC[1], shadowABC[2], times(shadow[0]), times(shadow[1]), times(shadow[2]))
		}
	}
	t.Log("\n" + b.String())
}

// pct is the mean change and the range over seeds, as percentages.
func pct(xs []float64) string {
	mean, lo, hi := spread(xs)
	return fmt.Sprintf("%+.0f%% (%+.0f..%+.0f)", 100*mean, 100*lo, 100*hi)
}

func times(xs []float64) string {
	mean, lo, hi := spread(xs)
	return fmt.Sprintf("%.2fx (%.2f..%.2f)", mean, lo, hi)
}

func spread(xs []float64) (mean, lo, hi float64) {
	lo, hi = xs[0], xs[0]
	for _, x := range xs {
		mean += x / float64(len(xs))
		lo, hi = min(lo, x), max(hi, x)
	}
	return mean, lo, hi
}
