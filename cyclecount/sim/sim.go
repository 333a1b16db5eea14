// Package sim replays a synthetic fulfilment node day by day to compare
// count policies at the same daily capacity. The node has SKUs with skewed
// demand and costs, bins, receipts, putaways, picks and returns, and hidden
// error processes (shrink, misplaced putaways, miscounted picks and
// putaways, a share of error-prone bins) that only the simulator sees. The
// policies see what a real floor sees: the records, the touches, the counts
// they performed and the exceptions (a pick that finds fewer units than the
// record is a short pick). Each morning the policy under test plans the day
// with the real scheduler in package cyclecount; a count reveals the truth
// at its location and corrects the record.
package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/floorops/floorops/cyclecount"
)

// Config is one simulated node and its error model.
type Config struct {
	Days      int
	SKUs      int
	Locations int
	// Capacity is location counts per day, the same for every policy.
	Capacity int
	Seed     uint64

	// ShrinkRate is units lost (theft, damage) per unit of demand at a bin,
	// drawn as a Poisson process: shrink follows velocity.
	ShrinkRate float64
	// MisplaceRate is the chance each unit put away lands in the
	// neighbouring bin instead (a net-zero error across the pair).
	MisplaceRate float64
	// TransactionErrorRate is the chance a pick or putaway moves one unit
	// more or fewer than it records.
	TransactionErrorRate float64
	// ErrorProneShare is the hidden share of bins whose error rates are
	// ErrorProneFactor times the others'.
	ErrorProneShare  float64
	ErrorProneFactor float64

	// Policy is the risk policy's configuration (and the ABC intervals).
	Policy cyclecount.Policy
}

// DefaultConfig is a mid-sized node with a mix of all error processes.
func DefaultConfig() Config {
	return Config{
		Days: 90, SKUs: 5000, Locations: 20000, Capacity: 400, Seed: 1,
		ShrinkRate: 0.005, MisplaceRate: 0.005, TransactionErrorRate: 0.005,
		ErrorProneShare: 0.1, ErrorProneFactor: 5,
		Policy: cyclecount.DefaultPolicy(),
	}
}

func (c *Config) validate() error {
	var errs []error
	if c.Days <= 0 {
		errs = append(errs, errors.New("days must be positive"))
	}
	if c.SKUs <= 0 {
		errs = append(errs, errors.New("skus must be positive"))
	}
	if c.Locations < c.SKUs {
		errs = append(errs, errors.New("locations must be at least skus (every SKU has a bin)"))
	}
	if c.Capacity < 0 {
		errs = append(errs, errors.New("capacity must not be negative"))
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"shrink-rate", c.ShrinkRate}, {"misplace-rate", c.MisplaceRate}, {"transaction-error-rate", c.TransactionErrorRate}, {"error-prone-share", c.ErrorProneShare}} {
		if r.v < 0 || r.v > 1 || math.IsNaN(r.v) {
			errs = append(errs, fmt.Errorf("%s must be between 0 and 1", r.name))
		}
	}
	if c.ErrorProneFactor < 1 || math.IsNaN(c.ErrorProneFactor) {
		errs = append(errs, errors.New("error-prone factor must be at least 1"))
	}
	return errors.Join(errs...)
}

// Result is one policy's outcome over the run.
type Result struct {
	Policy string `json:"policy"`
	// RecordAccuracy is the share of (bin, SKU) positions whose record
	// matched the shelf at the end of a day, averaged over the days.
	RecordAccuracy float64 `json:"record_accuracy"`
	// ErrorUnitDays is the sum over days of |record - shelf| over positions.
	ErrorUnitDays int64 `json:"error_unit_days"`
	// Oversells are picks sent to phantom stock: the record had the units,
	// the shelf did not.
	Oversells int `json:"oversells"`
	// DiscrepanciesFound are positions a full count found wrong. A zero
	// check's finds are not among them (see ZeroCheckDiscrepanciesFound),
	// so DiscrepanciesFound / CountsPerformed is the hit rate of full counts.
	DiscrepanciesFound int `json:"discrepancies_found"`
	// CountsPerformed are the full location counts done (every item at the
	// location counted), zero checks not included.
	CountsPerformed int `json:"counts_performed"`
	// ZeroChecksPerformed are the quick "is it empty?" checks done on bins
	// the record says emptied; each costs Policy.ZeroCheckShare of a count.
	ZeroChecksPerformed int `json:"zero_checks_performed"`
	// ZeroCheckDiscrepanciesFound are positions a zero check found wrong
	// (stock left in a bin the record says is empty).
	ZeroCheckDiscrepanciesFound int `json:"zero_check_discrepancies_found"`
	// CapacitySpent is the capacity used, in full counts: CountsPerformed
	// plus ZeroChecksPerformed times a zero check's share of a count.
	CapacitySpent float64 `json:"capacity_spent"`
	// DiscrepanciesPerCount is DiscrepanciesFound / CountsPerformed: the
	// hit rate of full counts alone.
	DiscrepanciesPerCount float64 `json:"discrepancies_per_count"`
	// DiscrepanciesPerCapacity is (DiscrepanciesFound +
	// ZeroCheckDiscrepanciesFound) / CapacitySpent: what a full count's
	// worth of capacity found, zero checks included.
	DiscrepanciesPerCapacity float64 `json:"discrepancies_per_capacity"`
	// CountsByKind and DiscrepanciesByKind split the tasks done and their
	// finds by why they were planned ("triggered", "zero-check", "overdue",
	// "risk"; the baselines plan everything as "risk").
	CountsByKind        map[string]int `json:"counts_by_kind"`
	DiscrepanciesByKind map[string]int `json:"discrepancies_by_kind"`
	// HiddenStockoutsFound are positions a count found empty while the
	// record held stock.
	HiddenStockoutsFound int `json:"hidden_stockouts_found"`
	// Picks are the pick lines attempted.
	Picks int `json:"picks"`

	// ShadowDiscrepanciesPerCount is, by policy, what that policy's plans
	// would have found on this run's floor: each morning every policy plans
	// on the same candidates the driving policy plans on (this run's
	// records, learned error rates and exceptions), and the wrong positions
	// at its planned locations are tallied without counting them, so the
	// floor is changed only by the driving policy's own counts. It divides
	// by the capacity the plans spend, a zero check costing its share of a
	// count (as DiscrepanciesPerCapacity does), so the driving policy's own
	// entry equals its DiscrepanciesPerCapacity. This is the fair question of
	// which selection finds more wrong records on the same floor state; the
	// closed-loop DiscrepanciesPerCount also depends on how few wrong
	// records a policy's past counts left to find.
	ShadowDiscrepanciesPerCount map[string]float64 `json:"shadow_discrepancies_per_count"`
	// ShadowVsRandom is each policy's ShadowDiscrepanciesPerCount over
	// random's on the same floor.
	ShadowVsRandom map[string]float64 `json:"shadow_vs_random"`

	// LearnedHazardScales are the risk policy's learned multipliers on
	// its touch, putaway-unit, neighbour-putaway and day hazards at the end
	// of the run (cyclecount.Learner); empty for the baselines.
	LearnedHazardScales map[string]float64 `json:"learned_hazard_scales,omitempty"`

	Days      int    `json:"days"`
	SKUs      int    `json:"skus"`
	Locations int    `json:"locations"`
	Capacity  int    `json:"capacity"`
	Seed      uint64 `json:"seed"`
}

// epoch is day zero of every simulation, so plans are reproducible.
var epoch = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// Run simulates cfg's node under the named policy ("random", "abc" or
// "risk"). The node, its demand and its error draws depend only on the
// seed, so policies compare on the same floor. It stops with ctx's error
// when ctx ends.
func Run(ctx context.Context, cfg Config, policy string) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	planner, err := cyclecount.PlannerFor(policy, cfg.Policy, cfg.Seed)
	if err != nil {
		return Result{}, err
	}
	shadows := make([]cyclecount.Planner, len(cyclecount.Policies))
	for i, name := range cyclecount.Policies {
		if shadows[i], err = cyclecount.PlannerFor(name, cfg.Policy, cfg.Seed); err != nil {
			return Result{}, err
		}
	}
	shadowFound := make([]int, len(shadows))
	shadowEffort := make([]float64, len(shadows))
	n := newNode(cfg)
	if policy == "risk" && cfg.Policy.LearnPrior > 0 {
		// The risk policy learns its hazard scales from its own counts, as
		// the node does from its count history; the baselines learn nothing.
		n.learn = &cyclecount.Learner{}
	}
	n.res = Result{Policy: policy, Days: cfg.Days, SKUs: cfg.SKUs, Locations: cfg.Locations, Capacity: cfg.Capacity, Seed: cfg.Seed,
		CountsByKind: map[string]int{}, DiscrepanciesByKind: map[string]int{}}
	var cands []cyclecount.Candidate
	accuracy := 0.0
	for d := 0; d < cfg.Days; d++ {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		demand := rand.New(rand.NewPCG(cfg.Seed, uint64(d)*2+1))
		errs := rand.New(rand.NewPCG(cfg.Seed^0x5eed, uint64(d)*2+2))
		cands = n.candidates(d, cands[:0])
		day, capacity := epoch.AddDate(0, 0, d), cyclecount.Capacity{Counts: cfg.Capacity}
		if n.learn != nil {
			learned := n.learn.Apply(cfg.Policy)
			planner = cyclecount.RiskPlanner(learned)
			for i, name := range cyclecount.Policies {
				if name == "risk" {
					shadows[i] = cyclecount.RiskPlanner(learned)
				}
			}
		}
		for i, shadow := range shadows {
			for _, t := range shadow(cands, capacity, day) {
				shadowFound[i] += n.wrongAt(int(t.LocationID - 1))
				shadowEffort[i] += taskEffort(t, &cfg.Policy)
			}
		}
		for _, t := range planner(cands, capacity, day) {
			before := n.res.DiscrepanciesFound + n.res.ZeroCheckDiscrepanciesFound
			n.count(int(t.LocationID-1), d, t.Kind == cyclecount.TaskZeroCheck)
			n.res.CountsByKind[t.Kind.String()]++
			n.res.DiscrepanciesByKind[t.Kind.String()] += n.res.DiscrepanciesFound + n.res.ZeroCheckDiscrepanciesFound - before
			n.res.CapacitySpent += taskEffort(t, &cfg.Policy)
		}
		n.receive(d, errs)
		n.pick(d, demand, errs)
		n.shrink(errs)
		n.replenish(d)
		n.classify()
		accuracy += n.measure()
	}
	n.res.RecordAccuracy = accuracy / float64(cfg.Days)
	if n.learn != nil {
		sc := n.learn.Scales(&cfg.Policy)
		n.res.LearnedHazardScales = map[string]float64{"touches": sc[cyclecount.LearnTouches], "putaway_units": sc[cyclecount.LearnPutawayUnits],
			"neighbour_putaways": sc[cyclecount.LearnNeighbourPutaways], "days": sc[cyclecount.LearnDays]}
	}
	if n.res.CountsPerformed > 0 {
		n.res.DiscrepanciesPerCount = float64(n.res.DiscrepanciesFound) / float64(n.res.CountsPerformed)
	}
	if n.res.CapacitySpent > 0 {
		n.res.DiscrepanciesPerCapacity = float64(n.res.DiscrepanciesFound+n.res.ZeroCheckDiscrepanciesFound) / n.res.CapacitySpent
	}
	n.res.ShadowDiscrepanciesPerCount = make(map[string]float64, len(shadows))
	n.res.ShadowVsRandom = make(map[string]float64, len(shadows))
	for i, name := range cyclecount.Policies {
		if shadowEffort[i] > 0 {
			n.res.ShadowDiscrepanciesPerCount[name] = float64(shadowFound[i]) / shadowEffort[i]
		}
	}
	if random := n.res.ShadowDiscrepanciesPerCount["random"]; random > 0 {
		for name, v := range n.res.ShadowDiscrepanciesPerCount {
			n.res.ShadowVsRandom[name] = v / random
		}
	}
	return n.res, nil
}

// taskEffort is the capacity a task spends, in full counts: a zero check
// costs its share of a count's minutes.
func taskEffort(t cyclecount.Task, p *cyclecount.Policy) float64 {
	if t.Kind == cyclecount.TaskZeroCheck {
		return p.ZeroCheckShare()
	}
	return 1
}
