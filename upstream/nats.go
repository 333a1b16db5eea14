package upstream

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
)

// NATSSinkName is the NATS sink's cursor in upstream_cursor.
const NATSSinkName = "nats"

// NATSSink publishes the outbox to NATS JetStream, for networks with many
// nodes and many consumers, instead of (or as well as) pushing to one
// central. Each event is a message on subject floorops.<node>.<kind> with
// the protobuf Event (envelope filled in) as its body and message id
// <node>:<seq>, so JetStream's duplicate window drops a message the node
// publishes again after a crash; consumers that read further back than
// the window dedupe by (node, seq) as every receiver does. A JetStream
// stream must capture the subjects (floorops.> or floorops.<node>.>); the
// node does not create it.
type NATSSink struct {
	DB     *store.DB
	NodeID string
	JS     jetstream.JetStream
	Logger *slog.Logger
	// Batch is the most events published before the cursor is stored
	// (default 500).
	Batch int
	// Poll is how often an idle sink looks for new events (default 100ms).
	Poll time.Duration
	// MaxBackoff caps the wait after a failed publish (default 30s).
	MaxBackoff time.Duration
}

// Subject is the NATS subject of an event of kind at node.
func Subject(node, kind string) string { return "floorops." + node + "." + kind }

// MsgID is the JetStream message id of the event seq at node.
func MsgID(node string, seq int64) string { return node + ":" + strconv.FormatInt(seq, 10) }

// CheckNATSNodeID refuses a node id that is not one NATS subject token.
func CheckNATSNodeID(node string) error {
	if node == "" || strings.ContainsAny(node, ".*> \t\r\n") {
		return floorops.Invalid("node_id", "must be one NATS subject token (no dots, spaces, * or >) to publish to NATS, got %q", node)
	}
	return nil
}

// DialNATS connects to url, with a credentials file if given. A server
// that is down at start is retried in the background, like one lost later:
// the floor never waits for NATS.
func DialNATS(url, creds string) (*nats.Conn, jetstream.JetStream, error) {
	var opts []nats.Option
	if creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	nc, err := nats.Connect(url, append(opts, nats.Name("floorops"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true))...)
	if err != nil {
		return nil, nil, fmt.Errorf("nats %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// Run publishes until ctx ends.
func (s *NATSSink) Run(ctx context.Context) error {
	if s.Poll <= 0 {
		s.Poll = 100 * time.Millisecond
	}
	if s.MaxBackoff <= 0 {
		s.MaxBackoff = 30 * time.Second
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if err := EnsureCursor(ctx, s.DB, NATSSinkName); err != nil {
		return err
	}
	failures := 0
	for {
		n, err := s.PublishOnce(ctx)
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			wait = Backoff(failures, 100*time.Millisecond, s.MaxBackoff, rand.Float64())
			failures++
			s.Logger.Warn("nats publish failed", "err", err, "retry_in", wait)
		case n == 0:
			failures, wait = 0, s.Poll
		default:
			failures = 0
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// PublishOnce publishes the next batch after the cursor, waits for
// JetStream's acknowledgements, and advances the cursor through the last
// event of the unbroken acknowledged prefix. It returns how many events
// that was.
func (s *NATSSink) PublishOnce(ctx context.Context) (int, error) {
	batch := s.Batch
	if batch <= 0 {
		batch = 500
	}
	acked, err := Cursor(ctx, s.DB.Reader(), NATSSinkName)
	if err != nil {
		return 0, err
	}
	evs, err := inventory.ReadOutbox(ctx, s.DB.Reader(), s.NodeID, acked, batch)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	var pubErr error
	for _, e := range evs {
		body, err := proto.Marshal(e.Event)
		if err != nil {
			return 0, err
		}
		msg := nats.NewMsg(Subject(s.NodeID, e.Kind))
		msg.Data = body
		msg.Header.Set(jetstream.MsgIDHeader, MsgID(s.NodeID, e.Seq))
		f, err := s.JS.PublishMsgAsync(msg)
		if err != nil {
			pubErr = err
			break
		}
		futures = append(futures, f)
	}
	through := acked
	for i, f := range futures {
		select {
		case <-f.Ok():
			through = evs[i].Seq
			continue
		case err := <-f.Err():
			pubErr = err
		case <-ctx.Done():
			pubErr = ctx.Err()
		}
		break
	}
	if through > acked {
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE upstream_cursor SET acked_seq = ?, acked_at = ?, last_error = '', error_at = '' WHERE sink = ?`,
				through, store.FormatTime(tx.Now), NATSSinkName)
			return err
		}); err != nil {
			return 0, err
		}
	}
	if pubErr != nil {
		noteError(ctx, s.DB, NATSSinkName, pubErr)
		return int(through - acked), pubErr
	}
	return int(through - acked), nil
}
