package server

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// Demo credentials, printed by `floorops serve --demo` and documented in the
// README. They exist only in a database seeded by SeedDemo.
const (
	DemoPIN    = "1234"
	DemoAPIKey = "demo-central-key"
)

// DemoBadges are the demo users' badges and roles.
var DemoBadges = []auth.User{
	{Badge: "B-ADMIN", Name: "Demo Admin", Role: auth.Admin},
	{Badge: "B-LEAD", Name: "Demo Lead", Role: auth.Lead},
	{Badge: "B-ASSOC", Name: "Demo Associate", Role: auth.Associate},
}

// SeedDemo fills an empty node with a small warehouse a newcomer can try:
// docks, staging, three zones of racking with pick faces on the ground
// level (walk sequence and capacity set), 100 items with each and case
// GTINs, opening stock, an open purchase order with an ASN of two pallets
// (see SeedDemoReceiving), the demo users and the demo API key. It does nothing
// if the demo users already exist, so restarting with --demo is safe, and it
// refuses a database that holds anything else: demo credentials never land
// in a real node.
func SeedDemo(ctx context.Context, s *Server) (seeded bool, err error) {
	var demoUsers, rows int
	err = s.DB.Reader().QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM users WHERE badge = 'B-ADMIN'),
		(SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM items) + (SELECT COUNT(*) FROM locations) +
		(SELECT COUNT(*) FROM movements) + (SELECT COUNT(*) FROM api_keys)`).Scan(&demoUsers, &rows)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if demoUsers > 0 {
		return false, nil
	}
	if rows > 0 {
		return false, fmt.Errorf("demo: %s already holds users, items, locations or stock; --demo seeds only an empty database", s.DB.Path())
	}
	if err := seedLocations(ctx, s.DB, s.Inventory.Parser()); err != nil {
		return false, err
	}
	if err := seedItems(ctx, s.DB); err != nil {
		return false, err
	}
	if err := seedStock(ctx, s.DB); err != nil {
		return false, err
	}
	if err := SeedDemoReceiving(ctx, s); err != nil {
		return false, err
	}
	for _, u := range DemoBadges {
		if err := s.Auth.AddUser(ctx, u, DemoPIN); err != nil {
			return false, fmt.Errorf("demo user %s: %w", u.Badge, err)
		}
	}
	if err := s.Auth.AddAPIKey(ctx, "demo-central", DemoAPIKey); err != nil {
		return false, err
	}
	return true, nil
}

func importReportErr(what string, rep inventory.ImportReport, err error) error {
	if err != nil {
		return fmt.Errorf("demo %s: %w", what, err)
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("demo %s: %v", what, rep.Errors[0])
	}
	return nil
}

func seedLocations(ctx context.Context, db *store.DB, p *scan.Parser) error {
	var csv bytes.Buffer
	csv.WriteString("code,zone,type,walk_sequence,capacity\n")
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&csv, "DOCK-%02d,DOCK,dock,0,0\n", i)
		fmt.Fprintf(&csv, "STG-%02d,DOCK,staging,0,0\n", i)
	}
	csv.WriteString("SHIP-01,SHIP,ship,0,0\nSHIP-02,SHIP,ship,0,0\nRET-01,RET,returns,0,0\nQUAR-01,RET,quarantine,0,0\n")
	seq := 0
	for _, zone := range []string{"A", "B", "C"} {
		for aisle := 1; aisle <= 4; aisle++ {
			for i := 1; i <= 10; i++ {
				// Serpentine walk: odd aisles walked up, even aisles down.
				bay := i
				if aisle%2 == 0 {
					bay = 11 - i
				}
				seq += 10
				for _, level := range []string{"A", "B", "C"} {
					typ, capacity := "storage", 480
					if level == "A" {
						typ, capacity = "pickface", 120
					}
					fmt.Fprintf(&csv, "%s-%02d-%02d-%s,%s,%s,%d,%d\n", zone, aisle, bay, level, zone, typ, seq, capacity)
				}
			}
		}
	}
	rep, err := inventoryapi.ImportLocations(ctx, db, p, &csv, nil)
	return importReportErr("locations", rep, err)
}

// demoGTINs returns an item's each GTIN-13 and case GTIN-14 under a demo
// company prefix, with valid check digits.
func demoGTINs(n int) (each, cs string) {
	body := fmt.Sprintf("0614141%05d", n) // 12 digits
	d, _ := scan.GS1CheckDigit(body)
	each = body + string(d)
	caseBody := "1" + body
	d, _ = scan.GS1CheckDigit(caseBody)
	return each, caseBody + string(d)
}

func seedItems(ctx context.Context, db *store.DB) error {
	var csv bytes.Buffer
	csv.WriteString("sku,description,unit_cost_cents,abc_class,lot_tracked,expiry_tracked,gtins\n")
	kinds := []string{"Trail Mix 500g", "Cotton T-Shirt M", "USB-C Cable 1m", "Ceramic Mug", "Vitamin D 60ct", "Notebook A5", "Hand Soap 250ml", "Phone Case", "Green Tea 20ct", "Socks 3-pack"}
	for n := 1; n <= 100; n++ {
		each, cs := demoGTINs(n)
		class := "C"
		switch {
		case n <= 20:
			class = "A"
		case n <= 50:
			class = "B"
		}
		food := n%10 == 0 || n%10 == 4 || n%10 == 8 // snacks, vitamins, tea: lot and expiry
		fmt.Fprintf(&csv, "SKU-%04d,%s #%d,%d,%s,%t,%t,%s;%s:12\n", n, kinds[(n-1)%len(kinds)], n, 199+n*37%4000, class, food, food, each, cs)
	}
	rep, err := inventoryapi.ImportItems(ctx, db, &csv, nil)
	return importReportErr("items", rep, err)
}

// seedStock records opening balances: each item in its own pick face, and
// most also with cases in reserve above it.
func seedStock(ctx context.Context, db *store.DB) error {
	rng := rand.New(rand.NewPCG(7, 11))
	return db.Write(ctx, func(tx *store.Tx) error {
		for n := 1; n <= 100; n++ {
			item, err := inventory.ItemBySKU(ctx, tx, fmt.Sprintf("SKU-%04d", n))
			if err != nil {
				return err
			}
			zone := []string{"A", "B", "C"}[(n-1)/34]
			slot := (n - 1) % 34
			aisle, bay := slot/10+1, slot%10+1
			lot, expiry := "", ""
			if item.LotTracked {
				lot = fmt.Sprintf("L%04d%02d", 2600+n, n%7)
				expiry = tx.Now.AddDate(0, 2+n%9, 0).Format(time.DateOnly)
			}
			for _, p := range []struct {
				level string
				qty   int
			}{{"A", 10 + rng.IntN(90)}, {"B", 12 * rng.IntN(10)}} {
				if p.qty == 0 {
					continue
				}
				loc, err := inventory.LocationByCode(ctx, tx, fmt.Sprintf("%s-%02d-%02d-%s", zone, aisle, bay, p.level))
				if err != nil {
					return err
				}
				if _, err := inventory.Record(ctx, tx, inventory.Move{
					Kind: inventory.KindAdjust, ItemID: item.ID, Lot: lot, Expiry: expiry, To: loc.ID,
					Qty: int64(p.qty), Reason: "opening-balance", Actor: inventory.Actor{Badge: "demo", Device: "seed"},
				}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
