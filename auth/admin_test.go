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
