package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// tableModel is one error model of the policy table.
type tableModel struct {
	name                         string
	shrink, misplace, txn, prone float64
	heldOut                      bool
}

// tableModels are the training models DefaultPolicy's weights were chosen
// on, then the held-out models that were only ever checked, never tuned on.
var tableModels = []tableModel{
	{"shrink-heavy", 0.02, 0.001, 0.001, 0.1, false},
	{"misplace-heavy", 0.001, 0.02, 0.001, 0.1, false},
	{"transaction-heavy", 0.001, 0.001, 0.02, 0.1, false},
	{"mixed, 30% prone", 0.005, 0.005, 0.005, 0.3, false},
	{"mixed, none prone", 0.008, 0.008, 0.008, 0, false},
	{"all heavy", 0.03, 0.03, 0.03, 0.05, false},
	{"held out: shrink-misplace-transaction", 0.01, 0.003, 0.015, 0.2, true},
	{"held out: all 0.002, half prone", 0.002, 0.002, 0.002, 0.5, true},
	{"held out: transaction 0.04 only", 0, 0, 0.04, 0, true},
}

// TestPolicyTable prints the policy comparison behind DefaultPolicy's
// weights: seeds 1-5, two node sizes, the training and held-out error
// models. It takes minutes, so it runs only when asked:
//
//	FLOOROPS_SIM_TABLE=1 go test ./cyclecount/sim -run PolicyTable -v
//
// FLOOROPS_SIM_TABLE=small or large runs only that node; FLOOROPS_SIM_MODELS=train
// or heldout only those models (any other value: a comma-separated list of
// substrings of the models' names, "misplace,all heavy"); FLOOROPS_SIM_SEEDS=N seeds 1-N.
// FLOOROPS_SIM_POLICY may hold a JSON cyclecount.Policy fragment to try
// other weights against the defaults' table.
func TestPolicyTable(t *testing.T) {
	if os.Getenv("FLOOROPS_SIM_TABLE") == "" {
		t.Skip("set FLOOROPS_SIM_TABLE=1 to print the policy table")
	}
	sizes := []struct{ locations, skus, capacity int }{{4000, 1000, 80}, {20000, 5000, 400}}
	switch os.Getenv("FLOOROPS_SIM_TABLE") {
	case "small":
		sizes = sizes[:1] // a quicker look while trying weights
	case "large":
		sizes = sizes[1:]
	}
	seeds := 5
	if v, err := strconv.Atoi(os.Getenv("FLOOROPS_SIM_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	base := DefaultConfig()
	if js := os.Getenv("FLOOROPS_SIM_POLICY"); js != "" {
		if err := json.Unmarshal([]byte(js), &base.Policy); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	t.Log("| error model | node | error unit-days random / abc / risk | risk vs abc | oversells random / abc / risk | risk vs abc | discrepancies per full count random / abc / risk | risk / random | zero checks a day, finds per check | per count of capacity, risk / random | shadow risk / random on risk's floor | targets |")
	t.Log("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, m := range tableModels {
		switch os.Getenv("FLOOROPS_SIM_MODELS") {
		case "train":
			if m.heldOut {
				continue
			}
		case "heldout":
			if !m.heldOut {
				continue
			}
		case "", "all":
		default:
			if !pickedModel(m.name, os.Getenv("FLOOROPS_SIM_MODELS")) {
				continue
			}
		}
		for _, sz := range sizes {
			runs := make([][3]Result, seeds)
			var wg sync.WaitGroup
			errs := make(chan error, seeds*3)
			sem := make(chan struct{}, 2)
			for s := range seeds {
				for i, p := range []string{"random", "abc", "risk"} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						sem <- struct{}{}
						defer func() { <-sem }()
						cfg := base
						cfg.Days, cfg.Locations, cfg.SKUs, cfg.Capacity, cfg.Seed = 90, sz.locations, sz.skus, sz.capacity, uint64(s+1)
						cfg.ShrinkRate, cfg.MisplaceRate, cfg.TransactionErrorRate, cfg.ErrorProneShare = m.shrink, m.misplace, m.txn, m.prone
						res, err := Run(context.Background(), cfg, p)
						if err != nil {
							errs <- err
						}
						runs[s][i] = res
					}()
				}
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			var eudSum, osSum [3]float64
			var dpcSum [3]float64
			var eud, ovs, dpc, dpe, shadow []float64
			zc, zcFinds := 0.0, 0.0
			for _, r := range runs {
				for i := range r {
					eudSum[i] += float64(r[i].ErrorUnitDays) / float64(seeds)
					osSum[i] += float64(r[i].Oversells) / float64(seeds)
					dpcSum[i] += r[i].DiscrepanciesPerCount / float64(seeds)
				}
				eud = append(eud, float64(r[2].ErrorUnitDays)/float64(r[1].ErrorUnitDays)-1)
				ovs = append(ovs, float64(r[2].Oversells)/float64(r[1].Oversells)-1)
				dpc = append(dpc, r[2].DiscrepanciesPerCount/r[0].DiscrepanciesPerCount)
				dpe = append(dpe, r[2].DiscrepanciesPerCapacity/r[0].DiscrepanciesPerCapacity)
				shadow = append(shadow, r[2].ShadowVsRandom["risk"])
				zc += float64(r[2].ZeroChecksPerformed) / float64(seeds*r[2].Days)
				zcFinds += float64(r[2].ZeroCheckDiscrepanciesFound) / float64(seeds)
			}
			perCheck := 0.0
			if zc > 0 {
				perCheck = zcFinds / (zc * 90)
			}
			var verdict []string
			_, _, worstEUD := spread(eud)
			_, _, worstOS := spread(ovs)
			_, worstDPC, _ := spread(dpc)
			verdict = append(verdict, met("unit-days", worstEUD <= -0.3), met("oversells", worstOS <= -0.3), met("2x random", worstDPC >= 2))
			b.Reset()
			fmt.Fprintf(&b, "| %s | %d x %d, %d/day, seeds 1-%d | %.0f / %.0f / %.0f | %s | %.0f / %.0f / %.0f | %s | %.3f / %.3f / %.3f | %s | %.1f, %.2f | %s | %s | %s |\n",
				m.name, sz.locations, sz.skus, sz.capacity, seeds,
				eudSum[0], eudSum[1], eudSum[2], pct(eud),
				osSum[0], osSum[1], osSum[2], pct(ovs),
				dpcSum[0], dpcSum[1], dpcSum[2], times(dpc), zc, perCheck, times(dpe), times(shadow), strings.Join(verdict, ", "))
			t.Log(b.String()) // row by row, so a long run shows its progress
		}
	}
}

// pickedModel reports whether name contains one of list's comma-separated
// substrings.
func pickedModel(name, list string) bool {
	for _, w := range strings.Split(list, ",") {
		if w = strings.TrimSpace(w); w != "" && strings.Contains(name, w) {
			return true
		}
	}
	return false
}

func met(name string, ok bool) string {
	if ok {
		return name + " met"
	}
	return "**" + name + " missed**"
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
