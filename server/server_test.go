package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/floorops/floorops/auth"
	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/floorops/floorops/server"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// node is a demo node running on loopback ports for one test.
type node struct {
	srv  *server.Server
	conn *grpc.ClientConn
	base string // http://127.0.0.1:port
}

func startNode(t *testing.T) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, server.Config{
		DBPath:   filepath.Join(t.TempDir(), "node.db"),
		GRPCAddr: "127.0.0.1:0",
		HTTPAddr: "127.0.0.1:0",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.SeedDemo(ctx, srv); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return &node{srv: srv, conn: conn, base: "http://" + srv.HTTPAddr()}
}

func (n *node) login(t *testing.T, badge string) context.Context {
	t.Helper()
	resp, err := authv1.NewAuthServiceClient(n.conn).Login(context.Background(), &authv1.LoginRequest{Badge: badge, Pin: server.DemoPIN, DeviceId: "test-hh"})
	if err != nil {
		t.Fatalf("login %s: %v", badge, err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+resp.GetToken())
}

func wantCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("code = %v (%v), want %v", got, err, want)
	}
}

func TestEveryRegisteredMethodHasAPermission(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	var missing []string
	for svc, info := range n.srv.GRPCServer().GetServiceInfo() {
		for _, m := range info.Methods {
			full := "/" + svc + "/" + m.Name
			if _, ok := auth.Permissions[full]; !ok {
				missing = append(missing, full)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("methods without a permission entry (they are denied to everyone):\n%s", strings.Join(missing, "\n"))
	}
}

func TestAuthAndRolesOverGRPC(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)

	hc, err := healthpb.NewHealthClient(n.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || hc.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health = %v, %v", hc, err)
	}
	_, err = inv.GetItem(context.Background(), &inventoryv1.GetItemRequest{Sku: "SKU-0001"})
	wantCode(t, err, codes.Unauthenticated)

	adjust := &inventoryv1.AdjustStockRequest{RequestId: "adj-1", LocationCode: "A-01-01-A", Sku: "SKU-0001", Delta: 5, Reason: "found"}
	_, err = inv.AdjustStock(n.login(t, "B-ASSOC"), adjust)
	wantCode(t, err, codes.PermissionDenied)

	lead := n.login(t, "B-LEAD")
	resp, err := inv.AdjustStock(lead, adjust)
	if err != nil {
		t.Fatal(err)
	}
	if m := resp.GetMovement(); m.GetUserBadge() != "B-LEAD" || m.GetDeviceId() != "test-hh" || m.GetQuantity() != 5 {
		t.Fatalf("movement does not record who and where: %v", m)
	}

	_, err = authv1.NewAuthServiceClient(n.conn).Login(context.Background(), &authv1.LoginRequest{Badge: "B-LEAD", Pin: "9999", DeviceId: "x"})
	wantCode(t, err, codes.Unauthenticated)

	key := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+server.DemoAPIKey)
	if _, err := inv.GetAvailableToSell(key, &inventoryv1.GetAvailableToSellRequest{Skus: []string{"SKU-0001"}}); err != nil {
		t.Fatalf("integration key reading ATS: %v", err)
	}
	_, err = inv.MoveStock(key, &inventoryv1.MoveStockRequest{RequestId: "k1"})
	wantCode(t, err, codes.PermissionDenied)

	if _, err := authv1.NewAuthServiceClient(n.conn).Logout(lead, &authv1.LogoutRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err = inv.GetItem(lead, &inventoryv1.GetItemRequest{Sku: "SKU-0001"})
	wantCode(t, err, codes.Unauthenticated)
}

func TestRetriedMoveMovesOnce(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	ctx := n.login(t, "B-ASSOC")
	before := balances(t, inv, ctx, "SKU-0002")
	from := before[0].GetLocationCode()
	req := &inventoryv1.MoveStockRequest{RequestId: "move-42", FromLocationScan: from + "\r\n", ToLocationScan: "c-04-10-c", Sku: "SKU-0002", Quantity: 3}
	first, err := inv.MoveStock(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		again, err := inv.MoveStock(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if again.GetMovement().GetId() != first.GetMovement().GetId() {
			t.Fatalf("retry wrote movement %d, first was %d", again.GetMovement().GetId(), first.GetMovement().GetId())
		}
	}
	after := balances(t, inv, ctx, "SKU-0002")
	got := map[string]int64{}
	for _, b := range after {
		got[b.GetLocationCode()] += b.GetQuantity()
	}
	if got["C-04-10-C"] != 3 || got[from] != before[0].GetQuantity()-3 {
		t.Fatalf("after a retried move of 3: %v (before %v)", got, before)
	}
	req.Quantity = 4
	_, err = inv.MoveStock(ctx, req)
	wantCode(t, err, codes.AlreadyExists)
}

func balances(t *testing.T, inv inventoryv1.InventoryServiceClient, ctx context.Context, sku string) []*inventoryv1.Balance {
	t.Helper()
	resp, err := inv.GetBalances(ctx, &inventoryv1.GetBalancesRequest{Sku: sku})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetBalances()
}

func TestBadInputOverGRPC(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	ctx := n.login(t, "B-LEAD")
	stock := balances(t, inv, ctx, "SKU-0003")[0]
	tests := []struct {
		name   string
		req    *inventoryv1.MoveStockRequest
		code   codes.Code
		fields []string
	}{
		{"missing everything", &inventoryv1.MoveStockRequest{RequestId: "b1"}, codes.InvalidArgument,
			[]string{"from_location_scan", "to_location_scan", "sku", "quantity"}},
		{"no request id", &inventoryv1.MoveStockRequest{FromLocationScan: stock.GetLocationCode(), ToLocationScan: "C-04-10-C", Sku: "SKU-0003", Quantity: 1},
			codes.InvalidArgument, []string{"request_id"}},
		{"negative quantity", &inventoryv1.MoveStockRequest{RequestId: "b2", FromLocationScan: stock.GetLocationCode(), ToLocationScan: "C-04-10-C", Sku: "SKU-0003", Quantity: -2},
			codes.InvalidArgument, []string{"quantity"}},
		{"scanned a GTIN as location", &inventoryv1.MoveStockRequest{RequestId: "b3", FromLocationScan: stock.GetLocationCode(), ToLocationScan: "4006381333931", Sku: "SKU-0003", Quantity: 1},
			codes.InvalidArgument, []string{"to_location_scan"}},
		{"unknown location", &inventoryv1.MoveStockRequest{RequestId: "b4", FromLocationScan: stock.GetLocationCode(), ToLocationScan: "Z-09-09-Z", Sku: "SKU-0003", Quantity: 1},
			codes.NotFound, nil},
		{"unknown item", &inventoryv1.MoveStockRequest{RequestId: "b5", FromLocationScan: stock.GetLocationCode(), ToLocationScan: "C-04-10-C", Sku: "NOPE", Quantity: 1},
			codes.NotFound, nil},
		{"more than is there", &inventoryv1.MoveStockRequest{RequestId: "b6", FromLocationScan: stock.GetLocationCode(), ToLocationScan: "C-04-10-C", Sku: "SKU-0003", Quantity: stock.GetQuantity() + 1},
			codes.FailedPrecondition, nil},
		{"over capacity", &inventoryv1.MoveStockRequest{RequestId: "b7", FromLocationScan: "DOCK-01", ToLocationScan: "C-04-10-C", Sku: "SKU-0003", Quantity: 1},
			codes.FailedPrecondition, nil},
		{"status number no enum value has", &inventoryv1.MoveStockRequest{RequestId: "b8", FromLocationScan: stock.GetLocationCode(), ToLocationScan: "C-04-10-C", Sku: "SKU-0003", Quantity: 1, Status: 9},
			codes.InvalidArgument, []string{"status"}},
		{"missing everything, request id too", &inventoryv1.MoveStockRequest{}, codes.InvalidArgument,
			[]string{"request_id", "from_location_scan", "to_location_scan", "sku", "quantity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inv.MoveStock(ctx, tt.req)
			wantCode(t, err, tt.code)
			if tt.fields != nil {
				if diff := cmp.Diff(tt.fields, violations(err)); diff != "" {
					t.Errorf("field violations (-want +got):\n%s", diff)
				}
			}
		})
	}
	after := balances(t, inv, ctx, "SKU-0003")
	if after[0].GetQuantity() != stock.GetQuantity() {
		t.Fatalf("a refused move changed stock: %d -> %d", stock.GetQuantity(), after[0].GetQuantity())
	}
	ms, err := inv.ListMovements(ctx, &inventoryv1.ListMovementsRequest{Kind: "move"})
	if err != nil || len(ms.GetMovements()) != 0 {
		t.Fatalf("refused moves left movements: %v %v", ms.GetMovements(), err)
	}
	_, err = inv.ListMovements(ctx, &inventoryv1.ListMovementsRequest{Kind: "teleport"})
	wantCode(t, err, codes.InvalidArgument)
}

func violations(err error) []string {
	var out []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetField())
			}
		}
	}
	return out
}

// rest sends a JSON request to the gateway and decodes the JSON answer.
func (n *node) rest(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: decode: %v", method, path, err)
	}
	return resp.StatusCode, out
}

func TestAuthAndRolesOverREST(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	code, _ := n.rest(t, "GET", "/v1/items/SKU-0001", "", nil)
	if code != http.StatusUnauthorized {
		t.Fatalf("unauthenticated GET = %d, want 401", code)
	}
	tokenOf := func(badge string) string {
		code, out := n.rest(t, "POST", "/v1/auth/login", "", map[string]string{"badge": badge, "pin": server.DemoPIN, "device_id": "rest-hh"})
		if code != http.StatusOK {
			t.Fatalf("login %s = %d %v", badge, code, out)
		}
		return out["token"].(string)
	}
	adjust := map[string]any{"request_id": "rest-adj-1", "location_code": "A-01-01-A", "sku": "SKU-0001", "delta": 2, "reason": "found"}
	if code, out := n.rest(t, "POST", "/v1/adjustments", tokenOf("B-ASSOC"), adjust); code != http.StatusForbidden {
		t.Fatalf("associate adjust = %d %v, want 403", code, out)
	}
	code, out := n.rest(t, "POST", "/v1/adjustments", tokenOf("B-LEAD"), adjust)
	if code != http.StatusOK {
		t.Fatalf("lead adjust = %d %v", code, out)
	}
	if mv := out["movement"].(map[string]any); mv["quantity"] != "2" || mv["to_location_code"] != "A-01-01-A" {
		t.Fatalf("movement = %v", mv)
	}
	code, out = n.rest(t, "POST", "/v1/moves", tokenOf("B-ASSOC"), map[string]any{"request_id": "rest-m1", "quantity": 0})
	if code != http.StatusBadRequest {
		t.Fatalf("bad move = %d %v, want 400", code, out)
	}
	details, _ := out["details"].([]any)
	if len(details) != 1 || !strings.Contains(details[0].(map[string]any)["@type"].(string), "BadRequest") {
		t.Fatalf("400 without BadRequest details: %v", out)
	}
	resp, err := http.Get(n.base + "/openapi.json")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/openapi.json: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(n.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(metrics, []byte(`grpc_server_handled_total{grpc_code="PermissionDenied",grpc_method="AdjustStock",grpc_service="floorops.inventory.v1.InventoryService",grpc_type="unary"} 1`)) {
		t.Fatalf("/metrics lacks per-RPC latency with codes")
	}
}

func TestDemoSeedsOnlyAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := server.New(ctx, server.Config{DBPath: filepath.Join(t.TempDir(), "real.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		stopped, stop := context.WithCancel(ctx)
		stop()
		srv.Run(stopped)
	}()
	if err := srv.Auth.AddUser(ctx, auth.User{Badge: "B-REAL", Role: auth.Admin}, "8642"); err != nil {
		t.Fatal(err)
	}
	if seeded, err := server.SeedDemo(ctx, srv); err == nil || seeded {
		t.Fatalf("SeedDemo on a database with a user = %v, %v; want refusal", seeded, err)
	}
	if _, err := srv.Auth.Authenticate(ctx, server.DemoAPIKey); err == nil {
		t.Fatal("the demo API key works on a real node")
	}
}
