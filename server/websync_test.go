package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/floorops/floorops/auth"
	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	"github.com/floorops/floorops/server"
	"github.com/floorops/floorops/upstream"
)

// TestSyncStatusOverREST: GET /v1/sync/status answers what `floorops sync
// status` reads (upstream.ReadStatus) to a lead, and refuses a caller
// without a token or an associate as the REST face refuses RPCs.
func TestSyncStatusOverREST(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	token := func(badge string) string {
		resp, err := authv1.NewAuthServiceClient(n.conn).Login(context.Background(), &authv1.LoginRequest{Badge: badge, Pin: server.DemoPIN, DeviceId: "test-sync"})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetToken()
	}
	if code, body := n.rest(t, "GET", "/v1/sync/status", "", nil); code != http.StatusUnauthorized || body["code"] != float64(16) {
		t.Fatalf("without a token: %d %v", code, body)
	}
	if code, body := n.rest(t, "GET", "/v1/sync/status", token("B-ASSOC"), nil); code != http.StatusForbidden || body["code"] != float64(7) {
		t.Fatalf("as an associate: %d %v", code, body)
	}
	if len(auth.Permissions[auth.SyncStatusRoute]) == 0 {
		t.Fatal("the route has no permission entry")
	}
	want, err := upstream.ReadStatus(context.Background(), n.srv.DB.Reader(), upstream.Sink)
	if err != nil {
		t.Fatal(err)
	}
	code, body := n.rest(t, "GET", "/v1/sync/status", token("B-LEAD"), nil)
	if code != http.StatusOK {
		t.Fatalf("as a lead: %d %v", code, body)
	}
	sinks, _ := body["sinks"].([]any)
	if len(sinks) != 1 {
		t.Fatalf("sinks = %v, want central only (no NATS sink is set up)", body)
	}
	s := sinks[0].(map[string]any)
	if s["sink"] != upstream.Sink || s["configured"] != false || s["backlog"] != float64(want.Backlog) || s["last_seq"] != float64(want.LastSeq) || want.Backlog == 0 {
		t.Fatalf("central = %v, want backlog %d and last seq %d of ReadStatus", s, want.Backlog, want.LastSeq)
	}
	if parked, ok := s["parked"].([]any); !ok || len(parked) != 0 {
		t.Fatalf("parked = %v, want an empty list", s["parked"])
	}
}
