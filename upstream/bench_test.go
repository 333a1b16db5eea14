package upstream_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorops/floorops/central"
	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
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
