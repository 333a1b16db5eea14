package inventoryapi_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/scan"
)

func TestImportRejectsBadRowsWhole(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	ctx := context.Background()
	csv := "sku,description,unit_cost_cents,gtins,abc_class\n" +
		"GOOD-1,Mug,350,4006381333931;14006381333938:12,A\n" + // line 2
		"BAD-1,Cup,-5,,B\n" + // line 3: negative cost
		"BAD-2,Plate,100,4006381333932,C\n" + // line 4: GTIN check digit
		"BAD-3,Bowl,100,4006381333931,C\n" + // line 5: GTIN already on GOOD-1
		",No sku,100,,C\n" + // line 6
		"GOOD-2,\"Spoon, steel\",25,,\n" + // line 7
		"BAD-4,Fork,ten,,\n" // line 8
	rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader(csv), nil)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, e := range rep.Errors {
		lines = append(lines, e.Line)
		if c := floorops.ErrorCode(e.Err); c != floorops.EINVALID && c != floorops.ECONFLICT {
			t.Errorf("line %d: kind %s (%v), want invalid or conflict", e.Line, c, e.Err)
		}
	}
	if fmt.Sprint(lines) != "[3 4 5 6 8]" || rep.Imported != 2 || rep.Rows != 7 {
		t.Fatalf("report = %+v, rejected lines %v; want lines [3 4 5 6 8], 2 of 7 imported", rep, lines)
	}
	var items, gtins int
	db.Reader().QueryRow(`SELECT COUNT(*) FROM items`).Scan(&items)
	db.Reader().QueryRow(`SELECT COUNT(*) FROM item_gtins`).Scan(&gtins)
	if items != 2 || gtins != 2 {
		t.Fatalf("stored %d items and %d GTINs, want 2 and 2 (nothing from bad rows)", items, gtins)
	}
	it, err := svc.GetItem(ctx, "good-1")
	if err != nil || it.ABCClass != "A" || len(it.GTINs) != 2 || it.GTINs[1].PackQty != 12 {
		t.Fatalf("GOOD-1 = %+v, %v", it, err)
	}
}

// TestImportCategory: a file with a category column sets it; a later file
// without the column keeps it, and one with the column empty clears it.
func TestImportCategory(t *testing.T) {
	t.Parallel()
	svc, db := mustService(t)
	ctx := context.Background()
	for _, step := range []struct{ csv, want string }{
		{"sku,category\nCAT-1,apparel\n", "apparel"},
		{"sku,description\nCAT-1,Shirt\n", "apparel"},
		{"sku,category\nCAT-1,\n", ""},
	} {
		rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader(step.csv), nil)
		if err != nil || rep.Imported != 1 {
			t.Fatalf("import %q: %+v, %v", step.csv, rep, err)
		}
		if it, err := svc.GetItem(ctx, "CAT-1"); err != nil || it.Category != step.want {
			t.Fatalf("after %q: category %q (%v), want %q", step.csv, it.Category, err, step.want)
		}
	}
	rep, err := inventoryapi.ImportItems(ctx, db, strings.NewReader("sku,category\nCAT-2,*\n"), nil)
	if err != nil || len(rep.Errors) != 1 || !floorops.IsCode(rep.Errors[0].Err, floorops.EINVALID) {
		t.Fatalf("category * (the rules' wildcard): %+v, %v", rep, err)
	}
}

func TestImportHeaderErrors(t *testing.T) {
	t.Parallel()
	_, db := mustService(t)
	for _, csv := range []string{"", "code,zone\nA,B\n", "code,zone,type,colour\n", "code,code,zone,type\n"} {
		if _, err := inventoryapi.ImportLocations(context.Background(), db, scan.Default(), strings.NewReader(csv), nil); !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("header %q: err = %v, want invalid", csv, err)
		}
	}
}

// BenchmarkImport imports 100,000 items and 200,000 locations into a fresh
// node per iteration: the target is under 15 s on 2 cores.
func BenchmarkImport(b *testing.B) {
	var items, locs bytes.Buffer
	items.WriteString("sku,description,unit_cost_cents,abc_class,lot_tracked,expiry_tracked,gtins\n")
	for i := 0; i < 100_000; i++ {
		fmt.Fprintf(&items, "SKU-%06d,Item number %d,%d,%c,%t,%t,%s\n", i, i, 100+i%5000, "ABC"[i%3], i%7 == 0, i%7 == 0, gtin13(i))
	}
	locs.WriteString("code,zone,type,walk_sequence,capacity,blocked\n")
	for i := 0; i < 200_000; i++ {
		fmt.Fprintf(&locs, "%c-%02d-%03d-%c,%c,%s,%d,%d,false\n", 'A'+rune(i/40000), i/1000%40, i%1000/4, 'A'+rune(i%4), 'A'+rune(i/40000),
			[]string{"pickface", "storage", "storage", "storage"}[i%4], i, 100+i%400)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		_, db := mustService(b)
		b.StartTimer()
		ri, err := inventoryapi.ImportItems(context.Background(), db, bytes.NewReader(items.Bytes()), nil)
		if err != nil || ri.Imported != 100_000 {
			b.Fatalf("items: %v %+v", err, ri.Errors[:min(3, len(ri.Errors))])
		}
		rl, err := inventoryapi.ImportLocations(context.Background(), db, scan.Default(), bytes.NewReader(locs.Bytes()), nil)
		if err != nil || rl.Imported != 200_000 {
			b.Fatalf("locations: %v %+v", err, rl.Errors[:min(3, len(rl.Errors))])
		}
	}
	b.ReportMetric(float64(300_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// gtin13 makes a valid GTIN-13 from n.
func gtin13(n int) string {
	body := fmt.Sprintf("400%09d", n)
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		w := 1
		if (len(body)-1-i)%2 == 0 {
			w = 3
		}
		sum += int(body[i]-'0') * w
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

func TestImportMalformedQuoteIsARowError(t *testing.T) {
	t.Parallel()
	_, db := mustService(t)
	rep, err := inventoryapi.ImportItems(context.Background(), db, strings.NewReader("sku,description\nA\"B,x\nGOOD,ok\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Line != 2 || rep.Imported != 1 {
		t.Fatalf("report = %+v", rep)
	}
}
