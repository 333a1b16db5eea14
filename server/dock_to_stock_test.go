package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc/codes"
)

// TestReceivedStockIsPutAway follows a case from the dock to a shelf: the
// receipt scan creates a putaway task in the same transaction, and the
// associate confirms the suggested location by scanning it.
func TestReceivedStockIsPutAway(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	ctx := n.login(t, "B-ASSOC")
	rc := receivingv1.NewReceivingServiceClient(n.conn)
	pa := putawayv1.NewPutawayServiceClient(n.conn)

	start, err := rc.StartReceipt(ctx, &receivingv1.StartReceiptRequest{RequestId: "d2s-start", DockLocationScan: "DOCK-02", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	body := "061414100001" // the demo each GTIN-13 of SKU-0001, without its check digit
	d, _ := scan.GS1CheckDigit(body)
	if _, err := rc.ReceiveScan(ctx, &receivingv1.ReceiveScanRequest{RequestId: "d2s-scan", ReceiptId: start.GetReceipt().GetReceiptId(), RawScan: body + string(d), Quantity: 6}); err != nil {
		t.Fatal(err)
	}
	tasks, err := pa.ListTasks(ctx, &putawayv1.ListTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var task *putawayv1.Task
	for _, tk := range tasks.GetTasks() {
		if tk.GetSku() == "SKU-0001" && tk.GetFromLocationCode() == "DOCK-02" {
			task = tk
		}
	}
	if task == nil || task.GetRemainingQuantity() != 6 {
		t.Fatalf("no putaway task for the 6 units received at DOCK-02: %v", tasks.GetTasks())
	}
	sug, err := pa.SuggestLocation(ctx, &putawayv1.SuggestLocationRequest{TaskId: task.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if sug.GetSuggestion().GetLocationCode() == "" || sug.GetSuggestion().GetReason() == "" {
		t.Fatalf("suggestion without a location or a reason: %v", sug)
	}
	done, err := pa.ConfirmPutaway(ctx, &putawayv1.ConfirmPutawayRequest{RequestId: "d2s-confirm", TaskId: task.GetId(),
		LocationScan: sug.GetSuggestion().GetLocationCode(), Quantity: 6})
	if err != nil {
		t.Fatal(err)
	}
	if done.GetTask().GetRemainingQuantity() != 0 {
		t.Fatalf("task after confirming all 6: %v", done.GetTask())
	}
	d2s, err := pa.GetDockToStock(n.login(t, "B-LEAD"), &putawayv1.GetDockToStockRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if d2s.GetOverall().GetTasks() != 1 || d2s.GetOverall().GetUnits() != 6 || len(d2s.GetItems()) != 1 || d2s.GetItems()[0].GetSku() != "SKU-0001" {
		t.Fatalf("dock-to-stock after one received task put away: %v", d2s)
	}
}

// dockFlow drives one associate through receiving and putaway over gRPC.
type dockFlow struct {
	t     *testing.T
	n     *node
	ctx   context.Context
	rc    receivingv1.ReceivingServiceClient
	pa    putawayv1.PutawayServiceClient
	inv   inventoryv1.InventoryServiceClient
	calls int
}

func newDockFlow(t *testing.T) *dockFlow {
	n := startNode(t)
	return &dockFlow{t: t, n: n, ctx: n.login(t, "B-ASSOC"), rc: receivingv1.NewReceivingServiceClient(n.conn),
		pa: putawayv1.NewPutawayServiceClient(n.conn), inv: inventoryv1.NewInventoryServiceClient(n.conn)}
}

func (f *dockFlow) rid() string { f.calls++; return fmt.Sprintf("%s-%d", f.t.Name(), f.calls) }

func (f *dockFlow) start(dock string) int64 {
	f.t.Helper()
	resp, err := f.rc.StartReceipt(f.ctx, &receivingv1.StartReceiptRequest{RequestId: f.rid(), DockLocationScan: dock, DocumentScan: server.DemoPONumber})
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.GetReceipt().GetReceiptId()
}

// scan receives qty eaches of SKU-0001.
func (f *dockFlow) scan(receipt, qty int64) error {
	_, err := f.rc.ReceiveScan(f.ctx, &receivingv1.ReceiveScanRequest{RequestId: f.rid(), ReceiptId: receipt, RawScan: putawayEachGTIN(1), Quantity: qty})
	return err
}

func (f *dockFlow) undo(receipt int64) error {
	_, err := f.rc.UndoLastScan(f.ctx, &receivingv1.UndoLastScanRequest{RequestId: f.rid(), ReceiptId: receipt, Reason: "mis-scan"})
	return err
}

// openTasks returns the open putaway tasks of SKU-0001 at dock, oldest first.
func (f *dockFlow) openTasks(dock string) []*putawayv1.Task {
	f.t.Helper()
	resp, err := f.pa.ListTasks(f.ctx, &putawayv1.ListTasksRequest{PageSize: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []*putawayv1.Task
	for _, tk := range resp.GetTasks() {
		if tk.GetSku() == "SKU-0001" && tk.GetFromLocationCode() == dock {
			out = append(out, tk)
		}
	}
	return out
}

// putAway confirms qty units of a task where the node directs them.
func (f *dockFlow) putAway(taskID, qty int64) {
	f.t.Helper()
	sug, err := f.pa.SuggestLocation(f.ctx, &putawayv1.SuggestLocationRequest{TaskId: taskID})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.pa.ConfirmPutaway(f.ctx, &putawayv1.ConfirmPutawayRequest{RequestId: f.rid(), TaskId: taskID,
		LocationScan: sug.GetSuggestion().GetLocationCode(), Quantity: qty}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *dockFlow) wantTasks(dock string, remaining ...int64) {
	f.t.Helper()
	var got []int64
	for _, tk := range f.openTasks(dock) {
		got = append(got, tk.GetRemainingQuantity())
	}
	if !slices.Equal(got, remaining) {
		f.t.Fatalf("open tasks at %s have %v units left, want %v", dock, got, remaining)
	}
}

func (f *dockFlow) wantOnHand(dock string, want int64) {
	f.t.Helper()
	if got := paQty(f.t, f.inv, f.ctx, dock, "SKU-0001"); got != want {
		f.t.Fatalf("%s holds %d of SKU-0001, want %d", dock, got, want)
	}
}

// TestUndoneScanLeavesNoPutawayTask: undoing a receipt scan cancels the
// putaway task it created, so the units can be received again; once some
// of them are put away, the undo is refused and changes nothing.
func TestUndoneScanLeavesNoPutawayTask(t *testing.T) {
	t.Parallel()
	f := newDockFlow(t)
	id := f.start("DOCK-01")
	if err := f.scan(id, 10); err != nil {
		t.Fatal(err)
	}
	f.wantTasks("DOCK-01", 10)
	if err := f.undo(id); err != nil {
		t.Fatal(err)
	}
	f.wantTasks("DOCK-01")
	f.wantOnHand("DOCK-01", 0)
	if err := f.scan(id, 5); err != nil { // was: FailedPrecondition, 5 on hand, 10 tasked
		t.Fatalf("receive again after the undo: %v", err)
	}
	f.wantTasks("DOCK-01", 5)

	f.putAway(f.openTasks("DOCK-01")[0].GetId(), 2)
	wantCode(t, f.undo(id), codes.FailedPrecondition)
	f.wantTasks("DOCK-01", 3)
	f.wantOnHand("DOCK-01", 3)
}

// TestUndoCannotTakeAnotherReceiptsStock: receipt 1's units are put away,
// receipt 2 brings the same item to the same dock; undoing receipt 1's scan
// is refused instead of taking receipt 2's units.
func TestUndoCannotTakeAnotherReceiptsStock(t *testing.T) {
	t.Parallel()
	f := newDockFlow(t)
	r1 := f.start("DOCK-01")
	if err := f.scan(r1, 10); err != nil {
		t.Fatal(err)
	}
	f.putAway(f.openTasks("DOCK-01")[0].GetId(), 10)
	r2 := f.start("DOCK-01")
	if err := f.scan(r2, 10); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.undo(r1), codes.FailedPrecondition)
	f.wantOnHand("DOCK-01", 10)
	f.wantTasks("DOCK-01", 10)
	rc, err := f.rc.GetReceipt(f.ctx, &receivingv1.GetReceiptRequest{ReceiptId: r1})
	if err != nil {
		t.Fatal(err)
	}
	if got := rc.GetReceipt().GetReceivedQuantity(); got != 10 || len(rc.GetReceipt().GetExceptions()) != 0 {
		t.Fatalf("refused undo changed receipt 1: %v", rc.GetReceipt())
	}
	// Receipt 2's own mis-scan still undoes.
	if err := f.undo(r2); err != nil {
		t.Fatal(err)
	}
	f.wantOnHand("DOCK-01", 0)
	f.wantTasks("DOCK-01")
}

// TestUndoTakesUnitsOffTasksNewestFirst: two scans of the same stock make
// two tasks; undoing the second, partly put away, closes it with what was
// put away and takes the rest off the first.
func TestUndoTakesUnitsOffTasksNewestFirst(t *testing.T) {
	t.Parallel()
	f := newDockFlow(t)
	id := f.start("DOCK-02")
	for range 2 {
		if err := f.scan(id, 6); err != nil {
			t.Fatal(err)
		}
	}
	tasks := f.openTasks("DOCK-02")
	if len(tasks) != 2 {
		t.Fatalf("two scans made tasks %v", tasks)
	}
	first, second := tasks[0].GetId(), tasks[1].GetId()
	f.putAway(second, 4)
	if err := f.undo(id); err != nil { // 6 units: the second task's 2, then 4 of the first's
		t.Fatal(err)
	}
	f.wantOnHand("DOCK-02", 2)
	f.wantTasks("DOCK-02", 2)
	ctx := context.Background()
	got, err := f.n.srv.Putaway.GetTask(ctx, second)
	if err != nil || got.State != putaway.TaskDone || got.Qty != 4 || got.PutQty != 4 {
		t.Fatalf("second task after the undo: %+v %v", got, err)
	}
	got, err = f.n.srv.Putaway.GetTask(ctx, first)
	if err != nil || got.State != putaway.TaskOpen || got.Qty != 2 || got.Remaining() != 2 {
		t.Fatalf("first task after the undo: %+v %v", got, err)
	}
}

// TestStaleTaskDoesNotBlockReceiving: 12 units of SKU-0002 received at
// DOCK-01 make a task for 12; after a lead adjusts one away, receiving one
// more unit works (it was refused: 12 on hand, 12 tasked) and the old
// task keeps the 11 still there. Units moved off the dock drop out of the
// queue, newest task first; a task whose units are not all at the dock is
// refused at the shelf until it is asked for again, and undoing the last
// scan still takes its unit back.
func TestStaleTaskDoesNotBlockReceiving(t *testing.T) {
	t.Parallel()
	f := newDockFlow(t)
	lead := f.n.login(t, "B-LEAD")
	sku2Each, _ := demoGTIN(2)
	id := f.start("DOCK-01")
	receive := func(qty int64) error {
		_, err := f.rc.ReceiveScan(f.ctx, &receivingv1.ReceiveScanRequest{RequestId: f.rid(), ReceiptId: id, RawScan: sku2Each, Quantity: qty})
		return err
	}
	tasks := func() []*putawayv1.Task {
		t.Helper()
		resp, err := f.pa.ListTasks(f.ctx, &putawayv1.ListTasksRequest{PageSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var out []*putawayv1.Task
		for _, tk := range resp.GetTasks() {
			if tk.GetSku() == "SKU-0002" && tk.GetFromLocationCode() == "DOCK-01" {
				out = append(out, tk)
			}
		}
		return out
	}
	wantRemaining := func(want ...int64) {
		t.Helper()
		var got []int64
		for _, tk := range tasks() {
			got = append(got, tk.GetRemainingQuantity())
		}
		if !slices.Equal(got, want) {
			t.Fatalf("open tasks of SKU-0002 at DOCK-01 have %v units left, want %v", got, want)
		}
	}
	adjust := func(delta int64) {
		t.Helper()
		if _, err := f.inv.AdjustStock(lead, &inventoryv1.AdjustStockRequest{RequestId: f.rid(), LocationCode: "DOCK-01", Sku: "SKU-0002",
			Delta: delta, Reason: "damaged"}); err != nil {
			t.Fatal(err)
		}
	}

	if err := receive(12); err != nil {
		t.Fatal(err)
	}
	adjust(-1)
	if err := receive(1); err != nil {
		t.Fatalf("receive 1 more after a unit was adjusted away: %v", err)
	}
	wantRemaining(11, 1)
	if err := f.undo(id); err != nil {
		t.Fatalf("undo the last scan: %v", err)
	}
	wantRemaining(11)
	if err := receive(1); err != nil {
		t.Fatal(err)
	}

	if _, err := f.inv.MoveStock(lead, &inventoryv1.MoveStockRequest{RequestId: f.rid(), FromLocationScan: "DOCK-01", ToLocationScan: "STG-01",
		Sku: "SKU-0002", Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	wantRemaining(10)

	old := tasks()[0]
	adjust(-1)
	sug, err := f.pa.SuggestLocation(f.ctx, &putawayv1.SuggestLocationRequest{TaskId: old.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if got := sug.GetTask().GetRemainingQuantity(); got != 9 {
		t.Fatalf("task asked for again has %d units, want the 9 at DOCK-01", got)
	}
	adjust(-1)
	_, err = f.pa.ConfirmPutaway(f.ctx, &putawayv1.ConfirmPutawayRequest{RequestId: f.rid(), TaskId: old.GetId(),
		LocationScan: sug.GetSuggestion().GetLocationCode(), Quantity: 5})
	wantCode(t, err, codes.FailedPrecondition)
	if got := paQty(t, f.inv, f.ctx, "DOCK-01", "SKU-0002"); got != 8 {
		t.Fatalf("DOCK-01 holds %d of SKU-0002 after the refused confirm, want 8", got)
	}
	f.putAway(old.GetId(), 8)
	wantRemaining()
	paCheckLedger(t, f.n)
}
