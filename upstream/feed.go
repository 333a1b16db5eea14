package upstream

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"github.com/floorops/floorops/store"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ChangeFeed serves ChangeFeedService over the node's outbox.
type ChangeFeed struct {
	upstreamv1.UnimplementedChangeFeedServiceServer
	DB     *store.DB
	NodeID string
	// Poll is how often a live Watch looks for new events (default 100ms).
	Poll time.Duration
}

// CursorPrunedReason is the ErrorInfo reason of a Watch whose cursor is
// older than the outbox retains.
const CursorPrunedReason = "CURSOR_PRUNED"

// PrunedThrough is the seq up to which the outbox has been pruned (0 when
// nothing has been).
func PrunedThrough(ctx context.Context, q inventory.Querier) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT through_seq FROM outbox_pruned WHERE id = 1`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

func cursorPruned(after, through int64) error {
	st := status.New(codes.FailedPrecondition, fmt.Sprintf(
		"events up to seq %d have been pruned and after_seq is %d: take a Snapshot and watch from its as_of_seq", through, after))
	st, _ = st.WithDetails(&errdetails.ErrorInfo{Reason: CursorPrunedReason, Domain: "floorops.upstream.v1",
		Metadata: map[string]string{"oldest_seq": strconv.FormatInt(through+1, 10)}})
	return st.Err()
}

// CursorAheadReason is the ErrorInfo reason of a cursor past the node's
// last seq (OutOfRange; metadata last_seq): the consumer's cursor is from
// another node or a database this node is not.
const CursorAheadReason = "CURSOR_AHEAD"

// checkAhead refuses a cursor beyond the node's last event.
func checkAhead(ctx context.Context, q inventory.Querier, after int64) error {
	last, err := inventory.LastSeq(ctx, q)
	if err != nil {
		return err
	}
	if after <= last {
		return nil
	}
	st := status.New(codes.OutOfRange, fmt.Sprintf(
		"after_seq %d is past this node's last seq %d: the cursor is not this node's; take a Snapshot", after, last))
	st, _ = st.WithDetails(&errdetails.ErrorInfo{Reason: CursorAheadReason, Domain: "floorops.upstream.v1",
		Metadata: map[string]string{"last_seq": strconv.FormatInt(last, 10)}})
	return st.Err()
}

// Watch streams events after the cursor, then each new one as it commits.
func (f *ChangeFeed) Watch(req *upstreamv1.WatchRequest, stream upstreamv1.ChangeFeedService_WatchServer) error {
	ctx := stream.Context()
	after := req.GetAfterSeq()
	if after < 0 {
		return floorops.Invalid("after_seq", "must be 0 or more")
	}
	through, err := PrunedThrough(ctx, f.DB.Reader())
	if err != nil {
		return err
	}
	if after < through {
		return cursorPruned(after, through)
	}
	if err := checkAhead(ctx, f.DB.Reader(), after); err != nil {
		return err
	}
	poll := f.Poll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		evs, err := inventory.ReadOutbox(ctx, f.DB.Reader(), f.NodeID, after, 500)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := stream.Send(&upstreamv1.WatchResponse{Event: e.Event}); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(evs) == 500 {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Snapshot streams every balance and every SKU's ATS from one read
// transaction, so they hold every event up to as_of_seq and none after.
func (f *ChangeFeed) Snapshot(_ *upstreamv1.SnapshotRequest, stream upstreamv1.ChangeFeedService_SnapshotServer) error {
	ctx := stream.Context()
	tx, err := f.DB.Reader().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	seq, err := inventory.LastSeq(ctx, tx)
	if err != nil {
		return err
	}
	part := &upstreamv1.SnapshotResponse{NodeId: f.NodeID, AsOfSeq: seq}
	flush := func(force bool) error {
		if !force && len(part.Balances)+len(part.Availability) < 1000 {
			return nil
		}
		if err := stream.Send(part); err != nil {
			return err
		}
		part = &upstreamv1.SnapshotResponse{NodeId: f.NodeID, AsOfSeq: seq}
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.sku, b.lot, b.expiry, l.code, b.lpn, b.status, b.qty
		FROM balances b JOIN items i ON i.id = b.item_id JOIN locations l ON l.id = b.location_id
		WHERE b.qty > 0 ORDER BY i.sku, l.code, b.lot, b.lpn, b.status`)
	if err != nil {
		return fmt.Errorf("snapshot balances: %w", err)
	}
	for rows.Next() {
		b := &upstreamv1.Balance{}
		if err := rows.Scan(&b.Sku, &b.Lot, &b.Expiry, &b.LocationCode, &b.Lpn, &b.Status, &b.Quantity); err != nil {
			rows.Close()
			return err
		}
		part.Balances = append(part.Balances, b)
		if err := flush(false); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The day of the snapshot decides which lots have expired, as for ATS.
	all, err := inventory.AllAvailability(ctx, tx, f.DB.Now())
	if err != nil {
		return err
	}
	for _, a := range all {
		part.Availability = append(part.Availability, skuAvailability(a))
		if err := flush(false); err != nil {
			return err
		}
	}
	return flush(true)
}

func skuAvailability(a inventory.VersionedAvailability) *upstreamv1.SkuAvailability {
	return &upstreamv1.SkuAvailability{Sku: a.SKU, OnHand: a.OnHand, Allocated: a.Allocated,
		AvailableToSell: a.ATS, Version: a.Version, Seq: a.Seq}
}

// ListAvailabilityChanges answers the compacted availability feed.
func (f *ChangeFeed) ListAvailabilityChanges(ctx context.Context, req *upstreamv1.ListAvailabilityChangesRequest) (*upstreamv1.ListAvailabilityChangesResponse, error) {
	size := int(req.GetPageSize())
	switch {
	case size < 0 || size > 5000:
		return nil, floorops.Invalid("page_size", "must be between 0 and 5000")
	case size == 0:
		size = 500
	}
	if req.GetAfterSeq() < 0 {
		return nil, floorops.Invalid("after_seq", "must be 0 or more")
	}
	if err := checkAhead(ctx, f.DB.Reader(), req.GetAfterSeq()); err != nil {
		return nil, err
	}
	changes, err := inventory.AvailabilityChangesAfter(ctx, f.DB.Reader(), req.GetAfterSeq(), size)
	if err != nil {
		return nil, err
	}
	resp := &upstreamv1.ListAvailabilityChangesResponse{NextAfterSeq: req.GetAfterSeq()}
	for _, a := range changes {
		resp.Changes = append(resp.Changes, skuAvailability(a))
		resp.NextAfterSeq = a.Seq
	}
	return resp, nil
}

// RunDigests appends an AvailabilityDigest every interval until ctx ends.
func RunDigests(ctx context.Context, db *store.DB, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := db.Write(ctx, func(tx *store.Tx) error { return inventory.EmitDigest(ctx, tx) }); err != nil && ctx.Err() == nil {
				log.Warn("availability digest", "err", err)
			}
		}
	}
}

// Prune deletes outbox events that every sink has acknowledged and that
// were committed more than retention before now; never an unacknowledged
// one, and nothing while no sink has a cursor (nothing would say what was
// delivered). It returns the seq pruned through.
func Prune(ctx context.Context, db *store.DB, retention time.Duration) (int64, error) {
	var through int64
	err := db.Write(ctx, func(tx *store.Tx) error {
		var acked sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(acked_seq) FROM upstream_cursor`).Scan(&acked); err != nil {
			return err
		}
		prev, err := PrunedThrough(ctx, tx)
		if err != nil {
			return err
		}
		through = prev
		if !acked.Valid {
			return nil
		}
		cutoff := store.FormatTime(tx.Now.Add(-retention))
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), ?) FROM outbox WHERE seq <= ? AND created_at < ?`,
			prev, acked.Int64, cutoff).Scan(&through); err != nil {
			return err
		}
		if through <= prev {
			through = prev
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq <= ?`, through); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox_pruned (id, through_seq, pruned_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET through_seq = excluded.through_seq, pruned_at = excluded.pruned_at`, through, store.FormatTime(tx.Now))
		return err
	})
	return through, err
}

// RunPruning prunes every interval until ctx ends.
func RunPruning(ctx context.Context, db *store.DB, every, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := Prune(ctx, db, retention); err != nil && ctx.Err() == nil {
				log.Warn("outbox pruning", "err", err)
			}
		}
	}
}
