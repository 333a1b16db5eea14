package main

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/store"
)

// TestBackupUnderLoadRestores takes a backup while handhelds write to a
// node, restores it as a new node's database, and checks the copy is one
// consistent moment: SQLite's integrity check passes (backup and restore
// both run it), every item's stock equals what its ledger moved in minus
// out, and it holds the writes acknowledged before it and not those after.
func TestBackupUnderLoadRestores(t *testing.T) {
	t.Parallel()
	srv := startDemoNode(t)
	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	hs, closeConns, err := benchHandhelds(ctx, benchConfig{addr: srv.GRPCAddr(), handhelds: 4, pin: "1234", lead: "B-LEAD", admin: "B-ADMIN", associate: "B-ASSOC", run: "backup"})
	if err != nil {
		t.Fatal(err)
	}
	defer closeConns()
	// The load runs until the backup is taken and 50 more writes were
	// acknowledged after it, so the backup is taken while writes land.
	var acked atomic.Int64
	var wg sync.WaitGroup
	for _, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ctx.Err() == nil; seq++ {
				if err := benchMix[0].call(ctx, h, seq); err == nil {
					acked.Add(1)
				}
			}
		}()
	}
	for acked.Load() < 20 {
		if err := srv.DB.Probe(ctx); err != nil { // waits a group commit: no sleep, no spin on the CPU
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	if _, _, err := runCLI(t, "backup", "--db", srv.DB.Path(), "--to", backup); err != nil {
		t.Fatal(err)
	}
	after := acked.Load()
	for acked.Load() < after+50 {
		if err := srv.DB.Probe(ctx); err != nil {
			t.Fatal(err)
		}
	}
	stopLoad()
	wg.Wait()

	if _, _, err := runCLI(t, "backup", "--db", srv.DB.Path(), "--to", backup); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("a backup over an existing file: %v, want EPRECONDITION", err)
	}
	restored := filepath.Join(dir, "restored.db")
	if _, _, err := runCLI(t, "restore", "--from", backup, "--db", restored); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "restore", "--from", backup, "--db", restored); !floorops.IsCode(err, floorops.EPRECONDITION) {
		t.Fatalf("a restore over an existing database: %v, want EPRECONDITION", err)
	}
	db, err := store.OpenExisting(context.Background(), restored)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var bad int
	if err := db.Reader().QueryRow(`WITH ledger AS (
			SELECT item_id, SUM(CASE WHEN to_location_id IS NOT NULL THEN qty ELSE 0 END)
				- SUM(CASE WHEN from_location_id IS NOT NULL THEN qty ELSE 0 END) AS qty
			FROM movements GROUP BY item_id),
		stock AS (SELECT item_id, SUM(qty) AS qty FROM balances GROUP BY item_id)
		SELECT COUNT(*) FROM ledger l FULL JOIN stock s ON s.item_id = l.item_id
		WHERE COALESCE(l.qty, 0) <> COALESCE(s.qty, 0)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d items' stock differs from their ledger in the restored backup", bad)
	}
	var inBackup, total int64
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM movements WHERE reason = 'bench'`).Scan(&inBackup); err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.Reader().QueryRow(`SELECT COUNT(*) FROM movements WHERE reason = 'bench'`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if inBackup < 20 || inBackup >= total {
		t.Errorf("backup holds %d of the %d bench movements; want a moment in the middle of the load (at least 20, fewer than all)", inBackup, total)
	}
}
