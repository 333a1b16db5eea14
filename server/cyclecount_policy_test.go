package server_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/floorops/floorops/cyclecount"
	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/floorops/floorops/store"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
)

// wholePolicy is a policy with every class's tolerance, the rest left out
// (their defaults).
func wholePolicy() *cyclecountv1.Policy {
	tol := &cyclecountv1.Tolerance{Units: 2}
	return &cyclecountv1.Policy{ClassA: tol, ClassB: tol, ClassC: tol}
}

// TestSetPolicyRiskSettings: the risk model's weights, class intervals,
// count minutes and follow-up share read as DefaultPolicy's until an admin
// sets them, read back as set (value in cents, the Policy's in dollars),
// and one left out of a SetPolicy is its default again.
func TestSetPolicyRiskSettings(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	def := cyclecount.DefaultPolicy()
	got, err := e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	p := got.GetPolicy()
	for name, tt := range map[string][2]float64{
		"prior_clean":           {p.GetPriorClean(), def.PriorClean},
		"touch_hazard":          {p.GetTouchHazard(), def.TouchHazard},
		"putaway_unit_hazard":   {p.GetPutawayUnitHazard(), def.PutawayUnitHazard},
		"value_reference_cents": {p.GetValueReferenceCents(), def.ValueRef * 100},
		"stockout_horizon_days": {p.GetStockoutHorizonDays(), def.StockoutHorizonDays},
		"max_interval_days_b":   {p.GetMaxIntervalDaysB(), def.MaxIntervalDays[cyclecount.ClassB]},
		"zero_check_minutes":    {p.GetZeroCheckMinutes(), def.ZeroCheckMinutes},
		"follow_up_max_share":   {p.GetFollowUpMaxShare(), def.FollowUpMaxShare},
	} {
		if tt[0] != tt[1] || p.ProtoReflect().Descriptor().Fields().ByName("touch_hazard") == nil {
			t.Errorf("default %s = %v, want %v", name, tt[0], tt[1])
		}
	}
	pol := wholePolicy()
	pol.TouchHazard, pol.ValueReferenceCents, pol.MaxIntervalDaysB, pol.FollowUpMaxShare, pol.PriorErrors =
		proto.Float64(0.5), proto.Float64(12345), proto.Float64(30), proto.Float64(0), proto.Float64(0)
	set, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "sp-risk", Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	got, err = e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*cyclecountv1.Policy{set.GetPolicy(), got.GetPolicy()} {
		if p.GetTouchHazard() != 0.5 || p.GetValueReferenceCents() != 12345 || p.GetMaxIntervalDaysB() != 30 ||
			p.FollowUpMaxShare == nil || p.GetFollowUpMaxShare() != 0 || p.PriorErrors == nil || p.GetPriorErrors() != 0 ||
			p.GetDayHazard() != def.DayHazard || p.GetMaxIntervalDaysA() != def.MaxIntervalDays[cyclecount.ClassA] ||
			p.GetZeroCheckMaxShare() != def.ZeroCheckMaxShare {
			t.Errorf("after setting: %v", p)
		}
	}
	// A whole policy again, without them: each is its default.
	if _, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "sp-plain", Policy: wholePolicy()}); err != nil {
		t.Fatal(err)
	}
	got, err = e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{})
	if err != nil || got.GetPolicy().GetTouchHazard() != def.TouchHazard || got.GetPolicy().GetMaxIntervalDaysB() != def.MaxIntervalDays[cyclecount.ClassB] {
		t.Fatalf("after a policy without them: %v %v", got, err)
	}
}

// TestSetPolicyRiskSettingsOutOfRange: a setting out of its range, or not
// a number, is InvalidArgument on its field, every bad one named, and the
// policy in force stays as it was.
func TestSetPolicyRiskSettingsOutOfRange(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	pol := wholePolicy()
	pol.PriorClean, pol.TouchHazard, pol.ValueExponent, pol.MaxIntervalDaysA, pol.FollowUpMaxShare =
		proto.Float64(math.NaN()), proto.Float64(-0.1), proto.Float64(3), proto.Float64(0), proto.Float64(1.5)
	pol.ZeroCheckMaxShare = proto.Float64(2)
	_, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "sp-bad", Policy: pol})
	wantCode(t, err, codes.InvalidArgument)
	want := "[policy.zero_check_max_share policy.prior_clean policy.touch_hazard policy.value_exponent policy.max_interval_days_a policy.follow_up_max_share]"
	if v := violations(err); fmt.Sprint(v) != want {
		t.Errorf("violations %v, want %v", v, want)
	}
	got, err := e.cc.GetPolicy(e.lead, &cyclecountv1.GetPolicyRequest{})
	if def := cyclecount.DefaultPolicy(); err != nil || got.GetPolicy().GetTouchHazard() != def.TouchHazard || got.GetPolicy().GetPriorClean() != def.PriorClean {
		t.Fatalf("after a refused policy: %v %v", got, err)
	}
}

// TestStoredRiskSettingsChangeThePlan: PlanCounts plans with the stored
// settings: longer counts fit fewer in the same minutes, and another value
// weight scores the same bins differently.
func TestStoredRiskSettingsChangeThePlan(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	today := time.Now().UTC().Format(time.DateOnly)
	plan := func(id string) []*cyclecountv1.Count {
		t.Helper()
		p, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: id, Date: today, CapacityMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		return p.GetTasks()
	}
	before := plan("plan-default")
	scores := map[string]float64{}
	for _, c := range before {
		scores[c.GetLocationCode()] = c.GetScore()
	}
	pol := wholePolicy()
	pol.MinutesPerLocation, pol.ValueExponent = proto.Float64(14), proto.Float64(2)
	if _, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: "sp-slow", Policy: pol}); err != nil {
		t.Fatal(err)
	}
	after := plan("plan-slow")
	if len(before) < 5 || len(after) != 2 {
		t.Fatalf("30 minutes plan %d counts at 2 minutes a bin and %d at 14, want at least 5 and 2", len(before), len(after))
	}
	changed := 0
	for _, c := range after {
		if s, ok := scores[c.GetLocationCode()]; ok && s != c.GetScore() {
			changed++
		}
	}
	if changed == 0 {
		t.Errorf("value_exponent 2 scored the bins as 0.3 did: %v, %v", before, after)
	}
}

// TestSetPolicyRetryFromBeforeTheCutPoints: a SetPolicy retried with its
// request id is answered as first, and one first answered by a node older
// than the ABC cut points (its stored response has none) answers the
// default cut points, not zero.
func TestSetPolicyRetryFromBeforeTheCutPoints(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	req := &cyclecountv1.SetPolicyRequest{RequestId: "sp-old", Policy: wholePolicy()}
	first, err := e.cc.SetPolicy(e.admin, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.cc.SetPolicy(e.admin, req)
	if err != nil || !proto.Equal(first, again) {
		t.Fatalf("retry answered %v %v, first %v", again, err, first)
	}
	// The response as an older node stored it: tolerances only.
	if err := e.n.srv.DB.Write(context.Background(), func(tx *store.Tx) error {
		res, err := tx.ExecContext(context.Background(), `UPDATE idempotency SET response = json_remove(json_remove(CAST(response AS TEXT), '$.abc'), '$.scheduling')
			WHERE request_id = 'sp-old' AND method = 'SetPolicy'`)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("rewrote %d stored responses (%v)", n, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	old, err := e.cc.SetPolicy(e.admin, req)
	if err != nil {
		t.Fatal(err)
	}
	if p := old.GetPolicy(); p.GetClassASharePercent() != cyclecount.DefaultABC.AShare || p.GetClassBSharePercent() != cyclecount.DefaultABC.BShare ||
		int(p.GetVelocityWindowDays()) != cyclecount.DefaultABC.WindowDays || p.GetClassC().GetUnits() != 2 ||
		p.GetTouchHazard() != cyclecount.DefaultPolicy().TouchHazard {
		t.Fatalf("a retry of a policy stored before the cut points answered %v", p)
	}
}

// TestPlanLearnsFromTheCountsItPlanned: each count a plan makes keeps what
// the plan knew of its bin; when those counts find the record wrong far
// more often than the policy's weights expect, the next plan weighs the
// same exposure more (its scores rise), and with learn_prior 0 it does not
// learn.
func TestPlanLearnsFromTheCountsItPlanned(t *testing.T) {
	t.Parallel()
	e := newCountEnv(t)
	today := time.Now().UTC().Format(time.DateOnly)
	plan, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: "learn-plan", Date: today, CapacityCounts: 12})
	if err != nil {
		t.Fatal(err)
	}
	counted := 0
	for _, task := range plan.GetTasks() {
		if task.GetTaskKind() == "zero-check" {
			continue
		}
		if e.count(t, `SELECT COUNT(*) FROM counts WHERE id = ? AND plan_facts <> ''`, task.GetId()) != 1 {
			t.Fatalf("planned count %d keeps no facts of %s", task.GetId(), task.GetLocationCode())
		}
		bal, err := e.inv.GetBalances(e.lead, &inventoryv1.GetBalancesRequest{LocationCode: task.GetLocationCode()})
		if err != nil || len(bal.GetBalances()) != 1 || bal.GetBalances()[0].GetLot() != "" {
			continue // a bin of one item without lots keeps the count to one line
		}
		b := bal.GetBalances()[0]
		var n int
		fmt.Sscanf(b.GetSku(), "SKU-%d", &n)
		e.start(t, e.assoc, task.GetLocationCode(), task.GetId())
		e.submit(t, e.assoc, task.GetId(), n, b.GetQuantity()+7) // the record was wrong
		counted++
	}
	if counted < 5 {
		t.Fatalf("only %d planned counts to learn from", counted)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	scores := func(learnPrior float64) (sum float64) {
		t.Helper()
		pol := wholePolicy()
		pol.LearnPrior = proto.Float64(learnPrior)
		if _, err := e.cc.SetPolicy(e.admin, &cyclecountv1.SetPolicyRequest{RequestId: e.rid("pol"), Policy: pol}); err != nil {
			t.Fatal(err)
		}
		p, err := e.cc.PlanCounts(e.lead, &cyclecountv1.PlanCountsRequest{RequestId: e.rid("plan"), Date: tomorrow, CapacityCounts: 40})
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range p.GetTasks() {
			if task.GetTaskKind() == "risk" {
				sum += task.GetScore()
			}
		}
		return sum
	}
	fixed, learnt := scores(0), scores(20)
	if !(learnt > fixed*1.05) {
		t.Fatalf("risk scores of tomorrow's plan: %.3f learning from %d counts that all found the record wrong, %.3f without; want higher", learnt, counted, fixed)
	}
}
