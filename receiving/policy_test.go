package receiving_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// roles is every role a caller can have, and a caller with none (a job of
// the node itself, or a test calling the service directly).
var roles = []struct {
	name  string
	actor inventory.Actor
}{
	{"associate", inventory.Actor{Badge: "B-ASSOC", Device: "hh-1", Role: inventory.Associate}},
	{"lead", inventory.Actor{Badge: "B-LEAD", Device: "hh-2", Role: inventory.Lead}},
	{"admin", inventory.Actor{Badge: "B-ADMIN", Device: "hh-3", Role: inventory.Admin}},
	{"integration", inventory.Actor{Badge: "key:erp", Role: inventory.Integration}},
	{"no role", inventory.Actor{Badge: "B-NONE", Device: "hh-4"}},
}

// TestWhoMayOverrideAnOverReceipt: only a lead or admin receives beyond a
// line's tolerance with a reason; anyone else is refused, whatever the
// request says about MayOverride, and nothing is received.
func TestWhoMayOverrideAnOverReceipt(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	want := map[string]bool{"lead": true, "admin": true}
	a1Each, _ := gtins(1)
	for i, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			if got := receiving.MayOverrideOverReceipt(r.actor); got != want[r.name] {
				t.Errorf("MayOverrideOverReceipt = %t, want %t", got, want[r.name])
			}
			po := fmt.Sprintf("PO-OVR-%d", i)
			n.mustPO(t, po, receiving.POLine{SKU: "A1", Ordered: 2})
			id := n.mustStart(t, "DOCK-01", po)
			_, err := n.scanIn(id, a1Each, 3, func(in *receiving.ScanInput) {
				in.Actor, in.OverrideReason, in.MayOverride = r.actor, "vendor sent extra", true
			})
			if !want[r.name] {
				wantCode(t, err, floorops.EPERMISSION)
				if rc, err := n.svc.GetReceipt(context.Background(), id); err != nil || rc.Received != 0 {
					t.Errorf("a refused override received %d (%v)", rc.Received, err)
				}
				// The scan itself goes through once within tolerance.
				n.mustScan(t, id, a1Each, 2, func(in *receiving.ScanInput) { in.Actor = r.actor })
			} else if err != nil {
				t.Fatalf("override: %v", err)
			}
			n.closeAll(t, id)
		})
	}
}

// TestWhoMayCloseAPurchaseOrder: anyone on the floor closes a receipt; only
// a lead or admin also closes its PO, and a refused close changes nothing.
func TestWhoMayCloseAPurchaseOrder(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	want := map[string]bool{"lead": true, "admin": true}
	ctx := context.Background()
	for i, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			if got := receiving.MayClosePurchaseOrder(r.actor); got != want[r.name] {
				t.Errorf("MayClosePurchaseOrder = %t, want %t", got, want[r.name])
			}
			po := fmt.Sprintf("PO-CLS-%d", i)
			n.mustPO(t, po, receiving.POLine{SKU: "A1", Ordered: 2})
			id := n.mustStart(t, "DOCK-01", po)
			_, err := n.svc.CloseReceipt(ctx, "close-po-"+po, receiving.CloseInput{ReceiptID: id, ClosePO: true, Actor: r.actor})
			if !want[r.name] {
				wantCode(t, err, floorops.EPERMISSION)
				rc, err := n.svc.GetReceipt(ctx, id)
				if err != nil || rc.Status != receiving.ReceiptOpen {
					t.Fatalf("after a refused close the receipt is %q (%v)", rc.Status, err)
				}
				if _, err := n.svc.CloseReceipt(ctx, "close-rc-"+po, receiving.CloseInput{ReceiptID: id, Actor: r.actor}); err != nil {
					t.Fatalf("closing the receipt alone: %v", err)
				}
			} else if err != nil {
				t.Fatalf("close receipt and PO: %v", err)
			}
			got, err := n.svc.GetPurchaseOrder(ctx, po)
			if err != nil {
				t.Fatal(err)
			}
			if wantStatus := map[bool]receiving.POStatus{true: receiving.POClosed, false: receiving.POOpen}[want[r.name]]; got.Status != wantStatus {
				t.Errorf("PO status %q, want %q", got.Status, wantStatus)
			}
		})
	}
}

// TestWhoSeesExpectedQuantities: on a blind receipt associates count what
// arrived without the paperwork's quantities, in every answer the service
// gives them (the PO, its ASN, the receipt, a pallet's contents); every
// other caller sees them. A receipt that is not blind hides nothing.
func TestWhoSeesExpectedQuantities(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	if _, err := n.svc.SetVendorPolicy(ctx, "blind-acme", receiving.VendorPolicy{Vendor: "ACME", Blind: true}); err != nil {
		t.Fatal(err)
	}
	a1Each, _ := gtins(1)
	a2Each, _ := gtins(2)
	for i, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			sees := r.name != "associate"
			if got := receiving.SeesExpected(r.actor); got != sees {
				t.Errorf("SeesExpected = %t, want %t", got, sees)
			}
			as := inventory.ContextWithActor(ctx, r.actor)
			blindPO, asnNumber, pallet, openPO := fmt.Sprintf("PO-BLIND-%d", i), fmt.Sprintf("ASN-BLIND-%d", i), sscc(70+i), fmt.Sprintf("PO-OPEN-%d", i)
			n.mustPO(t, blindPO, receiving.POLine{SKU: "A1", Ordered: 10})
			if _, err := n.svc.CreateASN(ctx, "asn-"+blindPO, receiving.ASN{Number: asnNumber, PONumber: blindPO,
				Containers: []receiving.Container{{SSCC: pallet, Contents: []receiving.Content{{SKU: "A1", Qty: 4}}}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := n.svc.UpsertPurchaseOrder(ctx, "po-"+openPO, receiving.PurchaseOrder{Number: openPO, Vendor: "OPEN CO",
				Lines: []receiving.POLine{{SKU: "A2", Ordered: 10}}}); err != nil {
				t.Fatal(err)
			}
			want := func(what string, got, full int64) {
				t.Helper()
				if w := map[bool]int64{true: full, false: 0}[sees]; got != w {
					t.Errorf("%s = %d, want %d", what, got, w)
				}
			}
			po, err := n.svc.GetPurchaseOrder(as, blindPO)
			if err != nil {
				t.Fatal(err)
			}
			want("PO ordered", po.Ordered, 10)
			want("PO line ordered", po.Lines[0].Ordered, 10)
			pos, _, err := n.svc.ListPurchaseOrders(as, false, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pos {
				if p.Number == blindPO {
					want("listed PO line ordered", p.Lines[0].Ordered, 10)
				} else if p.Number == openPO && p.Lines[0].Ordered != 10 {
					t.Errorf("%s, not blind, lists %d ordered", p.Number, p.Lines[0].Ordered)
				}
			}
			asn, err := n.svc.GetASN(as, asnNumber)
			if err != nil {
				t.Fatal(err)
			}
			want("ASN content", asn.Containers[0].Contents[0].Qty, 4)
			asns, _, err := n.svc.ListASNs(as, blindPO, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			want("listed ASN content", asns[0].Containers[0].Contents[0].Qty, 4)

			started, err := n.svc.StartReceipt(ctx, fmt.Sprintf("start-blind-%d", i), receiving.StartInput{DockScan: "DOCK-01", DocumentScan: blindPO, Actor: r.actor})
			if err != nil {
				t.Fatal(err)
			}
			want("started receipt expected", started.Lines[0].Expected, 10)
			preview, err := n.svc.ReceiveScan(ctx, fmt.Sprintf("preview-%d", i), receiving.ScanInput{ReceiptID: started.ID, Raw: pallet, Qty: 1, Actor: r.actor})
			if err != nil {
				t.Fatal(err)
			}
			want("pallet contents", preview.Contents[0].Qty, 4)
			if _, err := n.svc.ReceiveScan(ctx, fmt.Sprintf("scan-blind-%d", i), receiving.ScanInput{ReceiptID: started.ID, Raw: a1Each, Qty: 3, Actor: r.actor}); err != nil {
				t.Fatal(err)
			}
			rc, err := n.svc.GetReceipt(as, started.ID)
			if err != nil {
				t.Fatal(err)
			}
			want("receipt expected", rc.Lines[0].Expected, 10)
			want("receipt short", rc.Lines[0].Short, 7)
			if rc.Lines[0].Good != 3 {
				t.Errorf("receipt counted %d good, want 3 for everyone", rc.Lines[0].Good)
			}
			listed, _, err := n.svc.ListReceipts(as, receiving.ReceiptFilter{PONumber: blindPO}, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			want("listed receipt short", listed[0].Lines[0].Short, 7)
			closed, err := n.svc.CloseReceipt(ctx, fmt.Sprintf("close-blind-%d", i), receiving.CloseInput{ReceiptID: started.ID, Actor: r.actor})
			if err != nil {
				t.Fatal(err)
			}
			want("closed receipt short", closed.Lines[0].Short, 7)

			open, err := n.svc.StartReceipt(ctx, fmt.Sprintf("start-open-%d", i), receiving.StartInput{DockScan: "DOCK-02", DocumentScan: openPO, Actor: r.actor})
			if err != nil {
				t.Fatal(err)
			}
			n.mustScan(t, open.ID, a2Each, 1, func(in *receiving.ScanInput) { in.Actor = r.actor })
			if rc, err := n.svc.GetReceipt(as, open.ID); err != nil || rc.Lines[0].Expected != 10 || rc.Lines[0].Short != 9 {
				t.Errorf("a receipt that is not blind shows %+v (%v)", rc.Lines, err)
			}
			n.closeAll(t, open.ID)
		})
	}
}

// closeAll closes a receipt as a lead.
func (n *node) closeAll(t *testing.T, id int64) {
	t.Helper()
	if _, err := n.svc.CloseReceipt(context.Background(), fmt.Sprintf("close-all-%d", id), receiving.CloseInput{ReceiptID: id, Actor: lead}); err != nil {
		t.Fatalf("close receipt %d: %v", id, err)
	}
}

// TestNewServiceNeedsEveryHook: a receiving service without its hand-off
// to putaway is refused when it is built, so a node that forgot to wire it
// fails at start instead of leaving received units at the dock untasked.
func TestNewServiceNeedsEveryHook(t *testing.T) {
	t.Parallel()
	db := newNode(t).db
	ok := func(context.Context, *store.Tx, inventory.StagedStock) error { return nil }
	for _, tt := range []struct {
		name  string
		hooks receiving.Hooks
		fails bool
	}{
		{"no hooks", receiving.Hooks{}, true},
		{"no Staged", receiving.Hooks{Unstaged: ok}, true},
		{"no Unstaged", receiving.Hooks{Staged: ok}, true},
		{"both", receiving.Hooks{Staged: ok, Unstaged: ok}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if failed := recover() != nil; failed != tt.fails {
					t.Errorf("NewService failed = %t, want %t", failed, tt.fails)
				}
			}()
			receiving.NewService(db, scan.Default(), tt.hooks)
		})
	}
}
