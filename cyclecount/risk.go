// Package cyclecount decides which locations the floor counts each day and
// why. It owns the risk model (how likely a location's record is wrong and
// what a wrong record costs) and the daily count plan (hard rules first,
// then the day's capacity filled by risk), and the baseline policies the
// simulator compares it with. Everything here is a pure function over
// facts about (location, item) positions, so the node, the CLI and the
// simulator run the same scheduler; gathering those facts from movements,
// exceptions and counts is the database side's job.
package cyclecount

import (
	"fmt"
	"math"
	"sort"
)

// Class is an item's ABC class, from its pick velocity: A items are the few
// fast movers that make most of the picks, C the long tail.
type Class uint8

// The ABC classes. The zero value is C so that an item with no pick history
// is counted on the slowest schedule until its velocity says otherwise.
const (
	ClassC Class = iota
	ClassB
	ClassA
)

func (c Class) String() string { return [...]string{"C", "B", "A"}[c%3] }

// Trigger is an open reason a location must be counted now: the floor saw
// something that says its record is wrong.
type Trigger uint8

// The triggers, in the order a plan serves them when capacity is short: a
// short pick holds stock off sale until its count, so it goes first.
const (
	// TriggerNone: no count request is open on the location.
	TriggerNone Trigger = iota
	// TriggerLocationEmptied: an associate reported the location empty while
	// the record still holds stock there.
	TriggerLocationEmptied
	// TriggerPutawayOverride: an associate put stock away somewhere other
	// than the directed location, so two records may be off.
	TriggerPutawayOverride
	// TriggerShortPick: a picker found fewer units than the record; the
	// missing units are quarantined and the bin waits for this count.
	TriggerShortPick
)

func (t Trigger) String() string {
	switch t {
	case TriggerShortPick:
		return "short pick"
	case TriggerPutawayOverride:
		return "putaway override"
	case TriggerLocationEmptied:
		return "location reported empty"
	}
	return "none"
}

// Exceptions counts the exceptions recorded at a location within the
// policy's exception window, by kind.
type Exceptions struct {
	ShortPicks       int
	PutawayOverrides int
	RejectedScans    int
	ReceiptUndos     int
}

// Candidate is what the node knows about one item at one location on the
// planning day: the record, how much it has been touched, how counts there
// have gone, and what the floor has reported. It is exactly what the
// database can tell (movements, exceptions, past counts); the truth on the
// shelf is never part of it. Every location with a record, and every
// location with an open trigger or a zero check due, contributes one
// Candidate per item (an empty location one Candidate with ItemID 0).
//
// Each field is one aggregate over tables the node keeps, so one query
// ordered by location id fills a day's candidates: balances summed per
// (location, item) for RecordedUnits; items for UnitCost; picked units per
// item over a recent window for DailyVelocity and, ranked, Class; movements
// at the location since its last count for Touches; the count history for
// DaysSinceCount and the error counts; exceptions by kind within
// ExceptionWindowDays since the last count for Exceptions; open count
// requests for Trigger; a movement since the last plan that took the
// location's balance to zero for JustEmptied.
type Candidate struct {
	LocationID int64
	Location   string // location code, for explanations and the plan printout
	Zone       string
	ItemID     int64
	SKU        string
	Class      Class

	// RecordedUnits is the on-hand quantity the record holds for the item at
	// the location (all lots and statuses).
	RecordedUnits int
	// UnitCost is the item's cost per unit in the node's currency.
	UnitCost float64
	// DailyVelocity is the item's picked units per day over the recent
	// window (node-wide, not per location).
	DailyVelocity float64
	// Touches is the number of movements (picks, putaways, receipts, returns,
	// moves) at the location since its last count.
	Touches int
	// DaysSinceCount is the days since the location was last counted, or
	// since it first held stock if it never was.
	DaysSinceCount float64

	// LocationCounts and LocationErrors are the past counts of the location
	// and how many of them found a discrepancy; ItemCounts and ItemErrors the
	// same for the item at any location. The policy smooths them with a prior
	// so that one count does not decide.
	LocationCounts, LocationErrors int
	ItemCounts, ItemErrors         int

	// Exceptions are the location's exceptions within the exception window.
	Exceptions Exceptions
	// Trigger is the open count request on the location, if any.
	Trigger Trigger
	// JustEmptied says a movement since the last plan took the record for
	// the location to zero: a quick "is it empty?" check confirms it.
	JustEmptied bool

	// NeighbourPutaways is the number of putaways into the locations next
	// to this one (the same aisle, the bay either side) since this
	// location's last count: a unit meant for the bin next door is most
	// often put here by mistake, which leaves stock here that no record or
	// touch of this location shows. A node fills it from putaway movements
	// into the locations either side of this one in its zone's walk order
	// (gather.go) since the location's last count.
	NeighbourPutaways int
	// PutawayUnits is the units put away into this location since its last
	// count, and NeighbourPutawayUnits those put away into the locations
	// either side of it: a misplaced or miscounted putaway goes wrong unit
	// by unit, so a pallet of 200 is more likely to leave a record wrong
	// (here or next door) than a putaway of 2. A node fills them from the
	// putaway movements' quantities (gather.go).
	PutawayUnits, NeighbourPutawayUnits int

	// NeighbourVariances is the number of count differences (a count, or a
	// zero check, that found the record wrong for an item) in the locations
	// either side of this one in its zone's walk order since this
	// location's last count. Misplacement is net zero across a pair of
	// neighbouring bins: a surplus found next door is most often the
	// shortage here, and a shortage next door the surplus here, which is
	// why floors count the adjacent bins when a count finds a variance.
	// NeighbourShortages are those of them that counted fewer units than
	// the record (the units may be here); NeighbourItemVariances those of
	// this candidate's item (the same SKU went astray next door). A node
	// fills them from count_history (gather_variances.go), the simulator
	// from its own count results.
	NeighbourVariances, NeighbourShortages, NeighbourItemVariances int
	// NeighbourVariance is the most telling of them, for the explanation:
	// this candidate's item first, then the most recent.
	NeighbourVariance NeighbourVariance
}

// NeighbourVariance is one count difference found in a neighbouring
// location: where, of which item, counted minus record, and how many days
// before the planning day.
type NeighbourVariance struct {
	Location string
	SKU      string
	Units    int
	DaysAgo  float64
}

// Policy holds the risk model's weights and the plan's hard-rule settings.
// DefaultPolicy's values were chosen with the simulator (the table is in
// cyclecount/sim/RESULTS.md); a node may override them.
type Policy struct {
	// Prior for a count error rate, as pseudo-counts: PriorErrors counts that
	// found a discrepancy and PriorClean counts that did not. Their sum is how
	// many real counts it takes to move the learned rate halfway.
	PriorErrors, PriorClean float64
	// TouchHazard is the chance one touch leaves the record wrong at the
	// prior error rate; DayHazard the same per day of plain time (shrink,
	// unrecorded moves).
	TouchHazard, DayHazard float64
	// LocationErrorWeight and ItemErrorWeight are how strongly the learned
	// error rates scale the hazard (an exponent on learned / prior rate).
	LocationErrorWeight, ItemErrorWeight float64
	// ShortPickHazard, OverrideHazard, RejectedScanHazard and
	// ReceiptUndoHazard are the hazard each recent exception adds.
	ShortPickHazard, OverrideHazard, RejectedScanHazard, ReceiptUndoHazard float64
	// NeighbourPutawayHazard is the chance one putaway into a neighbouring
	// location left the record here wrong at the prior error rate (units
	// meant for next door put here).
	NeighbourPutawayHazard float64
	// PutawayUnitHazard and NeighbourPutawayUnitHazard are the chance one
	// unit put away here (next door) left the record here wrong at the prior
	// error rate.
	PutawayUnitHazard, NeighbourPutawayUnitHazard float64
	// NeighbourVarianceHazard is the hazard one count difference found next
	// door adds here, twice that for a shortage next door (its units may be
	// here); NeighbourItemVarianceHazard what one of this candidate's item
	// adds on top (the same SKU went astray next door: most likely this
	// location holds the pair's other half).
	NeighbourVarianceHazard, NeighbourItemVarianceHazard float64
	// ValueRef and ValueExponent shape the value impact: a position worth
	// ValueRef weighs (2)^ValueExponent times an empty one.
	ValueRef, ValueExponent float64
	// StockoutWeight is how much more a wrong record weighs when the item
	// would run out within StockoutHorizonDays at its velocity.
	StockoutWeight, StockoutHorizonDays float64
	// StockoutTouchWeight is how much more a touch weighs in the hazard
	// when the item would run out within StockoutHorizonDays: touches x
	// (1 + StockoutTouchWeight exp(-cover / horizon)). The picks since the
	// last count that took a bin down to its last days of cover are where
	// a miscount or a loss becomes an oversell before the next count.
	StockoutTouchWeight float64
	// MaxIntervalDays is the longest a location may go uncounted, by the
	// class of its fastest item (index by Class).
	MaxIntervalDays [3]float64
	// MinutesPerLocation and MinutesPerItem estimate a full count;
	// ZeroCheckMinutes a quick empty check. Used when capacity is in minutes.
	MinutesPerLocation, MinutesPerItem, ZeroCheckMinutes float64
	// ZeroCheckMaxShare bounds the share of the day's capacity zero checks
	// may take (0 or 1: no bound). When more bins emptied than fit, the
	// riskiest are checked today and the rest wait, still just-emptied,
	// for a later day (or a full count on their score).
	ZeroCheckMaxShare float64
	// FollowUpMaxShare bounds the share of the day's capacity follow-up
	// counts may take (0: none are planned as follow-ups; their neighbour's
	// difference still raises their score). A follow-up is a location whose
	// walk-order neighbour's count found a difference of an item this
	// location holds, since this location's own last count.
	FollowUpMaxShare float64
	// LearnPrior is how much evidence, in expected record errors at the
	// policy's own weights, the learned hazard scales (Learner) need to
	// move halfway from 1: the touch, putaway-unit, neighbour-putaway and
	// day hazards are then each scaled by what the node's own counts found
	// after that kind of exposure. 0 turns learning off.
	LearnPrior float64
}

// DefaultPolicy returns the policy a node starts with.
func DefaultPolicy() Policy {
	return Policy{
		PriorErrors:                 1,
		PriorClean:                  4,
		TouchHazard:                 0.02,
		DayHazard:                   0.002,
		LocationErrorWeight:         1,
		ItemErrorWeight:             0.5,
		ShortPickHazard:             1.5,
		OverrideHazard:              0.7,
		RejectedScanHazard:          0.2,
		ReceiptUndoHazard:           0.3,
		NeighbourPutawayHazard:      0.02,
		PutawayUnitHazard:           0.0005,
		NeighbourPutawayUnitHazard:  0.0005,
		NeighbourVarianceHazard:     0.05,
		NeighbourItemVarianceHazard: 2,
		ValueRef:                    500,
		ValueExponent:               0.3,
		StockoutWeight:              4,
		StockoutHorizonDays:         2,
		StockoutTouchWeight:         2,
		MaxIntervalDays:             [3]float64{ClassA: 91, ClassB: 182, ClassC: 365},
		MinutesPerLocation:          2,
		MinutesPerItem:              1,
		ZeroCheckMinutes:            0.5,
		ZeroCheckMaxShare:           0.5,
		FollowUpMaxShare:            0.1,
		LearnPrior:                  20,
	}
}

// FactorKind names one reason in a score's explanation.
type FactorKind uint8

// The factors a score is made of.
const (
	FactorTouches FactorKind = iota + 1
	FactorDaysSinceCount
	FactorLocationErrors
	FactorItemErrors
	FactorShortPicks
	FactorOverrides
	FactorRejectedScans
	FactorReceiptUndos
	FactorValue
	FactorNearStockout
	FactorNeighbourPutaways
	FactorNeighbourVariances
	FactorPutawayUnits
)

// Factor is one named reason in a score: what was seen (Count, Value, Rate)
// and how much it moved the score (Effect: its share of the hazard for
// likelihood factors, its multiplier for impact factors).
type Factor struct {
	Kind   FactorKind
	Count  int
	Value  float64
	Rate   float64
	Effect float64
	// Where and What name the neighbour location and SKU of a
	// FactorNeighbourVariances (its most telling difference).
	Where, What string
	window      int
	never       bool // FactorDaysSinceCount: the location was never counted
}

// String is the factor as a lead reads it: "3 short picks in 7 days",
// "unit cost $240.00", "41 touches since last count".
func (f Factor) String() string {
	switch f.Kind {
	case FactorTouches:
		return fmt.Sprintf("%d %s since last count", f.Count, plural(f.Count, "touch", "touches"))
	case FactorDaysSinceCount:
		days := math.Round(f.Value)
		if f.never && days < 1 {
			return "never counted (stocked today)"
		}
		if f.never {
			return fmt.Sprintf("never counted (stocked %.0f %s ago)", days, plural(int(days), "day", "days"))
		}
		return fmt.Sprintf("%.0f %s since last count", days, plural(int(days), "day", "days"))
	case FactorLocationErrors:
		return fmt.Sprintf("location wrong in %d of %d counts", f.Count, int(f.Value))
	case FactorItemErrors:
		return fmt.Sprintf("item wrong in %d of %d counts", f.Count, int(f.Value))
	case FactorShortPicks:
		return fmt.Sprintf("%d short %s in %d days", f.Count, plural(f.Count, "pick", "picks"), f.window)
	case FactorOverrides:
		return fmt.Sprintf("%d putaway %s in %d days", f.Count, plural(f.Count, "override", "overrides"), f.window)
	case FactorRejectedScans:
		return fmt.Sprintf("%d rejected %s in %d days", f.Count, plural(f.Count, "scan", "scans"), f.window)
	case FactorReceiptUndos:
		return fmt.Sprintf("%d receipt %s in %d days", f.Count, plural(f.Count, "undo", "undos"), f.window)
	case FactorValue:
		return fmt.Sprintf("unit cost $%.2f, %d %s ($%.2f)", f.Rate, f.Count, plural(f.Count, "unit", "units"), f.Value)
	case FactorNeighbourPutaways:
		if f.Value > 0 {
			return fmt.Sprintf("%d %s (%.0f %s) into neighbouring bins since last count", f.Count, plural(f.Count, "putaway", "putaways"),
				f.Value, plural(int(f.Value), "unit", "units"))
		}
		return fmt.Sprintf("%d %s into neighbouring bins since last count", f.Count, plural(f.Count, "putaway", "putaways"))
	case FactorPutawayUnits:
		return fmt.Sprintf("%d %s put away here since last count", f.Count, plural(f.Count, "unit", "units"))
	case FactorNeighbourVariances:
		return neighbourVarianceString(f)
	case FactorNearStockout:
		return fmt.Sprintf("near stockout: %d %s, %s/day", f.Count, plural(f.Count, "unit", "units"), trimFloat(f.Rate))
	}
	return "unknown factor"
}

// neighbourVarianceString reads "neighbour A-01-02 found +3 of SKU-0042
// yesterday (2 more differences next door since last count)".
func neighbourVarianceString(f Factor) string {
	where := "a neighbouring bin"
	if f.Where != "" {
		where = "neighbour " + f.Where
	}
	what := plural(int(math.Abs(f.Rate)), "unit", "units")
	if f.What != "" {
		what = "of " + f.What
	}
	var when string
	switch days := int(math.Floor(f.Value)); {
	case days <= 0:
		when = "today"
	case days == 1:
		when = "yesterday"
	default:
		when = fmt.Sprintf("%d days ago", days)
	}
	out := fmt.Sprintf("%s found %+d %s %s", where, int(f.Rate), what, when)
	if more := f.Count - 1; more > 0 {
		out += fmt.Sprintf(" (%d more %s next door since last count)", more, plural(more, "difference", "differences"))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// ExceptionWindowDays is the window Candidate.Exceptions is gathered over.
const ExceptionWindowDays = 7

// Scored is a candidate's risk: Score = ExpectedWrong x Impact, with the
// named factors behind it, likelihood factors first, largest first.
// ExpectedWrong is the hazard: the expected number of errors (wrong units)
// on the record since the last count; PWrong = 1 - exp(-ExpectedWrong) the
// chance the record is wrong at all, for a lead to read.
type Scored struct {
	Score         float64
	ExpectedWrong float64
	PWrong        float64
	Impact        float64
	Factors       []Factor
}

// Score is the expected wrong units on c's record times what a wrong record
// there costs. The expected wrong units are the hazard, which grows with
// touches, units put away here and next door and days since the last count
// (scaled by the location's and the item's smoothed count error rates) and
// with recent exceptions and differences found next door; P(record wrong)
// = 1 - exp(-hazard). Ranking by the expected units rather than the
// probability keeps a heavily touched bin ahead of a lightly touched one
// once both are likely wrong. Impact
// grows with the value on the record and with how close the item is to a
// stockout at its velocity: a wrong record on a nearly empty fast mover is
// what sends picks to phantom stock.
func Score(c Candidate, p Policy) Scored {
	var r terms
	r.compute(&c, &p)
	s := Scored{Score: r.score, ExpectedWrong: r.hazard, PWrong: r.pWrong, Impact: r.impact}
	add := func(f Factor) {
		if f.Effect > 0 {
			s.Factors = append(s.Factors, f)
		}
	}
	h := r.hazard
	if h <= 0 {
		h = 1
	}
	add(Factor{Kind: FactorShortPicks, Count: c.Exceptions.ShortPicks, Effect: r.shortPicks / h, window: ExceptionWindowDays})
	add(Factor{Kind: FactorOverrides, Count: c.Exceptions.PutawayOverrides, Effect: r.overrides / h, window: ExceptionWindowDays})
	add(Factor{Kind: FactorRejectedScans, Count: c.Exceptions.RejectedScans, Effect: r.rejected / h, window: ExceptionWindowDays})
	add(Factor{Kind: FactorReceiptUndos, Count: c.Exceptions.ReceiptUndos, Effect: r.undos / h, window: ExceptionWindowDays})
	add(Factor{Kind: FactorTouches, Count: c.Touches, Effect: r.touches / h})
	add(Factor{Kind: FactorDaysSinceCount, Value: c.DaysSinceCount, Effect: r.days / h, never: c.LocationCounts == 0})
	add(Factor{Kind: FactorPutawayUnits, Count: c.PutawayUnits, Effect: r.putUnits / h})
	add(Factor{Kind: FactorNeighbourPutaways, Count: c.NeighbourPutaways, Value: float64(c.NeighbourPutawayUnits), Effect: r.neighbours / h})
	nv := c.NeighbourVariance
	add(Factor{Kind: FactorNeighbourVariances, Count: c.NeighbourVariances, Value: nv.DaysAgo, Rate: float64(nv.Units),
		Where: nv.Location, What: nv.SKU, Effect: r.variances / h})
	if r.locMult > 1.05 && c.LocationCounts > 0 {
		add(Factor{Kind: FactorLocationErrors, Count: c.LocationErrors, Value: float64(c.LocationCounts), Rate: r.locRate, Effect: r.locMult - 1})
	}
	if r.itemMult > 1.05 && c.ItemCounts > 0 {
		add(Factor{Kind: FactorItemErrors, Count: c.ItemErrors, Value: float64(c.ItemCounts), Rate: r.itemRate, Effect: r.itemMult - 1})
	}
	n := len(s.Factors)
	sort.SliceStable(s.Factors[:n], func(i, j int) bool { return s.Factors[i].Effect > s.Factors[j].Effect })
	if c.UnitCost > 0 && c.RecordedUnits > 0 {
		add(Factor{Kind: FactorValue, Count: c.RecordedUnits, Rate: c.UnitCost, Value: float64(c.RecordedUnits) * c.UnitCost, Effect: r.valueMult})
	}
	if r.stockoutMult > 1.05 {
		add(Factor{Kind: FactorNearStockout, Count: c.RecordedUnits, Rate: c.DailyVelocity, Effect: r.stockoutMult})
	}
	return s
}

// terms are the parts of a score, computed without allocating so that Plan
// can score every candidate and explain only the ones it plans.
type terms struct {
	locRate, itemRate, locMult, itemMult   float64
	touches, days, neighbours, variances   float64
	putUnits                               float64
	shortPicks, overrides, rejected, undos float64
	hazard, pWrong                         float64
	valueMult, stockoutMult, impact, score float64
}

func (r *terms) compute(c *Candidate, p *Policy) {
	prior := p.PriorErrors / math.Max(p.PriorErrors+p.PriorClean, 1e-9)
	r.locRate = smoothed(c.LocationErrors, c.LocationCounts, p)
	r.itemRate = smoothed(c.ItemErrors, c.ItemCounts, p)
	r.locMult, r.itemMult = 1, 1
	if prior > 0 {
		r.locMult = math.Pow(r.locRate/prior, p.LocationErrorWeight)
		r.itemMult = math.Pow(r.itemRate/prior, p.ItemErrorWeight)
	}
	m := r.locMult * r.itemMult
	// near is how close the item is to running out at the bin: exp(-days
	// of cover / horizon), 1 at an empty bin, 0 with no velocity.
	near := 0.0
	units := float64(max(c.RecordedUnits, 0))
	if c.DailyVelocity > 0 && p.StockoutHorizonDays > 0 {
		near = math.Exp(-units / c.DailyVelocity / p.StockoutHorizonDays)
	}
	r.touches = p.TouchHazard * float64(max(c.Touches, 0)) * m
	// A touch on the last units is the one whose miscount or loss sends
	// the next pick to phantom stock.
	r.touches *= 1 + math.Max(p.StockoutTouchWeight, 0)*near
	r.days = p.DayHazard * math.Max(c.DaysSinceCount, 0) * m
	r.neighbours = (p.NeighbourPutawayHazard*float64(max(c.NeighbourPutaways, 0)) +
		p.NeighbourPutawayUnitHazard*float64(max(c.NeighbourPutawayUnits, 0))) * m
	r.putUnits = p.PutawayUnitHazard * float64(max(c.PutawayUnits, 0)) * m
	e := c.Exceptions
	r.shortPicks = p.ShortPickHazard * float64(max(e.ShortPicks, 0))
	r.overrides = p.OverrideHazard * float64(max(e.PutawayOverrides, 0))
	r.rejected = p.RejectedScanHazard * float64(max(e.RejectedScans, 0))
	r.undos = p.ReceiptUndoHazard * float64(max(e.ReceiptUndos, 0))
	r.variances = p.NeighbourVarianceHazard*float64(max(c.NeighbourVariances, 0)+max(c.NeighbourShortages, 0)) +
		p.NeighbourItemVarianceHazard*float64(max(c.NeighbourItemVariances, 0))
	r.hazard = r.touches + r.putUnits + r.days + r.neighbours + r.variances + r.shortPicks + r.overrides + r.rejected + r.undos
	r.pWrong = -math.Expm1(-r.hazard)

	r.valueMult = 1
	if p.ValueRef > 0 {
		r.valueMult = math.Pow(1+units*math.Max(c.UnitCost, 0)/p.ValueRef, p.ValueExponent)
	}
	r.stockoutMult = 1 + p.StockoutWeight*near
	r.impact = r.valueMult * r.stockoutMult
	// The expected wrong units, not the chance of any: a saturated
	// probability ranks a bin touched 200 times with one touched 30 times
	// and leaves impact alone to order them.
	r.score = r.hazard * r.impact
	if !(r.score >= 0) || math.IsInf(r.score, 0) {
		r.score = 0 // a NaN or infinite fact from a bad row must not reorder the plan
	}
}

// smoothed is a count error rate under the policy's Beta prior: (errors +
// prior errors) / (counts + prior pseudo-counts).
func smoothed(errors, counts int, p *Policy) float64 {
	d := float64(max(counts, 0)) + p.PriorErrors + p.PriorClean
	if d <= 0 {
		return 0
	}
	return (float64(max(errors, 0)) + p.PriorErrors) / d
}

// The hazard kinds a Learner scales: each is one kind of exposure a floor
// observes (movements at the location, units put away here, putaways next
// door, plain time).
const (
	LearnTouches = iota
	LearnPutawayUnits
	LearnNeighbourPutaways
	LearnDays
	LearnKinds
)

// Learner learns, from the node's own count results, how much each kind of
// exposure really leaves records wrong on this floor, against what the
// policy's weights assume. A floor whose errors come with putaways (units
// going astray into the bin next door) learns to weigh units put away more
// and touches less; one whose errors come with miscounted picks learns the
// reverse; without counts every scale stays 1.
//
// The model is the hazard's own: the errors on a record since its last
// count are a Poisson process whose rate is the sum of the kinds' terms,
// and a count says only whether there was at least one. The scales are
// the posterior mode under that model, found by EM (for a censored Poisson
// sum): a count that found the record wrong attributes to each kind its
// expected share of the errors given at least one, scale x term /
// P(wrong); a kind's scale is (prior + attributed) / (prior + exposure),
// its exposure the sum of its terms at the policy's weights over every
// count, the prior Policy.LearnPrior expected errors at scale 1, so a few
// counts do not decide. The fixed terms (exceptions, differences next
// door) take their share of every wrong count but are not scaled.
//
// A node feeds it each full count (the facts the plan read for the
// location when it was counted, and whether the count found a difference);
// zero checks are not fed (a just-emptied bin is a different exposure).
// The zero Learner is ready; it is not safe for concurrent use.
type Learner struct {
	obs      []learnObs
	exposure [LearnKinds]float64
	scales   [LearnKinds]float64
	prior    float64
	wrong    int
	dirty    bool
}

// learnObs is one count: its scaled terms at the policy's weights, the
// fixed rest of its hazard, and whether it found the record wrong.
type learnObs struct {
	base  [LearnKinds]float32
	fixed float32
	wrong bool
}

// learnSteps is the EM steps each Scales call takes from the previous
// scales: counts arrive a day at a time, so a few steps keep up.
const learnSteps = 8

// Observe adds one full count: c holds the location's facts as the plan
// read them before the count (Touches, PutawayUnits, NeighbourPutaways,
// NeighbourPutawayUnits, DaysSinceCount, its error history, exceptions and
// neighbour differences), wrong whether the count found any difference.
// p is the policy's own weights, not a learned Apply of them.
func (l *Learner) Observe(c *Candidate, p *Policy, wrong bool) {
	var r terms
	r.compute(c, p)
	o := learnObs{base: [LearnKinds]float32{float32(r.touches), float32(r.putUnits), float32(r.neighbours), float32(r.days)}, wrong: wrong}
	o.fixed = float32(r.hazard - (r.touches + r.putUnits + r.neighbours + r.days))
	for k := range o.base {
		l.exposure[k] += float64(o.base[k])
	}
	if wrong {
		l.wrong++
	}
	l.obs = append(l.obs, o)
	l.dirty = true
}

// Scales are the learned multipliers on the touch, putaway-unit,
// neighbour-putaway and day hazards (index by LearnTouches...), each 1
// when nothing was learned or learning is off.
func (l *Learner) Scales(p *Policy) [LearnKinds]float64 {
	if p.LearnPrior <= 0 {
		return [LearnKinds]float64{1, 1, 1, 1}
	}
	if l.prior != p.LearnPrior || l.scales == [LearnKinds]float64{} {
		l.scales, l.prior, l.dirty = [LearnKinds]float64{1, 1, 1, 1}, p.LearnPrior, true
	}
	if !l.dirty {
		return l.scales
	}
	for range learnSteps {
		var attributed [LearnKinds]float64
		for i := range l.obs {
			o := &l.obs[i]
			if !o.wrong {
				continue
			}
			h := float64(o.fixed)
			for k := range o.base {
				h += l.scales[k] * float64(o.base[k])
			}
			if h <= 0 {
				continue
			}
			pw := -math.Expm1(-h)
			for k := range o.base {
				attributed[k] += l.scales[k] * float64(o.base[k]) / pw
			}
		}
		for k := range l.scales {
			l.scales[k] = (p.LearnPrior + attributed[k]) / (p.LearnPrior + l.exposure[k])
		}
	}
	l.dirty = false
	return l.scales
}

// Apply is p with its touch, putaway-unit, neighbour-putaway and day
// hazards scaled by what l learned.
func (l *Learner) Apply(p Policy) Policy {
	s := l.Scales(&p)
	p.TouchHazard *= s[LearnTouches]
	p.PutawayUnitHazard *= s[LearnPutawayUnits]
	p.NeighbourPutawayHazard *= s[LearnNeighbourPutaways]
	p.NeighbourPutawayUnitHazard *= s[LearnNeighbourPutaways]
	p.DayHazard *= s[LearnDays]
	return p
}

// Counts are the full counts observed and how many found a difference.
func (l *Learner) Counts() (counts, wrong int) { return len(l.obs), l.wrong }
