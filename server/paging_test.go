package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestPagingIsOneRule: a page of a list (read one row more than the page,
// trim, issue the next token) is one rule, store.PageRequest and
// store.PageOf, with one token format. No other hand-written file pages by
// hand or reads a token itself, and every list pages the same way: page
// size 1 walks it to the end with no repeats and no gaps, and a token one
// list issued is refused by every other (InvalidArgument on page_token).
func TestPagingIsOneRule(t *testing.T) {
	t.Parallel()
	t.Run("one definition", func(t *testing.T) {
		t.Parallel()
		rule := regexp.MustCompile(`\blimit\s*\+\s*1\b|\[:\s*limit\]|\b(Encode|Decode|ID)PageToken\(|store\.PageSize\(|"page_token"`)
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != root && (d.Name() == "proto" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			rel, _ := filepath.Rel(root, path)
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || rel == filepath.Join("store", "page.go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(src), "\n") {
				if code, _, _ := strings.Cut(line, "//"); rule.MatchString(code) {
					t.Errorf("%s:%d pages a list itself: use store.PageRequest and store.PageOf: %s", rel, i+1, strings.TrimSpace(code))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("every list", func(t *testing.T) {
		t.Parallel()
		e := newPickEnv(t)
		lists := pagedLists(t, e)
		firstTokens := map[string]string{}
		for _, l := range lists {
			all, next, err := l.page(store1000, "")
			if err != nil || next != "" {
				t.Fatalf("%s: the whole list: next %q, %v", l.name, next, err)
			}
			if len(all) < 2 {
				t.Fatalf("%s has %d rows: the test needs at least 2 to page", l.name, len(all))
			}
			var walked []string
			token := ""
			for range len(all) + 1 {
				rows, next, err := l.page(1, token)
				if err != nil {
					t.Fatalf("%s: page after %d rows: %v", l.name, len(walked), err)
				}
				if token == "" {
					firstTokens[l.name] = next
				}
				walked = append(walked, rows...)
				if token = next; token == "" {
					break
				}
			}
			if !slices.Equal(walked, all) {
				t.Errorf("%s: paged one at a time %v, want %v", l.name, walked, all)
			}
		}
		for _, issuer := range lists {
			for _, l := range lists {
				if l.name == issuer.name {
					continue
				}
				_, _, err := l.page(1, firstTokens[issuer.name])
				if status.Code(err) != codes.InvalidArgument || !slices.Contains(violations(err), "page_token") {
					t.Errorf("%s given a token of %s: %v, want InvalidArgument on page_token", l.name, issuer.name, err)
				}
			}
		}
		// A token of the earlier format (a tag without the format's
		// version) is refused, not read as a position.
		sum := sha256.Sum256([]byte("items"))
		old := base64.RawURLEncoding.EncodeToString(append(sum[:4], "SKU-0001"...))
		_, err := e.inv.ListItems(e.lead, &inventoryv1.ListItemsRequest{PageSize: 1, PageToken: old})
		if status.Code(err) != codes.InvalidArgument || !slices.Contains(violations(err), "page_token") {
			t.Errorf("ListItems given a token of the earlier format: %v, want InvalidArgument on page_token", err)
		}
		// Other filters of the same list are another listing.
		_, err = e.inv.ListLocations(e.lead, &inventoryv1.ListLocationsRequest{Zone: "B", PageSize: 1, PageToken: firstTokens["ListLocations zone A"]})
		if status.Code(err) != codes.InvalidArgument || !slices.Contains(violations(err), "page_token") {
			t.Errorf("zone B given a token of zone A: %v, want InvalidArgument on page_token", err)
		}
	})
}

const store1000 = 1000

// pagedList is one list RPC: a page of it as the rows' keys, and the
// next token.
type pagedList struct {
	name string
	page func(size int32, token string) ([]string, string, error)
}

// pagedLists readies a node with at least two rows in every list and
// returns its lists.
func pagedLists(t *testing.T, e *pickEnv) []pagedList {
	t.Helper()
	rc := receivingv1.NewReceivingServiceClient(e.n.conn)
	pa := putawayv1.NewPutawayServiceClient(e.n.conn)
	au := authv1.NewAuthServiceClient(e.n.conn)

	// A second PO with an ASN, a receipt against each PO; two SKUs
	// received and put away, for dock-to-stock; two open putaway tasks.
	if _, err := rc.UpsertPurchaseOrder(e.central, &receivingv1.UpsertPurchaseOrderRequest{RequestId: "pg-po", PurchaseOrder: &receivingv1.PurchaseOrder{
		PoNumber: "PO-PG-1", Vendor: "ACME", ExpectedDate: "2030-05-01", Lines: []*receivingv1.PurchaseOrderLine{{Sku: "SKU-0001", OrderedQuantity: 12}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.CreateAdvanceShipNotice(e.central, &receivingv1.CreateAdvanceShipNoticeRequest{RequestId: "pg-asn", AdvanceShipNotice: &receivingv1.AdvanceShipNotice{
		AsnNumber: "ASN-PG-1", PoNumber: "PO-PG-1", Containers: []*receivingv1.ShipContainer{
			{Sscc: testSSCC(9101), Contents: []*receivingv1.ShipContainerContent{{Sku: "SKU-0001", Quantity: 12}}}}}}); err != nil {
		t.Fatal(err)
	}
	rcpt, err := rc.StartReceipt(e.assoc, &receivingv1.StartReceiptRequest{RequestId: "pg-rc1", DockLocationScan: "DOCK-01", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.StartReceipt(e.assoc, &receivingv1.StartReceiptRequest{RequestId: "pg-rc2", DockLocationScan: "DOCK-02", DocumentScan: "PO-PG-1"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		if _, err := rc.ReceiveScan(e.assoc, &receivingv1.ReceiveScanRequest{RequestId: fmt.Sprintf("pg-scan-%d", n), ReceiptId: rcpt.GetReceipt().GetReceiptId(),
			RawScan: pickGTIN(n), Quantity: 6}); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := pa.ListTasks(e.assoc, &putawayv1.ListTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks.GetTasks() {
		sg, err := pa.SuggestLocation(e.assoc, &putawayv1.SuggestLocationRequest{TaskId: task.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pa.ConfirmPutaway(e.assoc, &putawayv1.ConfirmPutawayRequest{RequestId: e.rid("pg-put"), TaskId: task.GetId(),
			LocationScan: sg.GetSuggestion().GetLocationCode(), Quantity: task.GetRemainingQuantity()}); err != nil {
			t.Fatal(err)
		}
	}
	e.adjust(t, "STG-01", "SKU-0001", "", "", 2)
	for range 2 {
		if _, err := pa.CreateTask(e.lead, &putawayv1.CreateTaskRequest{RequestId: e.rid("pg-task"), FromLocationScan: "STG-01", Sku: "SKU-0001", Quantity: 1}); err != nil {
			t.Fatal(err)
		}
	}
	e.startedList(t, order("SO-PG1", "SKU-0001", 1), "LPN-PG1")
	e.startedList(t, order("SO-PG2", "SKU-0001", 1), "LPN-PG2")
	for _, step := range []string{"disable", "enable"} {
		var err error
		if step == "disable" {
			_, err = au.DisableUser(e.admin, &authv1.DisableUserRequest{RequestId: "pg-" + step, Badge: "B-ASSOC"})
		} else {
			_, err = au.EnableUser(e.admin, &authv1.EnableUserRequest{RequestId: "pg-" + step, Badge: "B-ASSOC"})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	cc := cyclecountv1.NewCycleCountServiceClient(e.n.conn)
	for _, code := range []string{"A-01-01-A", "A-01-02-A", "A-01-03-A"} {
		if _, err := cc.AddTask(e.lead, &cyclecountv1.AddTaskRequest{RequestId: "pg-count-" + code, LocationCode: code}); err != nil {
			t.Fatal(err)
		}
	}

	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	return []pagedList{
		{"CycleCountService ListTasks", func(size int32, tok string) ([]string, string, error) {
			r, err := cc.ListTasks(e.lead, &cyclecountv1.ListTasksRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetTasks() {
				keys = append(keys, id(x.GetId()))
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListItems", func(size int32, tok string) ([]string, string, error) {
			r, err := e.inv.ListItems(e.lead, &inventoryv1.ListItemsRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetItems() {
				keys = append(keys, x.GetSku())
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListLocations zone A", func(size int32, tok string) ([]string, string, error) {
			r, err := e.inv.ListLocations(e.lead, &inventoryv1.ListLocationsRequest{Zone: "A", PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetLocations() {
				keys = append(keys, x.GetCode())
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListMovements", func(size int32, tok string) ([]string, string, error) {
			r, err := e.inv.ListMovements(e.lead, &inventoryv1.ListMovementsRequest{Sku: "SKU-0001", PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetMovements() {
				keys = append(keys, id(x.GetId()))
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListPurchaseOrders", func(size int32, tok string) ([]string, string, error) {
			r, err := rc.ListPurchaseOrders(e.lead, &receivingv1.ListPurchaseOrdersRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetPurchaseOrders() {
				keys = append(keys, x.GetPoNumber())
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListAdvanceShipNotices", func(size int32, tok string) ([]string, string, error) {
			r, err := rc.ListAdvanceShipNotices(e.lead, &receivingv1.ListAdvanceShipNoticesRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetAdvanceShipNotices() {
				keys = append(keys, x.GetAsnNumber())
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListReceipts", func(size int32, tok string) ([]string, string, error) {
			r, err := rc.ListReceipts(e.lead, &receivingv1.ListReceiptsRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetReceipts() {
				keys = append(keys, id(x.GetReceiptId()))
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListTasks", func(size int32, tok string) ([]string, string, error) {
			r, err := pa.ListTasks(e.lead, &putawayv1.ListTasksRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetTasks() {
				keys = append(keys, id(x.GetId()))
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"GetDockToStock", func(size int32, tok string) ([]string, string, error) {
			r, err := pa.GetDockToStock(e.lead, &putawayv1.GetDockToStockRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetItems() {
				keys = append(keys, x.GetSku())
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListPickLists", func(size int32, tok string) ([]string, string, error) {
			r, err := e.pk.ListPickLists(e.lead, &pickingv1.ListPickListsRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetPickLists() {
				keys = append(keys, id(x.GetId()))
			}
			return keys, r.GetNextPageToken(), err
		}},
		{"ListUserAudit", func(size int32, tok string) ([]string, string, error) {
			r, err := au.ListUserAudit(e.admin, &authv1.ListUserAuditRequest{PageSize: size, PageToken: tok})
			var keys []string
			for _, x := range r.GetEvents() {
				keys = append(keys, x.GetBadge()+" "+x.GetAction()+" "+x.GetRequestId())
			}
			return keys, r.GetNextPageToken(), err
		}},
	}
}
