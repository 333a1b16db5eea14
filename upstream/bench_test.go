package upstream_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/floorops/floorops/central"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// BenchmarkDrainToCentral drains an outbox of 20,000 events (movements and
// availability changes, as the floor writes them) to the reference central
// over loopback gRPC, in batches of 1,000, both sides durable (fsync per
// batch). The target is 20,000 events/s.
func BenchmarkDrainToCentral(b *testing.B) {
	const events = 20000
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "node.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < events; i += 1000 {
		if err := db.Write(ctx, func(tx *store.Tx) error {
			for j := i; j < i+1000; j += 2 {
				if _, err := inventory.Emit(ctx, tx, "stock_moved", &eventv1.Event{Payload: &eventv1.Event_StockMoved{StockMoved: &eventv1.StockMoved{
					MovementId: int64(j), Kind: "pick", Sku: fmt.Sprintf("SKU-%d", j%500), FromLocationCode: "A-01-01-A", ToLocationCode: "TOTE-1",
					Quantity: 1, Reason: "pick", Reference: "ORD-1", FromStatus: "available", ToStatus: "available", UserBadge: "A1", DeviceId: "HH-1"}}}); err != nil {
					return err
				}
				if _, err := inventory.Emit(ctx, tx, "availability_changed", &eventv1.Event{Payload: &eventv1.Event_AvailabilityChanged{AvailabilityChanged: &eventv1.AvailabilityChanged{
					Sku: fmt.Sprintf("SKU-%d", j%500), OnHand: 100, Allocated: 3, AvailableToSell: 97, Version: int64(j/1000 + 1)}}}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var took time.Duration
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		c, err := central.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("central-%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		key, err := c.CreateKey(ctx, "n1")
		if err != nil {
			b.Fatal(err)
		}
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		g := central.NewGRPCServer(c)
		go g.Serve(lis)
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO upstream_cursor (sink, acked_seq) VALUES (?, 0) ON CONFLICT (sink) DO UPDATE SET acked_seq = 0`, upstream.Sink)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		p := &upstream.Pusher{DB: db, NodeID: "n1", Client: upstreamv1.NewUpstreamServiceClient(conn), Batch: 1000,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		pctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+key)
		b.StartTimer()
		start := time.Now()
		for sent := 0; sent < events; {
			k, err := p.PushOnce(pctx)
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				b.Fatalf("drained %d of %d", sent, events)
			}
			sent += k
		}
		took += time.Since(start)
		b.StopTimer()
		conn.Close()
		g.Stop()
		c.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(events*b.N)/took.Seconds(), "events/s")
}

// BenchmarkSyncLagUnderFloorLoad runs floor traffic (stock adjustments from
// 8 handhelds at once, each its own request) on a node pushing to the
// reference central over loopback, and reports the p99 and max of the sync
// lag: from an event's commit at the node to its commit at central. The
// target is p99 under 2 s.
func BenchmarkSyncLagUnderFloorLoad(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	c, err := central.Open(ctx, filepath.Join(dir, "central.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	key, err := c.CreateKey(ctx, "n1")
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var lags []time.Duration
	var applied atomic.Int64
	// Lag is measured at central as each batch commits: now less each
	// event's commit time at the node.
	commits := make(chan struct{}, 1)
	c.AfterCommit = func(_ string, through int64) {
		applied.Store(through)
		select {
		case commits <- struct{}{}:
		default:
		}
	}
	c.OnApply = func(occurred time.Time) {
		mu.Lock()
		lags = append(lags, time.Since(occurred))
		mu.Unlock()
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	g := central.NewGRPCServer(c)
	go g.Serve(lis)
	defer g.Stop()
	srv, err := server.New(ctx, server.Config{
		DBPath: filepath.Join(dir, "node.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", NodeID: "n1", Logger: discard(),
		Upstream: &server.UpstreamConfig{Addr: lis.Addr().String(), Key: key, Plaintext: true},
	})
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	defer func() { stop(); <-done }()
	<-srv.Ready()
	f := newFloorB(b, srv.DB)
	b.ResetTimer()
	var wg sync.WaitGroup
	var next atomic.Int64
	actx := inventory.ContextWithActor(ctx, lead)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if _, err := f.AdjustStock(actx, fmt.Sprintf("lag-%d-%d", w, i), inventory.AdjustInput{
					LocationCode: "A-01-01-A", SKU: fmt.Sprintf("SKU-%d", i%5), Delta: 1, Reason: "found", Actor: lead,
				}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	last, err := inventory.LastSeq(ctx, srv.DB.Reader())
	if err != nil {
		b.Fatal(err)
	}
	for applied.Load() < last {
		<-commits
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	if len(lags) > 0 {
		b.ReportMetric(lags[len(lags)*99/100].Seconds(), "p99-lag-s")
		b.ReportMetric(lags[len(lags)-1].Seconds(), "max-lag-s")
	}
}

func newFloorB(b *testing.B, db *store.DB) *inventory.Service {
	b.Helper()
	ctx := inventory.ContextWithActor(context.Background(), lead)
	inv := inventory.NewService(db, scan.Default())
	if _, err := inv.UpsertLocation(ctx, "loc", inventory.Location{Code: "A-01-01-A", Zone: "A", Type: inventory.LocStorage, WalkSeq: 1}); err != nil {
		b.Fatal(err)
	}
	for i := range 5 {
		if _, err := inv.UpsertItem(ctx, fmt.Sprintf("item-%d", i), inventory.Item{SKU: fmt.Sprintf("SKU-%d", i)}, inventory.ItemUpdate{}); err != nil {
			b.Fatal(err)
		}
	}
	return inv
}
