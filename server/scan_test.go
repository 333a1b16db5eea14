package server_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/server"
	"google.golang.org/grpc/codes"
)

func TestResolveScan(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	ctx := n.login(t, "B-ASSOC")

	// The demo's case GTIN-14 of SKU-0004 (pack of 12), as GS1-128 with lot, expiry
	// and a count (AI 30: AI 37 counts the content of a logistic unit, never with AI 01).
	caseBody := "1061414100004"
	d, _ := scan.GS1CheckDigit(caseBody)
	caseGTIN := caseBody + string(d)
	r, err := inv.ResolveScan(ctx, &inventoryv1.ResolveScanRequest{Raw: "]C101" + caseGTIN + "17271231" + "10LOT-9\x1d" + "3012\r\n"})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetKind() != "gs1" || !r.GetFound() || r.GetItem().GetSku() != "SKU-0004" || r.GetPackQuantity() != 12 ||
		r.GetLot() != "LOT-9" || r.GetExpiry() != "2027-12-31" || r.GetCount() != 12 || r.GetAis()["10"] != "LOT-9" {
		t.Fatalf("GS1 case scan resolved to %v", r)
	}

	loc, err := inv.GetLocation(ctx, &inventoryv1.GetLocationRequest{Code: "B-02-03-A"})
	if err != nil {
		t.Fatal(err)
	}
	cc := loc.GetLocation().GetCheckCode()
	r, err = inv.ResolveScan(ctx, &inventoryv1.ResolveScanRequest{Raw: cc, ExpectedLocationCode: "B-02-03-A"})
	if err != nil || !r.GetFound() || r.GetLocation().GetCode() != "B-02-03-A" || r.GetKind() != "check_code" {
		t.Fatalf("check code %s at B-02-03-A: %v %v", cc, r, err)
	}
	wrong := "02"
	if cc == wrong {
		wrong = "03"
	}
	r, err = inv.ResolveScan(ctx, &inventoryv1.ResolveScanRequest{Raw: wrong, ExpectedLocationCode: "B-02-03-A"})
	if err != nil || r.GetFound() || r.GetNote() == "" {
		t.Fatalf("wrong check code: %v %v", r, err)
	}
	r, err = inv.ResolveScan(ctx, &inventoryv1.ResolveScanRequest{Raw: "z-09-09-z"})
	if err != nil || r.GetKind() != "location" || r.GetFound() {
		t.Fatalf("unknown location: %v %v", r, err)
	}
	_, err = inv.ResolveScan(ctx, &inventoryv1.ResolveScanRequest{Raw: "4006381333932"}) // bad check digit
	wantCode(t, err, codes.InvalidArgument)
	if v := violations(err); len(v) != 1 || v[0] != "raw" {
		t.Fatalf("violations = %v, want [raw]", v)
	}
}

// TestScannerConfiguration starts a node whose scanners send '~' for the
// GS1 separator. The node's parser is its own: other nodes in the same
// process (the other tests, in parallel) keep theirs.
func TestScannerConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := scan.DefaultConfig()
	cfg.FNC1Standin = '~'
	srv, err := server.New(ctx, server.Config{DBPath: filepath.Join(t.TempDir(), "n.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Scan: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopped, cancel := context.WithCancel(ctx)
		cancel()
		srv.Run(stopped) // closes the listeners and the database
	})
	const raw = "0109501101530003" + "10AB1~" + "21SER9"
	r, err := srv.Inventory.ResolveScan(ctx, raw, "")
	if err != nil || r.Scan.Lot != "AB1" || r.Scan.Serial != "SER9" {
		t.Fatalf("with a ~ stand-in: %+v, %v", r.Scan, err)
	}
	// A node of the defaults, running beside it, reads '~' as no separator.
	if r, err := startNode(t).srv.Inventory.ResolveScan(ctx, raw, ""); err == nil && r.Scan.Lot == "AB1" {
		t.Fatalf("a node without the stand-in read it as one: %+v", r.Scan)
	}
	cfg.FNC1Standin = 'A'
	if _, err := server.New(ctx, server.Config{DBPath: filepath.Join(t.TempDir(), "m.db"), GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Scan: &cfg}); err == nil {
		t.Fatal("a letter as FNC1 stand-in was accepted")
	}
}

// TestResolveReceivedPallet: a pallet received by its SSCC resolves to the
// license plate and the dock it sits at, by its barcode as scanned.
func TestResolveReceivedPallet(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	assoc := n.login(t, "B-ASSOC")
	inv := inventoryv1.NewInventoryServiceClient(n.conn)
	sscc := server.DemoPalletSSCCs[1]
	r, err := inv.ResolveScan(assoc, &inventoryv1.ResolveScanRequest{Raw: "]C100" + sscc})
	if err != nil || r.GetKind() != "sscc" || r.GetFound() {
		t.Fatalf("before receiving: %v, %v; want an SSCC not found", r, err)
	}
	rcv := receivingv1.NewReceivingServiceClient(n.conn)
	started, err := rcv.StartReceipt(assoc, &receivingv1.StartReceiptRequest{RequestId: "rp-start", DockLocationScan: "DOCK-03", DocumentScan: server.DemoPONumber})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rcv.ReceiveScan(assoc, &receivingv1.ReceiveScanRequest{RequestId: "rp-pallet", ReceiptId: started.GetReceipt().GetReceiptId(),
		RawScan: sscc, Quantity: 1, ConfirmPallet: true}); err != nil {
		t.Fatal(err)
	}
	r, err = inv.ResolveScan(assoc, &inventoryv1.ResolveScanRequest{Raw: "]C100" + sscc + "\r\n"})
	if err != nil || !r.GetFound() || r.GetLpn() != sscc || r.GetLocation().GetCode() != "DOCK-03" {
		t.Fatalf("after receiving at DOCK-03: %v, %v", r, err)
	}
}

// TestNodeParserIsPassed: a service reads scans with the parser of the node
// it was built for, never with a process-wide one, so two nodes (or two
// tests) in one process each read scans their own way. Only the scan and
// label packages, for callers with no node behind them, and tests use
// scan.Parse and its defaults.
func TestNodeParserIsPassed(t *testing.T) {
	t.Parallel()
	global := regexp.MustCompile(`(^|[^.\w])scan\.Parse\(`)
	for _, pkg := range []string{"auth", "inventory", "receiving", "putaway", "picking", "server", "cmd/floorops"} {
		files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(src), "\n") {
				if code, _, _ := strings.Cut(line, "//"); global.MatchString(code) {
					t.Errorf("%s:%d reads a scan without the node's parser: %s", file, i+1, strings.TrimSpace(code))
				}
			}
		}
	}
}
