package cyclecount

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// base is an ordinary position: a B item with some stock, touched a few
// times, counted once cleanly.
func base() Candidate {
	return Candidate{
		LocationID: 1, Location: "A-01-01", Zone: "A", ItemID: 7, SKU: "SKU-7", Class: ClassB,
		RecordedUnits: 20, UnitCost: 10, DailyVelocity: 1, Touches: 5, DaysSinceCount: 20,
		LocationCounts: 1, ItemCounts: 1,
	}
}

// TestScoreFactorsMoveTheScore: each fact that makes a wrong record more
// likely or costlier raises the score, and the explanation names it.
func TestScoreFactorsMoveTheScore(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	cases := []struct {
		name   string
		change func(*Candidate)
		factor FactorKind
	}{
		{"touches since last count", func(c *Candidate) { c.Touches = 41 }, FactorTouches},
		{"days since last count", func(c *Candidate) { c.DaysSinceCount = 200 }, FactorDaysSinceCount},
		{"location's past count errors", func(c *Candidate) { c.LocationCounts, c.LocationErrors = 6, 5 }, FactorLocationErrors},
		{"item's past count errors", func(c *Candidate) { c.ItemCounts, c.ItemErrors = 8, 6 }, FactorItemErrors},
		{"short picks", func(c *Candidate) { c.Exceptions.ShortPicks = 3 }, FactorShortPicks},
		{"putaway overrides", func(c *Candidate) { c.Exceptions.PutawayOverrides = 2 }, FactorOverrides},
		{"rejected scans", func(c *Candidate) { c.Exceptions.RejectedScans = 2 }, FactorRejectedScans},
		{"receipt undos", func(c *Candidate) { c.Exceptions.ReceiptUndos = 1 }, FactorReceiptUndos},
		{"putaways into neighbouring bins", func(c *Candidate) { c.NeighbourPutaways = 6 }, FactorNeighbourPutaways},
		{"units put away next door", func(c *Candidate) { c.NeighbourPutaways, c.NeighbourPutawayUnits = 1, 400 }, FactorNeighbourPutaways},
		{"units put away here", func(c *Candidate) { c.PutawayUnits = 400 }, FactorPutawayUnits},
		{"differences found next door", func(c *Candidate) { c.NeighbourVariances, c.NeighbourShortages = 2, 1 }, FactorNeighbourVariances},
		{"the same item's difference next door", func(c *Candidate) { c.NeighbourVariances, c.NeighbourItemVariances = 1, 1 }, FactorNeighbourVariances},
		{"unit cost", func(c *Candidate) { c.UnitCost = 240 }, FactorValue},
		{"units on the record", func(c *Candidate) { c.RecordedUnits = 400 }, FactorValue},
		{"stockout proximity", func(c *Candidate) { c.DailyVelocity = 15 }, FactorNearStockout},
	}
	before := Score(base(), p)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := base()
			tc.change(&c)
			after := Score(c, p)
			if after.Score <= before.Score {
				t.Errorf("score %v, want more than the base's %v", after.Score, before.Score)
			}
			if after.Score != after.ExpectedWrong*after.Impact || math.Abs(after.PWrong+math.Expm1(-after.ExpectedWrong)) > 1e-12 {
				t.Errorf("score %v != expected wrong %v x impact %v (P(wrong) %v)", after.Score, after.ExpectedWrong, after.Impact, after.PWrong)
			}
			if !hasFactor(after.Factors, tc.factor) {
				t.Errorf("factors %v do not name kind %d", after.Factors, tc.factor)
			}
		})
	}
}

// TestScoreRanksLikelyWrongBinsByExpectedUnits: once two bins are both
// almost surely wrong, the one touched more still scores higher (the
// expected wrong units grow; a probability would have saturated at 1), and
// a fast mover's nearly empty bin outranks the same bin well stocked.
func TestScoreRanksLikelyWrongBinsByExpectedUnits(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	busy, busier := base(), base()
	busy.Touches, busier.Touches = 300, 900
	a, b := Score(busy, p), Score(busier, p)
	if a.PWrong < 0.98 || b.Score <= 1.5*a.Score {
		t.Errorf("900 touches score %v, 300 touches %v (P(wrong) %v): want the busier bin well ahead", b.Score, a.Score, a.PWrong)
	}
	low, full := base(), base()
	low.DailyVelocity, full.DailyVelocity = 10, 10
	low.RecordedUnits, full.RecordedUnits = 5, 200
	low.UnitCost, full.UnitCost = 0, 0
	if l, f := Score(low, p), Score(full, p); l.Score <= 2*f.Score || !hasFactor(l.Factors, FactorNearStockout) {
		t.Errorf("half a day of cover scores %v, 20 days %v: want the nearly empty fast mover first", l.Score, f.Score)
	}
}

func hasFactor(fs []Factor, k FactorKind) bool {
	for _, f := range fs {
		if f.Kind == k {
			return true
		}
	}
	return false
}

// TestScoreExplainsInFloorTerms: the factors read as a lead reads them.
func TestScoreExplainsInFloorTerms(t *testing.T) {
	t.Parallel()
	c := base()
	c.Touches, c.Exceptions.ShortPicks, c.UnitCost, c.RecordedUnits, c.DailyVelocity = 41, 3, 240, 2, 5
	c.NeighbourPutaways = 4
	s := Score(c, DefaultPolicy())
	want := map[string]bool{
		"3 short picks in 7 days":                            false,
		"41 touches since last count":                        false,
		"unit cost $240.00, 2 units ($480.00)":               false,
		"near stockout: 2 units, 5/day":                      false,
		"4 putaways into neighbouring bins since last count": false,
	}
	for _, f := range s.Factors {
		if _, ok := want[f.String()]; ok {
			want[f.String()] = true
		}
	}
	for text, seen := range want {
		if !seen {
			t.Errorf("no factor reads %q; factors: %v", text, s.Factors)
		}
	}
	if s.Factors[0].Kind != FactorShortPicks {
		t.Errorf("first factor %v, want the short picks (the largest share of the hazard)", s.Factors[0])
	}
}

// TestScoreSmoothsCountErrors: one bad count moves the learned rate a
// little; a record of bad counts moves it a lot; a clean record lowers it.
func TestScoreSmoothsCountErrors(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	at := func(counts, errs int) float64 {
		c := base()
		c.LocationCounts, c.LocationErrors, c.ItemCounts = counts, errs, 0
		return Score(c, p).Score
	}
	none := at(0, 0)
	for _, tc := range []struct {
		name         string
		counts, errs int
		lo, hi       float64 // bounds on score / score with no history
	}{
		{"one bad count", 1, 1, 1.01, 2},
		{"ten bad counts", 10, 10, 3, 10},
		{"ten clean counts", 10, 0, 0, 0.5},
	} {
		if r := at(tc.counts, tc.errs) / none; r < tc.lo || r > tc.hi {
			t.Errorf("%s: score x%.2f of no history, want between %.2f and %.2f", tc.name, r, tc.lo, tc.hi)
		}
	}
}

// TestScoreNeverPanicsOnOddFacts: negative or zero facts from a bad row
// give a finite, non-negative score.
func TestScoreNeverPanicsOnOddFacts(t *testing.T) {
	t.Parallel()
	for _, c := range []Candidate{
		{},
		{RecordedUnits: -5, UnitCost: -1, DailyVelocity: -2, Touches: -3, DaysSinceCount: -1, LocationErrors: -1, ItemCounts: -4, NeighbourPutaways: -2},
		{RecordedUnits: 0, DailyVelocity: 3},
		{DaysSinceCount: math.NaN(), UnitCost: math.Inf(1), RecordedUnits: 3},
	} {
		for _, p := range []Policy{DefaultPolicy(), {}} {
			s := Score(c, p)
			if !(s.Score >= 0) || math.IsInf(s.Score, 0) {
				t.Errorf("Score(%+v) = %+v, want a finite non-negative score", c, s)
			}
		}
	}
}

// TestFactorWordsOneRight: a factor of one reads in the singular.
func TestFactorWordsOneRight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    Factor
		want string
	}{
		{Factor{Kind: FactorTouches, Count: 1}, "1 touch since last count"},
		{Factor{Kind: FactorTouches, Count: 2}, "2 touches since last count"},
		{Factor{Kind: FactorDaysSinceCount, Value: 1}, "1 day since last count"},
		{Factor{Kind: FactorDaysSinceCount, Value: 0.7}, "1 day since last count"},
		{Factor{Kind: FactorDaysSinceCount, Value: 40}, "40 days since last count"},
		{Factor{Kind: FactorDaysSinceCount, Value: 0.2, never: true}, "never counted (stocked today)"},
		{Factor{Kind: FactorDaysSinceCount, Value: 40, never: true}, "never counted (stocked 40 days ago)"},
		{Factor{Kind: FactorNeighbourPutaways, Count: 1}, "1 putaway into neighbouring bins since last count"},
		{Factor{Kind: FactorNeighbourVariances, Count: 1, Rate: 3, Value: 1.2, Where: "A-01-02", What: "SKU-0042"}, "neighbour A-01-02 found +3 of SKU-0042 yesterday"},
		{Factor{Kind: FactorNeighbourVariances, Count: 3, Rate: -2, Value: 4}, "a neighbouring bin found -2 units 4 days ago (2 more differences next door since last count)"},
		{Factor{Kind: FactorValue, Rate: 2, Count: 1, Value: 2}, "unit cost $2.00, 1 unit ($2.00)"},
		{Factor{Kind: FactorNearStockout, Count: 1, Rate: 5}, "near stockout: 1 unit, 5/day"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("%+v reads %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestPlanPrefersPastErrors: of two locations alike in every fact but
// their count history, the one whose past counts found errors is planned
// first, and the one with a clean record last.
func TestPlanPrefersPastErrors(t *testing.T) {
	t.Parallel()
	clean, none, erring := at(1, 5), at(2, 5), at(3, 5)
	clean.LocationCounts, clean.LocationErrors = 3, 0
	none.LocationCounts, none.LocationErrors = 0, 0
	erring.LocationCounts, erring.LocationErrors = 3, 2
	for _, c := range []*Candidate{&clean, &none, &erring} {
		c.ItemID, c.ItemCounts, c.ItemErrors = 7, 0, 0 // the same item history
	}
	got := locations(Plan([]Candidate{clean, none, erring}, Capacity{Counts: 3}, DefaultPolicy(), day))
	if diff := cmp.Diff([]int64{3, 2, 1}, got); diff != "" {
		t.Errorf("plan order (-want +got):\n%s", diff)
	}
}

// TestPlanFollowsNeighbourVariances: of three locations alike in every
// fact, the one whose neighbour's count found a difference of its own item
// is planned first, then the one next to a difference of another item, and
// the one with quiet neighbours last.
func TestPlanFollowsNeighbourVariances(t *testing.T) {
	t.Parallel()
	quiet, other, same := at(1, 5), at(2, 5), at(3, 5)
	other.NeighbourVariances = 1
	same.NeighbourVariances, same.NeighbourItemVariances = 1, 1
	got := locations(Plan([]Candidate{quiet, other, same}, Capacity{Counts: 3}, DefaultPolicy(), day))
	if diff := cmp.Diff([]int64{3, 2, 1}, got); diff != "" {
		t.Errorf("plan order (-want +got):\n%s", diff)
	}
}

// TestLearnerLearnsWhichExposureGoesWrong: on a floor where records go
// wrong with units put away and not with touches, the learned scales raise
// the putaway-unit hazard and lower the touch hazard; with no counts, or
// learning off, every scale is 1.
func TestLearnerLearnsWhichExposureGoesWrong(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	var l Learner
	if got := l.Scales(&p); got != [LearnKinds]float64{1, 1, 1, 1} {
		t.Fatalf("scales with no counts = %v, want all 1", got)
	}
	// Half the counts saw a large putaway and found the record wrong; the
	// other half saw many touches and found it right.
	for i := range 400 {
		c := base()
		wrong := i%2 == 0
		if wrong {
			c.Touches, c.PutawayUnits = 2, 600
		} else {
			c.Touches, c.PutawayUnits = 60, 0
		}
		l.Observe(&c, &p, wrong)
	}
	s := l.Scales(&p)
	if s[LearnPutawayUnits] <= 2 || s[LearnTouches] >= 0.5 {
		t.Errorf("scales %v: want putaway units well above 1 and touches well below", s)
	}
	if counts, wrong := l.Counts(); counts != 400 || wrong != 200 {
		t.Errorf("Counts() = %d, %d, want 400, 200", counts, wrong)
	}
	learned := l.Apply(p)
	if learned.PutawayUnitHazard <= p.PutawayUnitHazard || learned.TouchHazard >= p.TouchHazard {
		t.Errorf("Apply: putaway unit hazard %v (was %v), touch hazard %v (was %v)", learned.PutawayUnitHazard, p.PutawayUnitHazard,
			learned.TouchHazard, p.TouchHazard)
	}
	heavy, touched := base(), base()
	heavy.Touches, heavy.PutawayUnits = 2, 600
	touched.Touches = 60
	if a, b := Score(heavy, learned).Score, Score(touched, learned).Score; a <= b {
		t.Errorf("under the learned policy the putaway bin scores %v, the touched bin %v: want the putaway bin first", a, b)
	}
	off := p
	off.LearnPrior = 0
	if got := l.Scales(&off); got != [LearnKinds]float64{1, 1, 1, 1} {
		t.Errorf("scales with learning off = %v, want all 1", got)
	}
}

// TestLearnerPriorHoldsFewCounts: a handful of counts moves a scale only
// part of the way.
func TestLearnerPriorHoldsFewCounts(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	var l Learner
	for range 3 {
		c := base()
		c.Touches = 60
		l.Observe(&c, &p, false)
	}
	if s := l.Scales(&p)[LearnTouches]; s < 0.8 || s >= 1 {
		t.Errorf("touch scale after three clean counts = %v, want a little under 1", s)
	}
}

// TestScoreWeighsTouchesNearStockout: the same touches weigh more in the
// hazard of a bin with a day of cover left than in one with a month's,
// by StockoutTouchWeight.
func TestScoreWeighsTouchesNearStockout(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	near, far := base(), base()
	near.Touches, far.Touches = 30, 30
	near.RecordedUnits, far.RecordedUnits = 1, 30
	off := p
	off.StockoutTouchWeight = 0
	gain := func(c Candidate) float64 { return Score(c, p).ExpectedWrong / Score(c, off).ExpectedWrong }
	if g, f := gain(near), gain(far); g <= f || g < 2 || f > 1.01 {
		t.Errorf("hazard gain from StockoutTouchWeight: near stockout %v, a month's cover %v", g, f)
	}
}
