package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/floorops/floorops/server"
)

// TestCrashUnderLoad builds the floorops binary, runs a demo node as its
// own process, and plays handhelds against it that each send stock
// adjustments with their own request ids, one at a time, retrying an
// unanswered one with the same id and body until it is acknowledged. It
// SIGKILLs the node at random moments (after a random number of
// acknowledgements since it came up) and restarts it on the same database
// and port, FLOOROPS_CRASH_KILLS times (10 by default, as CI runs it;
// FLOOROPS_CRASH_SEED replays a run). Then it checks the database: every
// acknowledged request is in the ledger and the outbox exactly once and
// nothing else is; every balance equals its movements and none is
// negative; the outbox has no gap; PRAGMA integrity_check is ok.
func TestCrashUnderLoad(t *testing.T) {
	kills := 10
	if v := os.Getenv("FLOOROPS_CRASH_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("FLOOROPS_CRASH_KILLS=%q: want a positive number", v)
		}
		kills = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("FLOOROPS_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("FLOOROPS_CRASH_SEED=%q: %v", v, err)
		}
		seed = n
	}
	t.Logf("FLOOROPS_CRASH_SEED=%d FLOOROPS_CRASH_KILLS=%d", seed, kills)
	rng := rand.New(rand.NewPCG(seed, 14))

	bin := buildFloorops(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "node.db")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// The first start seeds the demo and picks a free port; every restart
	// takes the same port, so the handhelds' connections find it again.
	node := startNodeProcess(ctx, t, bin, dbPath, "127.0.0.1:0")
	addr := node.grpcAddr

	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	login := func(badge string) context.Context {
		r, err := authv1.NewAuthServiceClient(cc).Login(ctx, &authv1.LoginRequest{Badge: badge, Pin: server.DemoPIN, DeviceId: "crash"})
		if err != nil {
			t.Fatalf("sign in as %s: %v", badge, err)
		}
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+r.GetToken())
	}
	lead, assoc := login("B-LEAD"), login("B-ASSOC")
	inv := inventoryv1.NewInventoryServiceClient(cc)
	stock, err := benchStockOf(assoc, inv)
	if err != nil {
		t.Fatal(err)
	}

	// The handhelds: each at most one unit down at a time on its stock
	// (down, then up), so no balance can go negative unless the node
	// applied a request twice.
	const handhelds = 8
	var acked sync.Map // request id -> true
	var ackCount atomic.Int64
	ackc := make(chan struct{}, 1) // a nudge: the count moved
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errc := make(chan error, handhelds)
	for h := range handhelds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := stock[h%len(stock)]
			for seq := 0; loadCtx.Err() == nil; seq++ {
				id := fmt.Sprintf("crash-%d-%d", h, seq)
				delta := int64(-1)
				if seq%2 == 1 {
					delta = 1
				}
				req := &inventoryv1.AdjustStockRequest{RequestId: id, LocationCode: st.location, Sku: st.sku,
					Delta: delta, Reason: "crash", Status: inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE}
				// Retry the same id and body until it is answered: a
				// node killed under it may or may not have committed it.
				// A down step is not abandoned when the load stops, so
				// the last answer is always known.
				for {
					callCtx, cancel := context.WithTimeout(lead, 10*time.Second)
					_, err := inv.AdjustStock(callCtx, req, grpc.WaitForReady(true))
					cancel()
					if err == nil {
						acked.Store(id, true)
						ackCount.Add(1)
						select {
						case ackc <- struct{}{}:
						default:
						}
						break
					}
					if !retryable(err) {
						errc <- fmt.Errorf("%s: %w", id, err)
						return
					}
					if ctx.Err() != nil {
						errc <- fmt.Errorf("%s: unanswered when the test ran out of time: %w", id, err)
						return
					}
				}
			}
		}()
	}

	for k := range kills {
		// A random moment: after 5 to 120 acknowledgements since the node
		// came up, counted, never slept for.
		want := ackCount.Load() + int64(5+rng.IntN(116))
		for ackCount.Load() < want {
			select {
			case err := <-errc:
				t.Fatalf("a handheld stopped before kill %d: %v", k+1, err)
			case <-ctx.Done():
				t.Fatalf("only %d acknowledgements before kill %d", ackCount.Load(), k+1)
			case <-ackc:
			}
		}
		node.kill(t)
		node = startNodeProcess(ctx, t, bin, dbPath, addr)
	}
	// A last stretch on the restarted node, then stop the load and let
	// every handheld finish the call it is in.
	want := ackCount.Load() + 20
	for ackCount.Load() < want && ctx.Err() == nil {
		select {
		case <-ackc:
		case <-ctx.Done():
		}
	}
	stopLoad()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	node.kill(t)
	t.Logf("%d kills, %d acknowledged adjustments", kills, ackCount.Load())

	for _, p := range checkCrashedDB(t, dbPath, &acked, ackCount.Load()) {
		t.Error(p)
	}

	// The checks can fail: a lost acknowledged movement is caught.
	db, err := sql.Open("sqlite", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM movements WHERE id = (SELECT MAX(id) FROM movements WHERE reason = 'crash')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if len(checkCrashedDB(t, dbPath, &acked, ackCount.Load())) == 0 {
		t.Error("the checks did not notice a lost movement")
	}
}

// retryable says whether a handheld sends the same request again: the
// node was down or went down under it.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded:
		return true
	}
	return false
}

// checkCrashedDB says what is wrong with the database after the crashes.
func checkCrashedDB(t *testing.T, dbPath string, acked *sync.Map, n int64) (problems []string) {
	t.Helper()
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q, %v", integrity, err)
	}
	// Every acknowledged request once in the ledger and once in the
	// outbox, and no crash request that was never acknowledged.
	count := func(q string) map[string]int {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]int{}
		for rows.Next() {
			var id string
			var c int
			if err := rows.Scan(&id, &c); err != nil {
				t.Fatal(err)
			}
			m[id] = c
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	ledger := count(`SELECT request_id, COUNT(*) FROM movements WHERE reason = 'crash' GROUP BY request_id`)
	// An adjustment emits its stock_moved event, and an availability_changed
	// one when it changes ATS.
	outbox := count(`SELECT request_id, COUNT(*) FROM outbox WHERE request_id LIKE 'crash-%' AND kind = 'stock_moved' GROUP BY request_id`)
	ats := count(`SELECT request_id, COUNT(*) FROM outbox WHERE request_id LIKE 'crash-%' AND kind = 'availability_changed' GROUP BY request_id`)
	acked.Range(func(k, _ any) bool {
		id := k.(string)
		if ledger[id] != 1 || outbox[id] != 1 || ats[id] > 1 {
			errorf("acknowledged %s: %d movements, %d stock_moved and %d availability_changed events; want 1, 1 and at most 1",
				id, ledger[id], outbox[id], ats[id])
		}
		return true
	})
	if int64(len(ledger)) != n || int64(len(outbox)) != n {
		errorf("ledger holds %d crash requests, outbox %d, acknowledged %d", len(ledger), len(outbox), n)
	}
	// Balances equal the ledger, none negative.
	var mismatched, negative int
	if err := db.QueryRow(`
		WITH flows AS (
			SELECT to_location_id AS loc, item_id, lot, expiry, to_status AS status, to_lpn AS lpn, qty
			FROM movements WHERE to_location_id IS NOT NULL
			UNION ALL
			SELECT from_location_id, item_id, lot, expiry, from_status, from_lpn, -qty
			FROM movements WHERE from_location_id IS NOT NULL),
		ledger AS (SELECT loc, item_id, lot, expiry, status, lpn, SUM(qty) AS qty FROM flows GROUP BY 1, 2, 3, 4, 5, 6)
		SELECT COUNT(*) FROM ledger l
		FULL JOIN balances b ON b.location_id = l.loc AND b.item_id = l.item_id AND b.lot = l.lot
			AND b.expiry = l.expiry AND b.status = l.status AND b.lpn = l.lpn
		WHERE COALESCE(l.qty, 0) <> COALESCE(b.qty, 0)`).Scan(&mismatched); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM balances WHERE qty < 0`).Scan(&negative); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 || negative != 0 {
		errorf("%d balances differ from the ledger, %d negative", mismatched, negative)
	}
	// The outbox has every event and no gap.
	var lo, hi, rows int64
	if err := db.QueryRow(`SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0), COUNT(*) FROM outbox`).Scan(&lo, &hi, &rows); err != nil {
		t.Fatal(err)
	}
	if lo != 1 || rows != hi-lo+1 {
		errorf("outbox seq %d..%d holds %d events: a gap", lo, hi, rows)
	}
	return problems
}

// buildFloorops builds this command into the test's temp dir.
func buildFloorops(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no go command to build the node with")
		}
		t.Skip("no go command to build the node with")
	}
	bin := filepath.Join(t.TempDir(), "floorops")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// nodeProcess is a floorops serve process.
type nodeProcess struct {
	cmd      *exec.Cmd
	grpcAddr string
	done     chan error
}

// startNodeProcess runs `floorops serve --demo` on dbPath and waits until
// it says where it serves and its gRPC health check answers SERVING.
func startNodeProcess(ctx context.Context, t *testing.T, bin, dbPath, grpcAddr string) *nodeProcess {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--demo", "--db", dbPath, "--grpc-addr", grpcAddr, "--http-addr", "127.0.0.1:0",
		"--digest-every", "0", "--node-id", "crash-node")
	cmd.Env = append(os.Environ(), "FLOOROPS_PPROF_ADDR=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 64 << 10}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &nodeProcess{cmd: cmd, done: make(chan error, 1)}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); !sent && len(f) == 2 && f[0] == "gRPC" {
				addrc <- f[1]
				sent = true
			}
		}
		io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	select {
	case p.grpcAddr = <-addrc:
	case err := <-p.done:
		t.Fatalf("node exited before serving: %v\n%s", err, stderr.String())
	case <-ctx.Done():
		cmd.Process.Kill()
		t.Fatalf("node did not say where it serves\n%s", stderr.String())
	}
	cc, err := grpc.NewClient(p.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	// Health says NOT_SERVING until the node's first probe passes: watch
	// it turn SERVING.
	w, err := healthpb.NewHealthClient(cc).Watch(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
	for err == nil {
		var r *healthpb.HealthCheckResponse
		if r, err = w.Recv(); err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			break
		}
	}
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("health: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() { p.cmd.Process.Kill() })
	return p
}

// kill SIGKILLs the node and waits for it to be gone.
func (p *nodeProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	<-p.done
}

// limitedWriter keeps the first n bytes of a node's log for a failure message.
type limitedWriter struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (l *limitedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(len(b), l.n)
		l.w.Write(b[:k])
		l.n -= k
	}
	return len(b), nil
}
