package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/floorops/floorops/server"
)

// TestBenchAgainstADemoNode plays a few handhelds briefly against an
// in-process demo node and checks what bench says against the ledger:
// every acknowledged adjustment is in it once, nothing failed, every RPC of
// the mix ran. It asserts counts, never speed.
func TestBenchAgainstADemoNode(t *testing.T) {
	t.Parallel()
	srv := startDemoNode(t)
	var before int
	if err := srv.DB.Reader().QueryRow(`SELECT COALESCE(SUM(qty), 0) FROM balances`).Scan(&before); err != nil {
		t.Fatal(err)
	}

	// As many handhelds as a round of the mix has calls: each starts at
	// its own place in the round, so every RPC runs once each handheld
	// has finished its first call.
	hh := 0
	for _, op := range benchMix {
		hh += op.weight
	}
	out, _, err := runCLI(t, "bench", "--addr", srv.GRPCAddr(), "--handhelds", fmt.Sprint(hh), "--duration", "2s", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res benchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("bench --json printed %q: %v", out, err)
	}
	if res.Errors != 0 || res.Handhelds != hh || res.Ops == 0 {
		t.Fatalf("bench: %d errors (%v), %d handhelds, %d ops", res.Errors, res.ErrorSamples, res.Handhelds, res.Ops)
	}
	var sum int64
	for _, op := range benchMix {
		st, ok := res.PerRPC[op.name]
		if !ok || st.Ops == 0 {
			t.Errorf("%s never ran: %+v", op.name, res.PerRPC)
		}
		sum += st.Ops
	}
	if sum != res.Ops {
		t.Errorf("per-RPC ops add up to %d, all ops %d", sum, res.Ops)
	}
	// Each acknowledged adjustment is one movement, and the handhelds
	// count down before they count up: stock is never above where it was.
	var moves, after int64
	if err := srv.DB.Reader().QueryRow(`SELECT COUNT(*) FROM movements WHERE reason = 'bench'`).Scan(&moves); err != nil {
		t.Fatal(err)
	}
	if moves != res.PerRPC["AdjustStock"].Ops {
		t.Errorf("ledger holds %d bench movements, bench acknowledged %d adjustments", moves, res.PerRPC["AdjustStock"].Ops)
	}
	if err := srv.DB.Reader().QueryRow(`SELECT COALESCE(SUM(qty), 0) FROM balances`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	// Each acknowledged receive scan is one unit more, one movement.
	received := res.PerRPC["ReceiveScan"].Ops
	var receipts int64
	if err := srv.DB.Reader().QueryRow(`SELECT COALESCE(SUM(qty), 0) FROM movements WHERE kind = 'receive' AND request_id LIKE 'bench-%'`).Scan(&receipts); err != nil {
		t.Fatal(err)
	}
	if receipts != received {
		t.Errorf("ledger holds %d units received by bench, bench acknowledged %d receive scans of one", receipts, received)
	}
	// Each handheld found benchStaged units in staging for its putaway
	// task; a putaway moves stock, never adds it. Each acknowledged
	// confirm is one putaway movement.
	staged := int64(hh * benchStaged)
	var putaways int64
	if err := srv.DB.Reader().QueryRow(`SELECT COALESCE(SUM(qty), 0) FROM movements WHERE kind = 'putaway' AND request_id LIKE 'bench-%'`).Scan(&putaways); err != nil {
		t.Fatal(err)
	}
	if putaways != res.PerRPC["ConfirmPutaway"].Ops {
		t.Errorf("ledger holds %d units put away by bench, bench acknowledged %d confirms of one", putaways, res.PerRPC["ConfirmPutaway"].Ops)
	}
	// Each handheld's own pick item was found benchPicked deep; a pick
	// moves units onto a tote at the ship lane, never adds or takes any.
	// Each acknowledged confirm is one pick movement of one unit.
	var picked int64
	if err := srv.DB.Reader().QueryRow(`SELECT COALESCE(SUM(qty), 0) FROM movements WHERE kind = 'pick' AND request_id LIKE 'bench-%'`).Scan(&picked); err != nil {
		t.Fatal(err)
	}
	if picked != res.PerRPC["ConfirmPick"].Ops {
		t.Errorf("ledger holds %d units picked by bench, bench acknowledged %d confirms of one", picked, res.PerRPC["ConfirmPick"].Ops)
	}
	// Each handheld's count location holds benchCounted of its own item
	// and nothing moves it: every acknowledged submit posted a count that
	// found what the record says, so no count moved a unit, and every
	// count started was submitted or is the one in progress.
	var posted, started, countMoves int64
	if err := srv.DB.Reader().QueryRow(`SELECT COUNT(*) FROM counts c JOIN locations l ON l.id = c.location_id
		WHERE l.code LIKE 'CB-%' AND c.state = 'posted'`).Scan(&posted); err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.Reader().QueryRow(`SELECT COUNT(*) FROM counts c JOIN locations l ON l.id = c.location_id
		WHERE l.code LIKE 'CB-%'`).Scan(&started); err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.Reader().QueryRow(`SELECT COUNT(*) FROM movements m JOIN locations l ON l.id IN (m.from_location_id, m.to_location_id)
		WHERE l.code LIKE 'CB-%' AND m.kind <> 'adjust'`).Scan(&countMoves); err != nil {
		t.Fatal(err)
	}
	if submits := res.PerRPC["SubmitCount"].Ops; posted != submits || started < submits || started > submits+int64(hh) || countMoves != 0 {
		t.Errorf("bench acknowledged %d count submits; the node posted %d counts of %d started and moved %d units by count at the count locations",
			submits, posted, started, countMoves)
	}
	// Each acknowledged return step left its unit one step further: every
	// dispositioned unit was graded, every graded unit received.
	var received2, graded, placed, returned int64
	if err := srv.DB.Reader().QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE graded_at <> ''), COUNT(*) FILTER (WHERE dispositioned_at <> ''), COALESCE(SUM(qty), 0)
		FROM return_units u JOIN items i ON i.id = u.item_id WHERE i.sku LIKE 'BR-%'`).Scan(&received2, &graded, &placed, &returned); err != nil {
		t.Fatal(err)
	}
	if placed < res.PerRPC["Disposition"].Ops || graded < res.PerRPC["GradeUnit"].Ops || received2 < res.PerRPC["ReceiveReturn"].Ops ||
		placed > graded || graded > received2 {
		t.Errorf("bench acknowledged %d returns received, %d graded, %d dispositioned; the node holds %d, %d, %d",
			res.PerRPC["ReceiveReturn"].Ops, res.PerRPC["GradeUnit"].Ops, res.PerRPC["Disposition"].Ops, received2, graded, placed)
	}
	after -= staged + int64(hh*benchPicked) + int64(hh*benchCounted) + returned
	if after-received > int64(before) || after-received < int64(before)-int64(hh) {
		t.Errorf("stock went from %d to %d with %d received; %d handhelds end at most one unit down each", before, after, received, hh)
	}
}

// startDemoNode runs an in-process demo node until the test ends.
func startDemoNode(t *testing.T) *server.Server {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	srv, err := server.New(ctx, server.Config{
		DBPath:   filepath.Join(t.TempDir(), "node.db"),
		GRPCAddr: "127.0.0.1:0",
		HTTPAddr: "127.0.0.1:0",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	if _, err := server.SeedDemo(ctx, srv); err != nil {
		stop()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return srv
}

// TestRetryStorm plays the same requests against two demo nodes, on one
// once each and on the other three times each at once (a handheld on flaky
// Wi-Fi resending while the first is in flight), and requires the same
// final state: balances, ledger, outbox, stored answers. Every copy of a
// request must be answered alike, and without an error.
func TestRetryStorm(t *testing.T) {
	t.Parallel()
	const handhelds, rounds = 6, 12
	play := func(copies int) string {
		srv := startDemoNode(t)
		ctx := context.Background()
		cfg := benchConfig{addr: srv.GRPCAddr(), handhelds: handhelds, pin: server.DemoPIN, lead: "B-LEAD", admin: "B-ADMIN", associate: "B-ASSOC", run: "storm"}
		hs, closeConns, err := benchHandhelds(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer closeConns()
		var wg sync.WaitGroup
		errs := make(chan error, handhelds*rounds*copies*len(benchMix))
		for _, h := range hs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := range rounds {
					op := benchMix[seq%len(benchMix)]
					var copiesWG sync.WaitGroup
					for range copies {
						copiesWG.Add(1)
						go func() {
							defer copiesWG.Done()
							if err := op.call(ctx, h, seq); err != nil {
								errs <- fmt.Errorf("%s #%d of handheld %d: %w", op.name, seq, h.id, err)
							}
						}()
					}
					copiesWG.Wait()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		return nodeState(t, srv)
	}
	once, thrice := play(1), play(3)
	if once != thrice {
		t.Fatalf("final state after a retry storm differs from the run without retries:\nonce:\n%s\nthrice:\n%s", once, thrice)
	}
	// The handhelds play the mix's entries in turn: count its adjustments.
	want := 0
	for seq := range rounds {
		if benchMix[seq%len(benchMix)].name == "AdjustStock" {
			want += handhelds
		}
	}
	if !strings.Contains(once, fmt.Sprintf("bench movements: %d\n", want)) {
		t.Errorf("state without retries:\n%s\nwant %d bench movements", once, want)
	}
}

// nodeState is what a retry must not change: every balance, the bench's
// movements in the ledger, the events in the outbox and the stored answers.
func nodeState(t *testing.T, srv *server.Server) string {
	t.Helper()
	var b strings.Builder
	rows, err := srv.DB.Reader().Query(`SELECT l.code, i.sku, b.lot, b.status, b.qty FROM balances b
		JOIN locations l ON l.id = b.location_id JOIN items i ON i.id = b.item_id ORDER BY l.code, i.sku, b.lot, b.status`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, sku, lot, status string
		var qty int64
		if err := rows.Scan(&code, &sku, &lot, &status, &qty); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %s %s %d\n", code, sku, lot, status, qty)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ name, sql string }{
		{"bench movements", `SELECT COUNT(*) FROM movements WHERE reason = 'bench'`},
		{"bench units moved", `SELECT COALESCE(SUM(qty), 0) FROM movements WHERE reason = 'bench'`},
		{"outbox events", `SELECT COUNT(*) FROM outbox`},
	} {
		var n int64
		if err := srv.DB.Reader().QueryRow(q.sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		fmt.Fprintf(&b, "%s: %d\n", q.name, n)
	}
	return b.String()
}

// A mix entry the node does not serve (a service not on this node yet) is
// dropped with a line saying so, and the rest of the mix still runs.
func TestBenchSkipsAnRPCTheNodeDoesNotServe(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	var served atomic.Int64
	mix := []benchOp{
		{"GradeReturn", 1, func(context.Context, *handheld, int) error {
			return status.Error(codes.Unimplemented, "unknown service")
		}},
		{"Served", 1, func(context.Context, *handheld, int) error { served.Add(1); return nil }},
	}
	// Bounded by calls, not time: the run ends once the served RPC has run
	// a hundred times.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mix[1].call = func(context.Context, *handheld, int) error {
		if served.Add(1) >= 100 {
			cancel()
		}
		return nil
	}
	res := playMix(ctx, benchConfig{duration: time.Hour, out: &out}, []*handheld{{id: 0}, {id: 1}}, mix)
	if got := strings.Count(out.String(), "skipping GradeReturn: the node does not serve it"); got != 1 {
		t.Errorf("printed %q; want the skip said once", out.String())
	}
	if len(res.Skipped) != 1 || res.Skipped[0] != "GradeReturn" || res.Errors != 0 || res.PerRPC["Served"].Ops < 99 {
		t.Errorf("result %+v", res)
	}
	if _, ok := res.PerRPC["GradeReturn"]; ok {
		t.Errorf("a skipped RPC is in the table: %+v", res.PerRPC)
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"bench", "--handhelds", "0"},
		{"bench", "--duration", "0s"},
		{"bench", "--think", "-1s"},
		{"bench", "extra"},
	} {
		if _, _, err := runCLI(t, args...); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
