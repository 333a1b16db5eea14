package inventory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/floorops/floorops"

	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	"github.com/floorops/floorops/store"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Emit appends an event to the transactional outbox inside tx, so it
// commits (or not) together with the change it reports. The outbox sequence
// is assigned by the database and never reused. The envelope is the row's:
// the caller (ActorFrom(ctx)), the request id (tx.RequestID) and the
// commit time (tx.Now) are stored in columns beside the payload, and
// ReadOutbox sets them, with the seq and the node id, on the Event it
// hands to the pusher and the change feed.
func Emit(ctx context.Context, tx *store.Tx, kind string, ev *eventv1.Event) (int64, error) {
	payload, err := proto.Marshal(ev)
	if err != nil {
		return 0, fmt.Errorf("outbox: encode %s: %w", kind, err)
	}
	a := ActorFrom(ctx)
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, payload, created_at, user_badge, device_id, request_id) VALUES (?, ?, ?, ?, ?, ?)`,
		kind, payload, store.FormatTime(tx.Now), a.Badge, a.Device, tx.RequestID)
	if err != nil {
		return 0, fmt.Errorf("outbox: append %s: %w", kind, err)
	}
	return res.LastInsertId()
}

// OutboxEvent is one outbox row read back: its kind and the Event with its
// envelope filled in.
type OutboxEvent struct {
	Seq   int64
	Kind  string
	Event *eventv1.Event
}

// ReadOutbox reads up to limit events with a seq above afterSeq, in seq
// order, each with its full envelope (seq, commit time, node, actor,
// device, request id). A payload that does not decode is returned with
// only its envelope set, so a receiver can refuse it by seq.
func ReadOutbox(ctx context.Context, q Querier, nodeID string, afterSeq int64, limit int) ([]OutboxEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, payload, created_at, user_badge, device_id, request_id
		FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: read: %w", err)
	}
	defer rows.Close()
	var out []OutboxEvent
	for rows.Next() {
		var oe OutboxEvent
		var payload []byte
		var at, badge, device, request string
		if err := rows.Scan(&oe.Seq, &oe.Kind, &payload, &at, &badge, &device, &request); err != nil {
			return nil, fmt.Errorf("outbox: read: %w", err)
		}
		ev := &eventv1.Event{}
		if err := proto.Unmarshal(payload, ev); err != nil {
			ev = &eventv1.Event{}
		}
		t, err := store.ParseTime(at)
		if err != nil {
			return nil, err
		}
		ev.Seq, ev.OccurTime, ev.NodeId = oe.Seq, timestamppb.New(t), nodeID
		ev.UserBadge, ev.DeviceId, ev.RequestId = badge, device, request
		oe.Event = ev
		out = append(out, oe)
	}
	return out, rows.Err()
}

// LastSeq is the seq of the newest event ever appended to the outbox (0
// for none), pruned or not.
func LastSeq(ctx context.Context, q Querier) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("outbox: last seq: %w", err)
	}
	return seq, nil
}

func emitMoved(ctx context.Context, tx *store.Tx, mv Movement) error {
	_, err := Emit(ctx, tx, "stock_moved", &eventv1.Event{Payload: &eventv1.Event_StockMoved{StockMoved: &eventv1.StockMoved{
		MovementId: mv.ID, Kind: mv.Kind, Sku: mv.SKU, Lot: mv.Lot, Expiry: mv.Expiry,
		FromLocationCode: mv.From, ToLocationCode: mv.To, Quantity: mv.Qty,
		Reason: mv.Reason, Reference: mv.Ref, FromStatus: string(mv.FromStatus), ToStatus: string(mv.ToStatus),
		FromLpn: mv.FromLPN, ToLpn: mv.ToLPN, UserBadge: mv.UserBadge, DeviceId: mv.DeviceID,
	}}})
	return err
}

// EmitAvailability appends the item's current ATS to the outbox. Call it in
// any transaction that changes sellable on-hand or allocations.
func EmitAvailability(ctx context.Context, tx *store.Tx, itemID int64) error {
	// AvailabilityOf's figures and the next version in one statement.
	var a Availability
	var version int64
	day := tx.Now.UTC().Format(time.DateOnly)
	err := tx.QueryRowContext(ctx, `SELECT i.sku,
		COALESCE((SELECT SUM(b.qty) FROM balances b JOIN locations l ON l.id = b.location_id
			WHERE b.item_id = i.id AND `+sellableStock+`), 0),
		`+allocatedSellable+`,
		COALESCE((SELECT version FROM availability_latest WHERE item_id = i.id), 0) + 1
		FROM items i WHERE i.id = ?`, day, day, itemID).Scan(&a.SKU, &a.OnHand, &a.Allocated, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return floorops.Errorf(floorops.ENOTFOUND, "item %d not found", itemID)
	}
	if err != nil {
		return fmt.Errorf("ledger: availability: %w", err)
	}
	a.ATS = max(a.OnHand-a.Allocated, 0)
	return emitVersion(ctx, tx, itemID, a, version)
}

// EmitAvailabilities appends the current ATS of each item, in the order
// given, computing them all in one query: for a release of thousands of
// order lines touching thousands of SKUs.
func EmitAvailabilities(ctx context.Context, tx *store.Tx, itemIDs []int64) error {
	if len(itemIDs) == 0 {
		return nil
	}
	ids, err := json.Marshal(itemIDs)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.sku,
		COALESCE((SELECT SUM(b.qty) FROM balances b JOIN locations l ON l.id = b.location_id
			WHERE b.item_id = i.id AND `+sellableStock+`), 0),
		`+allocatedSellable+`
		FROM json_each(?) j CROSS JOIN items i ON i.id = j.value`, tx.Now.UTC().Format(time.DateOnly), tx.Now.UTC().Format(time.DateOnly), string(ids))
	if err != nil {
		return fmt.Errorf("availability: %w", err)
	}
	byID := make(map[int64]Availability, len(itemIDs))
	for rows.Next() {
		var id int64
		var a Availability
		if err := rows.Scan(&id, &a.SKU, &a.OnHand, &a.Allocated); err != nil {
			rows.Close()
			return err
		}
		a.ATS = max(a.OnHand-a.Allocated, 0)
		byID[id] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range itemIDs {
		a, ok := byID[id]
		if !ok {
			return floorops.Errorf(floorops.ENOTFOUND, "item %d not found", id)
		}
		if err := emitAvailability(ctx, tx, id, a); err != nil {
			return err
		}
	}
	return nil
}

// emitAvailability appends the item's AvailabilityChanged with the next
// version of its availability, and keeps availability_latest (the
// compacted feed) at it.
func emitAvailability(ctx context.Context, tx *store.Tx, itemID int64, a Availability) error {
	var version int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT version FROM availability_latest WHERE item_id = ?), 0) + 1`, itemID).Scan(&version)
	if err != nil {
		return fmt.Errorf("availability version: %w", err)
	}
	return emitVersion(ctx, tx, itemID, a, version)
}

// emitVersion appends the item's ATS a as its version-th
// AvailabilityChanged and keeps it as the item's latest.
func emitVersion(ctx context.Context, tx *store.Tx, itemID int64, a Availability, version int64) error {
	seq, err := Emit(ctx, tx, "availability_changed", &eventv1.Event{Payload: &eventv1.Event_AvailabilityChanged{AvailabilityChanged: &eventv1.AvailabilityChanged{
		Sku: a.SKU, OnHand: a.OnHand, Allocated: a.Allocated, AvailableToSell: a.ATS, Version: version,
	}}})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO availability_latest (item_id, version, seq, on_hand, allocated, ats, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (item_id) DO UPDATE SET version = excluded.version, seq = excluded.seq, on_hand = excluded.on_hand,
			allocated = excluded.allocated, ats = excluded.ats, changed_at = excluded.changed_at`,
		itemID, version, seq, a.OnHand, a.Allocated, a.ATS, store.FormatTime(tx.Now))
	if err != nil {
		return fmt.Errorf("availability latest: %w", err)
	}
	return nil
}

// VersionedAvailability is a SKU's ATS with the version and outbox seq of
// the AvailabilityChanged that last carried it (0 and 0 for none).
type VersionedAvailability struct {
	Availability
	Version, Seq int64
}

// AllAvailability computes every item's ATS on the day of asOf (the rule
// of AvailabilityOf), in SKU byte order, with its latest version.
func AllAvailability(ctx context.Context, q Querier, asOf time.Time) ([]VersionedAvailability, error) {
	day := asOf.UTC().Format(time.DateOnly)
	rows, err := q.QueryContext(ctx, `SELECT i.sku,
		COALESCE((SELECT SUM(b.qty) FROM balances b JOIN locations l ON l.id = b.location_id
			WHERE b.item_id = i.id AND `+sellableStock+`), 0),
		`+allocatedSellable+`, COALESCE(v.version, 0), COALESCE(v.seq, 0)
		FROM items i LEFT JOIN availability_latest v ON v.item_id = i.id ORDER BY i.sku`, day, day)
	if err != nil {
		return nil, fmt.Errorf("availability: %w", err)
	}
	defer rows.Close()
	var out []VersionedAvailability
	for rows.Next() {
		var a VersionedAvailability
		if err := rows.Scan(&a.SKU, &a.OnHand, &a.Allocated, &a.Version, &a.Seq); err != nil {
			return nil, err
		}
		a.ATS = max(a.OnHand-a.Allocated, 0)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AvailabilityChangesAfter is the compacted availability feed: the latest
// availability of each item whose last AvailabilityChanged has a seq above
// afterSeq, in seq order, at most limit.
func AvailabilityChangesAfter(ctx context.Context, q Querier, afterSeq int64, limit int) ([]VersionedAvailability, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.sku, v.on_hand, v.allocated, v.ats, v.version, v.seq
		FROM availability_latest v JOIN items i ON i.id = v.item_id WHERE v.seq > ? ORDER BY v.seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("availability feed: %w", err)
	}
	defer rows.Close()
	var out []VersionedAvailability
	for rows.Next() {
		var a VersionedAvailability
		if err := rows.Scan(&a.SKU, &a.OnHand, &a.Allocated, &a.ATS, &a.Version, &a.Seq); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Digest is the AvailabilityDigest of a list of SKU availabilities: the
// hex SHA-256 of "<sku>\t<ats>\n" for every SKU with a non-zero ATS, in
// SKU byte order. Central computes the same over what it applied.
func Digest(ats map[string]int64) *eventv1.AvailabilityDigest {
	skus := make([]string, 0, len(ats))
	for sku, n := range ats {
		if n != 0 {
			skus = append(skus, sku)
		}
	}
	sort.Strings(skus)
	h := sha256.New()
	d := &eventv1.AvailabilityDigest{SkuCount: int64(len(skus))}
	for _, sku := range skus {
		fmt.Fprintf(h, "%s\t%d\n", sku, ats[sku])
		d.TotalAvailableToSell += ats[sku]
	}
	d.Sha256 = hex.EncodeToString(h.Sum(nil))
	return d
}

// EmitDigest appends an AvailabilityDigest of the node's ATS now.
func EmitDigest(ctx context.Context, tx *store.Tx) error {
	all, err := AllAvailability(ctx, tx, tx.Now)
	if err != nil {
		return err
	}
	ats := make(map[string]int64, len(all))
	for _, a := range all {
		ats[a.SKU] = a.ATS
	}
	_, err = Emit(ctx, tx, "availability_digest", &eventv1.Event{Payload: &eventv1.Event_AvailabilityDigest{AvailabilityDigest: Digest(ats)}})
	return err
}
