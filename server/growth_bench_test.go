package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/picking"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// The growth benchmarks: what one floor scan costs as the node's history
// grows (issue 14). Each size is a node of the demo warehouse plus, built
// by bulk SQL in one transaction rather than by RPCs:
//
//	balances   N (1,000 items over N/1,000 storage bins)
//	movements  N in the ledger, N events in the outbox, N stored answers
//	           in the idempotency table
//	open putaway tasks N/10, all of one stock at a dock (putaway behind)
//	bins per bulk item N/1,000 (AdjustSpreadItem adjusts one of them)
//	receipt scans N/200 on the one PO line the benchmark receives against
//
// so the largest size is 1M balances, 1M movements, 100k open putaway
// tasks and 5,000 scans on one PO line. A fixture is built once per size
// and kept under os.TempDir(), named by a hash of the migrations and of
// this layout, and copied for each run; benchmarks only run with -bench.
//
//	go test ./server -run '^$' -bench Growth -benchtime 200x
//	go test ./server -run '^$' -bench 'Growth/balances=1000000/' -benchtime 200x
//
// Each reports ns/op, statements/op (SQL statements the node ran per scan)
// and, for the process, max-RSS-MB (getrusage: the peak so far, fixture
// builds included).
func BenchmarkGrowth(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("balances=%d", n), func(b *testing.B) {
			f := growthFixture(b, n)
			for _, op := range growthOps {
				b.Run(op.name, func(b *testing.B) {
					g := openGrowth(b, f)
					before := g.db.StatementsRun()
					b.ResetTimer()
					for i := range b.N {
						if err := op.run(g, i); err != nil {
							b.Fatalf("%s %d: %v", op.name, i, err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(g.db.StatementsRun()-before)/float64(b.N), "statements/op")
					b.ReportMetric(maxRSSMB(), "max-RSS-MB")
				})
			}
		})
	}
}

// growthOps are the scans measured, each against the fixture's own stock.
var growthOps = []struct {
	name string
	run  func(g *growthNode, i int) error
}{
	{"ReceiveScan", func(g *growthNode, i int) error {
		_, err := g.w.Receiving.ReceiveScan(g.ctx, fmt.Sprintf("gr-rcv-%d", i), receiving.ScanInput{
			ReceiptID: g.meta.ReceiptID, Raw: g.meta.ReceiveGTIN, Qty: 1, Actor: growthAssoc})
		return err
	}},
	{"ConfirmPutaway", func(g *growthNode, i int) error {
		in := putaway.ConfirmInput{TaskID: g.meta.PutawayTask, Scan: g.putTo, Qty: 1, Actor: growthAssoc}
		_, err := g.w.Putaway.ConfirmPutaway(g.ctx, fmt.Sprintf("gr-put-%d", i), in)
		if floorops.IsCode(err, floorops.EPRECONDITION) {
			// The directed bin is full: ask again, as the associate does.
			_, s, err := g.w.Putaway.SuggestLocation(g.ctx, g.meta.PutawayTask, "")
			if err != nil {
				return err
			}
			g.putTo, in.Scan = s.LocationCode, s.LocationCode
			_, err = g.w.Putaway.ConfirmPutaway(g.ctx, fmt.Sprintf("gr-put-%d-again", i), in)
			return err
		}
		return err
	}},
	{"ConfirmPick", func(g *growthNode, i int) error {
		each, _ := demoGTINs(7) // the fixture's PickSKU
		_, err := g.w.Picking.ConfirmPick(g.ctx, fmt.Sprintf("gr-pick-%d", i), picking.ConfirmInput{
			ListID: g.meta.PickList, LineID: g.meta.PickLine, LocationScan: g.meta.PickLocation,
			ItemScan: each, Qty: 1, Actor: growthAssoc})
		return err
	}},
	{"AdjustStock", func(g *growthNode, i int) error {
		delta := int64(1)
		if i%2 == 1 {
			delta = -1
		}
		_, err := g.w.Inventory.AdjustStock(g.ctx, fmt.Sprintf("gr-adj-%d", i), inventory.AdjustInput{
			LocationCode: g.meta.AdjustLocation, SKU: g.meta.AdjustSKU, Delta: delta, Reason: "growth", Actor: growthLead})
		return err
	}},
	// An adjustment of an item stocked in every bulk bin (N/1,000
	// balances of it): what its ATS event sums grows with its bins.
	{"AdjustSpreadItem", func(g *growthNode, i int) error {
		delta := int64(1)
		if i%2 == 1 {
			delta = -1
		}
		_, err := g.w.Inventory.AdjustStock(g.ctx, fmt.Sprintf("gr-adjs-%d", i), inventory.AdjustInput{
			LocationCode: "G-0000001", SKU: "G00001", Delta: delta, Reason: "growth", Actor: growthLead})
		return err
	}},
	{"ResolveScan", func(g *growthNode, i int) error {
		_, err := g.w.Inventory.ResolveScan(g.ctx, g.meta.ReceiveGTIN, "")
		return err
	}},
}

var (
	growthAssoc = inventory.Actor{Badge: "B-ASSOC", Device: "growth", Role: inventory.Associate}
	growthLead  = inventory.Actor{Badge: "B-LEAD", Device: "growth", Role: inventory.Lead}
)

// growthMeta is what a fixture holds for the benchmarks, kept beside it.
type growthMeta struct {
	ReceiptID      int64
	ReceiveGTIN    string
	PutawayTask    int64
	PutawayTo      string
	PickList       int64
	PickLine       int64
	PickLocation   string
	PickSKU        string
	AdjustLocation string
	AdjustSKU      string
}

type growthFile struct {
	path string
	meta growthMeta
}

type growthNode struct {
	ctx   context.Context
	db    *store.DB
	w     Workflows
	meta  growthMeta
	putTo string
}

// growthLayout names this file's fixture layout: change it when the
// fixture changes, so a cached one is built again.
const growthLayout = "growth-1"

// growthFixture is the cached fixture of size n, built when missing.
func growthFixture(b *testing.B, n int) growthFile {
	b.Helper()
	h := sha256.New()
	io.WriteString(h, growthLayout)
	files, err := filepath.Glob(filepath.Join("..", "store", "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		b.Fatalf("migrations: %v", err)
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		h.Write(body)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("floorops-growth-%s-%d.db", hex.EncodeToString(h.Sum(nil))[:12], n))
	var f growthFile
	f.path = path
	if body, err := os.ReadFile(path + ".json"); err == nil && json.Unmarshal(body, &f.meta) == nil {
		return f
	}
	start := time.Now()
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	f.meta = buildGrowth(b, tmp, n)
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(f.meta)
	if err := os.WriteFile(path+".json", body, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %s", path, time.Since(start).Round(time.Millisecond))
	return f
}

// openGrowth opens a copy of the fixture for one benchmark.
func openGrowth(b *testing.B, f growthFile) *growthNode {
	b.Helper()
	dst := filepath.Join(b.TempDir(), "node.db")
	if err := copyFile(f.path, dst); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dst)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return &growthNode{ctx: ctx, db: db, w: NewWorkflows(db, scan.Default()), meta: f.meta, putTo: f.meta.PutawayTo}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// On disk before the clock starts: else the node's first checkpoint
	// fsyncs the whole copy inside the benchmark.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// buildGrowth makes a fixture of size n at path: the demo warehouse, the
// benchmarks' own stock and tasks through the services, then the bulk
// history in one transaction.
func buildGrowth(b *testing.B, path string, n int) growthMeta {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p := scan.Default()
	w := NewWorkflows(db, p)
	must := func(what string, err error) {
		if err != nil {
			b.Fatalf("growth fixture: %s: %v", what, err)
		}
	}
	must("locations", seedLocations(ctx, db, p))
	must("items", seedItems(ctx, db))
	must("stock", seedStock(ctx, db))
	var m growthMeta

	// Receiving: one PO line, a receipt open at a dock.
	_, cs := demoGTINs(3)
	m.ReceiveGTIN = cs
	_, err = w.Receiving.UpsertPurchaseOrder(ctx, "g-po", receiving.PurchaseOrder{Number: "PO-GROWTH", Vendor: "ACME",
		Lines: []receiving.POLine{{SKU: "SKU-0003", Ordered: 10_000_000}}})
	must("PO", err)
	rc, err := w.Receiving.StartReceipt(ctx, "g-rc", receiving.StartInput{DockScan: "DOCK-01", DocumentScan: "PO-GROWTH", Actor: growthAssoc})
	must("receipt", err)
	m.ReceiptID = rc.ID
	_, err = w.Receiving.ReceiveScan(ctx, "g-rcv-0", receiving.ScanInput{ReceiptID: rc.ID, Raw: cs, Qty: 1, Actor: growthAssoc})
	must("first receipt scan", err)

	// Putaway: a lead's task of a million units found in staging.
	_, err = w.Inventory.AdjustStock(ctx, "g-stg", inventory.AdjustInput{LocationCode: "STG-01", SKU: "SKU-0005", Delta: 1_000_000, Reason: "found", Actor: growthLead})
	must("staging stock", err)
	t, err := w.Putaway.CreateAdhocTask(ctx, "g-task", putaway.CreateInput{FromScan: "STG-01", SKU: "SKU-0005", Qty: 1_000_000, Actor: growthLead})
	must("putaway task", err)
	m.PutawayTask = t.ID
	_, s, err := w.Putaway.SuggestLocation(ctx, t.ID, "")
	must("suggestion", err)
	m.PutawayTo = s.LocationCode

	// Picking: an order of a million units of one SKU, all in one bin.
	m.PickSKU, m.PickLocation = "SKU-0007", "C-04-10-C"
	_, err = w.Inventory.AdjustStock(ctx, "g-pickstock", inventory.AdjustInput{LocationCode: m.PickLocation, SKU: m.PickSKU, Delta: 1_000_000, Reason: "found", Actor: growthLead})
	must("pick stock", err)
	_, err = w.Picking.ReleaseOrders(ctx, "g-rel", picking.ReleaseInput{Actor: growthLead, Orders: []picking.OrderInput{{
		OrderID: "SO-GROWTH", Channel: picking.Direct, ShipBy: time.Now().Add(240 * time.Hour),
		Lines: []picking.LineInput{{SKU: m.PickSKU, Qty: 1_000_000}}}}})
	must("release", err)
	lists, err := w.Picking.CreatePickLists(ctx, "g-lists", picking.CreateListsInput{Type: picking.Discrete, Actor: growthLead})
	must("pick lists", err)
	if len(lists) == 0 {
		b.Fatal("growth fixture: no pick list")
	}
	list, err := w.Picking.StartPickList(ctx, "g-start", picking.StartInput{ListID: lists[0].ID, ToteScans: []string{"LPN-GROWTH"}, Actor: growthAssoc})
	must("start pick list", err)
	m.PickList = list.ID
	for _, l := range list.Lines {
		if l.LocationCode == m.PickLocation {
			m.PickLine = l.ID
		}
	}
	if m.PickLine == 0 {
		b.Fatalf("growth fixture: no pick line at %s: %+v", m.PickLocation, list.Lines)
	}
	m.AdjustLocation, m.AdjustSKU = "A-01-09-A", "SKU-0009"

	// The history, in one transaction.
	err = db.Write(ctx, func(tx *store.Tx) error {
		now := store.FormatTime(tx.Now)
		var dock, line, scanID, taskID int64
		if err := tx.QueryRowContext(ctx, `SELECT s.id, s.po_line_id FROM receipt_scans s WHERE s.receipt_id = ?`, rc.ID).Scan(&scanID, &line); err != nil {
			return fmt.Errorf("first scan: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT id, from_location_id FROM putaway_tasks WHERE state = 'open' AND origin = 'staged'`).Scan(&taskID, &dock); err != nil {
			return fmt.Errorf("staged task: %w", err)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000)
			  INSERT INTO items (sku, created_at, updated_at) SELECT printf('G%05d', i), ?1, ?1 FROM k`, []any{now}},
			{`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?2)
			  INSERT INTO locations (code, zone, type, walk_seq, capacity, check_code, created_at, updated_at)
			  SELECT printf('G-%07d', i), 'G', 'storage', 100000 + i, 1000000, 'GG', ?1, ?1 FROM k`, []any{now, n / 1000}},
			{`INSERT INTO balances (location_id, item_id, status, qty, received_at)
			  SELECT l.id, i.id, 'available', 10, ?1 FROM locations l, items i WHERE l.zone = 'G' AND i.sku LIKE 'G%'`, []any{now}},
			{`INSERT INTO movements (kind, item_id, to_location_id, to_status, qty, reason, request_id, created_at)
			  SELECT 'adjust', item_id, location_id, 'available', 10, 'growth', 'g-hist-' || id, ?1 FROM balances WHERE item_id IN (SELECT id FROM items WHERE sku LIKE 'G%')`, []any{now}},
			{`INSERT INTO outbox (kind, payload, created_at)
			  SELECT 'stock.adjusted', '{"growth":' || id || '}', ?1 FROM movements WHERE reason = 'growth'`, []any{now}},
			{`INSERT INTO idempotency (request_id, method, request_hash, response, created_at)
			  SELECT 'g-hist-' || id, 'AdjustStock', randomblob(32), '{}', ?1 FROM movements WHERE reason = 'growth'`, []any{now}},
			// Putaway behind at the dock: n/10 open tasks of one unit
			// each of the received stock, and the units they claim.
			{`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?2)
			  INSERT INTO putaway_tasks (item_id, from_location_id, lot, expiry, status, lpn, qty, state, origin, restock, ref, created_by, created_at)
			  SELECT item_id, from_location_id, lot, expiry, status, lpn, 1, 'open', origin, restock, ref, created_by, ?1
			  FROM putaway_tasks, k WHERE id = ?3`, []any{now, n / 10, taskID}},
			{`UPDATE balances SET qty = qty + ?2 WHERE location_id = ?1 AND item_id = (SELECT item_id FROM putaway_tasks WHERE id = ?3) AND status = 'available' AND lpn = ''`,
				[]any{dock, n / 10, taskID}},
			// The PO line's earlier scans.
			{`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?2)
			  INSERT INTO receipt_scans (receipt_id, po_line_id, item_id, lot, expiry, lpn, condition, status, qty, movement_id, raw_scan, scan_request, user_badge, device_id, created_at)
			  SELECT receipt_id, po_line_id, item_id, lot, expiry, lpn, condition, status, 1, movement_id, raw_scan, 'g-scan-' || i, user_badge, device_id, ?1
			  FROM receipt_scans, k WHERE id = ?3`, []any{now, n / 200, scanID}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return fmt.Errorf("%.60s: %w", q.sql, err)
			}
		}
		return nil
	})
	must("history", err)
	if _, err := db.Reader().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil && !errors.Is(err, context.Canceled) {
		b.Logf("checkpoint: %v", err)
	}
	return m
}

// maxRSSMB is the process's peak resident set so far, in MB.
func maxRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}
