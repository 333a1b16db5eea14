package upstream

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/store"
)

// Status is how far a sink is behind the outbox.
type Status struct {
	Sink       string
	LastSeq    int64     // newest event in the outbox
	AckedSeq   int64     // acknowledged through
	Backlog    int64     // events after AckedSeq, not parked
	OldestAt   time.Time // commit time of the oldest of them (zero when none)
	AckedAt    time.Time
	LastError  string
	ErrorAt    time.Time
	Parked     []Parked
	Configured bool // the sink has a cursor: a pusher has run
}

// Parked is an event a receiver rejected.
type Parked struct {
	Seq      int64
	Kind     string
	Reason   string
	ParkedAt time.Time
}

// Lag is how long the oldest unacknowledged event has waited at now.
func (s Status) Lag(now time.Time) time.Duration {
	if s.OldestAt.IsZero() {
		return 0
	}
	return now.Sub(s.OldestAt)
}

// ReadStatus reads sink's status from the node's database.
func ReadStatus(ctx context.Context, q inventory.Querier, sink string) (Status, error) {
	st := Status{Sink: sink}
	var ackedAt, errAt string
	err := q.QueryRowContext(ctx, `SELECT acked_seq, acked_at, last_error, error_at FROM upstream_cursor WHERE sink = ?`, sink).
		Scan(&st.AckedSeq, &ackedAt, &st.LastError, &errAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return st, err
	default:
		st.Configured = true
	}
	st.AckedAt, _ = store.ParseTimeOrZero(ackedAt)
	st.ErrorAt, _ = store.ParseTimeOrZero(errAt)
	if st.LastSeq, err = inventory.LastSeq(ctx, q); err != nil {
		return st, err
	}
	var oldest sql.NullString
	err = q.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox o WHERE o.seq > ?
		AND NOT EXISTS (SELECT 1 FROM upstream_parked p WHERE p.sink = ? AND p.seq = o.seq)`, st.AckedSeq, sink).Scan(&st.Backlog, &oldest)
	if err != nil {
		return st, err
	}
	if oldest.Valid {
		st.OldestAt, _ = store.ParseTime(oldest.String)
	}
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, reason, parked_at FROM upstream_parked WHERE sink = ? ORDER BY seq`, sink)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Parked
		var at string
		if err := rows.Scan(&p.Seq, &p.Kind, &p.Reason, &at); err != nil {
			return st, err
		}
		p.ParkedAt, _ = store.ParseTime(at)
		st.Parked = append(st.Parked, p)
	}
	return st, rows.Err()
}
