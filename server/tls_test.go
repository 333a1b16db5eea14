package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
)

// issue signs a certificate for cn with parent (self-signed when parent is nil).
func issue(t *testing.T, cn string, ca bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: ca, BasicConstraintsValid: true,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, _ := x509.MarshalECPrivateKey(key)
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

func TestTLSAndClientCertificates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca, caKey, caPEM, _ := issue(t, "floorops test CA", true, nil, nil)
	_, _, srvPEM, srvKey := issue(t, "node", false, nil, nil) // self-signed node certificate
	_, _, cliPEM, cliKey := issue(t, "erp", false, ca, caKey)

	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, server.Config{
		DBPath: filepath.Join(dir, "node.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
		TLSCert: write("srv.pem", srvPEM), TLSKey: write("srv.key", srvKey), ClientCA: write("ca.pem", caPEM),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.SeedDemo(ctx, srv); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { cancel(); <-done })

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(srvPEM)
	cliCert, err := tls.X509KeyPair(cliPEM, cliKey)
	if err != nil {
		t.Fatal(err)
	}
	dial := func(withCert bool) inventoryv1.InventoryServiceClient {
		cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		if withCert {
			cfg.Certificates = []tls.Certificate{cliCert}
		}
		conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return inventoryv1.NewInventoryServiceClient(conn)
	}
	ats := &inventoryv1.GetAvailableToSellRequest{Skus: []string{"SKU-0001"}}
	if _, err := dial(true).GetAvailableToSell(ctx, ats); err != nil {
		t.Fatalf("mTLS integration client: %v", err)
	}
	_, err = dial(true).MoveStock(ctx, &inventoryv1.MoveStockRequest{RequestId: "x"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = dial(false).GetAvailableToSell(ctx, ats)
	wantCode(t, err, codes.Unauthenticated)

	// The HTTPS face: the gateway dials the node's TLS gRPC port.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Post("https://"+srv.HTTPAddr()+"/v1/auth/login", "application/json",
		strings.NewReader(`{"badge":"B-LEAD","pin":"1234","device_id":"tls-hh"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"token"`) {
		t.Fatalf("HTTPS login = %d %s", resp.StatusCode, body)
	}
}
