package server_test

import (
	"context"
	"net/http"
	"testing"

	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc/codes"
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

	events, err := n.srv.Auth.ListUserAudit(context.Background(), "B-ASSOC")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Action+" "+e.ActorBadge+" "+e.ActorDevice)
	}
	want := []string{"disable B-ADMIN test-hh", "enable B-ADMIN office", "unlock B-ADMIN office", "reset_pin B-ADMIN test-hh"}
	if len(got) != len(want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit = %q, want %q", got, want)
		}
	}
}
