package upstream_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorops/floorops/central"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// issueCert signs a certificate for cn with parent (self-signed when
// parent is nil) and writes it and its key as PEM files in dir.
func issueCert(t *testing.T, dir, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, string, string) {
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
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: parent == nil, BasicConstraintsValid: true,
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
	certFile, keyFile := filepath.Join(dir, cn+".pem"), filepath.Join(dir, cn+"-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key, certFile, keyFile
}

// A node with a client certificate pushes over mTLS without a key; central
// knows it by the certificate's common name.
func TestPushOverMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey, caFile, _ := issueCert(t, dir, "test-ca", nil, nil)
	_, _, centralCert, centralKey := issueCert(t, dir, "central", ca, caKey)
	_, _, nodeCert, nodeKey := issueCert(t, dir, "n1", ca, caKey)

	c, err := central.Open(context.Background(), filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kp, err := tls.LoadX509KeyPair(centralCert, centralKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	commits := make(chan int64, 100)
	c.AfterCommit = func(_ string, through int64) { commits <- through }
	g := central.NewGRPCServer(c, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{kp},
		ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12})))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go g.Serve(lis)
	defer g.Stop()

	srv, err := server.New(context.Background(), server.Config{
		DBPath: filepath.Join(dir, "node.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", NodeID: "n1", Logger: discard(),
		Upstream: &server.UpstreamConfig{Addr: lis.Addr().String(), CA: caFile, Cert: nodeCert, CertKey: nodeKey, MaxBackoff: 100 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	<-srv.Ready()
	f := newFloor(t, srv.DB)
	f.traffic(t, 5)
	last := lastSeq(t, srv.DB)
	timeout := time.After(60 * time.Second)
	for acked := int64(0); acked < last; {
		select {
		case acked = <-commits:
		case <-timeout:
			t.Fatalf("central acknowledged %d of %d over mTLS", acked, last)
		}
	}
	assertInStep(t, srv.DB, c)
}
