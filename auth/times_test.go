package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// TestAPIKeyTimesAreTimes: a listed API key says when it was created as a
// time, read from the api_keys table; a stored time that is not one is
// reported, never passed on as text.
func TestAPIKeyTimesAreTimes(t *testing.T) {
	t.Parallel()
	svc, db := mustAuth(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 8, 0, 0, 5, time.UTC)
	db.Now = func() time.Time { return at }
	if _, err := svc.CreateAPIKey(ctx, "erp"); err != nil {
		t.Fatal(err)
	}
	keys, err := svc.ListAPIKeys(ctx)
	if err != nil || len(keys) != 1 || !keys[0].CreatedAt.Equal(at) {
		t.Fatalf("keys = %+v, %v; want erp created at %v", keys, err, at)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE api_keys SET created_at = 'yesterday'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ListAPIKeys(ctx); !floorops.IsCode(err, floorops.EINTERNAL) {
		t.Fatalf("ListAPIKeys over a malformed time: %v, want internal", err)
	}
}
