package inventory_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/scan"
)

// TestImportWritesOnlyItsColumns: re-importing items with fewer columns
// keeps what the file leaves out, and a file that drops a GTIN of an item
// with stock, or spells a stored SKU differently, is refused row by row.
func TestImportWritesOnlyItsColumns(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db) // X1 has GTIN 04006381333931
	ctx := context.Background()
	mustImport(t, "items", "sku,description,unit_cost_cents,gtins\nX1,Mug,350,4006381333931;14006381333938:12\n",
		func(ctx context.Context, r *strings.Reader) (inventory.ImportReport, error) {
			return inventoryapi.ImportItems(ctx, db, r, nil)
		})
	if _, err := svc.AdjustStock(ctx, "x1-stock", inventory.AdjustInput{LocationCode: "A-01-01-B", SKU: "X1", Delta: 132, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, "classes", "sku,abc_class\nX1,A\n",
		func(ctx context.Context, r *strings.Reader) (inventory.ImportReport, error) {
			return inventoryapi.ImportItems(ctx, db, r, nil)
		})
	it, err := svc.GetItem(ctx, "X1")
	if err != nil || it.Description != "Mug" || it.UnitCostCents != 350 || it.ABCClass != "A" || len(it.GTINs) != 2 {
		t.Fatalf("X1 after an abc_class-only import = %+v, %v", it, err)
	}
	rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader("sku,gtins\nX1,\nx1,4006381333931;14006381333938:12\nX3,\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Line, floorops.ErrorCode(e.Err)))
	}
	if want := "[2 failed_precondition 3 failed_precondition]"; fmt.Sprint(got) != want || rep.Imported != 1 {
		t.Fatalf("import = %+v: rejected %v, want %s and 1 imported", rep, got, want)
	}
	if it, _ := svc.GetItem(ctx, "X1"); len(it.GTINs) != 2 {
		t.Fatalf("X1 GTINs after the refused rows = %+v", it.GTINs)
	}
}

// TestImportLocationsScanAndKeepStockMeaning: the locations CSV refuses
// codes the scanner reads as something else, and retyping or rezoning a
// stocked location, row by row.
func TestImportLocationsScanAndKeepStockMeaning(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	seedLedger(t, db)
	ctx := context.Background()
	if _, err := svc.AdjustStock(ctx, "b-stock", inventory.AdjustInput{LocationCode: "A-01-01-B", SKU: "X1", Delta: 5, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	csv := "code,zone,type,capacity\n" +
		"42,A,storage,0\n" + // line 2: a check code
		"PO-01,A,storage,0\n" + // line 3: a PO number
		"A-01-01-B,A,ship,0\n" + // line 4: stocked storage to ship lane
		"A-01-01-B,B,storage,0\n" + // line 5: stocked, other zone
		"A-01-01-B,A,storage,4\n" + // line 6: capacity below its 5 units
		"A-01-01-B,A,pickface,0\n" + // line 7: storage to pick face keeps its meaning
		"A-01-02-A,A,quarantine,0\n" + // line 8: empty, may change
		"A-09-01-A,A,storage,99999999999\n" // line 9: capacity beyond any location
	rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader(csv), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Line, floorops.ErrorCode(e.Err)))
	}
	want := "[2 invalid 3 invalid 4 failed_precondition 5 failed_precondition 6 failed_precondition 9 invalid]"
	if fmt.Sprint(got) != want || rep.Imported != 2 {
		t.Fatalf("import = %+v: rejected %v, want %s and 2 imported", rep, got, want)
	}
	if l, _ := svc.GetLocation(ctx, "A-01-01-B"); l.Type != inventory.LocPickFace || l.Zone != "A" || l.Capacity != 0 {
		t.Fatalf("A-01-01-B = %+v", l)
	}
}

// TestSKUSpellingIsExplicit: a new SKU is stored upper-case; an update
// must spell an existing SKU as stored, so two SKUs a client thinks
// different are never merged by case-folding.
func TestSKUSpellingIsExplicit(t *testing.T) {
	t.Parallel()
	svc, _ := mustService(t)
	ctx := context.Background()
	it, err := svc.UpsertItem(ctx, "new", inventory.Item{SKU: "qa-widget", Description: "QA widget"}, inventory.ItemUpdate{})
	if err != nil || it.SKU != "QA-WIDGET" {
		t.Fatalf("new qa-widget = %+v, %v", it, err)
	}
	for _, tt := range []struct {
		sku  string
		code floorops.Code
	}{{"qa-widget", floorops.EPRECONDITION}, {"Qa-Widget", floorops.EPRECONDITION}, {" QA-WIDGET ", ""}} {
		_, err := svc.UpsertItem(ctx, "update-"+tt.sku, inventory.Item{SKU: tt.sku, Description: "x"}, inventory.ItemUpdate{Fields: []string{"description"}})
		if got := floorops.ErrorCode(err); got != tt.code {
			t.Errorf("update as %q: %v, want %q", tt.sku, err, tt.code)
		}
	}
}

// TestUpdateFieldsRefusesUnknownPaths: a typo in a mask is an error, not
// an update that writes nothing.
func TestUpdateFieldsRefusesUnknownPaths(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		paths []string
		ok    bool
		has   bool // whether "zone" is written
	}{{nil, true, true}, {[]string{}, true, false}, {[]string{"zone"}, true, true}, {[]string{"blocked"}, true, false}, {[]string{"zones"}, false, false}} {
		f, err := inventory.UpdateFields(tt.paths, inventory.LocationFields)
		if (err == nil) != tt.ok || (err == nil && f.Has("zone") != tt.has) {
			t.Errorf("UpdateFields(%q) = %v, %v", tt.paths, f, err)
		}
		if err != nil && !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("UpdateFields(%q): %v, want invalid", tt.paths, err)
		}
	}
}

// A description is free text as typed: white space around it is trimmed,
// as every other typed value is, so it does not pad pick lists.
func TestItemDescriptionIsTrimmed(t *testing.T) {
	t.Parallel()
	svc, _ := mustService(t)
	ctx := context.Background()
	it, err := svc.UpsertItem(ctx, "trim", inventory.Item{SKU: "TRIM-1", Description: "  spaced  "}, inventory.ItemUpdate{})
	if err != nil {
		t.Fatal(err)
	}
	if it.Description != "spaced" {
		t.Errorf("description = %q, want %q", it.Description, "spaced")
	}
}
