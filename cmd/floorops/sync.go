package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"text/tabwriter"
	"time"

	"github.com/floorops/floorops/central"
	"github.com/floorops/floorops/store"
	"github.com/floorops/floorops/upstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// cmdCentral runs the reference central, or manages its node keys
// ("central keys create").
func cmdCentral(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "keys" {
		return centralKeysGroup.run(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "ats" {
		return centralATS(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("central", stderr)
	addr := fs.String("grpc-addr", ":7171", "gRPC listen address for UpstreamService and CentralService")
	dbPath := fs.String("db", "central.db", "central's own SQLite database file")
	cert := fs.String("tls-cert", "", "PEM certificate; with --tls-key central serves TLS")
	key := fs.String("tls-key", "", "PEM private key")
	clientCA := fs.String("client-ca", "", "PEM CA bundle; a client certificate it signed names its node by its common name (mTLS)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: central: unexpected arguments %q (floorops central keys create NODE_ID makes a key)", errUsage, fs.Args())
	}
	if (*cert == "") != (*key == "") {
		return fmt.Errorf("%w: central: --tls-cert and --tls-key go together", errUsage)
	}
	if *clientCA != "" && *cert == "" {
		return fmt.Errorf("%w: central: --client-ca needs --tls-cert and --tls-key (client certificates are only seen over TLS)", errUsage)
	}
	var opts []grpc.ServerOption
	if *cert != "" {
		kp, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return fmt.Errorf("central TLS: %w", err)
		}
		tc := &tls.Config{Certificates: []tls.Certificate{kp}, MinVersion: tls.VersionTLS12}
		if *clientCA != "" {
			pem, err := os.ReadFile(*clientCA)
			if err != nil {
				return err
			}
			tc.ClientCAs = x509.NewCertPool()
			if !tc.ClientCAs.AppendCertsFromPEM(pem) {
				return fmt.Errorf("client CA %s holds no PEM certificate", *clientCA)
			}
			tc.ClientAuth = tls.VerifyClientCertIfGiven
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(tc)))
	}
	// The port first: a central that cannot serve creates no database.
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *addr, err)
	}
	defer lis.Close()
	c, err := central.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer c.Close()
	g := central.NewGRPCServer(c, opts...)
	fmt.Fprintf(stdout, "floorops central serving\n  gRPC  %s\n  DB    %s\nCtrl-C stops it.\n", dialable(lis.Addr().String()), *dbPath)
	errc := make(chan error, 1)
	go func() { errc <- g.Serve(lis) }()
	select {
	case <-ctx.Done():
		g.GracefulStop()
		return nil
	case err := <-errc:
		return err
	}
}

// centralATS prints the network's ATS per SKU from central's database.
func centralATS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("central ats", stderr)
	dbPath := fs.String("db", "central.db", "central's SQLite database file")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	c, err := central.OpenExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer c.Close()
	skus, err := c.NetworkAvailability(ctx, fs.Args())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tNETWORK ATS\tBY NODE")
	for _, s := range skus {
		by := ""
		for _, n := range s.GetNodes() {
			by += fmt.Sprintf("%s=%d (v%d) ", n.GetNodeId(), n.GetAvailableToSell(), n.GetVersion())
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", s.GetSku(), s.GetAvailableToSell(), by)
	}
	return tw.Flush()
}

var centralKeysGroup = group{name: "central keys", subs: []subcommand{
	{name: "create", args: "NODE_ID", summary: "make a key a node pushes with (serve --upstream-key); prints it as the last line", define: centralKeysCreate},
}}

func centralKeysCreate(fs *flag.FlagSet) runFunc {
	dbPath := fs.String("db", "central.db", "central's SQLite database file")
	return func(ctx context.Context, stdout, stderr io.Writer) error {
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: floorops central keys create --db FILE NODE_ID", errUsage)
		}
		c, err := central.OpenExisting(ctx, *dbPath)
		if err != nil {
			return err
		}
		defer c.Close()
		key, err := c.CreateKey(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Key for node %s (shown once; central keeps only its hash):\n%s\n", fs.Arg(0), key)
		return nil
	}
}

var syncGroup = group{name: "sync", subs: []subcommand{
	{name: "status", summary: "show how far central is behind: backlog, oldest unacknowledged event, parked events, last error", define: syncStatus},
}}

func cmdSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return syncGroup.run(ctx, args, stdout, stderr)
}

func syncStatus(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	return func(ctx context.Context, stdout, _ io.Writer) error {
		// Read-only: status never migrates or writes, and refuses a file
		// that is not a node's database.
		db, err := store.OpenReadOnly(ctx, *dbPath)
		if err != nil {
			return err
		}
		defer db.Close()
		now := time.Now()
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		parked := 0
		for _, sink := range []string{upstream.Sink, upstream.NATSSinkName} {
			st, err := upstream.ReadStatus(ctx, db, sink)
			if err != nil {
				return err
			}
			if sink != upstream.Sink && !st.Configured {
				continue
			}
			fmt.Fprintf(tw, "sink\t%s\n", sink)
			if !st.Configured {
				fmt.Fprintln(tw, "  upstream\tnot pushed yet (serve --upstream-addr)")
			}
			fmt.Fprintf(tw, "  last seq\t%d\n", st.LastSeq)
			fmt.Fprintf(tw, "  acked seq\t%d\n", st.AckedSeq)
			fmt.Fprintf(tw, "  backlog\t%d events\n", st.Backlog)
			fmt.Fprintf(tw, "  lag\t%s (oldest unacknowledged event)\n", st.Lag(now).Round(time.Millisecond))
			if !st.AckedAt.IsZero() {
				fmt.Fprintf(tw, "  last ack\t%s\n", store.FormatTime(st.AckedAt))
			}
			if st.LastError != "" {
				fmt.Fprintf(tw, "  last error\t%s (%s)\n", st.LastError, store.FormatTime(st.ErrorAt))
			}
			fmt.Fprintf(tw, "  parked\t%d\n", len(st.Parked))
			for _, p := range st.Parked {
				fmt.Fprintf(tw, "    seq %d\t%s: %s (parked %s)\n", p.Seq, p.Kind, p.Reason, store.FormatTime(p.ParkedAt))
			}
			parked += len(st.Parked)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if parked > 0 {
			return errors.New("events are parked: a receiver rejected them (see above)")
		}
		return nil
	}
}
