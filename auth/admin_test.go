package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/auth"
)

// TestLockedAndUnknownBadgesLookAlike: a sign-in refused because the badge
// is locked reads exactly like one for a badge that does not exist, so
// trying badges at a handheld does not tell which ones are real.
func TestLockedAndUnknownBadgesLookAlike(t *testing.T) {
	t.Parallel()
	svc, db := mustAuth(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := svc.AddUser(ctx, auth.User{Badge: "B-ANA", Role: auth.Associate}, "4321"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < svc.MaxAttempts; i++ {
		svc.Login(ctx, "B-ANA", "0000", "hh")
	}
	_, unknown := svc.Login(ctx, "B-NOBODY", "0000", "hh")
	for _, tc := range []struct {
		name, pin string
	}{{"locked, wrong PIN", "0000"}, {"locked, right PIN", "4321"}} {
		_, err := svc.Login(ctx, "B-ANA", tc.pin, "hh")
		var got, want *floorops.Error
		if !errors.As(err, &got) || !errors.As(unknown, &want) {
			t.Fatalf("%s: %v / %v: not floorops errors", tc.name, err, unknown)
		}
		if got.Code != floorops.EUNAUTHENTICATED || got.Error() != want.Error() {
			t.Errorf("%s: %v; unknown badge: %v: they must be the same", tc.name, err, unknown)
		}
	}
}

// auditRows returns a badge user's audit trail as "action by actor@device".
func auditRows(t *testing.T, svc *auth.Service, badge string) []string {
	t.Helper()
	// Pages of 3, newest first: read back oldest first.
	var out []string
	for tok := ""; ; {
		events, next, err := svc.ListUserAudit(context.Background(), badge, 3, tok)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			out = append([]string{e.Action + " by " + e.ActorBadge + "@" + e.ActorDevice}, out...)
		}
		if tok = next; tok == "" {
			return out
		}
	}
}

// TestAdminRestoresAccess: an admin disables and enables a badge again,
// resets a PIN and unlocks a locked badge; each is idempotent by request id
// and recorded with who did it and from which device.
func TestAdminRestoresAccess(t *testing.T) {
	t.Parallel()
	svc, db := mustAuth(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	admin := auth.Principal{Badge: "B-ADMIN", Role: auth.Admin, Device: "office-1"}
	for _, u := range []auth.User{{Badge: "B-ANA", Role: auth.Associate}, {Badge: "B-ADMIN", Role: auth.Admin}} {
		if err := svc.AddUser(ctx, u, "4321"); err != nil {
			t.Fatal(err)
		}
	}
	login := func(pin string) error { _, err := svc.Login(ctx, "B-ANA", pin, "hh"); return err }

	res, err := svc.Login(ctx, "B-ANA", "4321", "hh")
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.DisableUser(ctx, "r-disable", "b-ana", admin)
	if err != nil || !u.Disabled {
		t.Fatalf("DisableUser = %+v, %v", u, err)
	}
	if _, err := svc.Authenticate(ctx, res.Token); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("session of a disabled badge: %v", err)
	}
	if err := login("4321"); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("disabled badge signed in: %v", err)
	}
	if u, err = svc.EnableUser(ctx, "r-enable", "B-ANA", admin); err != nil || u.Disabled {
		t.Fatalf("EnableUser = %+v, %v", u, err)
	}
	if err := login("4321"); err != nil {
		t.Fatalf("enabled badge: %v", err)
	}

	for i := 0; i < svc.MaxAttempts; i++ {
		login("0000")
	}
	if err := login("4321"); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("locked badge signed in: %v", err)
	}
	if _, err := svc.UnlockBadge(ctx, "r-unlock", "B-ANA", admin); err != nil {
		t.Fatal(err)
	}
	if err := login("4321"); err != nil {
		t.Fatalf("unlocked badge: %v", err)
	}

	for i := 0; i < svc.MaxAttempts; i++ {
		login("0000")
	}
	if _, err := svc.ResetPin(ctx, "r-pin", "B-ANA", "97531", admin); err != nil {
		t.Fatal(err)
	}
	if err := login("4321"); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("old PIN after a reset: %v", err)
	}
	if err := login("97531"); err != nil {
		t.Fatalf("new PIN after a reset (which also unlocks): %v", err)
	}

	// Retries change nothing and record nothing again.
	if _, err := svc.DisableUser(ctx, "r-disable", "B-ANA", admin); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ResetPin(ctx, "r-pin", "B-ANA", "97531", admin); err != nil {
		t.Fatal(err)
	}
	if err := login("97531"); err != nil {
		t.Fatalf("a retried disable disabled the badge again: %v", err)
	}
	want := []string{"disable by B-ADMIN@office-1", "enable by B-ADMIN@office-1", "unlock by B-ADMIN@office-1", "reset_pin by B-ADMIN@office-1"}
	if got := auditRows(t, svc, "B-ANA"); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("audit trail = %q, want %q", got, want)
	}

	for _, tc := range []struct {
		name string
		err  error
		want floorops.Code
	}{
		{"unknown badge", second(svc.EnableUser(ctx, "r-x1", "B-NOBODY", admin)), floorops.ENOTFOUND},
		{"unknown badge unlock", second(svc.UnlockBadge(ctx, "r-x2", "B-NOBODY", admin)), floorops.ENOTFOUND},
		{"no badge", second(svc.DisableUser(ctx, "r-x3", " ", admin)), floorops.EINVALID},
		{"no request id", second(svc.EnableUser(ctx, "", "B-ANA", admin)), floorops.EINVALID},
		{"bad PIN", second(svc.ResetPin(ctx, "r-x4", "B-ANA", "12ab", admin)), floorops.EINVALID},
		{"reused request id", second(svc.UnlockBadge(ctx, "r-enable", "B-ANA", admin)), floorops.ECONFLICT},
		{"reused request id, other PIN", second(svc.ResetPin(ctx, "r-pin", "B-ANA", "11111", admin)), floorops.ECONFLICT},
		{"own badge", second(svc.DisableUser(ctx, "r-x5", "B-ADMIN", admin)), floorops.EPRECONDITION},
		{"nobody", second(svc.UnlockBadge(ctx, "r-x6", "B-ANA", auth.Principal{})), floorops.EPERMISSION},
	} {
		if !floorops.IsCode(tc.err, tc.want) {
			t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
