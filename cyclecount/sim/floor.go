package sim

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/floorops/floorops/cyclecount"
)

// The simulated floor: bins, their records and shelves, and the day's
// receipts, putaways, picks, returns and shrink.

// slot is one SKU's position in a bin: what the record says and what is
// really on the shelf.
type slot struct {
	sku       int32
	rec, phys int32
	// quar is units of rec quarantined by a short pick: on the record,
	// not for sale, until a count resolves them.
	quar int32
	home bool
}

// bin is a location's state. Only rec, touches, counts and the
// exceptions are visible to a policy; phys and prone are not.
type bin struct {
	slots      []slot
	touches    int32
	neighbours int32 // putaways into the bins either side since the last count
	// putUnits and nbUnits are the units put away into this bin and into
	// the bins either side since the last count.
	putUnits, nbUnits int32
	// nvars are the count differences found in the bins either side since
	// this bin's last count: what a floor learns from its neighbours' counts.
	nvars       []nvar
	lastCount   int32
	counts      int32
	errs        int32
	shortPicks  [cyclecount.ExceptionWindowDays]uint8 // since the last count
	triggered   bool
	justEmptied bool
	prone       bool
}

// nvar is one count difference found next door: of which SKU, counted
// minus record, on which day.
type nvar struct {
	sku, diff, day int32
}

type inbound struct {
	day int
	sku int32
	qty int32
}

type node struct {
	cfg       Config
	bins      []bin
	skuBins   [][]int32 // bins a SKU is recorded in (homes, then found stock)
	cum       []float64 // cumulative demand share by SKU
	demand    []float64 // true units per day by SKU
	cost      []float64
	vel       []float64 // observed units picked per day (EWMA)
	class     []cyclecount.Class
	itemCount []int32
	itemErrs  []int32
	ordered   []bool
	arrivals  []inbound
	returns   []inbound
	lines     int
	res       Result
	// learn, when set, is fed every full count (the risk policy's
	// Learner).
	learn *cyclecount.Learner
}

const (
	zipfExponent  = 1.0
	coverDays     = 10
	orderCover    = 14
	leadDays      = 3
	returnShare   = 0.03
	returnDelay   = 2
	velocityAlpha = 0.1
	maxInterval   = 180
)

func newNode(cfg Config) *node {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	n := &node{cfg: cfg, lines: max(cfg.Locations/2, 1)}
	k := cfg.SKUs
	n.cum = make([]float64, k)
	n.demand = make([]float64, k)
	n.cost = make([]float64, k)
	n.vel = make([]float64, k)
	n.class = make([]cyclecount.Class, k)
	n.itemCount = make([]int32, k)
	n.itemErrs = make([]int32, k)
	n.ordered = make([]bool, k)
	n.skuBins = make([][]int32, k)
	total := 0.0
	for i := range k {
		total += math.Pow(float64(i+1), -zipfExponent)
		n.cum[i] = total
	}
	const meanQty = 1.9375 // 1 + geometric(1/2) capped at 5 (see pick)
	for i := range k {
		w := math.Pow(float64(i+1), -zipfExponent) / total
		n.cum[i] /= total
		n.demand[i] = w * float64(n.lines) * meanQty
		n.vel[i] = n.demand[i]
		n.cost[i] = math.Round(math.Exp(2.3+1.1*rng.NormFloat64())*100) / 100
	}
	// Every SKU has a bin; the rest go to SKUs by the square root of demand.
	owner := make([]int32, 0, cfg.Locations)
	for i := range k {
		owner = append(owner, int32(i))
	}
	sq := make([]float64, k)
	s := 0.0
	for i := range k {
		s += math.Sqrt(n.demand[i])
		sq[i] = s
	}
	for len(owner) < cfg.Locations {
		owner = append(owner, int32(sort.SearchFloat64s(sq, rng.Float64()*s)))
	}
	rng.Shuffle(len(owner), func(i, j int) { owner[i], owner[j] = owner[j], owner[i] })
	n.bins = make([]bin, cfg.Locations)
	for b, sku := range owner {
		n.skuBins[sku] = append(n.skuBins[sku], int32(b))
	}
	for b, sku := range owner {
		per := n.demand[sku] * coverDays / float64(len(n.skuBins[sku]))
		q := int32(math.Ceil(per)) + int32(rng.IntN(3))
		n.bins[b] = bin{
			slots:     []slot{{sku: sku, rec: q, phys: q, home: true}},
			lastCount: -int32(rng.IntN(maxInterval)),
			prone:     rng.Float64() < cfg.ErrorProneShare,
		}
	}
	n.classify()
	return n
}

// mult is a bin's hidden error multiplier.
func (n *node) mult(b int) float64 {
	if n.bins[b].prone {
		return n.cfg.ErrorProneFactor
	}
	return 1
}

// candidates is what the policies may see each morning.
func (n *node) candidates(d int, out []cyclecount.Candidate) []cyclecount.Candidate {
	for b := range n.bins {
		bn := &n.bins[b]
		c := n.locFacts(b, d)
		any := false
		for _, s := range bn.slots {
			if s.rec == 0 && !s.home {
				continue // stock the record does not know of is invisible
			}
			any = true
			c.ItemID = int64(s.sku + 1)
			c.Class = n.class[s.sku]
			c.RecordedUnits = int(s.rec)
			c.UnitCost = n.cost[s.sku]
			c.DailyVelocity = n.vel[s.sku]
			c.ItemCounts = int(n.itemCount[s.sku])
			c.ItemErrors = int(n.itemErrs[s.sku])
			c.NeighbourItemVariances, c.NeighbourVariance = bn.neighbourVariances(s.sku, d)
			out = append(out, c)
		}
		if !any {
			c.NeighbourItemVariances, c.NeighbourVariance = bn.neighbourVariances(-1, d)
			out = append(out, c)
		}
	}
	return out
}

// locFacts are bin b's location-level facts on day d (no item's): what
// every candidate of the bin shares, and what a Learner is fed when the
// bin is counted.
func (n *node) locFacts(b, d int) cyclecount.Candidate {
	bn := &n.bins[b]
	shorts := 0
	for _, s := range bn.shortPicks {
		shorts += int(s)
	}
	c := cyclecount.Candidate{
		LocationID:     int64(b + 1),
		Touches:        int(bn.touches),
		DaysSinceCount: float64(int32(d) - bn.lastCount),
		LocationCounts: int(bn.counts),
		LocationErrors: int(bn.errs),
		Exceptions:     cyclecount.Exceptions{ShortPicks: shorts},
		JustEmptied:    bn.justEmptied,

		NeighbourPutaways:     int(bn.neighbours),
		PutawayUnits:          int(bn.putUnits),
		NeighbourPutawayUnits: int(bn.nbUnits),
		NeighbourVariances:    len(bn.nvars),
	}
	for _, v := range bn.nvars {
		if v.diff < 0 {
			c.NeighbourShortages++
		}
	}
	if bn.triggered {
		c.Trigger = cyclecount.TriggerShortPick
	}
	return c
}

// neighbourVariances is how many of the differences found next door were
// of sku, and the most telling one (sku's first, then the newest).
func (bn *bin) neighbourVariances(sku int32, d int) (int, cyclecount.NeighbourVariance) {
	same, best, bestSame := 0, -1, false
	for i, v := range bn.nvars {
		s := v.sku == sku
		if s {
			same++
		}
		if best < 0 || (s && !bestSame) || (s == bestSame && v.day >= bn.nvars[best].day) {
			best, bestSame = i, s
		}
	}
	if best < 0 {
		return 0, cyclecount.NeighbourVariance{}
	}
	v := bn.nvars[best]
	return same, cyclecount.NeighbourVariance{Units: int(v.diff), DaysAgo: float64(int32(d) - v.day)}
}

// Bins b and b+1 are neighbours: the same aisle, the next bay.

// count reveals the shelf at bin b and corrects its records. A zero check
// (zero true) is tallied apart from full counts: its finds go to
// ZeroCheckDiscrepanciesFound, never to DiscrepanciesFound.
func (n *node) count(b, d int, zero bool) {
	bn := &n.bins[b]
	if n.learn != nil && !zero {
		c := n.locFacts(b, d)
		if len(bn.slots) > 0 {
			c.NeighbourItemVariances, _ = bn.neighbourVariances(bn.slots[0].sku, d)
		}
		n.learn.Observe(&c, &n.cfg.Policy, n.wrongAt(b) > 0)
	}
	wrong := false
	found := &n.res.DiscrepanciesFound
	if zero {
		found = &n.res.ZeroCheckDiscrepanciesFound
	}
	kept := bn.slots[:0]
	for _, s := range bn.slots {
		if s.rec != s.phys {
			wrong = true
			*found++
			// The floor hears of the difference next door (both sides: a
			// count does not say which way a unit went).
			for _, nb := range [2]int{(b + len(n.bins) - 1) % len(n.bins), (b + 1) % len(n.bins)} {
				if nb != b {
					n.bins[nb].nvars = append(n.bins[nb].nvars, nvar{sku: s.sku, diff: s.phys - s.rec, day: int32(d)})
				}
			}
			n.itemErrs[s.sku]++
			if s.rec > 0 && s.phys == 0 {
				n.res.HiddenStockoutsFound++
			}
		}
		n.itemCount[s.sku]++
		if !s.home && s.rec == 0 && s.phys > 0 && !n.recordedIn(s.sku, b) {
			n.skuBins[s.sku] = append(n.skuBins[s.sku], int32(b))
		}
		s.rec, s.quar = s.phys, 0
		if s.home || s.phys > 0 {
			kept = append(kept, s)
		} else {
			n.dropBin(s.sku, b)
		}
	}
	bn.slots = kept
	bn.counts++
	if wrong {
		bn.errs++
	}
	bn.touches, bn.neighbours, bn.lastCount = 0, 0, int32(d)
	bn.putUnits, bn.nbUnits = 0, 0
	bn.nvars = bn.nvars[:0]
	bn.triggered, bn.justEmptied = false, false
	bn.shortPicks = [cyclecount.ExceptionWindowDays]uint8{}
	if zero {
		n.res.ZeroChecksPerformed++
	} else {
		n.res.CountsPerformed++
	}
}

// wrongAt is how many positions a count of bin b would find wrong now,
// without counting it.
func (n *node) wrongAt(b int) int {
	wrong := 0
	for _, s := range n.bins[b].slots {
		if s.rec != s.phys {
			wrong++
		}
	}
	return wrong
}

// sellable is what the record offers for sale at the slot.
func (s *slot) sellable() int32 { return s.rec - s.quar }

func (n *node) recordedIn(sku int32, b int) bool {
	for _, x := range n.skuBins[sku] {
		if int(x) == b {
			return true
		}
	}
	return false
}

func (n *node) dropBin(sku int32, b int) {
	l := n.skuBins[sku]
	for i, x := range l {
		if int(x) == b {
			n.skuBins[sku] = append(l[:i], l[i+1:]...)
			return
		}
	}
}

// slotOf returns sku's slot in bin b, adding an unrecorded one if needed.
func (n *node) slotOf(b int, sku int32) *slot {
	bn := &n.bins[b]
	for i := range bn.slots {
		if bn.slots[i].sku == sku {
			return &bn.slots[i]
		}
	}
	bn.slots = append(bn.slots, slot{sku: sku})
	return &bn.slots[len(bn.slots)-1]
}

// putaway puts qty units of sku away into its emptiest recorded bin.
func (n *node) putaway(sku, qty int32, errs *rand.Rand) {
	bins := n.skuBins[sku]
	best := bins[0]
	for _, b := range bins[1:] {
		if n.slotOf(int(b), sku).rec < n.slotOf(int(best), sku).rec {
			best = b
		}
	}
	b := int(best)
	m := n.mult(b)
	s := n.slotOf(b, sku)
	s.rec += qty
	actual := qty
	if errs.Float64() < n.cfg.TransactionErrorRate*m {
		if errs.IntN(2) == 0 || actual == 0 {
			actual++
		} else {
			actual--
		}
	}
	lost := min(int32(poisson(errs, float64(actual)*n.cfg.MisplaceRate*m)), actual)
	s.phys += actual - lost
	if lost > 0 {
		nb := (b + 1) % len(n.bins)
		n.slotOf(nb, sku).phys += lost
	}
	n.bins[b].touches++
	n.bins[b].justEmptied = false
	// The floor knows where it put stock, not which way a misplaced unit
	// went: both neighbours hear of the putaway.
	n.bins[b].putUnits += qty
	n.bins[(b+len(n.bins)-1)%len(n.bins)].neighbours++
	n.bins[(b+1)%len(n.bins)].neighbours++
	n.bins[(b+len(n.bins)-1)%len(n.bins)].nbUnits += qty
	n.bins[(b+1)%len(n.bins)].nbUnits += qty
}

func (n *node) receive(d int, errs *rand.Rand) {
	keep := n.arrivals[:0]
	for _, a := range n.arrivals {
		if a.day > d {
			keep = append(keep, a)
			continue
		}
		n.putaway(a.sku, a.qty, errs)
		n.ordered[a.sku] = false
	}
	n.arrivals = keep
	keepR := n.returns[:0]
	for _, r := range n.returns {
		if r.day > d {
			keepR = append(keepR, r)
			continue
		}
		n.putaway(r.sku, r.qty, errs)
	}
	n.returns = keepR
}

// pick sends the day's order lines to the bins the record directs them to
// and learns each SKU's velocity from what was ordered.
func (n *node) pick(d int, demand, errs *rand.Rand) {
	todays := make([]float64, len(n.vel))
	for range n.lines {
		sku := int32(sort.SearchFloat64s(n.cum, demand.Float64()))
		if int(sku) >= len(n.cum) {
			sku = int32(len(n.cum) - 1)
		}
		qty := int32(1)
		for qty < 5 && demand.IntN(2) == 0 {
			qty++
		}
		returned := demand.Float64() < returnShare
		n.res.Picks++
		ats := int32(0)
		for _, b := range n.skuBins[sku] {
			ats += n.slotOf(int(b), sku).sellable()
		}
		if ats < qty {
			continue // the node does not offer it: a lost sale nobody sees
		}
		todays[sku] += float64(qty)
		taken := int32(0)
		for need := qty; need > 0; {
			b := n.direct(sku, need)
			s := n.slotOf(b, sku)
			q := min(need, s.sellable())
			need -= q
			taken += n.pickFrom(b, s, q, errs)
		}
		if returned && taken > 0 {
			n.returns = append(n.returns, inbound{day: d + returnDelay, sku: sku, qty: taken})
		}
	}
	for i := range n.vel {
		n.vel[i] = (1-velocityAlpha)*n.vel[i] + velocityAlpha*todays[i]
	}
}

// direct is the bin a pick of need units is sent to: the smallest recorded
// stock that covers it (so bins empty and free up), else the largest.
func (n *node) direct(sku, need int32) int {
	best, bestRec := -1, int32(0)
	cover := false
	for _, b := range n.skuBins[sku] {
		r := n.slotOf(int(b), sku).sellable()
		if r <= 0 {
			continue
		}
		switch {
		case r >= need && (!cover || r < bestRec):
			best, bestRec, cover = int(b), r, true
		case !cover && r > bestRec:
			best, bestRec = int(b), r
		}
	}
	return best
}

// pickFrom picks q recorded units at bin b and returns the units taken.
func (n *node) pickFrom(b int, s *slot, q int32, errs *rand.Rand) int32 {
	bn := &n.bins[b]
	bn.touches++
	want := q
	if errs.Float64() < n.cfg.TransactionErrorRate*n.mult(b) {
		if errs.IntN(2) == 0 {
			want++
		} else {
			want--
		}
	}
	taken := min(want, s.phys)
	if s.phys < q {
		// The picker finds fewer units than the record: a short pick. The
		// record keeps the missing units, quarantined off sale, and the bin
		// asks for a count to resolve them.
		n.res.Oversells++
		bn.shortPicks[0]++
		bn.triggered = true
		s.quar += q - s.phys
		s.rec -= s.phys
		s.phys = 0
		return taken
	}
	s.phys -= taken
	s.rec -= q
	if s.rec == 0 {
		empty := true
		for _, o := range bn.slots {
			if o.rec != 0 {
				empty = false
			}
		}
		bn.justEmptied = bn.justEmptied || empty
	}
	return taken
}

func (n *node) shrink(errs *rand.Rand) {
	for b := range n.bins {
		bn := &n.bins[b]
		m := n.mult(b)
		for i := range bn.slots {
			s := &bn.slots[i]
			if s.phys <= 0 {
				continue
			}
			rate := n.cfg.ShrinkRate * m * n.demand[s.sku] / float64(len(n.homesOf(s.sku)))
			s.phys -= min(int32(poisson(errs, rate)), s.phys)
		}
		// Age the exception window by a day.
		copy(bn.shortPicks[1:], bn.shortPicks[:len(bn.shortPicks)-1])
		bn.shortPicks[0] = 0
	}
}

func (n *node) homesOf(sku int32) []int32 {
	if l := n.skuBins[sku]; len(l) > 0 {
		return l
	}
	return []int32{0}
}

// replenish orders a SKU whose recorded stock fell below its reorder point
// (the record decides: phantom stock delays the order, as it does on a
// real floor).
func (n *node) replenish(d int) {
	for sku := range n.ordered {
		if n.ordered[sku] {
			continue
		}
		rec := int32(0)
		for _, b := range n.skuBins[sku] {
			rec += n.slotOf(int(b), int32(sku)).sellable()
		}
		point := n.vel[sku]*(leadDays+2) + 1
		if float64(rec) < point {
			qty := int32(math.Ceil(math.Max(n.vel[sku], n.demand[sku]) * orderCover))
			n.arrivals = append(n.arrivals, inbound{day: d + leadDays, sku: int32(sku), qty: max(qty, 5)})
			n.ordered[sku] = true
		}
	}
}

// classify recomputes ABC classes from the observed velocity, as the node
// does daily: A covers the first 80% of picked units, B the next 15%, C
// the rest.
func (n *node) classify() {
	idx := make([]int, len(n.vel))
	total := 0.0
	for i := range idx {
		idx[i] = i
		total += n.vel[i]
	}
	sort.Slice(idx, func(a, b int) bool {
		if n.vel[idx[a]] != n.vel[idx[b]] {
			return n.vel[idx[a]] > n.vel[idx[b]]
		}
		return idx[a] < idx[b]
	})
	run := 0.0
	for _, i := range idx {
		switch {
		case run < 0.8*total:
			n.class[i] = cyclecount.ClassA
		case run < 0.95*total:
			n.class[i] = cyclecount.ClassB
		default:
			n.class[i] = cyclecount.ClassC
		}
		run += n.vel[i]
	}
}

// measure adds the day's error unit-days and returns its record accuracy.
func (n *node) measure() float64 {
	ok, total := 0, 0
	for b := range n.bins {
		for _, s := range n.bins[b].slots {
			if s.rec == 0 && s.phys == 0 && !s.home {
				continue
			}
			total++
			d := int64(s.rec - s.phys)
			if d == 0 {
				ok++
			} else {
				n.res.ErrorUnitDays += max(d, -d)
			}
		}
	}
	if total == 0 {
		return 1
	}
	return float64(ok) / float64(total)
}

// poisson draws from a Poisson distribution with mean lambda.
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())), 0)
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
