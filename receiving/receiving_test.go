package receiving_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestReceiveAgainstPOAndReconcile(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-1", receiving.POLine{SKU: "a1", Ordered: 24, TolerancePct: 10}, receiving.POLine{SKU: "A2", Ordered: 12})
	id := n.mustStart(t, "dock-01", "PO-1")
	_, a1Case := gtins(1)
	a2Each, _ := gtins(2)
	u4Each, _ := gtins(4)

	res := n.mustScan(t, id, a1Case, 2) // 24 eaches
	if got := res.Received[0]; got.Qty != 24 || got.LineNo != 1 || got.Quarantined {
		t.Fatalf("case x2 received %+v", got)
	}
	n.mustScan(t, id, a2Each, 1, damaged)
	n.mustScan(t, id, a2Each, 5)
	n.mustScan(t, id, u4Each, 3)

	// 24 + 2 = 26 <= 26.4 allowed; 12 more is over tolerance.
	n.mustScan(t, id, gtinEach(1), 2)
	_, err := n.scanIn(id, a1Case, 1)
	wantCode(t, err, floorops.EPRECONDITION)
	n.mustScan(t, id, a1Case, 1, byLead, func(in *receiving.ScanInput) { in.OverrideReason = "vendor sent extra, keep" })

	rc, err := n.svc.CloseReceipt(ctx, "close-1", receiving.CloseInput{ReceiptID: id, Actor: lead})
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []receiving.ReceiptLine{
		{LineNo: 1, SKU: "A1", Expected: 24, Good: 38, Over: 14},
		{LineNo: 2, SKU: "A2", Expected: 12, Good: 5, Damaged: 1, Short: 6},
		{SKU: "U4", UnexpectedQty: 3, Over: 3, Unexpected: true},
	}
	if diff := cmp.Diff(wantLines, rc.Lines); diff != "" {
		t.Errorf("reconciliation (-want +got):\n%s", diff)
	}
	wantExc := []receiving.ReceiptException{
		{Kind: inventory.ExceptionDamagedReceived, SKU: "A2", Qty: 1, Detail: "held in quarantine", UserBadge: "B-ASSOC"},
		{Kind: inventory.ExceptionUnexpectedItem, SKU: "U4", Qty: 3, Detail: "not on the PO; held in quarantine", UserBadge: "B-ASSOC"},
		{Kind: inventory.ExceptionReceiptOverage, SKU: "A1", Qty: 12, Detail: "vendor sent extra, keep", UserBadge: "B-LEAD"},
	}
	if diff := cmp.Diff(wantExc, rc.Exceptions); diff != "" {
		t.Errorf("exceptions (-want +got):\n%s", diff)
	}
	if rc.Status != receiving.ReceiptClosed || rc.Received != 47 {
		t.Errorf("closed receipt = %s with %d received", rc.Status, rc.Received)
	}
	for sku, want := range map[string]map[inventory.Status]int64{
		"A1": {inventory.Available: 38},
		"A2": {inventory.Available: 5, inventory.Quarantined: 1},
		"U4": {inventory.Quarantined: 3},
	} {
		if diff := cmp.Diff(want, n.onHand(t, "DOCK-01", sku)); diff != "" {
			t.Errorf("%s at DOCK-01 (-want +got):\n%s", sku, diff)
		}
	}
	_, err = n.scanIn(id, a1Case, 1)
	wantCode(t, err, floorops.EPRECONDITION)
	_, err = n.svc.CloseReceipt(ctx, "close-2", receiving.CloseInput{ReceiptID: id})
	wantCode(t, err, floorops.EPRECONDITION)

	po, err := n.svc.GetPurchaseOrder(ctx, "po-1")
	if err != nil {
		t.Fatal(err)
	}
	if po.Received != 44 || po.Ordered != 36 || po.OpenReceipts != 0 || po.Status != receiving.POOpen {
		t.Errorf("PO progress = %+v", po)
	}
	// A second delivery expects only what is still outstanding.
	id2 := n.mustStart(t, "DOCK-02", "PO-1")
	rc2, err := n.svc.GetReceipt(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	if rc2.Lines[0].Expected != 0 || rc2.Lines[1].Expected != 6 {
		t.Errorf("second receipt expects %+v", rc2.Lines)
	}
	if _, err := n.svc.CloseReceipt(ctx, "close-3", receiving.CloseInput{ReceiptID: id2, ClosePO: true, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	_, err = n.svc.StartReceipt(ctx, "start-closed", receiving.StartInput{DockScan: "DOCK-01", DocumentScan: "PO-1"})
	wantCode(t, err, floorops.EPRECONDITION)
}

func gtinEach(n int) string { each, _ := gtins(n); return each }

func TestReceiveRefusals(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-2", receiving.POLine{SKU: "A1", Ordered: 100}, receiving.POLine{SKU: "F3", Ordered: 100})
	id := n.mustStart(t, "DOCK-01", "PO-2")
	f3 := gtinEach(3)
	starts := []struct {
		name       string
		dock, doc  string
		code       floorops.Code
		wantFields []string
	}{
		{"unknown PO", "DOCK-01", "PO-404", floorops.ENOTFOUND, nil},
		{"staging is not a dock", "STG-01", "PO-2", floorops.EINVALID, []string{"dock_location_scan"}},
		{"GTIN is not a location", f3, "PO-2", floorops.EINVALID, []string{"dock_location_scan"}},
		{"unknown SSCC", "DOCK-01", sscc(999), floorops.ENOTFOUND, nil},
		{"nothing scanned", "", "", floorops.EINVALID, []string{"dock_location_scan", "document_scan"}},
		{"GTIN is not a document", "DOCK-01", f3, floorops.EINVALID, []string{"document_scan"}},
		{"item label is not a document", "DOCK-01", "]C101" + "1" + f3[:12] + checkDigit("1"+f3[:12]) + "10LOT7", floorops.EINVALID, []string{"document_scan"}},
		{"location is not a document", "DOCK-01", "A-01-01-A", floorops.EINVALID, []string{"document_scan"}},
		{"sales order is not a document", "DOCK-01", "SO-1", floorops.EINVALID, []string{"document_scan"}},
		{"malformed GS1", "DOCK-01", "]C1001061414112345678", floorops.EINVALID, []string{"document_scan"}},
		{"unreadable text", "DOCK-01", "%%%", floorops.EINVALID, []string{"document_scan"}},
	}
	for _, tt := range starts {
		t.Run("start/"+tt.name, func(t *testing.T) {
			_, err := n.svc.StartReceipt(ctx, "s-"+tt.name, receiving.StartInput{DockScan: tt.dock, DocumentScan: tt.doc})
			wantCode(t, err, tt.code)
			if tt.wantFields != nil {
				if diff := cmp.Diff(tt.wantFields, fields(err)); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
		})
	}
	// A PO number in a vendor's own format is looked up as typed.
	n.mustPO(t, "4500012345", receiving.POLine{SKU: "A1", Ordered: 1})
	n.mustStart(t, "DOCK-02", "4500012345")
	withLot := func(lot, expiry string) func(*receiving.ScanInput) {
		return func(in *receiving.ScanInput) { in.Lot, in.Expiry = lot, expiry }
	}
	scans := []struct {
		name  string
		raw   string
		qty   int64
		opt   func(*receiving.ScanInput)
		code  floorops.Code
		field string
	}{
		{"GTIN not mapped", gtinEach(77), 1, nil, floorops.ENOTFOUND, ""},
		{"lot missing", f3, 1, nil, floorops.EINVALID, "lot"},
		{"expiry missing", f3, 1, withLot("L1", ""), floorops.EINVALID, "expiry"},
		{"expiry in the past", f3, 1, withLot("L1", "2020-01-31"), floorops.EPRECONDITION, ""},
		{"expiry not a date", f3, 1, withLot("L1", "31/01/2030"), floorops.EINVALID, "expiry"},
		{"GS1 label past expiry", "]C101" + "1" + f3[:12] + checkDigit("1"+f3[:12]) + "17200131" + "10LOT7", 1, nil, floorops.EPRECONDITION, ""},
		{"zero quantity", gtinEach(1), 0, nil, floorops.EINVALID, "quantity"},
		{"negative quantity", gtinEach(1), -3, nil, floorops.EINVALID, "quantity"},
		{"location scanned", "A-01-01-A", 1, nil, floorops.EINVALID, "raw_scan"},
		{"garbage", "%%%", 1, nil, floorops.EINVALID, "raw_scan"},
		{"unknown receipt", gtinEach(1), 1, func(in *receiving.ScanInput) { in.ReceiptID = 999 }, floorops.ENOTFOUND, ""},
	}
	for _, tt := range scans {
		t.Run("scan/"+tt.name, func(t *testing.T) {
			opts := []func(*receiving.ScanInput){}
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			_, err := n.scanIn(id, tt.raw, tt.qty, opts...)
			wantCode(t, err, tt.code)
			if tt.field != "" {
				if diff := cmp.Diff([]string{tt.field}, fields(err)); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
		})
	}
	// Nothing half-written: the refusals left no stock, no movements.
	ms, _, err := n.inv.ListMovements(ctx, inventory.MovementFilter{Kind: inventory.KindReceive}, 10, "")
	if err != nil || len(ms) != 0 {
		t.Fatalf("refused scans left movements: %v %v", ms, err)
	}
	// Lot and expiry from a GS1 label are used as scanned.
	label := "]C101" + "1" + f3[:12] + checkDigit("1"+f3[:12]) + "17301231" + "10LOT7"
	res := n.mustScan(t, id, label, 1)
	if got := res.Received[0]; got.Qty != 12 || got.Lot != "LOT7" || got.Expiry != "2030-12-31" {
		t.Fatalf("GS1 case received %+v", got)
	}
}

func checkDigit(body string) string {
	d, _ := scan.GS1CheckDigit(body)
	return string(d)
}

func fields(err error) []string {
	var out []string
	if e, ok := err.(*floorops.Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}

// TestConcurrentScansCannotOverReceive races two associates on two dock
// doors for the last units of a line: exactly the remaining units are
// received, and every other scan is refused.
func TestConcurrentScansCannotOverReceive(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	n.mustPO(t, "PO-3", receiving.POLine{SKU: "A1", Ordered: 30})
	r1, r2 := n.mustStart(t, "DOCK-01", "PO-3"), n.mustStart(t, "DOCK-02", "PO-3")
	n.mustScan(t, r1, gtinEach(1), 18)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := n.scanIn([]int64{r1, r2}[i%2], gtinEach(1), 1)
			mu.Lock()
			defer mu.Unlock()
			switch floorops.ErrorCode(err) {
			case "":
				ok++
			case floorops.EPRECONDITION:
				refused++
			default:
				t.Errorf("scan: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 12 || refused != 28 {
		t.Fatalf("%d scans received, %d refused; want 12 and 28", ok, refused)
	}
	got := n.onHand(t, "DOCK-01", "A1")[inventory.Available] + n.onHand(t, "DOCK-02", "A1")[inventory.Available]
	if got != 30 {
		t.Fatalf("on hand at the docks = %d, want 30", got)
	}
}

func TestRetriedScanReceivesOnce(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-4", receiving.POLine{SKU: "A1", Ordered: 100})
	id := n.mustStart(t, "DOCK-01", "PO-4")
	in := receiving.ScanInput{ReceiptID: id, Raw: gtinEach(1), Qty: 4, Actor: assoc}
	first, err := n.svc.ReceiveScan(ctx, "retry-me", in)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := n.svc.ReceiveScan(ctx, "retry-me", in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("retry answered differently:\n%s", diff)
		}
	}
	if got := n.onHand(t, "DOCK-01", "A1")[inventory.Available]; got != 4 {
		t.Fatalf("on hand after retries = %d, want 4", got)
	}
	in.Qty = 5
	_, err = n.svc.ReceiveScan(ctx, "retry-me", in)
	wantCode(t, err, floorops.ECONFLICT)
}

func TestPalletByASNAndUndo(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-5", receiving.POLine{SKU: "A1", Ordered: 54}, receiving.POLine{SKU: "F3", Ordered: 24})
	pallet := sscc(1)
	asn, err := n.svc.CreateASN(ctx, "asn-1", receiving.ASN{Number: "ASN-1", PONumber: "PO-5", Containers: []receiving.Container{
		{SSCC: pallet, Contents: []receiving.Content{{SKU: "A1", Qty: 48}, {SKU: "F3", Qty: 24, Lot: "L9", Expiry: "2031-01-01"}}},
		{LPN: "LPN-77", Contents: []receiving.Content{{SKU: "A1", Qty: 6}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(asn.Containers) != 2 || asn.Containers[0].Received {
		t.Fatalf("ASN = %+v", asn)
	}
	_, err = n.svc.CreateASN(ctx, "asn-dup", receiving.ASN{Number: "ASN-2", PONumber: "PO-5", Containers: []receiving.Container{
		{SSCC: pallet, Contents: []receiving.Content{{SKU: "A1", Qty: 1}}}}})
	wantCode(t, err, floorops.ECONFLICT)
	_, err = n.svc.CreateASN(ctx, "asn-nolot", receiving.ASN{Number: "ASN-3", PONumber: "PO-5", Containers: []receiving.Container{
		{SSCC: sscc(2), Contents: []receiving.Content{{SKU: "F3", Qty: 1}}}}})
	wantCode(t, err, floorops.EINVALID)

	id := n.mustStart(t, "DOCK-01", pallet) // started from the ASN
	preview := n.mustScan(t, id, pallet, 1)
	if !preview.ConfirmationRequired || len(preview.Received) != 0 || len(preview.Contents) != 2 {
		t.Fatalf("unconfirmed pallet scan = %+v", preview)
	}
	if got := n.onHand(t, "DOCK-01", "A1"); len(got) != 0 {
		t.Fatalf("preview received stock: %v", got)
	}
	res := n.mustScan(t, id, pallet, 1, confirmed)
	if len(res.Received) != 2 || res.Received[0].LPN != pallet || res.Received[1].Lot != "L9" {
		t.Fatalf("pallet received %+v", res.Received)
	}
	_, err = n.scanIn(id, pallet, 1, confirmed)
	wantCode(t, err, floorops.EPRECONDITION) // already received
	n.mustScan(t, id, "LPN-77", 1, confirmed)

	// Undo the carton (the associate's last scan), then the pallet.
	for i, want := range []int{1, 2} {
		rev, err := n.svc.UndoLastScan(ctx, "undo-"+string(rune('a'+i)), receiving.UndoInput{ReceiptID: id, Reason: "wrong truck", Actor: assoc})
		if err != nil {
			t.Fatal(err)
		}
		if len(rev) != want {
			t.Fatalf("undo %d reversed %+v", i, rev)
		}
	}
	_, err = n.svc.UndoLastScan(ctx, "undo-c", receiving.UndoInput{ReceiptID: id, Reason: "again", Actor: assoc})
	wantCode(t, err, floorops.EPRECONDITION)
	bs, err := n.inv.GetBalances(ctx, "DOCK-01", "")
	if err != nil || len(bs) != 0 {
		t.Fatalf("after undoing everything the dock holds %v %v", bs, err)
	}
	ms, _, err := n.inv.ListMovements(ctx, inventory.MovementFilter{Kind: inventory.KindReceive}, 100, "")
	if err != nil || len(ms) != 6 {
		t.Fatalf("ledger has %d receive movements, want 3 in and 3 reversing: %v", len(ms), err)
	}
	asn, _ = n.svc.GetASN(ctx, "ASN-1")
	if asn.Containers[0].Received {
		t.Fatal("undone pallet still shows received")
	}
	rc, err := n.svc.GetReceipt(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	undos := 0
	for _, e := range rc.Exceptions {
		if e.Kind == inventory.ExceptionReceiptUndo && e.Detail == "wrong truck" {
			undos++
		}
	}
	if undos != 3 || rc.Received != 0 {
		t.Fatalf("receipt after undo: %+v", rc)
	}
	// The pallet can be received again.
	n.mustScan(t, id, pallet, 1, confirmed)
}

func TestStagedHookRunsInTheTransaction(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	n.mustPO(t, "PO-6", receiving.POLine{SKU: "A1", Ordered: 10})
	id := n.mustStart(t, "DOCK-01", "PO-6")
	var staged []inventory.StagedStock
	n.onStaged = func(_ context.Context, _ *store.Tx, s inventory.StagedStock) error {
		if s.Qty == 7 {
			return floorops.Errorf(floorops.EPRECONDITION, "no putaway capacity")
		}
		staged = append(staged, s)
		return nil
	}
	n.mustScan(t, id, gtinEach(1), 3)
	_, err := n.scanIn(id, gtinEach(1), 7)
	wantCode(t, err, floorops.EPRECONDITION)
	want := []inventory.StagedStock{{Status: inventory.Available, Qty: 3, Ref: "RCPT-1", Actor: assoc}}
	if diff := cmp.Diff(want, staged, cmpopts.IgnoreFields(inventory.StagedStock{}, "ItemID", "LocationID")); diff != "" {
		t.Errorf("staged (-want +got):\n%s", diff)
	}
	if got := n.onHand(t, "DOCK-01", "A1")[inventory.Available]; got != 3 {
		t.Fatalf("a scan whose hand-off failed left stock: %d", got)
	}
}

// TestUnstagedHookGetsWhatWasStaged: an undo hands OnUnstaged exactly the
// stock the scan handed OnStaged, and a refusal from it undoes nothing.
func TestUnstagedHookGetsWhatWasStaged(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-24", receiving.POLine{SKU: "A1", Ordered: 49}, receiving.POLine{SKU: "F3", Ordered: 24})
	pallet := sscc(24)
	if _, err := n.svc.CreateASN(ctx, "asn-24", receiving.ASN{Number: "ASN-24", PONumber: "PO-24", Containers: []receiving.Container{
		{SSCC: pallet, Contents: []receiving.Content{{SKU: "A1", Qty: 48}, {SKU: "F3", Qty: 24, Lot: "L24", Expiry: "2031-01-01"}}},
	}}); err != nil {
		t.Fatal(err)
	}
	id := n.mustStart(t, "DOCK-01", "PO-24")
	var staged, unstaged []inventory.StagedStock
	refuse := true
	n.onStaged = func(_ context.Context, _ *store.Tx, s inventory.StagedStock) error {
		staged = append(staged, s)
		return nil
	}
	n.onUnstaged = func(_ context.Context, _ *store.Tx, s inventory.StagedStock) error {
		if refuse {
			return floorops.Errorf(floorops.EPRECONDITION, "already put away")
		}
		unstaged = append(unstaged, s)
		return nil
	}
	n.mustScan(t, id, pallet, 1, confirmed)
	n.mustScan(t, id, gtinEach(1), 1, damaged) // unstaged from quarantine, not the pallet

	_, err := n.svc.UndoLastScan(ctx, "undo-24-refused", receiving.UndoInput{ReceiptID: id, Reason: "dropped", Actor: assoc})
	wantCode(t, err, floorops.EPRECONDITION)
	if got := n.onHand(t, "DOCK-01", "A1"); got[inventory.Quarantined] != 1 {
		t.Fatalf("a refused undo moved stock: %v", got)
	}
	rc, err := n.svc.GetReceipt(ctx, id)
	if err != nil || rc.Received != 73 || len(rc.Exceptions) != 1 {
		t.Fatalf("a refused undo changed the receipt: %+v %v", rc, err)
	}

	refuse = false
	for i := range 2 {
		if _, err := n.svc.UndoLastScan(ctx, "undo-24-"+string(rune('a'+i)), receiving.UndoInput{ReceiptID: id, Reason: "wrong truck", Actor: assoc}); err != nil {
			t.Fatal(err)
		}
	}
	// The undo goes last scan first; each container row in scan order.
	want := []inventory.StagedStock{staged[2], staged[0], staged[1]}
	if diff := cmp.Diff(want, unstaged); diff != "" {
		t.Errorf("unstaged (-staged +unstaged):\n%s", diff)
	}
}

// TestOverrideReasonOnlyWhenNeeded: a reason on a scan within tolerance is
// ignored, whoever gives it; beyond tolerance it overrides only for a
// caller allowed to (EPERMISSION otherwise).
func TestOverrideReasonOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-25", receiving.POLine{SKU: "A1", Ordered: 10})
	id := n.mustStart(t, "DOCK-01", "PO-25")
	reason := func(in *receiving.ScanInput) { in.OverrideReason = "vendor count" }
	n.mustScan(t, id, gtinEach(1), 10, reason)
	_, err := n.scanIn(id, gtinEach(1), 1, reason)
	wantCode(t, err, floorops.EPERMISSION)
	_, err = n.scanIn(id, gtinEach(1), 1)
	wantCode(t, err, floorops.EPRECONDITION)
	n.mustScan(t, id, gtinEach(1), 1, byLead, reason)
	rc, err := n.svc.GetReceipt(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []receiving.ReceiptException{{Kind: inventory.ExceptionReceiptOverage, SKU: "A1", Qty: 1, Detail: "vendor count", UserBadge: "B-LEAD"}}
	if diff := cmp.Diff(want, rc.Exceptions); diff != "" {
		t.Errorf("exceptions (-want +got):\n%s", diff)
	}
}

func TestUpsertPurchaseOrderRules(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-7", receiving.POLine{SKU: "A1", Ordered: 10}, receiving.POLine{SKU: "A2", Ordered: 10})
	id := n.mustStart(t, "DOCK-01", "PO-7")
	n.mustScan(t, id, gtinEach(1), 2)
	upsert := func(rid string, lines ...receiving.POLine) error {
		_, err := n.svc.UpsertPurchaseOrder(ctx, rid, receiving.PurchaseOrder{Number: "PO-7", Vendor: "ACME", Lines: lines})
		return err
	}
	wantCode(t, upsert("u1", receiving.POLine{LineNo: 2, SKU: "A2", Ordered: 10}), floorops.EPRECONDITION) // drops received line 1
	wantCode(t, upsert("u2", receiving.POLine{SKU: "A1", Ordered: 10}, receiving.POLine{SKU: "NOPE", Ordered: 1}), floorops.ENOTFOUND)
	wantCode(t, upsert("u3", receiving.POLine{SKU: "A1", Ordered: 1}, receiving.POLine{SKU: "a1", Ordered: 1}), floorops.EINVALID)
	wantCode(t, upsert("u4"), floorops.EINVALID)
	// PO numbers travel in REST paths and scans: no "/" or spaces.
	_, err := n.svc.UpsertPurchaseOrder(ctx, "u4b", receiving.PurchaseOrder{Number: "PO 7/1", Vendor: "ACME", Lines: []receiving.POLine{{SKU: "A1", Ordered: 1}}})
	wantCode(t, err, floorops.EINVALID)
	if err := upsert("u5", receiving.POLine{SKU: "A1", Ordered: 20}); err != nil { // drops line 2, nothing received on it
		t.Fatal(err)
	}
	po, err := n.svc.GetPurchaseOrder(ctx, "PO-7")
	if err != nil || len(po.Lines) != 1 || po.Lines[0].Received != 2 || po.Lines[0].Ordered != 20 {
		t.Fatalf("PO after edit = %+v %v", po, err)
	}
	pos, _, err := n.svc.ListPurchaseOrders(ctx, true, 0, "")
	if err != nil || len(pos) != 1 || pos[0].OpenReceipts != 1 {
		t.Fatalf("open POs = %+v %v", pos, err)
	}
	rcs, _, err := n.svc.ListReceipts(ctx, receiving.ReceiptFilter{Status: receiving.ReceiptOpen}, 0, "")
	if err != nil || len(rcs) != 1 || rcs[0].Received != 2 {
		t.Fatalf("open receipts = %+v %v", rcs, err)
	}
}

func TestImportPOs(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	csv := "po_number,vendor,expected_date,sku,ordered_quantity,over_receipt_tolerance_percent\n" +
		"PO-10,ACME,2030-01-02,A1,12,5\n" +
		"PO-11,ACME,,A1,5,\n" +
		"PO-10,ACME,2030-01-02,A2,24,0\n" +
		"PO-11,ACME,,NOPE,5,\n" + // unknown SKU: PO-11 rejected
		"PO-12,ACME,,A1,ten,\n" + // bad number: PO-12 rejected
		"PO-13,ACME,,A1,-1,\n" // invalid quantity: PO-13 rejected
	rep, err := n.svc.ImportPOs(ctx, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, e := range rep.Errors {
		lines = append(lines, e.Line)
	}
	if rep.Rows != 6 || rep.Imported != 2 || !cmp.Equal(lines, []int{6, 5, 7}) {
		t.Fatalf("report = %+v (error lines %v)", rep, lines)
	}
	po, err := n.svc.GetPurchaseOrder(ctx, "PO-10")
	if err != nil || len(po.Lines) != 2 || po.Lines[0].TolerancePct != 5 || po.ExpectedDate != "2030-01-02" {
		t.Fatalf("imported PO = %+v %v", po, err)
	}
	_, err = n.svc.ImportPOs(ctx, strings.NewReader("po_number,colour\n"))
	wantCode(t, err, floorops.EINVALID)

	// A row that is not CSV at all could be any PO's line: nothing goes in.
	rep, err = n.svc.ImportPOs(ctx, strings.NewReader("po_number,vendor,sku,ordered_quantity\n"+
		"PO-20,ACME,A1,1\n"+
		"PO-20,ACME,\"A2,1\n"+
		"PO-21,ACME,A1,1\n"))
	if err != nil || rep.Imported != 0 || len(rep.Errors) != 1 {
		t.Fatalf("import with an unreadable row: %+v %v", rep, err)
	}
	if _, err := n.svc.GetPurchaseOrder(ctx, "PO-20"); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Fatalf("PO-20 imported around its unreadable row: %v", err)
	}
}
