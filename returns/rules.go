package returns

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// Any matches every condition, reason or category in a rule.
const Any = "*"

// Rule maps a graded condition, a reason and an item category to a
// disposition. The most specific rule matching a unit wins (an exact field
// beats Any); a table is whole (every condition x reason has a rule for
// items without a category) and has no ties (two rules equally specific
// for one cell).
type Rule struct {
	Condition    string `json:"condition" validate:"required,oneof=A B C D *"`
	Reason       string `json:"reason" validate:"required,oneof=defective damaged not_as_described unwanted other wrong_item missing_parts expired unexpected *"`
	Category     string `json:"category" validate:"required,max=32,printascii"`
	Disposition  string `json:"disposition" validate:"required,oneof=restock refurbish return_to_vendor liquidate dispose quarantine"`
	Available    bool   `json:"available"`
	LocationType string `json:"location_type" validate:"required,oneof=storage pickface returns quarantine"`
}

// RulesInput is a whole rule table to store.
type RulesInput struct {
	Rules []Rule          `json:"rules" validate:"required,min=1,max=2000,dive"`
	Actor inventory.Actor `json:"actor"`
}

// MaySetRules reports whether a may change the disposition rules: a lead
// or admin, who answers for what goes back on sale.
func MaySetRules(a inventory.Actor) bool {
	return a.Role == inventory.Lead || a.Role == inventory.Admin
}

// target is where a disposition sends units when the associate overrides
// the rules: restocked units are available and go to storage by putaway,
// held units stay at the returns location, the rest go to quarantine.
func target(disposition string) (available bool, locationType string) {
	switch disposition {
	case Restock:
		return true, string(inventory.LocStorage)
	case Quarantine:
		return false, string(inventory.LocReturns)
	}
	return false, string(inventory.LocQuarantine)
}

func (r Rule) cell() string { return r.Condition + "/" + r.Reason + "/" + r.Category }

func (r Rule) specificity() int {
	n := 0
	for _, f := range []string{r.Condition, r.Reason, r.Category} {
		if f != Any {
			n++
		}
	}
	return n
}

func (r Rule) matches(condition, reason, category string) bool {
	if category == "" {
		category = Any
	}
	return (r.Condition == Any || r.Condition == condition) &&
		(r.Reason == Any || r.Reason == reason) &&
		(r.Category == Any || r.Category == category)
}

// pick is the rule for one cell: the most specific match, or ok false
// with the tied rules (none for a gap).
func pick(rules []Rule, condition, reason, category string) (Rule, []Rule, bool) {
	best := -1
	var tied []Rule
	for _, r := range rules {
		if !r.matches(condition, reason, category) {
			continue
		}
		switch s := r.specificity(); {
		case s > best:
			best, tied = s, []Rule{r}
		case s == best:
			tied = append(tied, r)
		}
	}
	if len(tied) == 1 {
		return tied[0], nil, true
	}
	return Rule{}, tied, false
}

// CheckRules refuses a table with a malformed rule, a duplicate, a gap or a
// tie, with one field violation per bad rule or cell
// ("rules[3]", "rules[cell A/expired/apparel]").
func CheckRules(rules []Rule) error {
	var bad []floorops.FieldViolation
	seen := map[string]int{}
	categories := []string{Any}
	for i, r := range rules {
		field := fmt.Sprintf("rules[%d]", i)
		if j, dup := seen[r.cell()]; dup {
			bad = append(bad, floorops.FieldViolation{Field: field, Description: fmt.Sprintf("conflicts with rules[%d]: both are for %s", j, r.cell())})
			continue
		}
		seen[r.cell()] = i
		switch avail, _ := target(r.Disposition); {
		case avail && !r.Available:
			bad = append(bad, floorops.FieldViolation{Field: field + ".available", Description: "must be true: restocked units go back on sale"})
		case !avail && r.Available:
			bad = append(bad, floorops.FieldViolation{Field: field + ".available", Description: fmt.Sprintf("must be false: %s units are not for sale; only restocked units are", r.Disposition)})
		}
		switch {
		case r.Disposition == Restock && r.LocationType != string(inventory.LocStorage) && r.LocationType != string(inventory.LocPickFace):
			bad = append(bad, floorops.FieldViolation{Field: field + ".location_type", Description: "restocked units go to storage or a pick face"})
		case r.Disposition != Restock && r.LocationType != string(inventory.LocReturns) && r.LocationType != string(inventory.LocQuarantine):
			bad = append(bad, floorops.FieldViolation{Field: field + ".location_type", Description: "units not restocked stay at returns or go to quarantine"})
		}
		if r.Category != Any && !slices.Contains(categories, r.Category) {
			categories = append(categories, r.Category)
		}
	}
	if len(bad) > 0 {
		return floorops.InvalidFields(bad...)
	}
	for _, cat := range categories {
		for _, c := range Grades {
			for _, reason := range Reasons {
				_, tied, ok := pick(rules, c, reason, cat)
				if ok {
					continue
				}
				cell := fmt.Sprintf("rules[cell %s/%s/%s]", c, reason, cat)
				if len(tied) == 0 {
					bad = append(bad, floorops.FieldViolation{Field: cell, Description: "no rule covers it"})
					continue
				}
				var names []string
				for _, r := range tied {
					names = append(names, r.cell())
				}
				bad = append(bad, floorops.FieldViolation{Field: cell, Description: "rules tie: " + strings.Join(names, ", ")})
			}
		}
	}
	if len(bad) > 0 {
		return floorops.InvalidFields(bad...)
	}
	return nil
}

// GetRules returns the disposition rule table.
func (s *Service) GetRules(ctx context.Context) ([]Rule, error) {
	return loadRules(ctx, s.db.Reader())
}

func loadRules(ctx context.Context, q inventory.Querier) ([]Rule, error) {
	var rules []Rule
	err := inventory.EachRow(ctx, q, `SELECT condition, reason, category, disposition, available, location_type
		FROM return_rules ORDER BY condition, reason, category`, nil, func(rows *sql.Rows) error {
		var r Rule
		if err := rows.Scan(&r.Condition, &r.Reason, &r.Category, &r.Disposition, &r.Available, &r.LocationType); err != nil {
			return err
		}
		rules = append(rules, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("returns: read rules: %w", err)
	}
	return rules, nil
}

// SetRules replaces the whole rule table (MaySetRules decides who may). A
// table with gaps or conflicts is EINVALID naming each cell; the stored
// table is unchanged.
func (s *Service) SetRules(ctx context.Context, requestID string, in RulesInput) ([]Rule, error) {
	if !MaySetRules(in.Actor) {
		return nil, floorops.Errorf(floorops.EPERMISSION, "only a lead or admin may change the disposition rules")
	}
	for i := range in.Rules {
		in.Rules[i].Category = strings.TrimSpace(in.Rules[i].Category)
	}
	if err := floorops.Validate(in); err != nil {
		return nil, err
	}
	if err := CheckRules(in.Rules); err != nil {
		return nil, err
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "returns.SetRules", Body: in},
		func(tx *store.Tx) ([]Rule, error) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM return_rules`); err != nil {
				return nil, fmt.Errorf("returns: clear rules: %w", err)
			}
			for _, r := range in.Rules {
				if _, err := tx.ExecContext(ctx, `INSERT INTO return_rules (condition, reason, category, disposition, available, location_type)
					VALUES (?, ?, ?, ?, ?, ?)`, r.Condition, r.Reason, r.Category, r.Disposition, r.Available, r.LocationType); err != nil {
					return nil, fmt.Errorf("returns: store rule: %w", err)
				}
			}
			return loadRules(ctx, tx)
		})
}
