package returns_test

import (
	"context"
	"slices"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/returns"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

func TestNewServicePanicsWithoutAHook(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewService without hooks did not panic")
		}
	}()
	returns.NewService(nil, nil, returns.Hooks{})
}

func TestWhoMayOverrideToRestockAndSetRules(t *testing.T) {
	for _, c := range []struct {
		role inventory.Role
		may  bool
	}{{inventory.Associate, false}, {inventory.Integration, false}, {inventory.Lead, true}, {inventory.Admin, true}} {
		a := inventory.Actor{Role: c.role}
		if returns.MayOverrideToRestock(a) != c.may || returns.MaySetRules(a) != c.may {
			t.Errorf("%s: may override to restock %t, set rules %t; want %t", c.role, returns.MayOverrideToRestock(a), returns.MaySetRules(a), c.may)
		}
	}
}

func TestDefaultRulesAreWhole(t *testing.T) {
	n := newNode(t)
	rules, err := n.svc.GetRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := returns.CheckRules(rules); err != nil {
		t.Fatalf("the migration's rules: %v", err)
	}
}

func TestRuleTableGapsAndConflictsNameTheCells(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	r := func(c, reason, cat, d string) returns.Rule {
		avail, lt := d == returns.Restock, "quarantine"
		if avail {
			lt = "storage"
		}
		return returns.Rule{Condition: c, Reason: reason, Category: cat, Disposition: d, Available: avail, LocationType: lt}
	}
	whole := []returns.Rule{r("*", "*", "*", returns.Quarantine), r("A", "*", "*", returns.Restock)}
	whole[0].LocationType = "returns"
	for _, c := range []struct {
		name  string
		rules []returns.Rule
		want  []string
	}{
		{"gap", []returns.Rule{r("A", "*", "*", returns.Restock), r("B", "*", "*", returns.Restock), r("C", "*", "*", returns.Refurbish)},
			[]string{"rules[cell D/defective/*]", "rules[cell D/damaged/*]", "rules[cell D/not_as_described/*]", "rules[cell D/unwanted/*]", "rules[cell D/other/*]",
				"rules[cell D/wrong_item/*]", "rules[cell D/missing_parts/*]", "rules[cell D/expired/*]", "rules[cell D/unexpected/*]"}},
		{"tie", append(slices.Clone(whole), r("*", "expired", "*", returns.Dispose)), []string{"rules[cell A/expired/*]"}},
		{"duplicate", append(slices.Clone(whole), r("A", "*", "*", returns.Refurbish)), []string{"rules[2]"}},
		{"restock not available", []returns.Rule{whole[0], {Condition: "A", Reason: "*", Category: "*", Disposition: returns.Restock, LocationType: "storage"}}, []string{"rules[1].available"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := n.svc.SetRules(ctx, "set-"+c.name, returns.RulesInput{Rules: c.rules, Actor: lead})
			wantKind(t, err, floorops.EINVALID)
			if got := fields(err); !slices.Equal(got, c.want) {
				t.Fatalf("fields %v, want %v", got, c.want)
			}
		})
	}
	if got, err := n.svc.GetRules(ctx); err != nil || len(got) != 14 {
		t.Fatalf("a refused table changed the stored one: %d rules, %v", len(got), err)
	}
	_, err := n.svc.SetRules(ctx, "assoc", returns.RulesInput{Rules: whole, Actor: assoc})
	wantKind(t, err, floorops.EPERMISSION)
	got, err := n.svc.SetRules(ctx, "whole", returns.RulesInput{Rules: whole, Actor: lead})
	if err != nil || len(got) != 2 {
		t.Fatalf("a whole table: %v %v", got, err)
	}
}

func TestBadReturnsInput(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	n.mustRMA(t, "RMA-9", 2)
	_, err := n.svc.ReceiveReturn(ctx, "unknown", returns.ReceiveInput{RMANumber: "RMA-NOPE", Raw: "R1", Qty: 1, Actor: assoc})
	wantKind(t, err, floorops.ENOTFOUND)
	// A lot on an item not tracked by lot fails inside the transaction,
	// after the exception for the unexpected return: nothing is written.
	_, err = n.svc.ReceiveReturn(ctx, "bad-lot", returns.ReceiveInput{Raw: "R1", Qty: 1, Lot: "L1", Actor: assoc})
	wantKind(t, err, floorops.EINVALID)
	if c := n.count(t, `SELECT (SELECT COUNT(*) FROM return_units) + (SELECT COUNT(*) FROM exceptions) + (SELECT COUNT(*) FROM movements)`); c != 0 {
		t.Fatalf("a refused receipt left %d rows", c)
	}

	first, err := n.svc.ReceiveReturn(ctx, "r-1", returns.ReceiveInput{RMANumber: "RMA-9", Raw: "R1", Qty: 3, Actor: assoc})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.Exceptions, []string{returns.ExceptionOverAuthorized}) {
		t.Fatalf("3 of 2 authorized (3 shipped) flagged %v", first.Exceptions)
	}
	again, err := n.svc.ReceiveReturn(ctx, "r-1", returns.ReceiveInput{RMANumber: "RMA-9", Raw: "R1", Qty: 3, Actor: assoc})
	if err != nil || again.ID != first.ID || n.count(t, `SELECT COUNT(*) FROM return_units`) != 1 || n.count(t, `SELECT COUNT(*) FROM exceptions`) != 1 {
		t.Fatalf("a retry received again: %v %v", again, err)
	}
	wrong, err := n.svc.ReceiveReturn(ctx, "r-2", returns.ReceiveInput{RMANumber: "RMA-9", Raw: "R2", Qty: 1, Actor: assoc})
	if err != nil || !slices.Equal(wrong.Exceptions, []string{returns.ExceptionWrongItem}) || wrong.Reason != returns.ReasonWrongItem {
		t.Fatalf("another SKU than authorized: %v %v", wrong, err)
	}

	_, err = n.svc.GradeUnit(ctx, "g-0", returns.GradeInput{UnitID: first.ID, Actor: assoc})
	wantKind(t, err, floorops.EINVALID)
	if got := fields(err); !slices.Equal(got, []string{"grade"}) {
		t.Fatalf("grade missing named %v", got)
	}
	_, err = n.svc.Disposition(ctx, "d-0", returns.DispositionInput{UnitID: first.ID, Actor: assoc})
	wantKind(t, err, floorops.EPRECONDITION) // not graded
	_, err = n.svc.GradeUnit(ctx, "g-404", returns.GradeInput{UnitID: 999, Grade: "A", Actor: assoc})
	wantKind(t, err, floorops.ENOTFOUND)

	g, err := n.svc.GradeUnit(ctx, "g-1", returns.GradeInput{UnitID: wrong.ID, Grade: "a", Actor: assoc})
	if err != nil || g.Suggested != returns.Quarantine {
		t.Fatalf("a wrong item graded A: %v %v", g, err)
	}
	_, err = n.svc.Disposition(ctx, "d-1", returns.DispositionInput{UnitID: wrong.ID, Disposition: returns.Restock, OverrideReason: "same thing really", Actor: assoc})
	wantKind(t, err, floorops.EPERMISSION)
	d, err := n.svc.Disposition(ctx, "d-2", returns.DispositionInput{UnitID: wrong.ID, Disposition: returns.Restock, OverrideReason: "same item, new barcode", Actor: lead})
	if err != nil || d.Unit.OverrideBy != lead.Badge || d.PutawayTaskID == 0 || n.restocked != 1 {
		t.Fatalf("a lead's override to restock: %v %v", d, err)
	}
	retry, err := n.svc.Disposition(ctx, "d-2", returns.DispositionInput{UnitID: wrong.ID, Disposition: returns.Restock, OverrideReason: "same item, new barcode", Actor: lead})
	if err != nil || retry.Unit.ID != d.Unit.ID || n.restocked != 1 {
		t.Fatalf("a retried disposition: %v %v (restocked %d)", retry, err, n.restocked)
	}
	_, err = n.svc.Disposition(ctx, "d-3", returns.DispositionInput{UnitID: wrong.ID, Actor: lead})
	wantKind(t, err, floorops.EPRECONDITION) // already dispositioned
}

// TestRulesReadTheItemCategory: a rule for a category beats the rule for
// every category; an item without one gets the general rule.
func TestRulesReadTheItemCategory(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	if _, err := inventory.NewService(n.db, scan.Default()).UpsertItem(ctx, "cat", inventory.Item{SKU: "R2", Category: "fragile"},
		inventory.ItemUpdate{Fields: []string{"category"}}); err != nil {
		t.Fatal(err)
	}
	rules, err := n.svc.GetRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rules = append(rules, returns.Rule{Condition: "B", Reason: returns.ReasonUnexpected, Category: "fragile", Disposition: returns.Liquidate, LocationType: "quarantine"})
	if _, err := n.svc.SetRules(ctx, "fragile", returns.RulesInput{Rules: rules, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	for sku, want := range map[string]string{"R1": returns.Restock, "R2": returns.Liquidate} {
		u, err := n.svc.ReceiveReturn(ctx, "r-"+sku, returns.ReceiveInput{Raw: sku, Qty: 1, Actor: assoc})
		if err != nil {
			t.Fatal(err)
		}
		g, err := n.svc.GradeUnit(ctx, "g-"+sku, returns.GradeInput{UnitID: u.ID, Grade: "B", Actor: assoc})
		if err != nil || g.Suggested != want {
			t.Fatalf("%s graded B: suggested %q (%v), want %s", sku, g.Suggested, err, want)
		}
	}
}

// TestARuleTableWithAGapRefusesTheGrade: a hand-edited table with no rule
// for a cell (SetRules refuses one) makes a grade in that cell
// EPRECONDITION, not a guess and not an internal error.
func TestARuleTableWithAGapRefusesTheGrade(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	if err := n.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM return_rules WHERE condition IN ('B', '*')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	u, err := n.svc.ReceiveReturn(ctx, "r-gap", returns.ReceiveInput{Raw: "R1", Qty: 1, Actor: assoc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.svc.GradeUnit(ctx, "g-gap", returns.GradeInput{UnitID: u.ID, Grade: "B", Actor: assoc})
	wantKind(t, err, floorops.EPRECONDITION)
}
