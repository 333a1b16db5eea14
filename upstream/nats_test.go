package upstream_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorops/floorops/inventory"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/server"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
)

// runNATS starts a real nats-server with JetStream inside the test
// process, on a loopback port, storing in a temp dir.
func runNATS(t *testing.T) string {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

func TestNATSSinkPublishesOnceInOrder(t *testing.T) {
	url := runNATS(t)
	nc, js, err := upstream.DialNATS(url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "FLOOROPS", Subjects: []string{"floorops.>"}, Duplicates: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "node.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := newFloor(t, db)
	f.traffic(t, 40)
	last := lastSeq(t, db)

	sink := &upstream.NATSSink{DB: db, NodeID: "n1", JS: js, Batch: 25}
	if err := upstream.EnsureCursor(ctx, db, upstream.NATSSinkName); err != nil {
		t.Fatal(err)
	}
	drain := func() {
		t.Helper()
		for {
			n, err := sink.PublishOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}
	drain()
	// A node that crashed before storing its cursor publishes again: the
	// message ids make JetStream drop the repeats.
	ackThroughSink(t, db, upstream.NATSSinkName, 10)
	drain()
	if acked, _ := upstream.Cursor(ctx, db.Reader(), upstream.NATSSinkName); acked != last {
		t.Fatalf("cursor %d, last seq %d", acked, last)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if int64(info.State.Msgs) != last {
		t.Fatalf("stream holds %d messages, the outbox %d events", info.State.Msgs, last)
	}
	want, err := inventory.ReadOutbox(ctx, db.Reader(), "n1", 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		msg, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ev := &eventv1.Event{}
		if err := proto.Unmarshal(msg.Data(), ev); err != nil {
			t.Fatal(err)
		}
		if msg.Subject() != upstream.Subject("n1", w.Kind) || msg.Headers().Get(jetstream.MsgIDHeader) != upstream.MsgID("n1", w.Seq) || !proto.Equal(ev, w.Event) {
			t.Fatalf("message %s %v %v, want seq %d %s", msg.Subject(), msg.Headers(), ev, w.Seq, w.Kind)
		}
	}
}

func ackThroughSink(t *testing.T, db *store.DB, sink string, seq int64) {
	t.Helper()
	if err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE upstream_cursor SET acked_seq = ? WHERE sink = ?`, seq, sink)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestNATSNodeIDIsOneToken(t *testing.T) {
	for _, bad := range []string{"", "dc.east", "dc east", "dc>", "dc*"} {
		if upstream.CheckNATSNodeID(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := upstream.CheckNATSNodeID("dc-east"); err != nil {
		t.Error(err)
	}
}

func TestNodePublishesToNATS(t *testing.T) {
	url := runNATS(t)
	nc, js, err := upstream.DialNATS(url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "FLOOROPS", Subjects: []string{"floorops.>"}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(ctx, server.Config{
		DBPath: filepath.Join(t.TempDir(), "node.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", NodeID: "dc-east",
		Logger: discard(), NATS: &server.NATSConfig{URL: url},
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	defer func() { stop(); <-done }()
	<-srv.Ready()
	f := newFloor(t, srv.DB)
	f.traffic(t, 10)
	last := lastSeq(t, srv.DB)
	eventually(t, "every event in the stream", func() bool {
		info, err := stream.Info(ctx)
		return err == nil && int64(info.State.Msgs) == last
	})
	st, err := upstream.ReadStatus(ctx, srv.DB.Reader(), upstream.NATSSinkName)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the NATS cursor at the last seq", func() bool {
		st, err = upstream.ReadStatus(ctx, srv.DB.Reader(), upstream.NATSSinkName)
		return err == nil && st.AckedSeq == last && st.Backlog == 0
	})
}
