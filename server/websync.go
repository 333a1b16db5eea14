package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/status"
)

// syncStatusJSON is GET /v1/sync/status: what `floorops sync status`
// shows (upstream.ReadStatus per sink), for the web app's lead screen. It
// is a read-only REST route of the node's own, not an RPC; who may call it
// is auth.Permissions[auth.SyncStatusRoute].
type syncStatusJSON struct {
	Sinks []syncSinkJSON `json:"sinks"`
}

type syncSinkJSON struct {
	Sink       string `json:"sink"`
	Configured bool   `json:"configured"` // a pusher has run for the sink
	LastSeq    int64  `json:"last_seq"`   // newest event in the outbox
	AckedSeq   int64  `json:"acked_seq"`  // acknowledged through
	Backlog    int64  `json:"backlog"`    // events waiting, parked ones aside
	// LagSeconds is how long the oldest unacknowledged event has waited.
	LagSeconds float64          `json:"lag_seconds"`
	OldestTime string           `json:"oldest_time,omitempty"`
	AckTime    string           `json:"ack_time,omitempty"`
	LastError  string           `json:"last_error,omitempty"`
	ErrorTime  string           `json:"error_time,omitempty"`
	Parked     []syncParkedJSON `json:"parked"`
}

type syncParkedJSON struct {
	Seq        int64  `json:"seq"`
	Kind       string `json:"kind"`
	Reason     string `json:"reason"`
	ParkedTime string `json:"parked_time"`
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

func (s *Server) syncStatus(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := ""
	if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "bearer") {
		tok = strings.TrimSpace(t)
	}
	p, err := s.Auth.Authenticate(ctx, tok)
	if err == nil && !slices.Contains(auth.Permissions[auth.SyncStatusRoute], p.Role) {
		err = floorops.Errorf(floorops.EPERMISSION, "role %s may not read the sync status", p.Role)
	}
	if err != nil {
		writeStatusJSON(w, toStatus(s.log, auth.SyncStatusRoute, err))
		return
	}
	now := s.DB.Now()
	out := syncStatusJSON{Sinks: []syncSinkJSON{}}
	for _, sink := range []string{upstream.Sink, upstream.NATSSinkName} {
		st, err := upstream.ReadStatus(ctx, s.DB.Reader(), sink)
		if err != nil {
			writeStatusJSON(w, toStatus(s.log, auth.SyncStatusRoute, err))
			return
		}
		if sink != upstream.Sink && !st.Configured {
			continue // the NATS sink only where one is set up
		}
		j := syncSinkJSON{Sink: sink, Configured: st.Configured, LastSeq: st.LastSeq, AckedSeq: st.AckedSeq, Backlog: st.Backlog,
			LagSeconds: st.Lag(now).Seconds(), OldestTime: optTime(st.OldestAt), AckTime: optTime(st.AckedAt),
			LastError: st.LastError, ErrorTime: optTime(st.ErrorAt), Parked: []syncParkedJSON{}}
		for _, pk := range st.Parked {
			j.Parked = append(j.Parked, syncParkedJSON{Seq: pk.Seq, Kind: pk.Kind, Reason: pk.Reason, ParkedTime: optTime(pk.ParkedAt)})
		}
		out.Sinks = append(out.Sinks, j)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(out)
}

// writeStatusJSON answers an error as the REST face does: the HTTP status
// of the gRPC code and {"code", "message", "details"}.
func writeStatusJSON(w http.ResponseWriter, err error) {
	st := status.Convert(err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(runtime.HTTPStatusFromCode(st.Code()))
	json.NewEncoder(w).Encode(map[string]any{"code": int(st.Code()), "message": st.Message(), "details": []any{}})
}
