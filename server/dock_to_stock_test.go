package server_test

import (
	"testing"

	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
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
}
