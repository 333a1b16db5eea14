package server_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestAdminRestoresBadgesOverGRPCAndREST: only an admin may disable,
// enable, reset or unlock a badge; the gRPC and REST faces agree, a retry
// is answered without a second change, and a lead is refused.
func TestAdminRestoresBadgesOverGRPCAndREST(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	cli := authv1.NewAuthServiceClient(n.conn)
	admin, lead := n.login(t, "B-ADMIN"), n.login(t, "B-LEAD")

	_, err := cli.DisableUser(lead, &authv1.DisableUserRequest{RequestId: "d-lead", Badge: "B-ASSOC"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = cli.UnlockBadge(context.Background(), &authv1.UnlockBadgeRequest{RequestId: "u-anon", Badge: "B-ASSOC"})
	wantCode(t, err, codes.Unauthenticated)

	res, err := cli.DisableUser(admin, &authv1.DisableUserRequest{RequestId: "d-1", Badge: "b-assoc"})
	if err != nil || !res.GetUser().GetDisabled() || res.GetUser().GetBadge() != "B-ASSOC" {
		t.Fatalf("DisableUser = %v, %v", res, err)
	}
	_, err = cli.Login(context.Background(), &authv1.LoginRequest{Badge: "B-ASSOC", Pin: server.DemoPIN, DeviceId: "hh"})
	wantCode(t, err, codes.Unauthenticated)
	if res, err := cli.DisableUser(admin, &authv1.DisableUserRequest{RequestId: "d-1", Badge: "b-assoc"}); err != nil || !res.GetUser().GetDisabled() {
		t.Fatalf("retried DisableUser = %v, %v", res, err)
	}

	adminToken := func() string {
		code, out := n.rest(t, "POST", "/v1/auth/login", "", map[string]string{"badge": "B-ADMIN", "pin": server.DemoPIN, "device_id": "office"})
		if code != http.StatusOK {
			t.Fatalf("login = %d %v", code, out)
		}
		return out["token"].(string)
	}()
	if code, out := n.rest(t, "POST", "/v1/users/B-ASSOC:enable", adminToken, map[string]string{"request_id": "e-1"}); code != http.StatusOK || out["user"].(map[string]any)["disabled"] != false {
		t.Fatalf("REST enable = %d %v", code, out)
	}
	n.login(t, "B-ASSOC")

	for i := 0; i < 5; i++ {
		cli.Login(context.Background(), &authv1.LoginRequest{Badge: "B-ASSOC", Pin: "0000", DeviceId: "hh"})
	}
	_, err = cli.Login(context.Background(), &authv1.LoginRequest{Badge: "B-ASSOC", Pin: server.DemoPIN, DeviceId: "hh"})
	wantCode(t, err, codes.Unauthenticated)
	if code, out := n.rest(t, "POST", "/v1/users/B-ASSOC:unlock", adminToken, map[string]string{"request_id": "u-1"}); code != http.StatusOK {
		t.Fatalf("REST unlock = %d %v", code, out)
	}
	n.login(t, "B-ASSOC")

	if code, out := n.rest(t, "POST", "/v1/users/B-ASSOC/pin:reset", adminToken, map[string]string{"request_id": "p-1", "pin": "12"}); code != http.StatusBadRequest {
		t.Fatalf("REST reset to a bad PIN = %d %v, want 400", code, out)
	}
	if _, err := cli.ResetPin(admin, &authv1.ResetPinRequest{RequestId: "p-2", Badge: "B-ASSOC", Pin: "86420"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Login(context.Background(), &authv1.LoginRequest{Badge: "B-ASSOC", Pin: "86420", DeviceId: "hh"}); err != nil {
		t.Fatalf("login with the new PIN: %v", err)
	}
	_, err = cli.EnableUser(admin, &authv1.EnableUserRequest{RequestId: "e-2", Badge: "B-NOBODY"})
	wantCode(t, err, codes.NotFound)
	_, err = cli.DisableUser(admin, &authv1.DisableUserRequest{RequestId: "d-self", Badge: "B-ADMIN"})
	wantCode(t, err, codes.FailedPrecondition)

	_, err = cli.ListUserAudit(lead, &authv1.ListUserAuditRequest{})
	wantCode(t, err, codes.PermissionDenied)
	audit, err := cli.ListUserAudit(admin, &authv1.ListUserAuditRequest{Badge: "b-assoc"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range audit.GetEvents() {
		got = append(got, e.GetAction()+" "+e.GetActorBadge()+" "+e.GetActorDevice())
	}
	want := []string{"reset_pin B-ADMIN test-hh", "unlock B-ADMIN office", "enable B-ADMIN office", "disable B-ADMIN test-hh"} // newest first
	if code, out := n.rest(t, "GET", "/v1/user-audit?badge=B-ASSOC&page_size=1", adminToken, nil); code != http.StatusOK || len(out["events"].([]any)) != 1 || out["next_page_token"] == "" {
		t.Fatalf("REST GET /v1/user-audit = %d %v", code, out)
	}
	if len(got) != len(want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit = %q, want %q", got, want)
		}
	}
}

// nodeServices are the node's own gRPC services, each reported by health.
var nodeServices = []string{
	"floorops.auth.v1.AuthService",
	"floorops.inventory.v1.InventoryService",
	"floorops.picking.v1.PickingService",
	"floorops.putaway.v1.PutawayService",
	"floorops.receiving.v1.ReceivingService",
}

// healthOf returns what gRPC health says of service, and what /healthz
// answers.
func healthOf(t *testing.T, n *node, service string) (healthpb.HealthCheckResponse_ServingStatus, int) {
	t.Helper()
	resp, err := http.Get(n.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	hc, err := healthpb.NewHealthClient(n.conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatalf("health check of %q: %v", service, err)
	}
	return hc.GetStatus(), resp.StatusCode
}

// TestHealthReportsEveryServiceAndTheWriter: gRPC health knows each of the
// node's services, not only "", and every one turns NOT_SERVING with
// /healthz answering 503 once the database cannot be written.
func TestHealthReportsEveryServiceAndTheWriter(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	for _, svc := range append([]string{""}, nodeServices...) {
		if st, code := healthOf(t, n, svc); st != healthpb.HealthCheckResponse_SERVING || code != http.StatusOK {
			t.Errorf("health of %q = %v, /healthz %d; want SERVING, 200", svc, st, code)
		}
	}
	_, err := healthpb.NewHealthClient(n.conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: "floorops.nope.v1.NopeService"})
	wantCode(t, err, codes.NotFound)

	// The writer is gone: what a full disk or a lost volume looks like to
	// the node. Health follows at once, without waiting for a period.
	if err := n.srv.DB.Close(); err != nil {
		t.Fatal(err)
	}
	for _, svc := range append([]string{""}, nodeServices...) {
		if st, code := healthOf(t, n, svc); st != healthpb.HealthCheckResponse_NOT_SERVING || code != http.StatusServiceUnavailable {
			t.Errorf("health of %q with the database closed = %v, /healthz %d; want NOT_SERVING, 503", svc, st, code)
		}
	}
}

// TestHealthTurnsNotServingBeforeDraining: a node told to stop says
// NOT_SERVING for every service before it drains, so load balancers move
// handhelds elsewhere while RPCs in flight finish.
func TestHealthTurnsNotServingBeforeDraining(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	srv, err := server.New(ctx, server.Config{
		DBPath:   filepath.Join(t.TempDir(), "node.db"),
		GRPCAddr: "127.0.0.1:0",
		HTTPAddr: "127.0.0.1:0",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A guard, not a timing: a node that never answers fails the test.
	watchCtx, endWatch := context.WithTimeout(context.Background(), time.Minute)
	defer endWatch()
	w, err := healthpb.NewHealthClient(conn).Watch(watchCtx, &healthpb.HealthCheckRequest{Service: "floorops.receiving.v1.ReceivingService"})
	if err != nil {
		t.Fatal(err)
	}
	// The first answer may be from before Run marked the node serving.
	for {
		m, err := w.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if m.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			break
		}
	}
	stop()
	m, err := w.Recv()
	if err != nil || m.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("after stop: %v, %v; want NOT_SERVING", m, err)
	}
	endWatch()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// scrape returns /metrics as series (name{labels}) to value.
func scrape(t *testing.T, n *node) map[string]float64 {
	t.Helper()
	resp, err := http.Get(n.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// TestMetricsUseTheConventionalNames: stock gRPC dashboards read
// grpc_server_handled_total and grpc_server_handling_seconds with
// grpc_service, grpc_method and grpc_code; every method's series exist from
// the start, and the REST face and the node's own figures are there too.
func TestMetricsUseTheConventionalNames(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	const (
		getItemOK       = `grpc_server_handled_total{grpc_code="OK",grpc_method="GetItem",grpc_service="floorops.inventory.v1.InventoryService",grpc_type="unary"}`
		getItemNotFound = `grpc_server_handled_total{grpc_code="NotFound",grpc_method="GetItem",grpc_service="floorops.inventory.v1.InventoryService",grpc_type="unary"}`
		getItemSeconds  = `grpc_server_handling_seconds_count{grpc_method="GetItem",grpc_service="floorops.inventory.v1.InventoryService",grpc_type="unary"}`
		receiveScanOK   = `grpc_server_handled_total{grpc_code="OK",grpc_method="ReceiveScan",grpc_service="floorops.receiving.v1.ReceivingService",grpc_type="unary"}`
		restGetOK       = `http_requests_total{code="200",handler="rest",method="get"}`
	)
	start := scrape(t, n)
	for _, series := range []string{getItemOK, getItemNotFound, getItemSeconds, receiveScanOK} {
		if v, ok := start[series]; !ok || v != 0 {
			t.Errorf("at start %s = %v (present %v), want 0", series, v, ok)
		}
	}

	ctx := n.login(t, "B-ADMIN")
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	if _, err := inv.GetItem(ctx, &inventoryv1.GetItemRequest{Sku: "SKU-0001"}); err != nil {
		t.Fatal(err)
	}
	_, err := inv.GetItem(ctx, &inventoryv1.GetItemRequest{Sku: "SKU-NOPE"})
	wantCode(t, err, codes.NotFound)
	code, out := n.rest(t, "POST", "/v1/auth/login", "", map[string]string{"badge": "B-ADMIN", "pin": server.DemoPIN, "device_id": "m-hh"})
	if code != http.StatusOK {
		t.Fatalf("login = %d %v", code, out)
	}
	if code, out := n.rest(t, "GET", "/v1/items/SKU-0001", out["token"].(string), nil); code != http.StatusOK {
		t.Fatalf("REST GET item = %d %v", code, out)
	}

	after := scrape(t, n)
	for series, want := range map[string]float64{getItemOK: 2, getItemNotFound: 1, getItemSeconds: 3, restGetOK: 1} {
		if got := after[series]; got != want {
			t.Errorf("after the calls %s = %v, want %v", series, got, want)
		}
	}
	for _, name := range []string{
		`http_request_duration_seconds_count{code="200",handler="rest",method="get"}`,
		"floorops_store_write_batch_size_count",
		"floorops_store_commit_seconds_count",
		"floorops_outbox_backlog",
	} {
		if _, ok := after[name]; !ok {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if after["floorops_store_write_batch_size_count"] == 0 {
		t.Errorf("no group commit observed after logins")
	}
}
