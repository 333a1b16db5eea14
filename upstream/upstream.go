// Package upstream is the node's side of sync with central: the pusher that
// sends the outbox to central's UpstreamService in sequence order and in
// batches, persisting the cursor central acknowledged, backing off with
// jitter while central is down and parking an event central rejects; the
// change feed (ChangeFeedService) central may pull instead; the periodic
// availability digest; outbox pruning; and the sync status the CLI and
// the metrics show.
//
// Ordering rule for a rejected event: central applies a node's events in
// seq order and stops at one it cannot read. The node parks that event
// (upstream_parked, an error in the log, floorops sync status, the
// floorops_upstream_parked metric) and does not send it again; the next
// batch names it in PushEventsRequest.parked, central records it as
// skipped, and the events after it are applied in order. A parked
// AvailabilityChanged heals with the SKU's next one (absolute, versioned);
// a parked movement is a known gap both sides list until an operator
// deals with it.
package upstream

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/floorops/floorops/inventory"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"github.com/floorops/floorops/store"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Sink is the name of the push-to-central cursor in upstream_cursor.
const Sink = "central"

// MaxBatchBytes is the default cap on a batch's encoded size: a quarter of
// the reference central's 4 MiB receive limit.
const MaxBatchBytes = 1 << 20

// Pusher sends a node's outbox to central.
type Pusher struct {
	DB     *store.DB
	NodeID string
	Client upstreamv1.UpstreamServiceClient
	Logger *slog.Logger
	// Batch is the most events per PushEvents (default 500).
	Batch int
	// MaxBytes caps a batch's encoded size (default MaxBatchBytes), so it
	// stays under what central receives; one event larger than it goes
	// alone.
	MaxBytes int
	// limit is the batch size after central answered ResourceExhausted:
	// halved on each such answer, doubled back after each success.
	limit int
	// Poll is how often an idle pusher looks for new events (default 100ms).
	Poll time.Duration
	// MinBackoff and MaxBackoff bound the retry delay after a failed push
	// (defaults 100ms and 30s); each failure doubles it, with full jitter.
	MinBackoff, MaxBackoff time.Duration
}

func (p *Pusher) defaults() {
	if p.Batch <= 0 {
		p.Batch = 500
	}
	if p.MaxBytes <= 0 {
		p.MaxBytes = MaxBatchBytes
	}
	if p.limit <= 0 || p.limit > p.Batch {
		p.limit = p.Batch
	}
	if p.Poll <= 0 {
		p.Poll = 100 * time.Millisecond
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = 100 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 30 * time.Second
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
}

// Run pushes until ctx ends. The floor never waits for it: events wait in
// the outbox, on disk, while central is away.
func (p *Pusher) Run(ctx context.Context) error {
	p.defaults()
	if err := EnsureCursor(ctx, p.DB, Sink); err != nil {
		return err
	}
	failures := 0
	for {
		n, err := p.PushOnce(ctx)
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			wait = Backoff(failures, p.MinBackoff, p.MaxBackoff, rand.Float64())
			failures++
			p.Logger.Warn("upstream push failed", "err", err, "retry_in", wait)
		case n == 0:
			failures, wait = 0, p.Poll
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

// Backoff is the delay before retry number failures (0 for the first):
// min doubled per failure, capped at max, and drawn uniformly from its
// upper half with jitter in [0, 1) so many nodes coming back at once do
// not push in step.
func Backoff(failures int, min, max time.Duration, jitter float64) time.Duration {
	d := min
	for i := 0; i < failures && d < max; i++ {
		d *= 2
	}
	d = min2(d, max)
	return d/2 + time.Duration(jitter*float64(d/2))
}

func min2(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// PushOnce sends one batch after the acknowledged cursor and records what
// central answered. It returns how many events central acknowledged (or
// skipped as parked) plus any it rejected; 0 when there was nothing to
// send.
func (p *Pusher) PushOnce(ctx context.Context) (int, error) {
	p.defaults()
	acked, err := Cursor(ctx, p.DB.Reader(), Sink)
	if err != nil {
		return 0, err
	}
	parked, err := parkedAfter(ctx, p.DB.Reader(), Sink, acked)
	if err != nil {
		return 0, err
	}
	evs, err := inventory.ReadOutbox(ctx, p.DB.Reader(), p.NodeID, acked, p.limit)
	if err != nil {
		return 0, err
	}
	req := &upstreamv1.PushEventsRequest{NodeId: p.NodeID}
	kinds := map[int64]string{}
	skip := map[int64]bool{}
	for _, pe := range parked {
		req.Parked = append(req.Parked, pe)
		skip[pe.GetSeq()] = true
	}
	size := proto.Size(req)
	var last int64
	for _, e := range evs {
		if skip[e.Seq] {
			last = e.Seq
			continue
		}
		n := proto.Size(e.Event) + 8 // the field's tag and length
		if len(req.Events) > 0 && size+n > p.MaxBytes {
			break // the rest go in the next batch
		}
		size += n
		last = e.Seq
		kinds[e.Seq] = e.Kind
		req.Events = append(req.Events, e.Event)
	}
	if len(req.Events) == 0 && len(req.Parked) == 0 {
		return 0, nil
	}
	resp, err := p.Client.PushEvents(ctx, req)
	if err != nil {
		if status.Code(err) == codes.ResourceExhausted && len(req.Events) > 1 {
			// Too big for central: halve the batch and try again.
			p.limit = max(1, len(req.Events)/2)
			err = fmt.Errorf("central refused a batch of %d events (%d bytes) as too large; the next holds at most %d: %w",
				len(req.Events), size, p.limit, err)
		}
		if ctx.Err() == nil {
			noteError(ctx, p.DB, Sink, err)
		}
		return 0, err
	}
	if p.limit < p.Batch {
		p.limit = min(p.Batch, p.limit*2)
	}
	ack := resp.GetAckedThroughSeq()
	rej := resp.GetRejected()
	switch {
	case ack > last && last > 0:
		err = fmt.Errorf("central acknowledged seq %d, beyond the last sent (%d)", ack, last)
	case ack < acked:
		err = fmt.Errorf("central acknowledged seq %d, below this node's cursor %d: central has lost events, or holds another node's under this node id; not moving the cursor", ack, acked)
	case ack == acked && rej == nil && len(req.Events) > 0:
		err = fmt.Errorf("central acknowledged nothing past seq %d (sent %d to %d): it is not in step with this node", ack, req.Events[0].GetSeq(), last)
	}
	if err != nil {
		noteError(ctx, p.DB, Sink, err)
		return 0, err
	}
	err = p.DB.Write(ctx, func(tx *store.Tx) error {
		if rej != nil {
			p.Logger.Error("central rejected an event; it is parked and will not be sent again",
				"seq", rej.GetSeq(), "kind", kinds[rej.GetSeq()], "reason", rej.GetReason())
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO upstream_parked (sink, seq, kind, reason, parked_at) VALUES (?, ?, ?, ?, ?)`,
				Sink, rej.GetSeq(), kinds[rej.GetSeq()], rej.GetReason(), store.FormatTime(tx.Now)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE upstream_cursor SET acked_seq = ?, acked_at = ?, last_error = '', error_at = '' WHERE sink = ?`,
			ack, store.FormatTime(tx.Now), Sink)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := int(ack - acked)
	if rej != nil {
		n++
	}
	return n, nil
}

// EnsureCursor creates sink's cursor at 0 if it has none, so pruning waits
// for it from the start.
func EnsureCursor(ctx context.Context, db *store.DB, sink string) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO upstream_cursor (sink) VALUES (?)`, sink)
		return err
	})
}

// Cursor is the seq sink has acknowledged through (0 for none).
func Cursor(ctx context.Context, q inventory.Querier, sink string) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT acked_seq FROM upstream_cursor WHERE sink = ?`, sink).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

func parkedAfter(ctx context.Context, q inventory.Querier, sink string, after int64) ([]*upstreamv1.ParkedEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, reason FROM upstream_parked WHERE sink = ? AND seq > ? ORDER BY seq`, sink, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*upstreamv1.ParkedEvent
	for rows.Next() {
		pe := &upstreamv1.ParkedEvent{}
		if err := rows.Scan(&pe.Seq, &pe.Reason); err != nil {
			return nil, err
		}
		out = append(out, pe)
	}
	return out, rows.Err()
}

func noteError(ctx context.Context, db *store.DB, sink string, cause error) {
	_ = db.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE upstream_cursor SET last_error = ?, error_at = ? WHERE sink = ?`,
			cause.Error(), store.FormatTime(tx.Now), sink)
		return err
	})
}
