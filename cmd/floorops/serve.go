package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"github.com/floorops/floorops/upstream"
)

// newFlags returns a FlagSet that reports to stderr and does not exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("floorops "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning flag mistakes into errUsage. Help asked
// for with -h goes to stdout; a mistake, with the usage after it, goes to
// fs's output (stderr).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	out := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := parseInterspersed(fs, args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		if _, werr := stdout.Write(buf.Bytes()); werr != nil {
			return werr
		}
		return errHelp
	}
	if _, werr := out.Write(buf.Bytes()); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments ("import items FILE.csv --db node.db"), as an operator types
// them; "--" ends the flags, so a positional argument may start with "-".
// fs.Args() is then the positional arguments in order.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

// env returns the FLOOROPS_<NAME> environment variable, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("FLOOROPS_" + name); ok {
		return v
	}
	return def
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(env(name, "false"))
	return b
}

// dbFlag adds the --db flag every command that opens the node's database shares.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env("DB", "floorops.db"), "SQLite database file (env FLOOROPS_DB)")
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	var cfg server.Config
	db := dbFlag(fs)
	fs.StringVar(&cfg.GRPCAddr, "grpc-addr", env("GRPC_ADDR", ":7070"), "gRPC listen address (env FLOOROPS_GRPC_ADDR)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", env("HTTP_ADDR", ":8080"), "HTTP listen address: REST gateway, /openapi.json, /healthz, /metrics (env FLOOROPS_HTTP_ADDR)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", env("TLS_CERT", ""), "PEM certificate; with --tls-key both faces serve TLS (env FLOOROPS_TLS_CERT)")
	fs.StringVar(&cfg.TLSKey, "tls-key", env("TLS_KEY", ""), "PEM private key (env FLOOROPS_TLS_KEY)")
	fs.StringVar(&cfg.ClientCA, "client-ca", env("CLIENT_CA", ""), "PEM CA bundle; client certificates it signed are integrations (mTLS) (env FLOOROPS_CLIENT_CA)")
	fs.BoolVar(&cfg.BlindReceiving, "blind-receiving", envBool("BLIND_RECEIVING"), "hide expected quantities from associates when receiving (env FLOOROPS_BLIND_RECEIVING)")
	demo := fs.Bool("demo", envBool("DEMO"), "seed a demo warehouse, users and API key into an empty database (env FLOOROPS_DEMO)")
	logFormat := fs.String("log-format", env("LOG_FORMAT", "text"), "log format: text or json (env FLOOROPS_LOG_FORMAT)")
	pprofAddr := fs.String("pprof-addr", env("PPROF_ADDR", ""), "loopback `address` to serve Go's profiler on (/debug/pprof/), e.g. 127.0.0.1:6060; off when empty (env FLOOROPS_PPROF_ADDR)")
	scanner := scannerFlags(fs)
	fs.StringVar(&cfg.NodeID, "node-id", env("NODE_ID", ""), "the node's name in its events (env FLOOROPS_NODE_ID; default the host name)")
	var up server.UpstreamConfig
	fs.StringVar(&up.Addr, "upstream-addr", env("UPSTREAM_ADDR", ""), "central's UpstreamService host:port; set, the node pushes its outbox there (env FLOOROPS_UPSTREAM_ADDR)")
	fs.StringVar(&up.Key, "upstream-key", env("UPSTREAM_KEY", ""), "the node's key at central, from floorops central keys create (env FLOOROPS_UPSTREAM_KEY)")
	fs.StringVar(&up.CA, "upstream-ca", env("UPSTREAM_CA", ""), "PEM CA bundle to trust for central's certificate; default the system roots (env FLOOROPS_UPSTREAM_CA)")
	fs.StringVar(&up.Cert, "upstream-cert", env("UPSTREAM_CERT", ""), "PEM client certificate for mTLS to central (env FLOOROPS_UPSTREAM_CERT)")
	fs.StringVar(&up.CertKey, "upstream-cert-key", env("UPSTREAM_CERT_KEY", ""), "PEM key of --upstream-cert (env FLOOROPS_UPSTREAM_CERT_KEY)")
	fs.BoolVar(&up.Plaintext, "upstream-plaintext", envBool("UPSTREAM_PLAINTEXT"), "push without TLS: only for a central on loopback (env FLOOROPS_UPSTREAM_PLAINTEXT)")
	var nc server.NATSConfig
	fs.StringVar(&nc.URL, "nats-url", env("NATS_URL", ""), "NATS server; set, the node also publishes its outbox to JetStream on floorops.<node>.<kind> (env FLOOROPS_NATS_URL)")
	fs.StringVar(&nc.Creds, "nats-creds", env("NATS_CREDS", ""), "NATS credentials file (env FLOOROPS_NATS_CREDS)")
	fs.DurationVar(&cfg.DigestEvery, "digest-every", 5*time.Minute, "how often to append an availability digest to the outbox; 0 for never")
	fs.DurationVar(&cfg.OutboxRetention, "outbox-retention", 7*24*time.Hour, "how long acknowledged events stay in the outbox; 0 keeps them all")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve: unexpected arguments %q", errUsage, fs.Args())
	}
	switch {
	case up.Addr == "" && (up.Key != "" || up.Cert != "" || up.CertKey != ""):
		return fmt.Errorf("%w: serve: --upstream-key and --upstream-cert need --upstream-addr (where to push)", errUsage)
	case up.Addr != "" && up.Key == "" && up.Cert == "":
		return fmt.Errorf("%w: serve: --upstream-addr needs --upstream-key (from floorops central keys create) or --upstream-cert/--upstream-cert-key", errUsage)
	case (up.Cert == "") != (up.CertKey == ""):
		return fmt.Errorf("%w: serve: --upstream-cert and --upstream-cert-key go together", errUsage)
	}
	if cfg.NodeID != "" {
		if err := upstream.CheckNATSNodeID(cfg.NodeID); err != nil {
			return fmt.Errorf("%w: serve: --node-id %q: must be one token (no dots, spaces, * or >): it names the node in events and NATS subjects", errUsage, cfg.NodeID)
		}
	}
	if up.Addr != "" {
		cfg.Upstream = &up
	}
	if nc.URL != "" {
		cfg.NATS = &nc
	}
	tuneGC()
	if *pprofAddr != "" {
		addr, err := servePprof(ctx, *pprofAddr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Profiler on http://%s/debug/pprof/\n", addr)
	}
	cfg.DBPath = *db
	sc, _, err := scanner()
	if err != nil {
		return err
	}
	cfg.Scan = &sc
	switch *logFormat {
	case "text":
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		cfg.Logger = slog.New(slog.NewJSONHandler(stderr, nil))
	default:
		return fmt.Errorf("%w: --log-format must be text or json", errUsage)
	}
	srv, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	if *demo {
		seeded, err := server.SeedDemo(ctx, srv)
		if err != nil {
			return errors.Join(err, srv.DB.Close())
		}
		if seeded {
			fmt.Fprintf(stdout, "Seeded a demo warehouse into %s.\n", cfg.DBPath)
		}
	}
	grpcAddr, httpAddr := dialable(srv.GRPCAddr()), dialable(srv.HTTPAddr())
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "floorops node serving\n  gRPC  %s\n  HTTP  %s://%s  (REST /v1/..., /openapi.json, /healthz, /metrics)\n  DB    %s\n",
		grpcAddr, scheme, httpAddr, cfg.DBPath)
	if *demo {
		var badges []string
		for _, u := range server.DemoBadges {
			badges = append(badges, fmt.Sprintf("%s (%s)", u.Badge, u.Role))
		}
		fmt.Fprintf(stdout, "Demo credentials:\n  badges  %s, PIN %s\n  API key %s (integration)\n",
			strings.Join(badges, ", "), server.DemoPIN, server.DemoAPIKey)
	}
	if cfg.Upstream != nil {
		fmt.Fprintf(stdout, "  Node  %s, pushing to %s\n", srv.NodeID, cfg.Upstream.Addr)
	}
	fmt.Fprintln(stdout, "Ctrl-C stops the node gracefully.")
	if err := srv.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "floorops node stopped: requests in flight finished, database closed.")
	return nil
}

// scannerFlags registers on fs the flags that say how the node's scanners
// send codes and what its own codes look like — --fnc1, --eight-digit-upce
// and --<code>-pattern, each defaulting to its FLOOROPS_* environment
// variable — and returns the function that builds the scanner
// configuration from them once fs is parsed. serve and scan take these
// flags; nodeParser reads the environment through them.
func scannerFlags(fs *flag.FlagSet) func() (scan.Config, *scan.Parser, error) {
	sc := scan.DefaultConfig()
	fs.BoolVar(&sc.EightDigitUPCE, "eight-digit-upce", envBool("EIGHT_DIGIT_UPCE"), "read a bare 8-digit scan starting 0 or 1 as UPC-E, not EAN-8 (for scanners set to send UPC-E unexpanded without an identifier) (env FLOOROPS_EIGHT_DIGIT_UPCE)")
	fnc1 := fs.String("fnc1", env("FNC1", ""), "`CHAR` scanners send instead of the GS1 separator (GS, ASCII 29), e.g. '~' (env FLOOROPS_FNC1)")
	for _, p := range []struct {
		name, what string
		dst        *string
	}{{"location", "location", &sc.LocationPattern}, {"lpn", "LPN", &sc.LPNPattern}, {"po", "PO", &sc.POPattern},
		{"order", "order", &sc.OrderPattern}, {"rma", "RMA", &sc.RMAPattern}, {"badge", "badge", &sc.BadgePattern}} {
		envName := strings.ToUpper(p.name) + "_PATTERN"
		fs.StringVar(p.dst, p.name+"-pattern", env(envName, *p.dst), fmt.Sprintf("`regexp` for %s codes on scans, matched against the upper-cased code (env FLOOROPS_%s)", p.what, envName))
	}
	return func() (scan.Config, *scan.Parser, error) {
		switch len(*fnc1) {
		case 0:
		case 1:
			sc.FNC1Standin = (*fnc1)[0]
		default:
			return sc, nil, fmt.Errorf("%w: --fnc1 (env FLOOROPS_FNC1) is one character, got %q", errUsage, *fnc1)
		}
		p, err := scan.NewParser(sc)
		if err != nil {
			return sc, nil, fmt.Errorf("%w: scanner flags or FLOOROPS_* environment: %v", errUsage, err)
		}
		return sc, p, nil
	}
}

// nodeParser is the scanner a one-shot command reads codes with, the way
// the node does when the environment configures its scanners
// (FLOOROPS_FNC1, FLOOROPS_EIGHT_DIGIT_UPCE, FLOOROPS_<NAME>_PATTERN): the
// commands that check a badge or a label against the scanner (users add,
// labels) then agree with the node's handhelds. A node configured by serve's
// flags alone is not seen; the defaults apply.
func nodeParser() (*scan.Parser, error) {
	// The flags are never parsed: their defaults are the environment.
	_, p, err := scannerFlags(flag.NewFlagSet("", flag.ContinueOnError))()
	return p, err
}

// dialable turns a listener address such as [::]:7070 into localhost:7070.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
