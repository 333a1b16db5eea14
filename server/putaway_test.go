package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// putawayEachGTIN is the demo's each GTIN-13 of item n (see server.SeedDemo).
func putawayEachGTIN(n int) string {
	body := fmt.Sprintf("0614141%05d", n)
	d, _ := scan.GS1CheckDigit(body)
	return body + string(d)
}

func TestPutawayEndToEnd(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	pa := putawayv1.NewPutawayServiceClient(n.conn)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	lead, assoc, admin := n.login(t, "B-LEAD"), n.login(t, "B-ASSOC"), n.login(t, "B-ADMIN")
	key := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+server.DemoAPIKey)

	// Stock found in staging becomes a lead's putaway task.
	if _, err := inv.AdjustStock(lead, &inventoryv1.AdjustStockRequest{RequestId: "pa-adj-1", LocationCode: "STG-01", Sku: "SKU-0001", Delta: 61, Reason: "found"}); err != nil {
		t.Fatal(err)
	}
	create := &putawayv1.CreateTaskRequest{RequestId: "pa-t1", FromLocationScan: "stg-01\r\n", Sku: "SKU-0001", Quantity: 20, Reference: "found in staging"}
	_, err := pa.CreateTask(assoc, create)
	wantCode(t, err, codes.PermissionDenied)
	created, err := pa.CreateTask(lead, create)
	if err != nil {
		t.Fatal(err)
	}
	task := created.GetTask()
	if task.GetState() != putawayv1.TaskState_TASK_STATE_OPEN || task.GetRemainingQuantity() != 20 || task.GetFromLocationCode() != "STG-01" || task.GetCreatedBy() != "B-LEAD" {
		t.Fatalf("created task: %v", task)
	}
	_, err = pa.CreateTask(lead, &putawayv1.CreateTaskRequest{RequestId: "pa-t-bad"})
	wantCode(t, err, codes.InvalidArgument)
	if diff := cmp.Diff([]string{"from_location_scan", "sku", "quantity"}, violations(err)); diff != "" {
		t.Errorf("field violations (-want +got):\n%s", diff)
	}

	// The associate scans the item in staging and is told where and why:
	// SKU-0001 already lives in its pick face A-01-01-A.
	sg, err := pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{Scan: putawayEachGTIN(1)})
	if err != nil {
		t.Fatal(err)
	}
	if sg.GetTask().GetId() != task.GetId() {
		t.Fatalf("scan chose task %d, want %d", sg.GetTask().GetId(), task.GetId())
	}
	s := sg.GetSuggestion()
	if s.GetLocationCode() != "A-01-01-A" || s.GetStrategy() != putawayv1.Strategy_STRATEGY_CONSOLIDATE ||
		!strings.HasPrefix(s.GetReason(), "consolidate with ") || s.GetQuantity() != 20 {
		t.Fatalf("suggestion: %v", s)
	}
	before := paQty(t, inv, lead, "A-01-01-A", "SKU-0001")

	// Confirm 12 by scanning the label, then the other 8 by check code.
	first := &putawayv1.ConfirmPutawayRequest{RequestId: "pa-c1", TaskId: task.GetId(), LocationScan: "A-01-01-A\r\n", Quantity: 12}
	c1, err := pa.ConfirmPutaway(assoc, first)
	if err != nil {
		t.Fatal(err)
	}
	if c1.GetOverridden() || c1.GetTask().GetRemainingQuantity() != 8 || c1.GetMovement().GetKind() != "putaway" ||
		c1.GetMovement().GetFromLocationCode() != "STG-01" || c1.GetMovement().GetToLocationCode() != "A-01-01-A" || c1.GetMovement().GetUserBadge() != "B-ASSOC" {
		t.Fatalf("first confirm: %v", c1)
	}
	retry, err := pa.ConfirmPutaway(assoc, first)
	if err != nil || retry.GetMovement().GetId() != c1.GetMovement().GetId() {
		t.Fatalf("retried confirm: %v %v", retry, err)
	}
	loc, err := inv.GetLocation(assoc, &inventoryv1.GetLocationRequest{Code: "A-01-01-A"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := pa.ConfirmPutaway(assoc, &putawayv1.ConfirmPutawayRequest{RequestId: "pa-c2", TaskId: task.GetId(), LocationScan: loc.GetLocation().GetCheckCode(), Quantity: 8})
	if err != nil {
		t.Fatal(err)
	}
	if c2.GetTask().GetState() != putawayv1.TaskState_TASK_STATE_DONE || c2.GetTask().GetCloseTime() == nil {
		t.Fatalf("task after check-code confirm: %v", c2.GetTask())
	}
	if got := paQty(t, inv, lead, "A-01-01-A", "SKU-0001"); got != before+20 {
		t.Fatalf("A-01-01-A holds %d of SKU-0001, want %d", got, before+20)
	}
	_, err = pa.ConfirmPutaway(assoc, &putawayv1.ConfirmPutawayRequest{RequestId: "pa-c3", TaskId: task.GetId(), LocationScan: "A-01-01-A", Quantity: 1})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = pa.ConfirmPutaway(assoc, &putawayv1.ConfirmPutawayRequest{RequestId: "pa-c4", TaskId: 9999, LocationScan: "A-01-01-A", Quantity: 1})
	wantCode(t, err, codes.NotFound)

	// Wrong locations are refused with something to act on; nothing moves.
	t2, err := pa.CreateTask(lead, &putawayv1.CreateTaskRequest{RequestId: "pa-t2", FromLocationScan: "STG-01", Sku: "SKU-0001", Quantity: 40})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inv.UpsertLocation(admin, &inventoryv1.UpsertLocationRequest{RequestId: "pa-block", Location: &inventoryv1.Location{
		Code: "C-04-09-C", Zone: "C", Type: inventoryv1.LocationType_LOCATION_TYPE_STORAGE, WalkSequence: 390, Capacity: 480, Blocked: true}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		scan, override string
		code           codes.Code
		field          string
	}{
		{"C-04-10-C", "", codes.InvalidArgument, "override_reason"},
		{"Z-09-09-Z", "", codes.NotFound, ""},
		{"C-04-09-C", "rack ok", codes.FailedPrecondition, ""},
		{"DOCK-02", "no room", codes.InvalidArgument, "location_scan"},
		{"LPN-0001", "", codes.InvalidArgument, "location_scan"},
		{paWrongCheckCode(loc.GetLocation().GetCheckCode()), "", codes.InvalidArgument, "location_scan"},
	} {
		_, err := pa.ConfirmPutaway(assoc, &putawayv1.ConfirmPutawayRequest{RequestId: "pa-bad-" + tt.scan, TaskId: t2.GetTask().GetId(),
			LocationScan: tt.scan, Quantity: 40, OverrideReason: tt.override})
		if got := status.Code(err); got != tt.code {
			t.Errorf("scan %s: code %v (%v), want %v", tt.scan, got, err, tt.code)
		}
		if tt.field != "" && !slices.Contains(violations(err), tt.field) {
			t.Errorf("scan %s: violations %v, want %s", tt.scan, violations(err), tt.field)
		}
	}

	// Another valid location with a reason is accepted and raises that
	// location's count risk with an exception.
	ov, err := pa.ConfirmPutaway(assoc, &putawayv1.ConfirmPutawayRequest{RequestId: "pa-ov", TaskId: t2.GetTask().GetId(),
		LocationScan: "C-04-10-C", Quantity: 40, OverrideReason: "directed bin damaged"})
	if err != nil {
		t.Fatal(err)
	}
	if !ov.GetOverridden() || ov.GetDirectedLocationCode() == "" || ov.GetMovement().GetReason() != "directed bin damaged" {
		t.Fatalf("override: %v", ov)
	}
	if got := paCount(t, n, `SELECT COUNT(*) FROM exceptions e JOIN locations l ON l.id = e.location_id
		WHERE e.kind = 'putaway_override' AND l.code = 'C-04-10-C' AND e.user_badge = 'B-ASSOC'`); got != 1 {
		t.Fatalf("%d putaway-override exceptions at C-04-10-C, want 1", got)
	}
	if !paOutboxHasPutaway(t, n, "STG-01", "C-04-10-C", 40) {
		t.Fatal("outbox lacks the putaway movement from STG-01 to C-04-10-C")
	}

	// Leads and central see the queue and dock-to-stock; central may not put away.
	if _, err := pa.ListTasks(assoc, &putawayv1.ListTasksRequest{}); err != nil {
		t.Fatal(err)
	}
	d2s, err := pa.GetDockToStock(key, &putawayv1.GetDockToStockRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if d2s.GetOverall().GetTasks() != 0 || len(d2s.GetItems()) != 0 {
		t.Fatalf("a lead's ad-hoc moves counted as dock-to-stock: %v", d2s)
	}
	_, err = pa.ConfirmPutaway(key, &putawayv1.ConfirmPutawayRequest{RequestId: "pa-key"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = pa.GetDockToStock(assoc, &putawayv1.GetDockToStockRequest{})
	wantCode(t, err, codes.PermissionDenied)

	// The same over REST.
	tok := restToken(t, n, "B-ASSOC")
	if code, out := n.rest(t, "GET", "/v1/putaway/tasks", tok, nil); code != http.StatusOK || out["tasks"] == nil {
		t.Fatalf("GET /v1/putaway/tasks = %d %v", code, out)
	}
	t3, err := pa.CreateTask(lead, &putawayv1.CreateTaskRequest{RequestId: "pa-t3", FromLocationScan: "STG-01", Sku: "SKU-0001", Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	code, out := n.rest(t, "POST", fmt.Sprintf("/v1/putaway/tasks/%d:suggest", t3.GetTask().GetId()), tok, map[string]any{})
	if code != http.StatusOK || out["suggestion"].(map[string]any)["reason"] == "" {
		t.Fatalf("POST :suggest = %d %v", code, out)
	}
	code, out = n.rest(t, "POST", fmt.Sprintf("/v1/putaway/tasks/%d:confirm", t3.GetTask().GetId()), tok,
		map[string]any{"request_id": "pa-rest-c", "location_scan": "NOPE-1", "quantity": 1})
	if code != http.StatusNotFound {
		t.Fatalf("POST :confirm at an unknown location = %d %v", code, out)
	}
	paCheckLedger(t, n)
}

// TestPutawayCapacityRace sends associates with different tasks to the same
// last free room at once: the first task, which the room is reserved for,
// and the others (directed elsewhere) with an override reason. One
// succeeds, the rest are refused with FailedPrecondition and directed
// elsewhere; capacity is never exceeded.
func TestPutawayCapacityRace(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	pa := putawayv1.NewPutawayServiceClient(n.conn)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	lead, assoc, admin := n.login(t, "B-LEAD"), n.login(t, "B-ASSOC"), n.login(t, "B-ADMIN")

	// A new item sits only in the empty pick face A-04-05-A, 115 of 120.
	if _, err := inv.UpsertItem(admin, &inventoryv1.UpsertItemRequest{RequestId: "race-item", Item: &inventoryv1.Item{Sku: "SKU-RACE", AbcClass: "A"}}); err != nil {
		t.Fatal(err)
	}
	for i, a := range []struct {
		loc   string
		delta int64
	}{{"A-04-05-A", 115}, {"STG-02", 30}} {
		if _, err := inv.AdjustStock(lead, &inventoryv1.AdjustStockRequest{RequestId: fmt.Sprintf("race-adj-%d", i), LocationCode: a.loc, Sku: "SKU-RACE", Delta: a.delta, Reason: "found"}); err != nil {
			t.Fatal(err)
		}
	}
	const racers = 6
	tasks := make([]int64, racers)
	directed := map[string]bool{}
	for i := range tasks {
		resp, err := pa.CreateTask(lead, &putawayv1.CreateTaskRequest{RequestId: fmt.Sprintf("race-t%d", i), FromLocationScan: "STG-02", Sku: "SKU-RACE", Quantity: 5})
		if err != nil {
			t.Fatal(err)
		}
		tasks[i] = resp.GetTask().GetId()
		sg, err := pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{TaskId: tasks[i]})
		if err != nil {
			t.Fatal(err)
		}
		code := sg.GetSuggestion().GetLocationCode()
		if (i == 0) != (code == "A-04-05-A") || directed[code] {
			t.Fatalf("task %d directed to %s after %v: the last room is the first task's, and no two tasks share a slot", i, code, directed)
		}
		directed[code] = true
	}
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range tasks {
		override := "closer"
		if i == 0 {
			override = ""
		}
		wg.Go(func() {
			_, errs[i] = pa.ConfirmPutaway(assoc, &putawayv1.ConfirmPutawayRequest{
				RequestId: fmt.Sprintf("race-c%d", i), TaskId: tasks[i], LocationScan: "A-04-05-A", Quantity: 5, OverrideReason: override})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch status.Code(err) {
		case codes.OK:
			won++
		case codes.FailedPrecondition:
			sg, err := pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{TaskId: tasks[i]})
			if err != nil || sg.GetSuggestion().GetLocationCode() == "A-04-05-A" {
				t.Errorf("loser %d: new suggestion %v, %v", i, sg.GetSuggestion(), err)
			}
		default:
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racers fit into the last 5 units of room, want 1", won)
	}
	if got := paQty(t, inv, lead, "A-04-05-A", "SKU-RACE"); got != 120 {
		t.Fatalf("A-04-05-A holds %d, capacity 120", got)
	}
	paCheckLedger(t, n)
}

// paWrongCheckCode is a 2-digit code that is not c.
// paWrongCheckCode is a valid check code (02-98) other than c.
func paWrongCheckCode(c string) string {
	if c == "02" {
		return "03"
	}
	return "02"
}

func paQty(t *testing.T, inv inventoryv1.InventoryServiceClient, ctx context.Context, loc, sku string) int64 {
	t.Helper()
	resp, err := inv.GetBalances(ctx, &inventoryv1.GetBalancesRequest{LocationCode: loc, Sku: sku})
	if err != nil {
		t.Fatal(err)
	}
	var q int64
	for _, b := range resp.GetBalances() {
		q += b.GetQuantity()
	}
	return q
}

func paCount(t *testing.T, n *node, query string, args ...any) int64 {
	t.Helper()
	var c int64
	if err := n.srv.DB.Reader().QueryRow(query, args...).Scan(&c); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return c
}

func paOutboxHasPutaway(t *testing.T, n *node, from, to string, qty int64) bool {
	t.Helper()
	rows, err := n.srv.DB.Reader().Query(`SELECT payload FROM outbox WHERE kind = 'stock_moved' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var ev eventv1.Event
		if err := proto.Unmarshal(payload, &ev); err != nil {
			t.Fatal(err)
		}
		m := ev.GetStockMoved()
		if m.GetKind() == "putaway" && m.GetFromLocationCode() == from && m.GetToLocationCode() == to && m.GetQuantity() == qty {
			return true
		}
	}
	return false
}

// paCheckLedger recomputes every balance from the movements ledger and
// compares both ways with the balances table.
func paCheckLedger(t *testing.T, n *node) {
	t.Helper()
	const diff = `WITH ledger AS (
			SELECT to_location_id AS loc, item_id, lot, expiry, to_status AS status, to_lpn AS lpn, qty FROM movements WHERE to_location_id IS NOT NULL
			UNION ALL
			SELECT from_location_id, item_id, lot, expiry, from_status, from_lpn, -qty FROM movements WHERE from_location_id IS NOT NULL),
		sums AS (SELECT loc, item_id, lot, expiry, status, lpn, SUM(qty) AS qty FROM ledger GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(qty) <> 0)
		SELECT (SELECT COUNT(*) FROM (
				SELECT loc, item_id, lot, expiry, status, lpn, qty FROM sums
				EXCEPT SELECT location_id, item_id, lot, expiry, status, lpn, qty FROM balances))
			+ (SELECT COUNT(*) FROM (
				SELECT location_id, item_id, lot, expiry, status, lpn, qty FROM balances
				EXCEPT SELECT loc, item_id, lot, expiry, status, lpn, qty FROM sums))`
	if d := paCount(t, n, diff); d != 0 {
		t.Fatalf("%d balances differ from the ledger", d)
	}
}

// TestPutawayBySSCC receives the demo ASN's pallet by its SSCC and finds its
// putaway task by scanning that SSCC in staging, plain or as a GS1 label.
func TestPutawayBySSCC(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	if err := server.SeedDemoReceiving(context.Background(), n.srv); err != nil {
		t.Fatal(err)
	}
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	pa := putawayv1.NewPutawayServiceClient(n.conn)
	assoc := n.login(t, "B-ASSOC")
	sscc := server.DemoPalletSSCCs[0]
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "sscc-start", DockLocationScan: "DOCK-01", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "sscc-pallet", ReceiptId: started.GetReceipt().GetReceiptId(),
		RawScan: sscc, Quantity: 1, ConfirmPallet: true}); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{sscc, "]C100" + sscc} {
		sg, err := pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{Scan: raw})
		if err != nil {
			t.Fatalf("scan %q: %v", raw, err)
		}
		if task := sg.GetTask(); task.GetLpn() != sscc || task.GetSku() != "SKU-0001" || task.GetRemainingQuantity() != 48 {
			t.Fatalf("scan %q chose task %v, want the pallet's 48 units of SKU-0001", raw, task)
		}
	}
	_, err = pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{Scan: server.DemoPalletSSCCs[1]})
	wantCode(t, err, codes.NotFound)
}

// TestSetHomeLocationRefusals: a pick face that is another item's home,
// or holds another SKU, cannot become an item's home: FailedPrecondition.
func TestSetHomeLocationRefusals(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	pa := putawayv1.NewPutawayServiceClient(n.conn)
	lead := n.login(t, "B-LEAD")
	set := func(rid, sku, code string) error {
		_, err := pa.SetHomeLocation(lead, &putawayv1.SetHomeLocationRequest{RequestId: rid, Sku: sku, LocationCode: code})
		return err
	}
	// The demo keeps SKU-0001 in A-01-01-A and SKU-0002 in A-01-02-A.
	if err := set("home-1", "SKU-0001", "A-01-01-A"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, set("home-taken", "SKU-0003", "A-01-01-A"), codes.FailedPrecondition)
	wantCode(t, set("home-holds-other", "SKU-0001", "A-01-02-A"), codes.FailedPrecondition)
}

// TestPutawayScanOfALotItemNamesItsLot: with units of two lots of one item
// waiting, the item's barcode alone does not say which is in hand: the
// scan is refused on its field; the label with the lot finds that lot's
// task.
func TestPutawayScanOfALotItemNamesItsLot(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	pa := putawayv1.NewPutawayServiceClient(n.conn)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	lead, assoc := n.login(t, "B-LEAD"), n.login(t, "B-ASSOC")
	const item = 4
	sku := fmt.Sprintf("SKU-%04d", item)
	tasks := map[string]int64{}
	for _, lot := range []string{"LOT-PA1", "LOT-PA2"} {
		if _, err := inv.AdjustStock(lead, &inventoryv1.AdjustStockRequest{RequestId: "adj-" + lot, LocationCode: "STG-01", Sku: sku, Lot: lot, Expiry: "2030-01-01", Delta: 5, Reason: "found"}); err != nil {
			t.Fatal(err)
		}
		c, err := pa.CreateTask(lead, &putawayv1.CreateTaskRequest{RequestId: "task-" + lot, FromLocationScan: "STG-01", Sku: sku, Lot: lot, Expiry: "2030-01-01", Quantity: 5})
		if err != nil {
			t.Fatal(err)
		}
		tasks[lot] = c.GetTask().GetId()
	}
	_, err := pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{Scan: putawayEachGTIN(item)})
	wantCode(t, err, codes.InvalidArgument)
	if v := violations(err); len(v) != 1 || v[0] != "scan" {
		t.Fatalf("violations %v, want scan", v)
	}
	sg, err := pa.SuggestLocation(assoc, &putawayv1.SuggestLocationRequest{Scan: "(01)0" + putawayEachGTIN(item) + "(17)300101(10)LOT-PA2"})
	if err != nil || sg.GetTask().GetId() != tasks["LOT-PA2"] {
		t.Fatalf("the scan of LOT-PA2's label chose %v (%v), want task %d", sg.GetTask(), err, tasks["LOT-PA2"])
	}
}
