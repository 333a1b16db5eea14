package main

import (
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

	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
)

// newFlags returns a FlagSet that reports to stderr and does not exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("floorops "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning flag mistakes into errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
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
	sc := scan.DefaultConfig()
	fs.BoolVar(&sc.EightDigitUPCE, "eight-digit-upce", envBool("EIGHT_DIGIT_UPCE"), "read a bare 8-digit scan starting 0 or 1 as UPC-E, not EAN-8 (for scanners set to send UPC-E unexpanded without an identifier) (env FLOOROPS_EIGHT_DIGIT_UPCE)")
	fnc1 := fs.String("fnc1", env("FNC1", ""), "a character scanners send instead of the GS1 separator (ASCII 29), e.g. '~' (env FLOOROPS_FNC1)")
	for _, p := range scanPatterns(&sc) {
		envName := strings.ToUpper(p.name) + "_PATTERN"
		fs.StringVar(p.dst, p.name+"-pattern", env(envName, *p.dst), fmt.Sprintf("regexp for %s codes on scans (env FLOOROPS_%s)", p.name, envName))
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg.DBPath = *db
	if len(*fnc1) > 1 {
		return fmt.Errorf("%w: --fnc1 is one character", errUsage)
	}
	if *fnc1 != "" {
		sc.FNC1Standin = (*fnc1)[0]
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
	fmt.Fprintln(stdout, "Ctrl-C stops the node gracefully.")
	if err := srv.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "floorops node stopped: requests in flight finished, database closed.")
	return nil
}

// scanPatterns are the node's code formats in sc by name: serve's
// --<name>-pattern flags and the FLOOROPS_<NAME>_PATTERN variables.
func scanPatterns(sc *scan.Config) []struct {
	name string
	dst  *string
} {
	return []struct {
		name string
		dst  *string
	}{{"location", &sc.LocationPattern}, {"lpn", &sc.LPNPattern}, {"po", &sc.POPattern},
		{"order", &sc.OrderPattern}, {"rma", &sc.RMAPattern}, {"badge", &sc.BadgePattern}}
}

// useNodeScanner makes scan.Parse, in a one-shot command, read codes the way
// the node does when the environment configures its scanners
// (FLOOROPS_FNC1, FLOOROPS_EIGHT_DIGIT_UPCE, FLOOROPS_<NAME>_PATTERN): the
// commands that check a badge or a label against the scanner (users add,
// labels) then agree with the node's handhelds. A node configured by serve's
// flags alone is not seen; the defaults apply.
func useNodeScanner() error {
	sc := scan.DefaultConfig()
	sc.EightDigitUPCE = envBool("EIGHT_DIGIT_UPCE")
	switch fnc1 := env("FNC1", ""); len(fnc1) {
	case 0:
	case 1:
		sc.FNC1Standin = fnc1[0]
	default:
		return fmt.Errorf("%w: FLOOROPS_FNC1 is one character", errUsage)
	}
	for _, p := range scanPatterns(&sc) {
		*p.dst = env(strings.ToUpper(p.name)+"_PATTERN", *p.dst)
	}
	p, err := scan.NewParser(sc)
	if err != nil {
		return fmt.Errorf("%w: scanner configuration from the environment: %v", errUsage, err)
	}
	scan.SetNodeParser(p)
	return nil
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
