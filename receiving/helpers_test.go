package receiving_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// gtins returns item n's each GTIN-13 and case GTIN-14 with check digits.
func gtins(n int) (each, cs string) {
	body := fmt.Sprintf("0614141%05d", n)
	d, _ := scan.GS1CheckDigit(body)
	each = body + string(d)
	d, _ = scan.GS1CheckDigit("1" + body)
	return each, "1" + body + string(d)
}

// sscc builds a valid SSCC from a serial.
func sscc(serial int) string {
	body := fmt.Sprintf("00614141%09d", serial)
	d, _ := scan.GS1CheckDigit(body)
	return body + string(d)
}

// node is a receiving service over a fresh database with docks, staging,
// storage and five items: A1 and A2 (each and case of 12), F3 (lot and
// expiry tracked), U4 (never on a PO) and X5 (no barcode).
type node struct {
	db  *store.DB
	inv *inventory.Service
	svc *receiving.Service
	// onStaged and onUnstaged, when a test sets them, are what the
	// service's hooks to putaway do; unset, the hooks accept everything.
	onStaged, onUnstaged func(ctx context.Context, tx *store.Tx, s inventory.StagedStock) error
}

func newNode(t testing.TB) *node {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := &node{db: db, inv: inventory.NewService(db, scan.Default())}
	n.svc = receiving.NewService(db, scan.Default(), receiving.Hooks{
		Staged: func(ctx context.Context, tx *store.Tx, s inventory.StagedStock) error {
			if n.onStaged == nil {
				return nil
			}
			return n.onStaged(ctx, tx, s)
		},
		Unstaged: func(ctx context.Context, tx *store.Tx, s inventory.StagedStock) error {
			if n.onUnstaged == nil {
				return nil
			}
			return n.onUnstaged(ctx, tx, s)
		},
	})
	ctx := context.Background()
	rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader("code,zone,type\nDOCK-01,D,dock\nDOCK-02,D,dock\nSTG-01,D,staging\nA-01-01-A,A,pickface\n"), nil)
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("locations: %v %v", err, rep.Errors)
	}
	var items strings.Builder
	items.WriteString("sku,lot_tracked,expiry_tracked,gtins\n")
	for i, sku := range []string{"A1", "A2", "F3", "U4"} {
		each, cs := gtins(i + 1)
		tracked := sku == "F3"
		fmt.Fprintf(&items, "%s,%t,%t,%s;%s:12\n", sku, tracked, tracked, each, cs)
	}
	items.WriteString("X5,false,false,\n")
	rep, err = inventoryapi.ImportItems(ctx, db, strings.NewReader(items.String()), nil)
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("items: %v %v", err, rep.Errors)
	}
	return n
}

var (
	assoc = inventory.Actor{Badge: "B-ASSOC", Device: "hh-1", Role: inventory.Associate}
	lead  = inventory.Actor{Badge: "B-LEAD", Device: "hh-2", Role: inventory.Lead}
)

func (n *node) mustPO(t testing.TB, number string, lines ...receiving.POLine) {
	t.Helper()
	if _, err := n.svc.UpsertPurchaseOrder(context.Background(), "po-"+number, receiving.PurchaseOrder{Number: number, Vendor: "ACME", Lines: lines}); err != nil {
		t.Fatalf("PO %s: %v", number, err)
	}
}

func (n *node) mustStart(t testing.TB, dock, doc string) int64 {
	t.Helper()
	rc, err := n.svc.StartReceipt(context.Background(), "start-"+dock+doc+fmt.Sprint(t.Name()), receiving.StartInput{DockScan: dock, DocumentScan: doc, Actor: assoc})
	if err != nil {
		t.Fatalf("start receipt at %s for %s: %v", dock, doc, err)
	}
	return rc.ID
}

var seq atomic.Int64

// scanIn receives one scan with a fresh request id.
func (n *node) scanIn(receipt int64, raw string, qty int64, opt ...func(*receiving.ScanInput)) (receiving.ScanResult, error) {
	in := receiving.ScanInput{ReceiptID: receipt, Raw: raw, Qty: qty, Actor: assoc}
	for _, o := range opt {
		o(&in)
	}
	return n.svc.ReceiveScan(context.Background(), fmt.Sprintf("scan-%d", seq.Add(1)), in)
}

func (n *node) mustScan(t testing.TB, receipt int64, raw string, qty int64, opt ...func(*receiving.ScanInput)) receiving.ScanResult {
	t.Helper()
	res, err := n.scanIn(receipt, raw, qty, opt...)
	if err != nil {
		t.Fatalf("scan %q x%d: %v", raw, qty, err)
	}
	return res
}

func damaged(in *receiving.ScanInput)   { in.Condition = receiving.Damaged }
func byLead(in *receiving.ScanInput)    { in.Actor = lead }
func confirmed(in *receiving.ScanInput) { in.ConfirmPallet = true }

func wantCode(t testing.TB, err error, code floorops.Code) {
	t.Helper()
	if got := floorops.ErrorCode(err); got != code {
		t.Fatalf("error = %v (%q), want %q", err, got, code)
	}
}

// onHand sums a SKU's balances at a location by status.
func (n *node) onHand(t testing.TB, loc, sku string) map[inventory.Status]int64 {
	t.Helper()
	bs, err := n.inv.GetBalances(context.Background(), loc, sku)
	if err != nil {
		t.Fatal(err)
	}
	out := map[inventory.Status]int64{}
	for _, b := range bs {
		out[b.Status] += b.Qty
	}
	return out
}
