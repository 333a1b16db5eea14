package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"github.com/floorops/floorops/upstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// UpstreamConfig is where and how the node pushes its events to central.
type UpstreamConfig struct {
	Addr string // central's UpstreamService, host:port
	Key  string // the node's key (floorops central keys create); sent as a bearer token
	// CA is a PEM bundle to trust for central's certificate; empty, the
	// system roots.
	CA string
	// Cert and CertKey are the node's client certificate (mTLS) and key.
	Cert, CertKey string
	// Plaintext turns TLS off: only for loopback (tests, the demo).
	Plaintext bool
	// Batch is the most events per push (default 500).
	Batch int
	// MaxBackoff caps the wait between failed pushes (default 30s).
	MaxBackoff time.Duration
}

// NATSConfig is the optional JetStream sink (upstream.NATSSink).
type NATSConfig struct {
	URL   string // e.g. nats://nats.example:4222
	Creds string // a NATS credentials file; empty for none
}

// bearer sends the node's key with every call.
type bearer struct {
	key    string
	secure bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.key}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.secure }

// dialUpstream opens the client connection to central.
func dialUpstream(cfg UpstreamConfig) (*grpc.ClientConn, error) {
	opts := []grpc.DialOption{}
	if cfg.Plaintext {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	} else {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.CA != "" {
			pem, err := os.ReadFile(cfg.CA)
			if err != nil {
				return nil, fmt.Errorf("upstream CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("upstream CA %s holds no PEM certificate", cfg.CA)
			}
			tc.RootCAs = pool
		}
		if cfg.Cert != "" || cfg.CertKey != "" {
			cert, err := tls.LoadX509KeyPair(cfg.Cert, cfg.CertKey)
			if err != nil {
				return nil, fmt.Errorf("upstream client certificate: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(tc)))
	}
	if cfg.Key != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{key: cfg.Key, secure: !cfg.Plaintext}))
	}
	return grpc.NewClient(cfg.Addr, opts...)
}

// runSync starts the node's sync jobs (push, digest, pruning) and returns
// a function that waits for them to end once ctx has.
func (s *Server) runSync(ctx context.Context) func() {
	done := make(chan struct{}, 4)
	n := 0
	if s.natsConn != nil {
		n++
		sink := &upstream.NATSSink{DB: s.DB, NodeID: s.NodeID, JS: s.natsJS, Logger: s.log}
		go func() {
			if err := sink.Run(ctx); err != nil {
				s.log.Error("nats sink stopped", "err", err)
			}
			done <- struct{}{}
		}()
	}
	if s.upstreamConn != nil {
		n++
		p := &upstream.Pusher{DB: s.DB, NodeID: s.NodeID, Client: upstreamv1.NewUpstreamServiceClient(s.upstreamConn),
			Logger: s.log, Batch: s.cfg.Upstream.Batch, MaxBackoff: s.cfg.Upstream.MaxBackoff}
		go func() {
			if err := p.Run(ctx); err != nil {
				s.log.Error("upstream pusher stopped", "err", err)
			}
			done <- struct{}{}
		}()
	}
	if s.cfg.DigestEvery > 0 {
		n++
		go func() { upstream.RunDigests(ctx, s.DB, s.cfg.DigestEvery, s.log); done <- struct{}{} }()
	}
	if s.cfg.OutboxRetention > 0 {
		n++
		every := min(s.cfg.OutboxRetention, time.Hour)
		go func() { upstream.RunPruning(ctx, s.DB, every, s.cfg.OutboxRetention, s.log); done <- struct{}{} }()
	}
	return func() {
		for range n {
			<-done
		}
		if s.upstreamConn != nil {
			s.upstreamConn.Close()
		}
		if s.natsConn != nil {
			s.natsConn.Close()
		}
	}
}
