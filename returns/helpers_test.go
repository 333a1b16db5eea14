package returns_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/returns"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

var (
	assoc = inventory.Actor{Badge: "B-ASSOC", Device: "hh", Role: inventory.Associate}
	lead  = inventory.Actor{Badge: "B-LEAD", Device: "hh", Role: inventory.Lead}
)

// node is returns over a fresh database with a returns location, a
// quarantine location and items R1 and R2; the node shipped 3 of R1 on
// order SO-1. Restocked units are counted in restocked.
type node struct {
	db        *store.DB
	svc       *returns.Service
	restocked int64
}

func newNode(t testing.TB) *node {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := &node{db: db}
	n.svc = returns.NewService(db, scan.Default(), returns.Hooks{
		Restocked: func(ctx context.Context, tx *store.Tx, s inventory.StagedStock) (int64, error) {
			n.restocked += s.Qty
			return n.restocked, nil
		},
		Shipped: func(ctx context.Context, q inventory.Querier, orderRef string, itemID int64) (int64, bool, error) {
			return 3, orderRef == "SO-1", nil
		},
		PutAway: func(ctx context.Context, q inventory.Querier, taskID int64) (time.Time, error) {
			return time.Time{}, nil
		},
		SerialAt: func(ctx context.Context, q inventory.Querier, itemID int64, serial string) (string, bool, error) {
			return "", false, nil
		},
	})
	ctx := context.Background()
	rep, err := inventoryapi.ImportLocations(ctx, db, scan.Default(), strings.NewReader("code,zone,type\nRET-01,R,returns\nQUAR-01,R,quarantine\n"), nil)
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("locations: %v %v", err, rep.Errors)
	}
	rep, err = inventoryapi.ImportItems(ctx, db, strings.NewReader("sku\nR1\nR2\n"), nil)
	if err != nil || len(rep.Errors) > 0 {
		t.Fatalf("items: %v %v", err, rep.Errors)
	}
	return n
}

func (n *node) mustRMA(t testing.TB, number string, qty int64) {
	t.Helper()
	if _, err := n.svc.CreateRMA(context.Background(), "rma-"+number, returns.RMAInput{Actor: lead, RMA: returns.RMA{
		Number: number, OrderRef: "SO-1", Channel: "direct", Lines: []returns.RMALine{{SKU: "R1", Qty: qty, Reason: returns.ReasonUnwanted}}}}); err != nil {
		t.Fatal(err)
	}
}

func (n *node) count(t testing.TB, query string) int64 {
	t.Helper()
	var c int64
	if err := n.db.Reader().QueryRow(query).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func wantKind(t testing.TB, err error, code floorops.Code) {
	t.Helper()
	if floorops.ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func fields(err error) []string {
	var e *floorops.Error
	var out []string
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}
