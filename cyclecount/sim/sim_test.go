package sim

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/floorops/floorops/cyclecount"
	"github.com/google/go-cmp/cmp"
)

func tiny() Config {
	cfg := DefaultConfig()
	cfg.Days, cfg.SKUs, cfg.Locations, cfg.Capacity = 20, 100, 400, 10
	cfg.ShrinkRate, cfg.MisplaceRate, cfg.TransactionErrorRate = 0.02, 0.02, 0.02
	return cfg
}

// TestRunDeterministic: the same seed gives the same JSON for every
// policy; another seed gives another node.
func TestRunDeterministic(t *testing.T) {
	t.Parallel()
	for _, policy := range cyclecount.Policies {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			run := func(seed uint64) string {
				cfg := tiny()
				cfg.Seed = seed
				r, err := Run(context.Background(), cfg, policy)
				if err != nil {
					t.Fatal(err)
				}
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			first := run(3)
			if diff := cmp.Diff(first, run(3)); diff != "" {
				t.Errorf("same seed, different result (-first +second):\n%s", diff)
			}
			if first == run(4) {
				t.Error("seeds 3 and 4 gave the same result")
			}
		})
	}
}

// TestRunCountsAtCapacity: every policy spends the day's capacity, and the
// results add up.
func TestRunCountsAtCapacity(t *testing.T) {
	t.Parallel()
	cfg := tiny()
	for _, policy := range cyclecount.Policies {
		r, err := Run(context.Background(), cfg, policy)
		if err != nil {
			t.Fatal(err)
		}
		budget := float64(cfg.Days * cfg.Capacity)
		// Less than one count a day may go unspent when zero checks leave a
		// fraction no full count fits in.
		if r.CapacitySpent > budget+1e-6 || r.CapacitySpent <= budget-float64(cfg.Days) {
			t.Errorf("%s: count effort %v, want the budget %v less under a count a day", policy, r.CapacitySpent, budget)
		}
		if r.DiscrepanciesFound > 0 && r.DiscrepanciesPerCount <= 0 {
			t.Errorf("%s: %+v: discrepancies per count not computed", policy, r)
		}
		if r.RecordAccuracy <= 0 || r.RecordAccuracy > 1 || r.ErrorUnitDays <= 0 || r.Picks == 0 {
			t.Errorf("%s: implausible result %+v", policy, r)
		}
		if got := float64(r.CountsPerformed) + float64(r.ZeroChecksPerformed)*cfg.Policy.ZeroCheckShare(); math.Abs(got-r.CapacitySpent) > 1e-6 {
			t.Errorf("%s: %d counts and %d zero checks, capacity spent %v, want %v", policy, r.CountsPerformed, r.ZeroChecksPerformed, r.CapacitySpent, got)
		}
		if r.HiddenStockoutsFound > r.DiscrepanciesFound+r.ZeroCheckDiscrepanciesFound {
			t.Errorf("%s: more hidden stockouts (%d) than discrepancies (%d)", policy, r.HiddenStockoutsFound, r.DiscrepanciesFound)
		}
	}
}

// TestRunErrorsAreHidden: with no error processes every record stays
// right, whatever the policy counts.
func TestRunErrorsAreHidden(t *testing.T) {
	t.Parallel()
	cfg := tiny()
	cfg.ShrinkRate, cfg.MisplaceRate, cfg.TransactionErrorRate = 0, 0, 0
	for _, policy := range cyclecount.Policies {
		r, err := Run(context.Background(), cfg, policy)
		if err != nil {
			t.Fatal(err)
		}
		if r.RecordAccuracy != 1 || r.ErrorUnitDays != 0 || r.Oversells != 0 || r.DiscrepanciesFound != 0 {
			t.Errorf("%s without errors: %+v", policy, r)
		}
	}
}

// TestRunRejectsBadConfig: a config that cannot be simulated is an error,
// not a panic.
func TestRunRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(*Config){
		"no days":              func(c *Config) { c.Days = 0 },
		"no skus":              func(c *Config) { c.SKUs = 0 },
		"fewer bins than skus": func(c *Config) { c.Locations = c.SKUs - 1 },
		"negative capacity":    func(c *Config) { c.Capacity = -1 },
		"shrink above 1":       func(c *Config) { c.ShrinkRate = 1.5 },
		"negative misplace":    func(c *Config) { c.MisplaceRate = -0.1 },
		"share above 1":        func(c *Config) { c.ErrorProneShare = 2 },
	} {
		cfg := tiny()
		change(&cfg)
		if _, err := Run(context.Background(), cfg, "risk"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Run(context.Background(), tiny(), "fifo"); err == nil {
		t.Error("unknown policy accepted")
	}
}

// TestRunStopsWhenAsked: a cancelled context ends the run with its error.
func TestRunStopsWhenAsked(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, tiny(), "risk"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v, want context.Canceled", err)
	}
}

// TestRunShadow: every run also lets each policy plan on its own floor
// each morning and scores those plans without counting them. The driving
// policy's shadow plan is the plan it counted, so its shadow figure is its
// closed-loop discrepancies per count of capacity; random's ratio is 1.
func TestRunShadow(t *testing.T) {
	t.Parallel()
	for _, policy := range cyclecount.Policies {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			r, err := Run(context.Background(), tiny(), policy)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range cyclecount.Policies {
				if _, ok := r.ShadowDiscrepanciesPerCount[p]; !ok {
					t.Errorf("no shadow figure for %s in %v", p, r.ShadowDiscrepanciesPerCount)
				}
			}
			if got, want := r.ShadowDiscrepanciesPerCount[policy], r.DiscrepanciesPerCapacity; math.Abs(got-want) > 1e-9 {
				t.Errorf("own shadow %v, want the closed-loop %v", got, want)
			}
			if r.ShadowDiscrepanciesPerCount["random"] <= 0 {
				t.Fatalf("random's shadow plans found nothing on a floor with errors: %v", r.ShadowDiscrepanciesPerCount)
			}
			if got := r.ShadowVsRandom["random"]; got != 1 {
				t.Errorf("random vs random %v, want 1", got)
			}
			for p, v := range r.ShadowDiscrepanciesPerCount {
				if want := v / r.ShadowDiscrepanciesPerCount["random"]; math.Abs(r.ShadowVsRandom[p]-want) > 1e-9 {
					t.Errorf("%s vs random %v, want %v", p, r.ShadowVsRandom[p], want)
				}
			}
		})
	}
}

// TestNeighbourPutawaysSeen: a putaway into a bin is what the floor knows
// about the bins either side of it (a unit misplaced lands next door), and
// a count of a bin clears its tally.
func TestNeighbourPutawaysSeen(t *testing.T) {
	t.Parallel()
	cfg := tiny()
	cfg.MisplaceRate, cfg.TransactionErrorRate = 0, 0
	n := newNode(cfg)
	sku := int32(7)
	b := int(n.skuBins[sku][0])
	for _, o := range n.skuBins[sku][1:] {
		n.slotOf(int(o), sku).rec += 1000 // so the putaway goes to b
	}
	n.putaway(sku, 4, rand.New(rand.NewPCG(1, 2)))
	left, right := (b+len(n.bins)-1)%len(n.bins), (b+1)%len(n.bins)
	seen := map[int]int{}
	for _, c := range n.candidates(1, nil) {
		seen[int(c.LocationID-1)] = c.NeighbourPutaways
	}
	want := map[int]int{left: 1, right: 1, b: 0}
	if right == left {
		want = map[int]int{left: 2, b: 0}
	}
	for bin, w := range want {
		if seen[bin] != w {
			t.Errorf("bin %d (putaway into %d): %d neighbour putaways, want %d", bin, b, seen[bin], w)
		}
	}
	n.count(right, 1, false)
	for _, c := range n.candidates(2, nil) {
		if int(c.LocationID-1) == right && c.NeighbourPutaways != 0 {
			t.Errorf("after a count, bin %d still has %d neighbour putaways", right, c.NeighbourPutaways)
		}
	}
}

// TestRunReportsZeroChecksApart: full counts and zero checks are counted
// and credited apart, so discrepancies_found / counts_performed is the hit
// rate of full counts alone; the baselines plan no zero checks.
func TestRunReportsZeroChecksApart(t *testing.T) {
	t.Parallel()
	for _, policy := range cyclecount.Policies {
		r, err := Run(context.Background(), tiny(), policy)
		if err != nil {
			t.Fatal(err)
		}
		zeroKind := cyclecount.TaskZeroCheck.String()
		full, fullFound := 0, 0
		for kind, n := range r.CountsByKind {
			if kind != zeroKind {
				full += n
				fullFound += r.DiscrepanciesByKind[kind]
			}
		}
		if full != r.CountsPerformed || fullFound != r.DiscrepanciesFound {
			t.Errorf("%s: %d full counts finding %d by kind, result says %d finding %d", policy, full, fullFound, r.CountsPerformed, r.DiscrepanciesFound)
		}
		if r.CountsByKind[zeroKind] != r.ZeroChecksPerformed || r.DiscrepanciesByKind[zeroKind] != r.ZeroCheckDiscrepanciesFound {
			t.Errorf("%s: zero checks %d finding %d by kind, result says %d finding %d", policy,
				r.CountsByKind[zeroKind], r.DiscrepanciesByKind[zeroKind], r.ZeroChecksPerformed, r.ZeroCheckDiscrepanciesFound)
		}
		switch policy {
		case "risk":
			if r.ZeroChecksPerformed == 0 {
				t.Error("risk: no zero checks on a floor where bins empty")
			}
		default:
			if r.ZeroChecksPerformed != 0 {
				t.Errorf("%s: %d zero checks, want none", policy, r.ZeroChecksPerformed)
			}
		}
		if want := float64(r.DiscrepanciesFound) / float64(r.CountsPerformed); r.DiscrepanciesPerCount != want {
			t.Errorf("%s: discrepancies per count %v, want %v", policy, r.DiscrepanciesPerCount, want)
		}
	}
}

// TestNeighbourVariancesSeen: a count that finds a difference tells the
// bins either side (the policy sees it on their candidates, the same SKU
// apart), and a count of a neighbour clears what it had heard.
func TestNeighbourVariancesSeen(t *testing.T) {
	t.Parallel()
	cfg := tiny()
	n := newNode(cfg)
	b := 10
	n.bins[b].slots[0].phys -= 2 // two units short on the shelf
	n.count(b, 3, false)
	left, right := b-1, b+1
	got := map[int][2]int{}
	units := map[int]int{}
	for _, c := range n.candidates(4, nil) {
		if l := int(c.LocationID - 1); l == left || l == right || l == b {
			g := got[l]
			g[0] = c.NeighbourVariances
			g[1] += c.NeighbourItemVariances
			got[l] = g
			units[l] = c.NeighbourVariance.Units
		}
	}
	for _, l := range []int{left, right} {
		if got[l][0] != 1 || units[l] != -2 {
			t.Errorf("bin %d: %v neighbour variances, most telling %d units; want 1 of -2", l, got[l], units[l])
		}
	}
	if got[b] != [2]int{} {
		t.Errorf("the counted bin %d hears of its own difference: %v", b, got[b])
	}
	n.count(left, 4, false)
	for _, c := range n.candidates(5, nil) {
		if int(c.LocationID-1) == left && c.NeighbourVariances != 0 {
			t.Errorf("after a count, bin %d still has %d neighbour variances", left, c.NeighbourVariances)
		}
	}
}

// TestRunLearnsHazardScales: the risk policy learns its hazard scales from
// its own counts (a misplacement floor weighs units put away above
// touches) and reports them; the baselines learn nothing; with learning
// off the risk policy plans as before learning existed.
func TestRunLearnsHazardScales(t *testing.T) {
	t.Parallel()
	cfg := tiny()
	cfg.Days = 40
	cfg.ShrinkRate, cfg.MisplaceRate, cfg.TransactionErrorRate = 0, 0.05, 0
	risk, err := Run(context.Background(), cfg, "risk")
	if err != nil {
		t.Fatal(err)
	}
	s := risk.LearnedHazardScales
	if len(s) != cyclecount.LearnKinds {
		t.Fatalf("learned scales %v, want %d", s, cyclecount.LearnKinds)
	}
	if s["putaway_units"] <= s["touches"] {
		t.Errorf("misplacement floor learned %v: want units put away above touches", s)
	}
	for _, p := range []string{"random", "abc"} {
		r, err := Run(context.Background(), cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		if r.LearnedHazardScales != nil {
			t.Errorf("%s learned %v, want nothing", p, r.LearnedHazardScales)
		}
	}
	cfg.Policy.LearnPrior = 0
	off, err := Run(context.Background(), cfg, "risk")
	if err != nil {
		t.Fatal(err)
	}
	if off.LearnedHazardScales != nil {
		t.Errorf("learning off reported %v", off.LearnedHazardScales)
	}
}
