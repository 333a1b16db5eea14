package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

func mustAuth(t *testing.T) (*auth.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return auth.NewService(db, scan.Default()), db
}

func TestLoginLockoutAndExpiry(t *testing.T) {
	t.Parallel()
	svc, db := mustAuth(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := svc.AddUser(ctx, auth.User{Badge: "b-ana7", Name: "Ana", Role: auth.Associate}, "4321"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < svc.MaxAttempts; i++ {
		if _, err := svc.Login(ctx, "B-ANA7", "0000", "hh"); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
			t.Fatalf("wrong PIN #%d: %v", i+1, err)
		}
	}
	if _, err := svc.Login(ctx, "B-ANA7", "4321", "hh"); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("right PIN on a locked badge: %v, want unauthenticated", err)
	}
	now = now.Add(svc.LockFor + time.Second)
	res, err := svc.Login(ctx, "b-ana7", "4321", "hh")
	if err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	p, err := svc.Authenticate(ctx, res.Token)
	if err != nil || p.Badge != "B-ANA7" || p.Role != auth.Associate || p.Device != "hh" {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	now = res.ExpiresAt.Add(time.Second)
	if _, err := svc.Authenticate(ctx, res.Token); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("expired token: %v", err)
	}
	var hash []byte
	db.Reader().QueryRow(`SELECT pin_hash FROM users WHERE badge = 'B-ANA7'`).Scan(&hash)
	if len(hash) != 32 || string(hash) == "4321" {
		t.Fatalf("PIN is not stored hashed")
	}
}

func TestUsersAndKeysValidation(t *testing.T) {
	t.Parallel()
	svc, _ := mustAuth(t)
	ctx := context.Background()
	for _, tc := range []struct {
		u   auth.User
		pin string
	}{
		{auth.User{Badge: "", Role: auth.Lead}, "1234"},
		{auth.User{Badge: "B-ONE", Role: "boss"}, "1234"},
		{auth.User{Badge: "B-ONE", Role: auth.Lead}, "12"},
		{auth.User{Badge: "B-ONE", Role: auth.Lead}, "12ab"},
	} {
		if err := svc.AddUser(ctx, tc.u, tc.pin); !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("AddUser(%+v, %q) = %v, want invalid", tc.u, tc.pin, err)
		}
	}
	if err := svc.AddUser(ctx, auth.User{Badge: "B-ONE", Role: auth.Lead}, "1234"); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddUser(ctx, auth.User{Badge: "b-one", Role: auth.Lead}, "1234"); !floorops.IsCode(err, floorops.ECONFLICT) {
		t.Fatalf("duplicate badge: %v", err)
	}
	key, err := svc.CreateAPIKey(ctx, "erp")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, key)
	if err != nil || p.Role != auth.Integration {
		t.Fatalf("API key: %+v %v", p, err)
	}
	if err := svc.DisableAPIKey(ctx, "erp"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, key); !floorops.IsCode(err, floorops.EUNAUTHENTICATED) {
		t.Fatalf("disabled API key: %v", err)
	}
	if _, err := svc.DisableUser(ctx, "r-1", "B-404", auth.Principal{Badge: "B-ADMIN", Role: auth.Admin}); !floorops.IsCode(err, floorops.ENOTFOUND) {
		t.Fatalf("disable unknown: %v", err)
	}
}

// TestBadgeMustScanAsBadge refuses badges the node's scanner reads as
// something else: such a badge could never be scanned to sign in.
func TestBadgeMustScanAsBadge(t *testing.T) {
	t.Parallel()
	svc, _ := mustAuth(t)
	ctx := context.Background()
	for _, badge := range []string{
		"B-1042",    // a location (zone B, aisle 1042)
		"B-1",       // a location
		"17",        // a location check code
		"LPN000123", // a license plate
		"PO-1001",   // a purchase order
		"4006381333931",
		"B-",
		"ANA",
		"B-ANA 2",
	} {
		if err := svc.AddUser(ctx, auth.User{Badge: badge, Role: auth.Associate}, "1234"); !floorops.IsCode(err, floorops.EINVALID) {
			t.Errorf("AddUser(badge %q) = %v, want invalid", badge, err)
		}
	}
	// The demo's badges, and badges typed in lower case or with spaces
	// around them, which are stored upper-cased and trimmed.
	for _, badge := range []string{"B-ADMIN", "B-LEAD", "B-ASSOC", "b-ana", " B-R2D2 "} {
		if err := svc.AddUser(ctx, auth.User{Badge: badge, Role: auth.Associate}, "1234"); err != nil {
			t.Errorf("AddUser(badge %q): %v", badge, err)
		}
	}
}

// TestControlCharactersRefusedByAuth: a user's name and an API key's name
// are shown on lists and audit lines, and a device id is stamped on every
// movement the handheld makes; the domain refuses control characters in
// them whoever calls (the CLI, the gRPC edge), naming the field, and a
// device id must be a code a handheld can show (printable ASCII, no
// spaces).
func TestControlCharactersRefusedByAuth(t *testing.T) {
	t.Parallel()
	svc, _ := mustAuth(t)
	ctx := context.Background()
	if err := svc.AddUser(ctx, auth.User{Badge: "B-OK", Name: "Bo", Role: auth.Lead}, "1234"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"user name with BEL", func() error {
			return svc.AddUser(ctx, auth.User{Badge: "B-BOB", Name: "Bo\ab", Role: auth.Lead}, "1234")
		}, "name"},
		{"user name with ESC", func() error {
			return svc.AddUser(ctx, auth.User{Badge: "B-BOB", Name: "Bo\x1b[31mb", Role: auth.Lead}, "1234")
		}, "name"},
		{"user name with C1", func() error {
			return svc.AddUser(ctx, auth.User{Badge: "B-BOB", Name: "Bo\u0085b", Role: auth.Lead}, "1234")
		}, "name"},
		{"API key name with BEL", func() error { return svc.AddAPIKey(ctx, "erp\a", "0123456789abcdef0123") }, "name"},
		{"device id with BEL", func() error { _, err := svc.Login(ctx, "B-OK", "1234", "hh\abel"); return err }, "device_id"},
		{"device id with TAB", func() error { _, err := svc.Login(ctx, "B-OK", "1234", "hh\tbel"); return err }, "device_id"},
		{"device id with a space", func() error { _, err := svc.Login(ctx, "B-OK", "1234", "hh 1"); return err }, "device_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var fe *floorops.Error
			if !floorops.IsCode(err, floorops.EINVALID) || !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field {
				t.Fatalf("err = %#v, want invalid naming %s", err, tt.field)
			}
		})
	}
	users, err := svc.ListUsers(ctx)
	if err != nil || len(users) != 1 {
		t.Fatalf("refused users were added: %+v %v", users, err)
	}
	if _, err := svc.Login(ctx, "B-OK", "1234", "HH-07"); err != nil {
		t.Fatalf("a plain device id was refused: %v", err)
	}
}
