package receiving_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/store"
)

// palletLabel is a standard GS1 logistic label: the pallet's SSCC, the
// GTIN of the trade items on it (AI 02) and how many (AI 37).
func palletLabel(sscc, gtin string, count int) string {
	return fmt.Sprintf("]C100%s02%s37%d", sscc, gtin, count)
}

// TestPalletLabelOfASNContainer: the pallet label of a pallet an ASN
// lists is that pallet, whichever of its labels is scanned: it asks for
// confirmation, receives the pallet whole, and neither label receives it
// again. An ASN pallet of another PO is refused.
func TestPalletLabelOfASNContainer(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-30", receiving.POLine{SKU: "A1", Ordered: 96})
	n.mustPO(t, "PO-31", receiving.POLine{SKU: "A1", Ordered: 48})
	onASN, otherPO := sscc(30), sscc(31)
	for _, a := range []receiving.ASN{
		{Number: "ASN-30", PONumber: "PO-30", Containers: []receiving.Container{{SSCC: onASN, Contents: []receiving.Content{{SKU: "A1", Qty: 48}}}}},
		{Number: "ASN-31", PONumber: "PO-31", Containers: []receiving.Container{{SSCC: otherPO, Contents: []receiving.Content{{SKU: "A1", Qty: 48}}}}},
	} {
		if _, err := n.svc.CreateASN(ctx, "asn-"+a.Number, a); err != nil {
			t.Fatal(err)
		}
	}
	_, a1Case := gtins(1)
	id := n.mustStart(t, "DOCK-01", "PO-30")
	label := palletLabel(onASN, a1Case, 4)
	preview := n.mustScan(t, id, label, 1)
	if !preview.ConfirmationRequired || len(preview.Received) != 0 || len(preview.Contents) != 1 {
		t.Fatalf("pallet label scanned without confirmation = %+v", preview)
	}
	if got := n.onHand(t, "DOCK-01", "A1"); len(got) != 0 {
		t.Fatalf("the preview received stock: %v", got)
	}
	res := n.mustScan(t, id, label, 1, confirmed)
	if len(res.Received) != 1 || res.Received[0].LPN != onASN || res.Received[0].Qty != 48 {
		t.Fatalf("pallet label received %+v", res.Received)
	}
	for _, raw := range []string{label, onASN} {
		_, err := n.scanIn(id, raw, 1, confirmed)
		wantCode(t, err, floorops.EPRECONDITION)
	}
	for _, opts := range [][]func(*receiving.ScanInput){nil, {confirmed}} {
		_, err := n.scanIn(id, palletLabel(otherPO, a1Case, 4), 1, opts...)
		wantCode(t, err, floorops.EPRECONDITION)
	}
	if got := n.onHand(t, "DOCK-01", "A1")[inventory.Available]; got != 48 {
		t.Fatalf("DOCK-01 holds %d of A1, want the one pallet's 48", got)
	}
}

// TestPalletLabelNotOnASN: a pallet label whose SSCC no ASN lists follows
// the ASN pallets' flow (the first scan shows what it holds, the confirm
// receives it) and is received by its GTIN and count onto the SSCC as
// license plate, once: not
// again on this or another receipt, nor when stock is on that SSCC
// already; undone, it can be received again; an ASN listing it afterwards
// is refused (TestASNRefusesContainersAlreadyReceived) and does not
// receive it twice.
func TestPalletLabelNotOnASN(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-32", receiving.POLine{SKU: "A1", Ordered: 200})
	var staged []inventory.StagedStock
	n.onStaged = func(_ context.Context, _ *store.Tx, s inventory.StagedStock) error {
		staged = append(staged, s)
		return nil
	}
	pallet := sscc(32)
	_, a1Case := gtins(1)
	label := palletLabel(pallet, a1Case, 4)
	id := n.mustStart(t, "DOCK-01", "PO-32")
	preview := n.mustScan(t, id, label, 1)
	if !preview.ConfirmationRequired || len(preview.Received) != 0 || len(staged) != 0 ||
		len(preview.Contents) != 1 || preview.Contents[0] != (receiving.Content{SKU: "A1", Qty: 48}) {
		t.Fatalf("first scan of a pallet label = %+v, want 48 of A1 shown and nothing received", preview)
	}
	res := n.mustScan(t, id, label, 1, confirmed)
	if len(res.Received) != 1 || res.Received[0].Qty != 48 || res.Received[0].LPN != pallet {
		t.Fatalf("pallet label received %+v, want 48 units on %s", res.Received, pallet)
	}
	if len(staged) != 1 || staged[0].LPN != pallet {
		t.Fatalf("putaway was handed %+v, want the units on %s", staged, pallet)
	}
	other := n.mustStart(t, "DOCK-02", "PO-32")
	for _, rc := range []int64{id, other} {
		_, err := n.scanIn(rc, label, 1)
		wantCode(t, err, floorops.EPRECONDITION)
		_, err = n.scanIn(rc, label, 1, confirmed)
		wantCode(t, err, floorops.EPRECONDITION)
	}
	_, err := n.scanIn(other, label, 2)
	wantCode(t, err, floorops.EINVALID)
	_, err = n.scanIn(other, pallet, 1, confirmed) // the bare SSCC is still no ASN's
	wantCode(t, err, floorops.ENOTFOUND)

	if _, err := n.svc.UndoLastScan(ctx, "undo-32", receiving.UndoInput{ReceiptID: id, Reason: "wrong dock", Actor: assoc}); err != nil {
		t.Fatal(err)
	}
	n.mustScan(t, other, label, 1, confirmed)
	_, err = n.svc.CreateASN(ctx, "asn-32", receiving.ASN{Number: "ASN-32", PONumber: "PO-32",
		Containers: []receiving.Container{{SSCC: pallet, Contents: []receiving.Content{{SKU: "A1", Qty: 48}}}}})
	wantCode(t, err, floorops.EPRECONDITION)
	_, err = n.scanIn(other, label, 1, confirmed)
	wantCode(t, err, floorops.EPRECONDITION)
	_, err = n.scanIn(other, pallet, 1, confirmed) // the refused ASN did not make it an ASN pallet
	wantCode(t, err, floorops.ENOTFOUND)
	if got := n.onHand(t, "DOCK-02", "A1")[inventory.Available]; got != 48 {
		t.Fatalf("DOCK-02 holds %d of A1, want one pallet's 48", got)
	}

	// Stock already on an SSCC, however it got there, is that pallet.
	found := sscc(33)
	if _, err := n.inv.AdjustStock(ctx, "found-33", inventory.AdjustInput{LocationCode: "STG-01", SKU: "A1", Delta: 5,
		Reason: "found", LPN: found, Actor: lead}); err != nil {
		t.Fatal(err)
	}
	for _, confirm := range []bool{false, true} {
		_, err = n.scanIn(other, palletLabel(found, a1Case, 4), 1, func(in *receiving.ScanInput) { in.ConfirmPallet = confirm })
		wantCode(t, err, floorops.EPRECONDITION)
	}
}

// TestASNRefusesContainersAlreadyReceived: an ASN cannot announce a pallet
// or carton that has already come into the building, received on any
// receipt as a pallet no ASN listed, or with stock on its license plate:
// GetASN would claim it held what the vendor says and was received. The
// refusal names the container, writes nothing, and an undone receipt frees
// the SSCC for an ASN again.
func TestASNRefusesContainersAlreadyReceived(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-40", receiving.POLine{SKU: "A1", Ordered: 500})
	_, a1Case := gtins(1)
	received, onStock, fresh := sscc(40), sscc(41), sscc(42)
	id := n.mustStart(t, "DOCK-01", "PO-40")
	n.mustScan(t, id, palletLabel(received, a1Case, 4), 1, confirmed)
	for _, lpn := range []string{onStock, "LPN000041"} {
		if _, err := n.inv.AdjustStock(ctx, "found-"+lpn, inventory.AdjustInput{LocationCode: "STG-01", SKU: "A1", Delta: 5,
			Reason: "found", LPN: lpn, Actor: lead}); err != nil {
			t.Fatal(err)
		}
	}
	container := func(sscc, lpn string) receiving.Container {
		return receiving.Container{SSCC: sscc, LPN: lpn, Contents: []receiving.Content{{SKU: "A1", Qty: 5}}}
	}
	tests := []struct {
		name       string
		containers []receiving.Container
		field      string
	}{
		{"pallet received without an ASN", []receiving.Container{container(fresh, ""), container(received, "")}, "containers[1].sscc"},
		{"pallet with stock on its SSCC", []receiving.Container{container(onStock, "")}, "containers[0].sscc"},
		{"carton with stock on its LPN", []receiving.Container{container("", "LPN000041")}, "containers[0].lpn"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			number := fmt.Sprintf("ASN-4%d", i)
			_, err := n.svc.CreateASN(ctx, "asn-"+number, receiving.ASN{Number: number, PONumber: "PO-40", Containers: tt.containers})
			var fe *floorops.Error
			if !floorops.IsCode(err, floorops.EPRECONDITION) || !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field {
				t.Fatalf("err = %#v, want failed precondition naming %s", err, tt.field)
			}
			_, err = n.svc.GetASN(ctx, number)
			wantCode(t, err, floorops.ENOTFOUND)
		})
	}
	if _, err := n.svc.UndoLastScan(ctx, "undo-40", receiving.UndoInput{ReceiptID: id, Reason: "wrong PO", Actor: assoc}); err != nil {
		t.Fatal(err)
	}
	asn, err := n.svc.CreateASN(ctx, "asn-49", receiving.ASN{Number: "ASN-49", PONumber: "PO-40",
		Containers: []receiving.Container{container(fresh, ""), container(received, "")}})
	if err != nil || asn.Containers[1].Received {
		t.Fatalf("ASN of a pallet whose receipt was undone: %+v %v", asn, err)
	}
}

// TestBlockedDockTakesNoScans: a dock blocked after its receipt started
// takes no more scans (GTINs, pallet previews or pallets) until it is
// unblocked; a mis-scan can still be undone there.
func TestBlockedDockTakesNoScans(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-34", receiving.POLine{SKU: "A1", Ordered: 100})
	pallet := sscc(34)
	if _, err := n.svc.CreateASN(ctx, "asn-34", receiving.ASN{Number: "ASN-34", PONumber: "PO-34",
		Containers: []receiving.Container{{SSCC: pallet, Contents: []receiving.Content{{SKU: "A1", Qty: 12}}}}}); err != nil {
		t.Fatal(err)
	}
	id := n.mustStart(t, "DOCK-01", "PO-34")
	n.mustScan(t, id, gtinEach(1), 2)
	setBlocked := func(blocked bool) {
		t.Helper()
		loc, err := n.inv.GetLocation(ctx, "DOCK-01")
		if err != nil {
			t.Fatal(err)
		}
		loc.Blocked = blocked
		if _, err := n.inv.UpsertLocation(ctx, fmt.Sprintf("block-%t", blocked), loc); err != nil {
			t.Fatal(err)
		}
	}
	setBlocked(true)
	for _, tt := range []struct {
		raw  string
		opts []func(*receiving.ScanInput)
	}{{gtinEach(1), nil}, {pallet, nil}, {pallet, []func(*receiving.ScanInput){confirmed}}} {
		_, err := n.scanIn(id, tt.raw, 1, tt.opts...)
		wantCode(t, err, floorops.EPRECONDITION)
	}
	if got := n.onHand(t, "DOCK-01", "A1")[inventory.Available]; got != 2 {
		t.Fatalf("blocked dock holds %d, want the 2 received before", got)
	}
	if _, err := n.svc.UndoLastScan(ctx, "undo-34", receiving.UndoInput{ReceiptID: id, Reason: "mis-scan", Actor: assoc}); err != nil {
		t.Fatalf("undo at a blocked dock: %v", err)
	}
	setBlocked(false)
	n.mustScan(t, id, gtinEach(1), 1)
}

// TestTypedLotMustMatchLabel: a typed lot or expiry that contradicts the
// GS1 label is refused on that field; typing what the label says is fine.
func TestTypedLotMustMatchLabel(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	ctx := context.Background()
	n.mustPO(t, "PO-35", receiving.POLine{SKU: "F3", Ordered: 100})
	id := n.mustStart(t, "DOCK-01", "PO-35")
	f3 := gtinEach(3)
	label := "]C101" + "1" + f3[:12] + checkDigit("1"+f3[:12]) + "17301231" + "10LOTA"
	typed := func(lot, expiry string) func(*receiving.ScanInput) {
		return func(in *receiving.ScanInput) { in.Lot, in.Expiry = lot, expiry }
	}
	for _, tt := range []struct {
		lot, expiry, field string
	}{
		{"LOTB", "", "lot"},
		{"", "2030-12-30", "expiry"},
		{"LOTB", "2030-12-31", "lot"},
	} {
		_, err := n.scanIn(id, label, 1, typed(tt.lot, tt.expiry))
		wantCode(t, err, floorops.EINVALID)
		if got := fields(err); len(got) != 1 || got[0] != tt.field {
			t.Errorf("typed %q/%q: fields %v, want %s", tt.lot, tt.expiry, got, tt.field)
		}
	}
	ms, _, err := n.inv.ListMovements(ctx, inventory.MovementFilter{Kind: inventory.KindReceive}, 10, "")
	if err != nil || len(ms) != 0 {
		t.Fatalf("refused scans left movements: %v %v", ms, err)
	}
	res := n.mustScan(t, id, label, 1, typed("LOTA", "2030-12-31"))
	if got := res.Received[0]; got.Lot != "LOTA" || got.Expiry != "2030-12-31" {
		t.Fatalf("received %+v", got)
	}
}

// TestTypedLotOnUntrackedItemIsRefused: a lot or expiry typed for an item
// that does not track it is refused on that field, never dropped, and
// nothing is received; the same scan without it is received.
func TestTypedLotOnUntrackedItemIsRefused(t *testing.T) {
	t.Parallel()
	n := newNode(t)
	n.mustPO(t, "PO-36", receiving.POLine{SKU: "A1", Ordered: 100})
	id := n.mustStart(t, "DOCK-01", "PO-36")
	for _, tt := range []struct {
		name, lot, expiry, field string
	}{
		{"lot", "L-TYPED", "", "lot"},
		{"expiry", "", "2031-01-01", "expiry"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := n.scanIn(id, gtinEach(1), 1, func(in *receiving.ScanInput) { in.Lot, in.Expiry = tt.lot, tt.expiry })
			wantCode(t, err, floorops.EINVALID)
			if got := fields(err); len(got) != 1 || got[0] != tt.field {
				t.Errorf("fields %v, want %s", got, tt.field)
			}
		})
	}
	if got := n.onHand(t, "DOCK-01", "A1")[inventory.Available]; got != 0 {
		t.Fatalf("refused scans received %d units", got)
	}
	n.mustScan(t, id, gtinEach(1), 1)
}
