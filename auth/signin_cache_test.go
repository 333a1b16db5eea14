package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/scan"
)

// TestSignInCacheStopsPromptly: a validated token is answered from memory,
// yet logging out, disabling the badge, resetting its PIN or disabling an
// API key through the node's Service stops it on the very next call, and
// the same done by another process (here a second Service on the file, as
// the CLI is) within SignInCacheFor. A cached session still expires.
func TestSignInCacheStopsPromptly(t *testing.T) {
	t.Parallel()
	svc, db := mustAuth(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	admin := auth.Principal{Badge: "B-ADM1", Role: auth.Admin, Device: "desk"}
	for _, u := range []auth.User{{Badge: "B-ANA7", Name: "Ana", Role: auth.Associate}, {Badge: "B-ADM1", Name: "Adm", Role: auth.Admin}} {
		if err := svc.AddUser(ctx, u, "4321"); err != nil {
			t.Fatal(err)
		}
	}
	login := func() string {
		t.Helper()
		res, err := svc.Login(ctx, "B-ANA7", "4321", "hh")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, res.Token); err != nil {
			t.Fatalf("fresh token: %v", err)
		}
		return res.Token
	}
	refused := func(what, token string) {
		t.Helper()
		if _, err := svc.Authenticate(ctx, token); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
			t.Errorf("%s: Authenticate = %v, want unauthenticated", what, err)
		}
	}

	tok := login()
	if err := svc.Logout(ctx, tok); err != nil {
		t.Fatal(err)
	}
	refused("after logout", tok)

	tok = login()
	if _, err := svc.DisableUser(ctx, "dis-1", "B-ANA7", admin); err != nil {
		t.Fatal(err)
	}
	refused("after the badge was disabled", tok)
	if _, err := svc.EnableUser(ctx, "en-1", "B-ANA7", admin); err != nil {
		t.Fatal(err)
	}
	refused("disabled then enabled (its sessions stay revoked)", tok)

	tok = login()
	if _, err := svc.ResetPin(ctx, "pin-1", "B-ANA7", "5678", admin); err != nil {
		t.Fatal(err)
	}
	refused("after a PIN reset", tok)
	if _, err := svc.ResetPin(ctx, "pin-2", "B-ANA7", "4321", admin); err != nil {
		t.Fatal(err)
	}

	const key = "fok_crash-test-key-0001"
	if err := svc.AddAPIKey(ctx, "erp", key); err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Authenticate(ctx, key); err != nil || p.Role != auth.Integration {
		t.Fatalf("API key: %+v, %v", p, err)
	}
	if err := svc.DisableAPIKey(ctx, "erp"); err != nil {
		t.Fatal(err)
	}
	refused("after the key was disabled", key)

	// Another process disables the badge: the node's cache answers until
	// SignInCacheFor has passed, then the database is read again.
	tok = login()
	other := auth.NewService(db, scan.Default())
	if _, err := other.DisableUser(ctx, "dis-2", "B-ANA7", admin); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, tok); err != nil {
		t.Fatalf("within SignInCacheFor the cached sign-in answers: %v", err)
	}
	now = now.Add(svc.SignInCacheFor)
	refused("SignInCacheFor after another process disabled the badge", tok)

	// A cached session still ends at its expiry.
	if _, err := svc.EnableUser(ctx, "en-2", "B-ANA7", admin); err != nil {
		t.Fatal(err)
	}
	svc.SignInCacheFor = 48 * time.Hour
	tok = login()
	now = now.Add(svc.TokenTTL)
	refused("a cached session past its expiry", tok)
}
