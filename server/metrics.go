package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
)

// rpcBuckets are the latency buckets of RPCs and REST calls: a scan is
// answered in milliseconds, a large import or release in seconds.
var rpcBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// metrics are the node's figures served at /metrics: the conventional gRPC
// server metrics (grpc_server_handled_total, grpc_server_handling_seconds,
// ... by grpc_service, grpc_method, grpc_code, as go-grpc-middleware's
// prometheus provider names them, so stock dashboards work), HTTP metrics
// for the REST face, and the node's own: how many requests share a group
// commit, how long a commit (its fsync) takes, and the outbox backlog.
type metrics struct {
	registry *prometheus.Registry
	grpc     *grpcprom.ServerMetrics
	httpReqs *prometheus.CounterVec
	httpTime *prometheus.HistogramVec
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		grpc:     grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(grpcprom.WithHistogramBuckets(rpcBuckets))),
		httpReqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests to the REST face, /healthz, /metrics and /openapi.json, by handler, method and status code.",
		}, []string{"handler", "method", "code"}),
		httpTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency by handler, method and status code.",
			Buckets: rpcBuckets,
		}, []string{"handler", "method", "code"}),
	}
	batch := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "floorops_store_write_batch_size",
		Help:    "Requests made durable together by one group commit (one fsync).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	commit := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "floorops_store_commit_seconds",
		Help:    "How long a group commit takes to reach the disk (mostly fsync).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
	})
	// The upstream gauges read the central sink's status once per scrape.
	sync := func(pick func(upstream.Status) float64) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			st, err := upstream.ReadStatus(ctx, db.Reader(), upstream.Sink)
			if err != nil {
				return -1 // the database is unreadable; health says so too
			}
			return pick(st)
		}
	}
	backlog := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "floorops_outbox_backlog",
		Help: "Events in the outbox central has not acknowledged (parked ones aside).",
	}, sync(func(st upstream.Status) float64 { return float64(st.Backlog) }))
	oldest := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "floorops_upstream_oldest_unacked_seconds",
		Help: "Age of the oldest event central has not acknowledged: the sync lag; 0 when in step.",
	}, sync(func(st upstream.Status) float64 { return st.Lag(time.Now()).Seconds() }))
	parked := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "floorops_upstream_parked",
		Help: "Events central rejected and the node parked; alert on any (floorops sync status lists them).",
	}, sync(func(st upstream.Status) float64 { return float64(len(st.Parked)) }))
	failing := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "floorops_upstream_failing",
		Help: "1 while the last push to central failed or central answered out of step (floorops sync status shows the error); 0 once a push is acknowledged.",
	}, sync(func(st upstream.Status) float64 {
		if st.LastError != "" {
			return 1
		}
		return 0
	}))
	db.ObserveCommits(func(requests int, took time.Duration) {
		batch.Observe(float64(requests))
		commit.Observe(took.Seconds())
	})
	m.registry.MustRegister(
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.grpc, m.httpReqs, m.httpTime, batch, commit, backlog, oldest, parked, failing)
	return m
}

// initialize creates every gRPC method's series at zero, so dashboards and
// rate() see a method before its first call.
func (m *metrics) initialize(g *grpc.Server) { m.grpc.InitializeMetrics(g) }

// handler serves /metrics.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// httpRoute is a request's handler label: a few fixed values, never the
// path, whose SKUs and ids would make a series each.
func httpRoute(path string) string {
	switch {
	case strings.HasPrefix(path, "/v1/"):
		return "rest"
	case path == "/healthz", path == "/metrics", path == "/openapi.json":
		return strings.TrimPrefix(path, "/")
	}
	return "other"
}

// instrumentHTTP counts and times every HTTP request by route.
func (m *metrics) instrumentHTTP(next http.Handler) http.Handler {
	byRoute := map[string]http.Handler{}
	for _, route := range []string{"rest", "healthz", "metrics", "openapi.json", "other"} {
		l := prometheus.Labels{"handler": route}
		byRoute[route] = promhttp.InstrumentHandlerDuration(m.httpTime.MustCurryWith(l),
			promhttp.InstrumentHandlerCounter(m.httpReqs.MustCurryWith(l), next))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		byRoute[httpRoute(r.URL.Path)].ServeHTTP(w, r)
	})
}
