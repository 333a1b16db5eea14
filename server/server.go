// Package server wires a node together: the gRPC server with its
// interceptors (errors, metrics and logging at the edge, then the permission
// table), every workflow's service, health and reflection, and the HTTP face
// carrying the grpc-gateway, /openapi.json, /healthz and /metrics. The
// gateway dials the node's own gRPC port, so every interceptor runs once for
// both faces.
package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/cyclecount"
	"github.com/floorops/floorops/inventory/inventoryapi"
	"github.com/floorops/floorops/picking"
	fproto "github.com/floorops/floorops/proto"
	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	returnsv1 "github.com/floorops/floorops/proto/floorops/returns/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	authgw "github.com/floorops/floorops/proto/gateway/floorops/auth/v1"
	cyclecountgw "github.com/floorops/floorops/proto/gateway/floorops/cyclecount/v1"
	inventorygw "github.com/floorops/floorops/proto/gateway/floorops/inventory/v1"
	pickinggw "github.com/floorops/floorops/proto/gateway/floorops/picking/v1"
	putawaygw "github.com/floorops/floorops/proto/gateway/floorops/putaway/v1"
	receivinggw "github.com/floorops/floorops/proto/gateway/floorops/receiving/v1"
	returnsgw "github.com/floorops/floorops/proto/gateway/floorops/returns/v1"
	upstreamgw "github.com/floorops/floorops/proto/gateway/floorops/upstream/v1"
	"github.com/floorops/floorops/putaway"
	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/returns"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/reflection"
)

// Config is how a node is started.
type Config struct {
	DBPath   string // SQLite database file
	GRPCAddr string // e.g. ":7070"; ":0" picks a free port
	HTTPAddr string // e.g. ":8080"
	TLSCert  string // PEM certificate; with TLSKey, both faces serve TLS
	TLSKey   string
	ClientCA string // PEM CA bundle; client certificates it signed sign in as integrations
	Logger   *slog.Logger
	// BlindReceiving hides expected quantities from associates at every
	// receipt (vendors can be made blind one by one too).
	BlindReceiving bool
	// Scan, if set, is the node's scanner configuration (FNC1 stand-in and
	// code formats), which every service reads scans with; unset, the
	// defaults (scan.DefaultConfig).
	Scan *scan.Config
	// NodeID names the node in every event it sends upstream (serve
	// --node-id, default the host name).
	NodeID string
	// Upstream, if set, is where the node pushes its outbox (UpstreamService).
	Upstream *UpstreamConfig
	// DigestEvery, if set, is how often the node appends an
	// AvailabilityDigest to the outbox.
	DigestEvery time.Duration
	// NATS, if set, publishes the outbox to NATS JetStream as well.
	NATS *NATSConfig
	// OutboxRetention, if set, is how long acknowledged events stay in the
	// outbox before they are pruned.
	OutboxRetention time.Duration
}

// Server is one running node.
type Server struct {
	DB   *store.DB
	Auth *auth.Service
	Workflows
	// NodeID is the node's name in its events.
	NodeID string

	cfg          Config
	upstreamConn *grpc.ClientConn
	natsConn     *nats.Conn
	natsJS       jetstream.JetStream

	log     *slog.Logger
	grpc    *grpc.Server
	health  *nodeHealth
	metrics *metrics
	http    *http.Server
	grpcLis net.Listener
	httpLis net.Listener
	tls     *tls.Config
	fnc1    byte // the scanners' FNC1 stand-in, for the web app (web.go)
	// stopGateway ends the gateway's connection to the gRPC port; Run calls
	// it only after the HTTP server has drained, so REST calls in flight finish.
	stopGateway context.CancelFunc
	// ready is closed once Run serves both faces and health has its first
	// answer from the database.
	ready chan struct{}
}

// New binds both listeners, then opens (creating if needed) the database
// and builds every service, so GRPCAddr and HTTPAddr are known before Run.
func New(ctx context.Context, cfg Config) (_ *Server, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s := &Server{log: cfg.Logger, ready: make(chan struct{}), cfg: cfg}
	parser := scan.Default()
	if cfg.Scan != nil {
		if parser, err = scan.NewParser(*cfg.Scan); err != nil {
			return nil, fmt.Errorf("scanner configuration: %w", err)
		}
		s.fnc1 = cfg.Scan.FNC1Standin
	}
	if s.tls, err = serverTLS(cfg); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	// Both ports are held before the database is opened: a node that cannot
	// serve (a port taken) creates no database file.
	if s.grpcLis, err = net.Listen("tcp", cfg.GRPCAddr); err != nil {
		return nil, fmt.Errorf("listen gRPC %s: %w", cfg.GRPCAddr, err)
	}
	if s.httpLis, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("listen HTTP %s: %w", cfg.HTTPAddr, err)
	}
	if s.DB, err = store.Open(ctx, cfg.DBPath); err != nil {
		return nil, err
	}
	// The node's name is the database's: recorded the first time it serves
	// and never changed under it (upstream.ClaimNodeID), so central never
	// sees one outbox under two names.
	host, _ := os.Hostname()
	if s.NodeID, err = upstream.ClaimNodeID(ctx, s.DB, cfg.NodeID, host); err != nil {
		return nil, fmt.Errorf("node id: %w", err)
	}
	cfg.NodeID = s.NodeID
	s.cfg.NodeID = s.NodeID
	if cfg.Upstream != nil {
		if s.upstreamConn, err = dialUpstream(*cfg.Upstream); err != nil {
			return nil, err
		}
	}
	if cfg.NATS != nil {
		if err := upstream.CheckNATSNodeID(cfg.NodeID); err != nil {
			return nil, err
		}
		if s.natsConn, s.natsJS, err = upstream.DialNATS(cfg.NATS.URL, cfg.NATS.Creds); err != nil {
			return nil, err
		}
	}
	s.Auth = auth.NewService(s.DB, parser)
	s.Workflows = NewWorkflows(s.DB, parser)
	s.Receiving.Blind = cfg.BlindReceiving

	s.metrics = newMetrics(s.DB)
	e := &edge{log: s.log, codec: newWireCodec()}
	opts := []grpc.ServerOption{
		// Metrics outermost, so they count the status code edge mapped.
		grpc.ChainUnaryInterceptor(s.metrics.grpc.UnaryServerInterceptor(), e.unary, s.Auth.UnaryInterceptor),
		grpc.ChainStreamInterceptor(s.metrics.grpc.StreamServerInterceptor(), e.stream, s.Auth.StreamInterceptor),
		// Stop waits for handlers, so the database closes after the last one.
		grpc.WaitForHandlers(true),
		grpc.ForceServerCodecV2(e.codec),
		grpc.MaxRecvMsgSize(MaxRequestBytes),
	}
	if s.tls != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.tls)))
	}
	s.grpc = grpc.NewServer(opts...)
	authv1.RegisterAuthServiceServer(s.grpc, auth.NewHandler(s.Auth))
	inventoryv1.RegisterInventoryServiceServer(s.grpc, inventoryapi.NewHandler(s.Inventory, s.DB, inventoryapi.Hooks{HiddenFrom: cyclecount.HiddenFrom}))
	pickingv1.RegisterPickingServiceServer(s.grpc, picking.NewHandler(s.Picking))
	putawayv1.RegisterPutawayServiceServer(s.grpc, putaway.NewHandler(s.Putaway))
	receivingv1.RegisterReceivingServiceServer(s.grpc, receiving.NewHandler(s.Receiving))
	cyclecountv1.RegisterCycleCountServiceServer(s.grpc, cyclecount.NewHandler(s.Counts))
	returnsv1.RegisterReturnsServiceServer(s.grpc, returns.NewHandler(s.Returns))
	upstreamv1.RegisterChangeFeedServiceServer(s.grpc, &upstream.ChangeFeed{DB: s.DB, NodeID: s.NodeID})
	s.health = newNodeHealth(s.grpc, s.DB.Probe)
	reflection.Register(s.grpc)
	s.metrics.initialize(s.grpc)

	gwCtx, stopGateway := context.WithCancel(context.Background())
	s.stopGateway = stopGateway
	mux, err := s.httpMux(gwCtx)
	if err != nil {
		return nil, err
	}
	s.http = &http.Server{Handler: s.metrics.instrumentHTTP(mux), ReadHeaderTimeout: 10 * time.Second, TLSConfig: s.tls}
	return s, nil
}

// GRPCAddr is the bound gRPC address.
func (s *Server) GRPCAddr() string { return s.grpcLis.Addr().String() }

// HTTPAddr is the bound HTTP address.
func (s *Server) HTTPAddr() string { return s.httpLis.Addr().String() }

// Ready is closed once Run is serving both faces and health reports the
// first probe of the database, so a caller (a test, a supervisor) can wait
// for the node instead of guessing how long it takes to start.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// GRPCServer exposes the gRPC server so tests can list its services.
func (s *Server) GRPCServer() *grpc.Server { return s.grpc }

// Run serves until ctx ends, then stops gracefully: new RPCs are refused,
// RPCs in flight finish (their transactions commit or roll back whole), and
// the database is closed last.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- s.grpc.Serve(s.grpcLis) }()
	go func() {
		var err error
		if s.tls != nil {
			err = s.http.ServeTLS(s.httpLis, "", "")
		} else {
			err = s.http.Serve(s.httpLis)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		errc <- err
	}()
	healthCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	s.health.start(healthCtx)
	syncCtx, stopSync := context.WithCancel(ctx)
	waitSync := s.runSync(syncCtx)
	close(s.ready)
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	stopSync()
	waitSync()       // the pusher's last cursor write lands before the database closes
	s.health.drain() // NOT_SERVING for every service before draining
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	herr := s.http.Shutdown(shutdownCtx)
	s.stopGateway()
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-shutdownCtx.Done():
		s.grpc.Stop()
	}
	return errors.Join(err, herr, s.DB.Close())
}

func (s *Server) close() {
	if s.stopGateway != nil {
		s.stopGateway()
	}
	if s.grpcLis != nil {
		s.grpcLis.Close()
	}
	if s.httpLis != nil {
		s.httpLis.Close()
	}
	if s.DB != nil {
		s.DB.Close()
	}
	if s.upstreamConn != nil {
		s.upstreamConn.Close()
	}
	if s.natsConn != nil {
		s.natsConn.Close()
	}
}

func (s *Server) httpMux(ctx context.Context) (http.Handler, error) {
	// The REST face (http.go): the gateway, answering as an HTTP service should.
	rest, err := newRESTFace(s.log)
	if err != nil {
		return nil, err
	}
	gw := rest.gw
	target := selfAddr(s.grpcLis.Addr())
	creds := insecure.NewCredentials()
	if s.tls != nil {
		creds = credentials.NewTLS(selfTLS(s.tls))
	}
	dial := []grpc.DialOption{grpc.WithTransportCredentials(creds)}
	if err := authgw.RegisterAuthServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	if err := inventorygw.RegisterInventoryServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	if err := pickinggw.RegisterPickingServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	if err := putawaygw.RegisterPutawayServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	if err := receivinggw.RegisterReceivingServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	if err := cyclecountgw.RegisterCycleCountServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	if err := returnsgw.RegisterReturnsServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	if err := upstreamgw.RegisterChangeFeedServiceHandlerFromEndpoint(ctx, gw, target, dial); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", rest)
	mux.HandleFunc(auth.SyncStatusRoute, s.syncStatus) // websync.go
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(fproto.OpenAPI)
	})
	mux.HandleFunc("GET /healthz", s.health.healthz)
	mux.Handle("GET /metrics", s.metrics.handler())
	// The handheld web app (web.go) at "/": whatever no route above takes.
	mux.Handle("/", newWebApp(s.fnc1))
	return mux, nil
}

// serverTLS loads the node's certificate and, with a client CA, asks
// clients for certificates (verified if given; tokens still work without).
func serverTLS(cfg Config) (*tls.Config, error) {
	if cfg.TLSCert == "" && cfg.TLSKey == "" {
		if cfg.ClientCA != "" {
			return nil, errors.New("--client-ca needs --tls-cert and --tls-key")
		}
		return nil, nil
	}
	if cfg.TLSCert == "" || cfg.TLSKey == "" {
		return nil, errors.New("--tls-cert and --tls-key go together: give both")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("load TLS key pair: %w", err)
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if cfg.ClientCA != "" {
		pem, err := os.ReadFile(cfg.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("read client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client CA %s holds no PEM certificate", cfg.ClientCA)
		}
		c.ClientCAs = pool
		c.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return c, nil
}

// selfTLS is how the gateway dials the node's own gRPC port: it trusts
// exactly the node's own certificate, whatever names it carries.
func selfTLS(server *tls.Config) *tls.Config {
	own := server.Certificates[0].Certificate[0]
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || string(raw[0]) != string(own) {
				return errors.New("gateway: gRPC port presented a certificate that is not the node's own")
			}
			return nil
		},
	}
}

// selfAddr is how the gateway reaches the node's own gRPC listener: its
// address, or loopback when it listens on every interface.
func selfAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1" // a wildcard listener ([::] or 0.0.0.0) accepts IPv4 loopback
	}
	return net.JoinHostPort(host, port)
}
