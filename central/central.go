// Package central is the reference central: the receiving end of the
// nodes' upstream push. It stores every node's events once, in order,
// keeps each node's available-to-sell per SKU and the network's, checks
// the nodes' availability digests, and answers network availability. It
// is what the tests and the demo run against and a starting point for
// integrators, not an ERP: it holds no channel logic.
//
// It keeps its own SQLite file (not a node's schema), opened with the same
// pragmas as a node's: WAL, synchronous FULL, immediate transactions, so a
// batch is acknowledged only once it is on disk.
package central

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	centralv1 "github.com/floorops/floorops/proto/floorops/central/v1"
	eventv1 "github.com/floorops/floorops/proto/floorops/event/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
	_ "modernc.org/sqlite"
)

// Central is one reference central over its database.
type Central struct {
	db  *sql.DB
	Now func() time.Time
	// BeforeCommit, if set, runs before a push's transaction commits,
	// with the seq it would acknowledge; an error rolls the push back. A
	// test seam: the reliability tests stop central mid-batch with it.
	BeforeCommit func(node string, through int64) error
	// AfterCommit, if set, is told of every committed push.
	AfterCommit func(node string, through int64)
	// OnApply, if set, is told the node's commit time of every event a
	// committed push applied (the sync-lag benchmark).
	OnApply func(occurred time.Time)
}

const schema = `
CREATE TABLE IF NOT EXISTS node_keys (
    key_hash   BLOB PRIMARY KEY,
    node_id    TEXT NOT NULL CHECK (node_id <> ''),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
    node_id             TEXT PRIMARY KEY,
    applied_through     INTEGER NOT NULL DEFAULT 0,
    last_push_at        TEXT NOT NULL DEFAULT '',
    last_digest_seq     INTEGER NOT NULL DEFAULT 0,
    last_digest_matched INTEGER NOT NULL DEFAULT 0
);
-- Every event applied, once: the primary key is the dedupe.
CREATE TABLE IF NOT EXISTS events (
    node_id     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    payload     BLOB NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (node_id, seq)
) WITHOUT ROWID;
-- Sequences a node parked: never applied, known to both sides.
CREATE TABLE IF NOT EXISTS parked (
    node_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    reason  TEXT NOT NULL,
    PRIMARY KEY (node_id, seq)
) WITHOUT ROWID;
-- Sequences central rejected as malformed: only these may a node name as
-- parked.
CREATE TABLE IF NOT EXISTS rejected (
    node_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    reason  TEXT NOT NULL,
    PRIMARY KEY (node_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS node_ats (
    node_id   TEXT NOT NULL,
    sku       TEXT NOT NULL,
    on_hand   INTEGER NOT NULL,
    allocated INTEGER NOT NULL,
    ats       INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (node_id, sku)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS node_ats_sku ON node_ats (sku);
`

// MaxQuantity bounds every quantity central accepts in an event
// (on_hand, allocated, available_to_sell; 10^12 units) and the version:
// anything above it
// is implausible and the event is rejected, so network sums stay far from
// overflowing (and saturate should they ever get there).
const MaxQuantity = 1_000_000_000_000

// Open opens (creating if needed) central's database at path. A node's
// database is refused (EPRECONDITION).
func Open(ctx context.Context, path string) (*Central, error) {
	return open(ctx, path, true)
}

// OpenExisting opens central's database at path but never creates it: a
// mistyped --db is ENOTFOUND, not a new empty central (keys create, ats).
func OpenExisting(ctx context.Context, path string) (*Central, error) {
	return open(ctx, path, false)
}

func open(ctx context.Context, path string, create bool) (*Central, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, floorops.Errorf(floorops.EINVALID, "central database path %q: give a file name without ? or #", path)
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !create:
		return nil, floorops.Errorf(floorops.ENOTFOUND, "central database %s does not exist (check --db; floorops central --db %s creates one)", path, path)
	case err == nil && st.IsDir():
		return nil, floorops.Errorf(floorops.EINVALID, "central database %s is a directory", path)
	}
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(wal)")
	v.Add("_pragma", "synchronous(full)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Set("_txlock", "immediate")
	if !create {
		v.Set("mode", "rw") // SQLite itself refuses to create it
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("central: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer, and central's reads are few.
	db.SetMaxOpenConns(1)
	var nodeTables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('schema_migrations', 'outbox')`).Scan(&nodeTables); err != nil {
		db.Close()
		return nil, fmt.Errorf("central: open %s: %w", path, err)
	}
	if nodeTables > 0 {
		db.Close()
		return nil, floorops.Errorf(floorops.EPRECONDITION, "%s is a floorops node's database, not central's (give central its own --db)", path)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("central: schema: %w", err)
	}
	return &Central{db: db, Now: time.Now}, nil
}

// Close closes the database.
func (c *Central) Close() error { return c.db.Close() }

// CreateKey makes a new key for nodeID and returns it; only its hash is
// stored.
func (c *Central) CreateKey(ctx context.Context, nodeID string) (string, error) {
	if nodeID == "" {
		return "", floorops.Invalid("node_id", "is required")
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := "fck_" + hex.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(key))
	if _, err := c.db.ExecContext(ctx, `INSERT INTO node_keys (key_hash, node_id, created_at) VALUES (?, ?, ?)`,
		sum[:], nodeID, c.now()); err != nil {
		return "", fmt.Errorf("central: store key: %w", err)
	}
	return key, nil
}

// NodeForKey is the node a key was made for; EPERMISSION when none.
func (c *Central) NodeForKey(ctx context.Context, key string) (string, error) {
	sum := sha256.Sum256([]byte(key))
	var node string
	err := c.db.QueryRowContext(ctx, `SELECT node_id FROM node_keys WHERE key_hash = ?`, sum[:]).Scan(&node)
	if errors.Is(err, sql.ErrNoRows) {
		return "", floorops.Errorf(floorops.EUNAUTHENTICATED, "unknown key")
	}
	return node, err
}

func (c *Central) now() string { return c.Now().UTC().Format(time.RFC3339Nano) }

// Push applies one batch from a node, in one transaction: events at or
// below the node's applied seq are retries and skipped; parked seqs are
// recorded and skipped; each event must be the next seq; a malformed one
// stops the batch and is answered in Rejected, with everything before it
// applied and acknowledged.
func (c *Central) Push(ctx context.Context, req *upstreamv1.PushEventsRequest) (*upstreamv1.PushEventsResponse, error) {
	node := req.GetNodeId()
	if node == "" {
		return nil, floorops.Invalid("node_id", "is required")
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("central: begin: %w", err)
	}
	defer tx.Rollback()
	now := c.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO nodes (node_id, last_push_at) VALUES (?, ?)
		ON CONFLICT (node_id) DO UPDATE SET last_push_at = excluded.last_push_at`, node, now); err != nil {
		return nil, err
	}
	var applied int64
	if err := tx.QueryRowContext(ctx, `SELECT applied_through FROM nodes WHERE node_id = ?`, node).Scan(&applied); err != nil {
		return nil, err
	}
	from := applied
	parked := map[int64]string{}
	for _, p := range req.GetParked() {
		parked[p.GetSeq()] = p.GetReason()
	}
	rejected := map[int64]bool{}
	if len(parked) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT seq FROM rejected WHERE node_id = ? AND seq > ?`, node, applied)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s int64
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			rejected[s] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// A node may skip only what central itself rejected: naming as parked
	// a seq central never refused is EPRECONDITION.
	skipParked := func() error {
		for {
			reason, ok := parked[applied+1]
			if !ok {
				return nil
			}
			if !rejected[applied+1] {
				return floorops.Errorf(floorops.EPRECONDITION, "seq %d is named parked but central never rejected it: send the event itself", applied+1)
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO parked (node_id, seq, reason) VALUES (?, ?, ?)`, node, applied+1, reason); err != nil {
				return err
			}
			applied++
		}
	}
	resp := &upstreamv1.PushEventsResponse{}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO events (node_id, seq, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	upsert, err := tx.PrepareContext(ctx, upsertATS)
	if err != nil {
		return nil, err
	}
	defer upsert.Close()
	if err := skipParked(); err != nil {
		return nil, err
	}
	gap := false
	for _, ev := range req.GetEvents() {
		if ev.GetSeq() <= applied {
			continue // a retry of what is applied
		}
		if ev.GetSeq() != applied+1 {
			gap = true // apply nothing past it; the node resends from the ack
			break
		}
		kind, reason := check(node, ev)
		if reason != "" {
			resp.Rejected = &upstreamv1.Rejection{Seq: ev.GetSeq(), Reason: reason}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO rejected (node_id, seq, reason) VALUES (?, ?, ?)`, node, ev.GetSeq(), reason); err != nil {
				return nil, err
			}
			break
		}
		if err := c.apply(ctx, tx, upsert, node, ev); err != nil {
			return nil, err
		}
		payload, err := proto.Marshal(ev)
		if err != nil {
			return nil, err
		}
		if _, err := ins.ExecContext(ctx, node, ev.GetSeq(), kind, payload, now); err != nil {
			return nil, fmt.Errorf("central: store event: %w", err)
		}
		applied = ev.GetSeq()
		if err := skipParked(); err != nil {
			return nil, err
		}
	}
	if gap && applied == from {
		// Nothing applied: the node is not where central is (a lost
		// cursor, a restored or foreign database). Say so, with the seq
		// central holds, rather than acknowledge the same seq forever.
		return nil, gapError(applied)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE nodes SET applied_through = ? WHERE node_id = ?`, applied, node); err != nil {
		return nil, err
	}
	if c.BeforeCommit != nil {
		if err := c.BeforeCommit(node, applied); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("central: commit: %w", err)
	}
	if c.OnApply != nil {
		for _, ev := range req.GetEvents() {
			if ev.GetSeq() > from && ev.GetSeq() <= applied && ev.GetOccurTime() != nil {
				c.OnApply(ev.GetOccurTime().AsTime())
			}
		}
	}
	if c.AfterCommit != nil {
		c.AfterCommit(node, applied)
	}
	resp.AckedThroughSeq = applied
	return resp, nil
}

// check names an event's kind, or says why it is malformed.
func check(node string, ev *eventv1.Event) (kind, reason string) {
	if ev.GetNodeId() != node {
		return "", fmt.Sprintf("event %d names node %q, pushed by %q", ev.GetSeq(), ev.GetNodeId(), node)
	}
	if ev.GetOccurTime() == nil {
		return "", fmt.Sprintf("event %d has no occur_time", ev.GetSeq())
	}
	switch p := ev.GetPayload().(type) {
	case nil:
		return "", fmt.Sprintf("event %d has no payload this central knows", ev.GetSeq())
	case *eventv1.Event_AvailabilityChanged:
		a := p.AvailabilityChanged
		if r := checkSKU(a.GetSku()); r != "" {
			return "", fmt.Sprintf("event %d: availability_changed: sku %s", ev.GetSeq(), r)
		}
		if a.GetVersion() <= 0 || a.GetVersion() > MaxQuantity {
			return "", fmt.Sprintf("event %d: availability_changed needs a version from 1 to %d", ev.GetSeq(), int64(MaxQuantity))
		}
		for _, q := range []struct {
			name string
			n    int64
		}{{"on_hand", a.GetOnHand()}, {"allocated", a.GetAllocated()}, {"available_to_sell", a.GetAvailableToSell()}} {
			if q.n < 0 || q.n > MaxQuantity {
				return "", fmt.Sprintf("event %d: availability_changed %s %d is outside 0 to %d", ev.GetSeq(), q.name, q.n, int64(MaxQuantity))
			}
		}
		return "availability_changed", ""
	case *eventv1.Event_AvailabilityDigest:
		if h := p.AvailabilityDigest.GetSha256(); len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			return "", fmt.Sprintf("event %d: availability_digest needs a sha256 of 64 lowercase hex digits", ev.GetSeq())
		}
		return "availability_digest", ""
	default:
		name := string(ev.ProtoReflect().WhichOneof(ev.ProtoReflect().Descriptor().Oneofs().ByName("payload")).Name())
		return name, ""
	}
}

// checkSKU says what is wrong with a SKU, or "".
func checkSKU(sku string) string {
	if strings.TrimSpace(sku) == "" {
		return "is empty"
	}
	if !utf8.ValidString(sku) {
		return "is not UTF-8"
	}
	for _, r := range sku {
		if unicode.IsControl(r) {
			return fmt.Sprintf("%q holds a control character", sku)
		}
	}
	return ""
}

// addSaturating adds b (0 or more) to a, stopping at the largest int64.
func addSaturating(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// apply updates the node's ATS (compare-and-set on version) or checks a
// digest against what central holds for the node.
// upsertATS sets a node's ATS for a SKU only from a newer version.
const upsertATS = `INSERT INTO node_ats (node_id, sku, on_hand, allocated, ats, version, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (node_id, sku) DO UPDATE SET on_hand = excluded.on_hand, allocated = excluded.allocated,
		ats = excluded.ats, version = excluded.version, seq = excluded.seq
	WHERE excluded.version > node_ats.version`

func (c *Central) apply(ctx context.Context, tx *sql.Tx, upsert *sql.Stmt, node string, ev *eventv1.Event) error {
	switch p := ev.GetPayload().(type) {
	case *eventv1.Event_AvailabilityChanged:
		a := p.AvailabilityChanged
		_, err := upsert.ExecContext(ctx, node, a.GetSku(), a.GetOnHand(), a.GetAllocated(), a.GetAvailableToSell(), a.GetVersion(), ev.GetSeq())
		return err
	case *eventv1.Event_AvailabilityDigest:
		ats, err := nodeATS(ctx, tx, node)
		if err != nil {
			return err
		}
		ok := inventory.Digest(ats).GetSha256() == p.AvailabilityDigest.GetSha256()
		_, err = tx.ExecContext(ctx, `UPDATE nodes SET last_digest_seq = ?, last_digest_matched = ? WHERE node_id = ?`, ev.GetSeq(), ok, node)
		return err
	}
	return nil
}

func nodeATS(ctx context.Context, tx *sql.Tx, node string) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT sku, ats FROM node_ats WHERE node_id = ?`, node)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var sku string
		var n int64
		if err := rows.Scan(&sku, &n); err != nil {
			return nil, err
		}
		out[sku] = n
	}
	return out, rows.Err()
}

// NetworkAvailability is ATS per SKU at every node and in total; all SKUs
// when skus is empty.
func (c *Central) NetworkAvailability(ctx context.Context, skus []string) ([]*centralv1.NetworkAvailability, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT sku, node_id, ats, version, seq FROM node_ats ORDER BY sku, node_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, s := range skus {
		want[s] = true
	}
	by := map[string]*centralv1.NetworkAvailability{}
	var out []*centralv1.NetworkAvailability
	for rows.Next() {
		n := &centralv1.NodeAvailability{}
		var sku string
		if err := rows.Scan(&sku, &n.NodeId, &n.AvailableToSell, &n.Version, &n.Seq); err != nil {
			return nil, err
		}
		if len(want) > 0 && !want[sku] {
			continue
		}
		na := by[sku]
		if na == nil {
			na = &centralv1.NetworkAvailability{Sku: sku}
			by[sku] = na
			out = append(out, na)
		}
		na.Nodes = append(na.Nodes, n)
		na.AvailableToSell = addSaturating(na.AvailableToSell, max(n.AvailableToSell, 0))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, s := range skus { // a SKU asked for and unknown answers zero
		if by[s] == nil {
			by[s] = &centralv1.NetworkAvailability{Sku: s}
			out = append(out, by[s])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sku < out[j].Sku })
	return out, nil
}

// Nodes is every node's sync state at central.
func (c *Central) Nodes(ctx context.Context) ([]*centralv1.Node, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT n.node_id, n.applied_through, n.last_push_at, n.last_digest_seq, n.last_digest_matched,
		(SELECT COUNT(*) FROM events e WHERE e.node_id = n.node_id) FROM nodes n ORDER BY n.node_id`)
	if err != nil {
		return nil, err
	}
	var out []*centralv1.Node
	for rows.Next() {
		n := &centralv1.Node{}
		var at string
		if err := rows.Scan(&n.NodeId, &n.AppliedThroughSeq, &at, &n.LastDigestSeq, &n.LastDigestMatched, &n.EventCount); err != nil {
			rows.Close()
			return nil, err
		}
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			n.LastPushTime = timestamppb.New(t)
		}
		out = append(out, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range out {
		prow, err := c.db.QueryContext(ctx, `SELECT seq FROM parked WHERE node_id = ? ORDER BY seq`, n.NodeId)
		if err != nil {
			return nil, err
		}
		for prow.Next() {
			var s int64
			if err := prow.Scan(&s); err != nil {
				prow.Close()
				return nil, err
			}
			n.ParkedSeqs = append(n.ParkedSeqs, s)
		}
		prow.Close()
	}
	return out, nil
}

// Events returns the node's stored events in seq order, for tests and
// audits.
func (c *Central) Events(ctx context.Context, node string) ([]*eventv1.Event, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT payload FROM events WHERE node_id = ? ORDER BY seq`, node)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*eventv1.Event
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		ev := &eventv1.Event{}
		if err := proto.Unmarshal(b, ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// GapReason is the ErrorInfo reason of a push whose first event is past
// the seq central has applied; AppliedSeqKey, in its metadata, is that seq.
const (
	GapReason     = "SEQ_GAP"
	AppliedSeqKey = "applied_seq"
)

func gapError(applied int64) error {
	st := status.New(codes.FailedPrecondition, fmt.Sprintf(
		"central has applied this node's events through seq %d and the batch does not continue from there", applied))
	st, _ = st.WithDetails(&errdetails.ErrorInfo{Reason: GapReason, Domain: "floorops.upstream.v1",
		Metadata: map[string]string{AppliedSeqKey: fmt.Sprint(applied)}})
	return st.Err()
}
