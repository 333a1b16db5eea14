package upstream_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/floorops/floorops/central"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	"google.golang.org/protobuf/proto"
)

// The SIGKILL test runs the node in a child process: this test binary,
// re-run with FLOOROPS_SYNC_CHILD set, serves the node named by the
// environment until it is killed.
func TestMain(m *testing.M) {
	if os.Getenv("FLOOROPS_SYNC_CHILD") != "" {
		os.Exit(childNode())
	}
	os.Exit(m.Run())
}

func childNode() int {
	batch, _ := strconv.Atoi(os.Getenv("FLOOROPS_SYNC_BATCH"))
	srv, err := server.New(context.Background(), server.Config{
		DBPath: os.Getenv("FLOOROPS_SYNC_DB"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", NodeID: "n1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Upstream: &server.UpstreamConfig{Addr: os.Getenv("FLOOROPS_SYNC_CENTRAL"), Key: os.Getenv("FLOOROPS_SYNC_KEY"),
			Plaintext: true, Batch: batch, MaxBackoff: 100 * time.Millisecond},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go func() { <-srv.Ready(); fmt.Println("ready") }()
	if err := srv.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// testCentral is a reference central on a loopback port, which a test can
// stop and start again on the same port and database.
type testCentral struct {
	t     *testing.T
	path  string
	addr  string
	key   string
	c     *central.Central
	stop  func()
	mu    sync.Mutex
	acked int64
	// pushes counts committed pushes.
	pushes atomic.Int64
	// commits is signalled after every committed push.
	commits chan struct{}
}

func newCentral(t *testing.T) *testCentral {
	t.Helper()
	tc := &testCentral{t: t, path: filepath.Join(t.TempDir(), "central.db"), addr: "127.0.0.1:0", commits: make(chan struct{}, 1)}
	tc.start(nil)
	key, err := tc.c.CreateKey(context.Background(), "n1")
	if err != nil {
		t.Fatal(err)
	}
	tc.key = key
	t.Cleanup(func() {
		if tc.stop != nil {
			tc.stop()
		}
	})
	return tc
}

func (tc *testCentral) start(before func(node string, through int64) error) {
	tc.t.Helper()
	c, err := central.Open(context.Background(), tc.path)
	if err != nil {
		tc.t.Fatal(err)
	}
	c.BeforeCommit = before
	c.AfterCommit = func(_ string, through int64) {
		tc.mu.Lock()
		tc.acked = through
		tc.mu.Unlock()
		tc.pushes.Add(1)
		select {
		case tc.commits <- struct{}{}:
		default:
		}
	}
	lis, err := net.Listen("tcp", tc.addr)
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.addr = lis.Addr().String()
	g := central.NewGRPCServer(c)
	go g.Serve(lis)
	tc.c = c
	tc.stop = func() { g.Stop(); c.Close(); tc.stop = nil }
}

// waitAcked waits, bounded, until central has applied through seq.
func (tc *testCentral) waitAcked(seq int64) {
	tc.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		tc.mu.Lock()
		acked := tc.acked
		tc.mu.Unlock()
		if acked >= seq {
			return
		}
		select {
		case <-tc.commits:
		case <-deadline:
			tc.t.Fatalf("central applied through %d, want %d", acked, seq)
		}
	}
}

// eventually waits, bounded, until cond holds, checking on a short tick.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(60 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// floor is a node's database with a few SKUs on a shelf, and a way to
// make floor traffic: stock adjustments by a lead, each one a StockMoved
// and an AvailabilityChanged.
type floor struct {
	db  *store.DB
	inv *inventory.Service
	n   int
}

var lead = inventory.Actor{Badge: "L1", Device: "HH-7", Role: inventory.Lead}

func newFloor(t *testing.T, db *store.DB) *floor {
	t.Helper()
	ctx := inventory.ContextWithActor(context.Background(), lead)
	inv := inventory.NewService(db, scan.Default())
	if _, err := inv.UpsertLocation(ctx, "loc", inventory.Location{Code: "A-01-01-A", Zone: "A", Type: inventory.LocStorage, WalkSeq: 1}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := inv.UpsertItem(ctx, fmt.Sprintf("item-%d", i), inventory.Item{SKU: fmt.Sprintf("SKU-%d", i)}, inventory.ItemUpdate{}); err != nil {
			t.Fatal(err)
		}
	}
	return &floor{db: db, inv: inv}
}

// traffic makes n adjustments.
func (f *floor) traffic(t *testing.T, n int) {
	t.Helper()
	ctx := inventory.ContextWithActor(context.Background(), lead)
	for range n {
		f.n++
		delta := int64(f.n%7 + 1)
		if _, err := f.inv.AdjustStock(ctx, fmt.Sprintf("adj-%d", f.n), inventory.AdjustInput{
			LocationCode: "A-01-01-A", SKU: fmt.Sprintf("SKU-%d", f.n%5), Delta: delta, Reason: "found", Actor: lead,
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func lastSeq(t *testing.T, db *store.DB) int64 {
	t.Helper()
	seq, err := inventory.LastSeq(context.Background(), db.Reader())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// assertInStep checks that central holds every event of the node exactly
// once, in order, identical to the node's outbox (parked seqs aside), and
// that the network's ATS is the node's.
func assertInStep(t *testing.T, db *store.DB, c *central.Central, parked ...int64) {
	t.Helper()
	ctx := context.Background()
	node, err := inventory.ReadOutbox(ctx, db.Reader(), "n1", 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	skip := map[int64]bool{}
	for _, s := range parked {
		skip[s] = true
	}
	got, err := c.Events(ctx, "n1")
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, want := range node {
		if skip[want.Seq] {
			continue
		}
		if i >= len(got) {
			t.Fatalf("central lacks seq %d and after (holds %d events)", want.Seq, len(got))
		}
		if !proto.Equal(got[i], want.Event) {
			t.Fatalf("central's event %d is seq %d %v, the node's is %v", i, got[i].GetSeq(), got[i], want.Event)
		}
		i++
	}
	if i != len(got) {
		t.Fatalf("central holds %d events, the node %d", len(got), i)
	}
	all, err := inventory.AllAvailability(ctx, db.Reader(), db.Now())
	if err != nil {
		t.Fatal(err)
	}
	net, err := c.NetworkAvailability(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	central := map[string]int64{}
	for _, a := range net {
		central[a.GetSku()] = a.GetAvailableToSell()
	}
	for _, a := range all {
		if central[a.SKU] != a.ATS {
			t.Errorf("network ATS of %s = %d, node's = %d", a.SKU, central[a.SKU], a.ATS)
		}
	}
}

// waitCursor waits, bounded, until the node has recorded central's ack
// through seq.
func waitCursor(t *testing.T, db *store.DB, seq int64) {
	t.Helper()
	eventually(t, fmt.Sprintf("the node's cursor at %d", seq), func() bool {
		acked, err := upstream.Cursor(context.Background(), db.Reader(), upstream.Sink)
		return err == nil && acked >= seq
	})
}

func startNode(t *testing.T, path string, tc *testCentral, batch int) *server.Server {
	t.Helper()
	srv, err := server.New(context.Background(), server.Config{
		DBPath: path, GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", NodeID: "n1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Upstream: &server.UpstreamConfig{Addr: tc.addr, Key: tc.key, Plaintext: true, Batch: batch,
			MaxBackoff: 100 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	<-srv.Ready()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return srv
}

func TestCentralDownThenBack(t *testing.T) {
	tc := newCentral(t)
	srv := startNode(t, filepath.Join(t.TempDir(), "node.db"), tc, 50)
	f := newFloor(t, srv.DB)
	f.traffic(t, 100)
	tc.waitAcked(lastSeq(t, srv.DB))

	tc.stop()
	f.traffic(t, 300) // the floor keeps working; the outbox grows on disk
	eventually(t, "the pusher to notice central is down", func() bool {
		st, err := upstream.ReadStatus(context.Background(), srv.DB.Reader(), upstream.Sink)
		return err == nil && st.LastError != "" && st.Backlog > 0
	})
	st, err := upstream.ReadStatus(context.Background(), srv.DB.Reader(), upstream.Sink)
	if err != nil {
		t.Fatal(err)
	}
	if st.Backlog < 600 || st.OldestAt.IsZero() {
		t.Errorf("while central is down: backlog %d, oldest %v; want the 600 events of 300 adjustments", st.Backlog, st.OldestAt)
	}

	tc.start(nil)
	f.traffic(t, 100)
	tc.waitAcked(lastSeq(t, srv.DB))
	waitCursor(t, srv.DB, lastSeq(t, srv.DB))
	assertInStep(t, srv.DB, tc.c)
	st, err = upstream.ReadStatus(context.Background(), srv.DB.Reader(), upstream.Sink)
	if err != nil {
		t.Fatal(err)
	}
	if st.Backlog != 0 || st.LastError != "" {
		t.Errorf("after central is back: backlog %d, last error %q", st.Backlog, st.LastError)
	}
}

func TestCentralRestartedMidBatch(t *testing.T) {
	tc := newCentral(t)
	path := filepath.Join(t.TempDir(), "node.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFloor(t, db)
	f.traffic(t, 500) // 1,000+ events: many batches of 100
	last := lastSeq(t, db)
	db.Close()

	// The third batch reaches central, which dies before it commits.
	tc.stop()
	inBatch, release := make(chan int64), make(chan struct{})
	var batches atomic.Int64
	tc.start(func(_ string, through int64) error {
		if batches.Add(1) == 3 {
			inBatch <- through
			<-release
			return fmt.Errorf("central died mid-batch")
		}
		return nil
	})
	srv := startNode(t, path, tc, 100)
	through := <-inBatch
	stop := tc.stop
	go func() { stop(); close(release) }() // Stop waits for the blocked handler
	<-release
	tc.start(nil)
	tc.waitAcked(last)
	if through <= 200 {
		t.Fatalf("the dying batch would have acknowledged %d", through)
	}
	assertInStep(t, srv.DB, tc.c)
}

func TestNodeKilledMidPush(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the node in a child process")
	}
	tc := newCentral(t)
	path := filepath.Join(t.TempDir(), "node.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFloor(t, db)
	f.traffic(t, 1000)
	last := lastSeq(t, db)
	db.Close()

	run := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FLOOROPS_SYNC_CHILD=1", "FLOOROPS_SYNC_DB="+path,
			"FLOOROPS_SYNC_CENTRAL="+tc.addr, "FLOOROPS_SYNC_KEY="+tc.key, "FLOOROPS_SYNC_BATCH=20")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("child node: %q, %v", line, err)
		}
		return cmd
	}
	child := run()
	tc.waitAcked(last / 3)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	tc.mu.Lock()
	killedAt := tc.acked
	tc.mu.Unlock()
	if killedAt >= last {
		t.Fatalf("the node pushed everything (%d) before it was killed", killedAt)
	}

	child = run()
	t.Cleanup(func() { child.Process.Signal(syscall.SIGKILL); child.Wait() })
	tc.waitAcked(last)
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	db, err = store.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	assertInStep(t, db, tc.c)
}

func TestRejectedEventIsParked(t *testing.T) {
	tc := newCentral(t)
	path := filepath.Join(t.TempDir(), "node.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFloor(t, db)
	f.traffic(t, 10)
	// An event central cannot read: a payload of a kind it does not know.
	var bad int64
	if err := db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		bad, err = inventory.Emit(context.Background(), tx, "from_the_future", &eventv1.Event{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.traffic(t, 10)
	last := lastSeq(t, db)
	db.Close()

	srv := startNode(t, path, tc, 50)
	tc.waitAcked(last)
	waitCursor(t, srv.DB, last)
	if n := tc.pushes.Load(); n > 5 {
		t.Errorf("%d pushes for 3 batches' worth: the pusher spins on the rejected event", n)
	}
	st, err := upstream.ReadStatus(context.Background(), srv.DB.Reader(), upstream.Sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Parked) != 1 || st.Parked[0].Seq != bad || st.Parked[0].Kind != "from_the_future" || st.Backlog != 0 {
		t.Errorf("status: parked %+v, backlog %d; want seq %d parked and nothing behind", st.Parked, st.Backlog, bad)
	}
	nodes, err := tc.c.Nodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 || len(nodes[0].GetParkedSeqs()) != 1 || nodes[0].GetParkedSeqs()[0] != bad {
		t.Errorf("central's nodes: %v; want seq %d listed as parked", nodes, bad)
	}
	assertInStep(t, srv.DB, tc.c, bad)
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
