package server

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// probeEvery is how often a serving node proves its database takes
// writes; /healthz proves it on every call as well.
const probeEvery = 10 * time.Second

// nodeHealth is what the node tells load balancers and monitors, over gRPC
// health (per service, and "" for the whole node) and /healthz alike: a
// node serves while it runs, is not draining, and its database takes
// writes. A handheld sent to a node that cannot write would only fail.
type nodeHealth struct {
	srv      *health.Server
	services []string // "" and every registered service
	probe    func(context.Context) error

	mu       sync.Mutex // orders the status changes
	running  bool       // Run has started serving
	draining bool       // Run is stopping the node
}

// newNodeHealth registers gRPC health on g, after every other service, and
// reports NOT_SERVING for each until the node runs.
func newNodeHealth(g *grpc.Server, probe func(context.Context) error) *nodeHealth {
	h := &nodeHealth{srv: health.NewServer(), probe: probe, services: []string{""}}
	for name := range g.GetServiceInfo() {
		h.services = append(h.services, name)
	}
	sort.Strings(h.services)
	healthpb.RegisterHealthServer(g, h.srv)
	h.set(healthpb.HealthCheckResponse_NOT_SERVING)
	return h
}

func (h *nodeHealth) set(st healthpb.HealthCheckResponse_ServingStatus) {
	for _, name := range h.services {
		h.srv.SetServingStatus(name, st)
	}
}

// check probes the database now and sets every service's status from the
// outcome; it returns whether the node is serving.
func (h *nodeHealth) check(ctx context.Context) bool {
	// A monitor that hangs up early does not make the probe fail: only the
	// database's own answer, or its taking longer than 5 s, does.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := h.probe(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.draining {
		return false // drain has set NOT_SERVING for good
	}
	serving := err == nil && h.running
	if serving {
		h.set(healthpb.HealthCheckResponse_SERVING)
	} else {
		h.set(healthpb.HealthCheckResponse_NOT_SERVING)
	}
	return serving
}

// start marks the node running, probes once, and keeps probing every
// probeEvery until ctx ends.
func (h *nodeHealth) start(ctx context.Context) {
	h.mu.Lock()
	h.running = true
	h.mu.Unlock()
	h.check(ctx)
	go func() {
		t := time.NewTicker(probeEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				h.check(ctx)
			}
		}
	}()
}

// drain reports NOT_SERVING for every service, for good: the node is
// stopping and finishes only the RPCs in flight.
func (h *nodeHealth) drain() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.draining = true
	h.srv.Shutdown()
}

// healthz is GET /healthz: 200 "ok" while the node serves, 503 when it
// cannot write its database or is shutting down — the same answer gRPC
// health gives, from the same probe.
func (h *nodeHealth) healthz(w http.ResponseWriter, r *http.Request) {
	if !h.check(r.Context()) {
		http.Error(w, "not serving: database not writable or node shutting down", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}
