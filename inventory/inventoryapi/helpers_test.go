package inventoryapi_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// mustService opens a fresh node database in t's temp dir and returns the
// ledger over it.
func mustService(t testing.TB) (*inventory.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return inventory.NewService(db, scan.Default()), db
}
