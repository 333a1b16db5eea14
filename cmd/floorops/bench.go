package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	returnsv1 "github.com/floorops/floorops/proto/floorops/returns/v1"
	"github.com/floorops/floorops/server"

	_ "modernc.org/sqlite"
)

// benchConfig is what `floorops bench` plays.
type benchConfig struct {
	addr      string
	handhelds int
	duration  time.Duration
	think     time.Duration
	pin       string
	lead      string // badge for leads' RPCs (stock adjustments)
	admin     string // badge for master data the setup makes (the pick items)
	associate string // badge for the floor's scans and reads
	baseline  bool
	out       io.Writer // progress lines (skipped RPCs)
	run       string    // names the run in request ids; a fresh one when empty
}

// benchOp is one kind of handheld call in the mix.
type benchOp struct {
	name   string // the RPC, as the table prints it
	weight int    // calls of it in every round of the mix
	call   func(ctx context.Context, h *handheld, seq int) error
}

// handheld is one simulated scanner: its own request ids, its own stock.
type handheld struct {
	id    int
	run   string // this bench run, so request ids never repeat across runs
	inv   inventoryv1.InventoryServiceClient
	lead  context.Context // signed in as the lead
	assoc context.Context // signed in as the associate
	stock benchStock
	rc    receivingv1.ReceivingServiceClient
	// receipt is the handheld's open receipt at a dock against its own
	// purchase order, 0 when the node does not receive.
	receipt int64
	recv    benchStock // what it receives: an item of the stock, scanned by GTIN
	pa      putawayv1.PutawayServiceClient
	// task is the handheld's putaway task of stock found in staging, put
	// away one unit a confirm at to; 0 when the node does not put away.
	task int64
	to   string
	pk   pickingv1.PickingServiceClient
	// pickList and pickLine are the handheld's started pick list of its
	// own order, picked one unit a confirm from pickAt; 0 when the node
	// does not pick.
	pickList, pickLine int64
	pickAt, pickSKU    string
	cc                 cyclecountv1.CycleCountServiceClient
	// countAt and countSKU are the handheld's own storage location and the
	// item of its own it holds benchCounted of, nothing else touching
	// either; empty when the node does not count.
	countAt, countSKU string
	counts            benchQueue // counts started, waiting to be submitted
	ret               returnsv1.ReturnsServiceClient
	// rma and retSKU are the handheld's own RMA and the item of its own
	// it authorizes; empty when the node does not take returns.
	rma, retSKU      string
	toGrade, toPlace benchQueue // units received, not graded; graded, not dispositioned

	adjMu           sync.Mutex // guards adjSeq, adjLast and to: a retry storm plays copies of a call at once
	adjSeq, adjLast int        // the last adjustment's seq and delta (0 before the first)
}

// adjustDelta is the stock adjustment of call seq: down first, then back up,
// alternating, so the balance stays within what it held; copies of one
// call (a retry) get the same delta.
func (h *handheld) adjustDelta(seq int) int64 {
	h.adjMu.Lock()
	defer h.adjMu.Unlock()
	if h.adjLast == 0 || seq != h.adjSeq {
		h.adjSeq = seq
		if h.adjLast == -1 {
			h.adjLast = 1
		} else {
			h.adjLast = -1
		}
	}
	return int64(h.adjLast)
}

// benchQueue is a handheld's ids waiting for the next step of a flow (a
// count started, waiting to be submitted; a unit received, waiting to be
// graded). Every copy of one call (a retry) puts or takes the same id
// once: the seqs remember the last call that did.
type benchQueue struct {
	ids             []int64
	putSeq, takeSeq int // 1 + the seq of the last call that put / took
	taken           int64
}

// put adds the id call seq made, once however many copies of it run.
func (h *handheld) put(q *benchQueue, seq int, id int64) {
	h.adjMu.Lock()
	defer h.adjMu.Unlock()
	if q.putSeq != seq+1 {
		q.putSeq = seq + 1
		q.ids = append(q.ids, id)
	}
}

// take is the oldest id waiting, taken once by call seq (its copies get
// the same), 0 when none waits.
func (h *handheld) take(q *benchQueue, seq int) int64 {
	h.adjMu.Lock()
	defer h.adjMu.Unlock()
	if q.takeSeq != seq+1 {
		q.takeSeq = seq + 1
		q.taken = 0
		if len(q.ids) > 0 {
			q.taken, q.ids = q.ids[0], q.ids[1:]
		}
	}
	return q.taken
}

// benchCounted is how many units of its own item each handheld's count
// location holds, and so what every count of it finds.
const benchCounted = 10

// benchReturned is how many units each handheld's RMA authorizes: far
// more than a run receives.
const benchReturned = 100_000

// benchStaged is how many units each handheld's putaway task holds: far
// more than a run confirms.
const benchStaged = 5000

// benchPicked is how many units each handheld's order asks for, of an item
// of its own: far more than a run picks.
const benchPicked = 1_000_000

// benchStock is a place holding an untracked item the handheld may count
// down by one and back up, so its adjustments never go negative or past
// the location's capacity.
type benchStock struct{ location, sku, gtin string }

func (h *handheld) requestID(seq int) string { return fmt.Sprintf("bench-%s-%d-%d", h.run, h.id, seq) }

// benchMix is the floor's mix, one round of it per handheld at a time. An
// RPC the node does not serve (Unimplemented) is dropped from the mix with
// a line saying so.
var benchMix = []benchOp{
	{"AdjustStock", 2, func(ctx context.Context, h *handheld, seq int) error {
		delta := h.adjustDelta(seq)
		_, err := h.inv.AdjustStock(h.lead, &inventoryv1.AdjustStockRequest{
			RequestId: h.requestID(seq), LocationCode: h.stock.location, Sku: h.stock.sku,
			Delta: delta, Reason: "bench", Status: inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE,
		})
		return err
	}},
	{"ResolveScan", 1, func(ctx context.Context, h *handheld, seq int) error {
		_, err := h.inv.ResolveScan(h.assoc, &inventoryv1.ResolveScanRequest{Raw: h.stock.gtin})
		return err
	}},
	{"ReceiveScan", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.receipt == 0 {
			return status.Error(codes.Unimplemented, "no receipt open")
		}
		_, err := h.rc.ReceiveScan(h.assoc, &receivingv1.ReceiveScanRequest{
			RequestId: h.requestID(seq), ReceiptId: h.receipt, RawScan: h.recv.gtin, Quantity: 1,
		})
		return err
	}},
	{"ConfirmPutaway", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.task == 0 {
			return status.Error(codes.Unimplemented, "no putaway task")
		}
		_, err := h.pa.ConfirmPutaway(h.assoc, &putawayv1.ConfirmPutawayRequest{
			RequestId: h.requestID(seq), TaskId: h.task, LocationScan: h.directedTo(), Quantity: 1,
		})
		if status.Code(err) == codes.FailedPrecondition {
			// The directed location filled up: ask again, as an
			// associate at a full shelf does, and put it there.
			if err = h.direct(); err == nil {
				_, err = h.pa.ConfirmPutaway(h.assoc, &putawayv1.ConfirmPutawayRequest{
					RequestId: h.requestID(seq) + "-again", TaskId: h.task, LocationScan: h.directedTo(), Quantity: 1,
				})
			}
		}
		return err
	}},
	{"ConfirmPick", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.pickList == 0 {
			return status.Error(codes.Unimplemented, "no pick list")
		}
		_, err := h.pk.ConfirmPick(h.assoc, &pickingv1.ConfirmPickRequest{
			RequestId: h.requestID(seq), PickListId: h.pickList, LineId: h.pickLine,
			LocationScan: h.pickAt, ItemScan: h.pickSKU, Quantity: 1,
		})
		return err
	}},
	// A blind count of the handheld's own location: start it, then submit
	// what is there (the associate sees no expected quantity; the
	// handheld knows what it put there). A handheld whose first call is
	// the submit starts its count in that call.
	{"StartCount", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.countAt == "" {
			return status.Error(codes.Unimplemented, "no count location")
		}
		id, err := h.startCount(h.requestID(seq))
		if err == nil {
			h.put(&h.counts, seq, id)
		}
		return err
	}},
	{"SubmitCount", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.countAt == "" {
			return status.Error(codes.Unimplemented, "no count location")
		}
		id := h.take(&h.counts, seq)
		if id == 0 {
			var err error
			if id, err = h.startCount(h.requestID(seq) + "-start"); err != nil {
				return err
			}
		}
		r, err := h.cc.SubmitCount(h.assoc, &cyclecountv1.SubmitCountRequest{RequestId: h.requestID(seq), CountId: id,
			Lines: []*cyclecountv1.CountedLine{{ItemScan: h.countSKU, Quantity: benchCounted}}})
		if err == nil && r.GetOutcome() != cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED {
			err = fmt.Errorf("count %d of %s: outcome %s, want posted", id, h.countAt, r.GetOutcome())
		}
		return err
	}},
	// A return at the returns station: receive a unit of the handheld's
	// own RMA, grade it, disposition it as suggested. Each step takes the
	// oldest unit the step before left; a handheld whose first call is a
	// later step makes its unit in that call.
	{"ReceiveReturn", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.rma == "" {
			return status.Error(codes.Unimplemented, "no RMA")
		}
		id, err := h.receiveReturn(h.requestID(seq))
		if err == nil {
			h.put(&h.toGrade, seq, id)
		}
		return err
	}},
	{"GradeUnit", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.rma == "" {
			return status.Error(codes.Unimplemented, "no RMA")
		}
		id := h.take(&h.toGrade, seq)
		if id == 0 {
			var err error
			if id, err = h.receiveReturn(h.requestID(seq) + "-receive"); err != nil {
				return err
			}
		}
		err := h.grade(h.requestID(seq), id)
		if err == nil {
			h.put(&h.toPlace, seq, id)
		}
		return err
	}},
	{"Disposition", 1, func(ctx context.Context, h *handheld, seq int) error {
		if h.rma == "" {
			return status.Error(codes.Unimplemented, "no RMA")
		}
		id := h.take(&h.toPlace, seq)
		if id == 0 {
			var err error
			if id, err = h.receiveReturn(h.requestID(seq) + "-receive"); err != nil {
				return err
			}
			if err = h.grade(h.requestID(seq)+"-grade", id); err != nil {
				return err
			}
		}
		_, err := h.ret.Disposition(h.assoc, &returnsv1.DispositionRequest{RequestId: h.requestID(seq), UnitId: id})
		return err
	}},
	{"GetBalances", 1, func(ctx context.Context, h *handheld, seq int) error {
		_, err := h.inv.GetBalances(h.assoc, &inventoryv1.GetBalancesRequest{LocationCode: h.stock.location})
		return err
	}},
}

// benchResult is one run's figures.
type benchResult struct {
	Handhelds       int                `json:"handhelds"`
	DurationSeconds float64            `json:"duration_seconds"`
	Ops             int64              `json:"ops"`
	OpsPerSec       float64            `json:"ops_per_sec"`
	P50ms           float64            `json:"p50_ms"`
	P95ms           float64            `json:"p95_ms"`
	P99ms           float64            `json:"p99_ms"`
	Maxms           float64            `json:"max_ms"`
	Errors          int64              `json:"errors"`
	PerRPC          map[string]rpcStat `json:"per_rpc"`
	Skipped         []string           `json:"skipped,omitempty"`
	BaselineSQLite  float64            `json:"baseline_sqlite_ops_per_sec,omitempty"`
	BaselineGRPC    float64            `json:"baseline_grpc_ops_per_sec,omitempty"`
	// ErrorSamples are the first few errors, to say what went wrong.
	ErrorSamples []string `json:"error_samples,omitempty"`
}

type rpcStat struct {
	Ops       int64   `json:"ops"`
	OpsPerSec float64 `json:"ops_per_sec"`
	P50ms     float64 `json:"p50_ms"`
	P95ms     float64 `json:"p95_ms"`
	P99ms     float64 `json:"p99_ms"`
	Maxms     float64 `json:"max_ms"`
	Errors    int64   `json:"errors"`
}

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	cfg := benchConfig{out: stdout}
	fs.StringVar(&cfg.addr, "addr", env("BENCH_ADDR", "127.0.0.1:7070"), "gRPC `address` of the node to play against (env FLOOROPS_BENCH_ADDR)")
	fs.IntVar(&cfg.handhelds, "handhelds", 50, "concurrent handhelds")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to play")
	fs.DurationVar(&cfg.think, "think", 0, "each handheld's pause between calls (an associate walking)")
	fs.StringVar(&cfg.lead, "lead-badge", "B-LEAD", "badge the handhelds sign in with for leads' calls")
	fs.StringVar(&cfg.admin, "admin-badge", "B-ADMIN", "badge the setup signs in with to make the handhelds' pick items")
	fs.StringVar(&cfg.associate, "badge", "B-ASSOC", "badge the handhelds sign in with for scans and reads")
	fs.StringVar(&cfg.pin, "pin", server.DemoPIN, "the badges' PIN (the demo PIN by default)")
	fs.BoolVar(&cfg.baseline, "baseline", false, "measure this machine's bare limits in the same run: a bare SQLite group-commit loop and a bare gRPC echo")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: bench: unexpected arguments %q", errUsage, fs.Args())
	}
	if cfg.handhelds < 1 || cfg.duration <= 0 || cfg.think < 0 {
		return fmt.Errorf("%w: bench: --handhelds must be at least 1, --duration positive, --think not negative", errUsage)
	}
	if *asJSON {
		cfg.out = stderr
	}
	tuneGC() // the bench shares the node's cores: its collector takes from the node
	res, err := runBench(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	printBench(stdout, res)
	return nil
}

func printBench(w io.Writer, r benchResult) {
	fmt.Fprintf(w, "%d handhelds, %.1fs\n\n", r.Handhelds, r.DurationSeconds)
	fmt.Fprintf(w, "%-14s %9s %10s %8s %8s %8s %8s %7s\n", "rpc", "ops", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors")
	names := make([]string, 0, len(r.PerRPC))
	for n := range r.PerRPC {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := r.PerRPC[n]
		fmt.Fprintf(w, "%-14s %9d %10.0f %8.2f %8.2f %8.2f %8.2f %7d\n", n, s.Ops, s.OpsPerSec, s.P50ms, s.P95ms, s.P99ms, s.Maxms, s.Errors)
	}
	fmt.Fprintf(w, "%-14s %9d %10.0f %8.2f %8.2f %8.2f %8.2f %7d\n", "all", r.Ops, r.OpsPerSec, r.P50ms, r.P95ms, r.P99ms, r.Maxms, r.Errors)
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(w, "error: %s\n", s)
	}
	if r.BaselineSQLite > 0 || r.BaselineGRPC > 0 {
		fmt.Fprintf(w, "\nbare limits, same run:\n  SQLite group commit (same row writes per scan, same pragmas)  %10.0f scans/s\n  gRPC echo (health check, no interceptors)                      %10.0f calls/s\n",
			r.BaselineSQLite, r.BaselineGRPC)
	}
}

// runBench signs in, sets up each handheld's stock, plays the mix for the
// duration and, with baseline, measures the bare limits after it.
func runBench(ctx context.Context, cfg benchConfig) (benchResult, error) {
	hs, closeConns, err := benchHandhelds(ctx, cfg)
	if err != nil {
		return benchResult{}, err
	}
	defer closeConns()
	res := playMix(ctx, cfg, hs, benchMix)
	if cfg.baseline {
		if res.BaselineSQLite, err = baselineSQLite(ctx, cfg); err != nil {
			return res, err
		}
		if res.BaselineGRPC, err = baselineGRPC(ctx, cfg); err != nil {
			return res, err
		}
	}
	return res, nil
}

// benchHandhelds dials the node, signs in and hands each handheld its
// stock; closeConns hangs up.
func benchHandhelds(ctx context.Context, cfg benchConfig) (hs []*handheld, closeConns func(), err error) {
	if cfg.out == nil {
		cfg.out = io.Discard
	}
	conns := make([]*grpc.ClientConn, (cfg.handhelds+49)/50) // a few HTTP/2 connections, as a floor's access points
	hangUp := func() {
		for _, cc := range conns {
			if cc != nil {
				cc.Close()
			}
		}
	}
	defer func() {
		if err != nil {
			hangUp() // not closeConns: an error return sets it to nil
		}
	}()
	for i := range conns {
		cc, err := grpc.NewClient(cfg.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, nil, fmt.Errorf("bench: dial %s: %w", cfg.addr, err)
		}
		conns[i] = cc
	}
	login := func(badge string) (context.Context, error) {
		r, err := authv1.NewAuthServiceClient(conns[0]).Login(ctx, &authv1.LoginRequest{Badge: badge, Pin: cfg.pin, DeviceId: "bench"})
		if err != nil {
			return nil, fmt.Errorf("bench: sign in as %s at %s: %w", badge, cfg.addr, err)
		}
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+r.GetToken()), nil
	}
	lead, err := login(cfg.lead)
	if err != nil {
		return nil, nil, err
	}
	assoc, err := login(cfg.associate)
	if err != nil {
		return nil, nil, err
	}
	stock, err := benchStockOf(assoc, inventoryv1.NewInventoryServiceClient(conns[0]))
	if err != nil {
		return nil, nil, err
	}
	run := cfg.run
	if run == "" {
		run = fmt.Sprintf("%x", time.Now().UnixNano())
	}
	hs = make([]*handheld, cfg.handhelds)
	for i := range hs {
		cc := conns[i%len(conns)]
		hs[i] = &handheld{id: i, run: run, inv: inventoryv1.NewInventoryServiceClient(cc), lead: lead, assoc: assoc, stock: stock[i%len(stock)],
			rc: receivingv1.NewReceivingServiceClient(cc), recv: stock[0], pa: putawayv1.NewPutawayServiceClient(cc),
			pk: pickingv1.NewPickingServiceClient(cc), cc: cyclecountv1.NewCycleCountServiceClient(cc), ret: returnsv1.NewReturnsServiceClient(cc)}
	}
	if err := benchReceipts(hs); err != nil {
		return nil, nil, err
	}
	if err := benchPutaways(hs); err != nil {
		return nil, nil, err
	}
	if admin, err := login(cfg.admin); err != nil {
		fmt.Fprintf(cfg.out, "skipping ConfirmPick, the counts and the returns: %v\n", err)
	} else {
		if err := benchPicks(admin, hs); err != nil {
			return nil, nil, err
		}
		if err := benchCounts(admin, hs); err != nil {
			return nil, nil, err
		}
		if err := benchReturns(admin, hs); err != nil {
			return nil, nil, err
		}
	}
	return hs, hangUp, nil
}

// benchReceipts gives each handheld, through the API, a purchase order of
// its own (the lead's, for far more units than a run receives, so no scan
// is an over-receipt) and an open receipt against it at one of the docks
// DOCK-01..DOCK-04. A node without receiving (Unimplemented) leaves the
// receipts at 0 and ReceiveScan is dropped from the mix.
func benchReceipts(hs []*handheld) error {
	for _, h := range hs {
		po := fmt.Sprintf("PO-B%s-%d", h.run, h.id)
		_, err := h.rc.UpsertPurchaseOrder(h.lead, &receivingv1.UpsertPurchaseOrderRequest{
			RequestId: "bench-po-" + po,
			PurchaseOrder: &receivingv1.PurchaseOrder{PoNumber: po, Vendor: "BENCH", ExpectedDate: time.Now().Format(time.DateOnly),
				Lines: []*receivingv1.PurchaseOrderLine{{LineNumber: 1, Sku: h.recv.sku, OrderedQuantity: 10_000_000}}},
		})
		if status.Code(err) == codes.Unimplemented {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bench: purchase order %s: %w", po, err)
		}
		r, err := h.rc.StartReceipt(h.assoc, &receivingv1.StartReceiptRequest{
			RequestId: "bench-receipt-" + po, DockLocationScan: fmt.Sprintf("DOCK-%02d", 1+h.id%4), DocumentScan: po,
		})
		if err != nil {
			return fmt.Errorf("bench: start a receipt of %s: %w", po, err)
		}
		h.receipt = r.GetReceipt().GetReceiptId()
	}
	return nil
}

// benchStockOf finds, through the API, the stock the handhelds play with:
// every place holding an item without lots at least 10 units deep, so two
// handhelds sharing one (at 200 handhelds) never take it below zero.
func benchStockOf(ctx context.Context, inv inventoryv1.InventoryServiceClient) ([]benchStock, error) {
	var out []benchStock
	var token string
	for {
		page, err := inv.ListItems(ctx, &inventoryv1.ListItemsRequest{PageSize: 500, PageToken: token})
		if err != nil {
			return nil, fmt.Errorf("bench: list items: %w", err)
		}
		for _, it := range page.GetItems() {
			if it.GetLotTracked() || it.GetExpiryTracked() || len(it.GetGtins()) == 0 {
				continue
			}
			bal, err := inv.GetBalances(ctx, &inventoryv1.GetBalancesRequest{Sku: it.GetSku()})
			if err != nil {
				return nil, fmt.Errorf("bench: balances of %s: %w", it.GetSku(), err)
			}
			for _, b := range bal.GetBalances() {
				if b.GetQuantity() >= 10 && b.GetLot() == "" && b.GetLpn() == "" && b.GetStatus() == inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE {
					out = append(out, benchStock{location: b.GetLocationCode(), sku: it.GetSku(), gtin: it.GetGtins()[0].GetGtin()})
					break
				}
			}
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(out) == 0 {
		return nil, errors.New("bench: the node holds no stock to play with (run it with --demo, or receive some first)")
	}
	return out, nil
}

// benchPutaways gives each handheld, through the API, a putaway task of
// its own: the lead finds benchStaged units of its stock's item in a
// staging location (STG-01..STG-04) and makes them a task, and the
// handheld asks where they go. A node without putaway (Unimplemented)
// leaves the tasks at 0 and ConfirmPutaway is dropped from the mix.
func benchPutaways(hs []*handheld) error {
	for _, h := range hs {
		stg := fmt.Sprintf("STG-%02d", 1+h.id%4)
		id := fmt.Sprintf("bench-%s-%d-staged", h.run, h.id)
		if _, err := h.inv.AdjustStock(h.lead, &inventoryv1.AdjustStockRequest{RequestId: id, LocationCode: stg, Sku: h.stock.sku,
			Delta: benchStaged, Reason: "bench staging", Status: inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE}); err != nil {
			return fmt.Errorf("bench: stage %s at %s: %w", h.stock.sku, stg, err)
		}
		t, err := h.pa.CreateTask(h.lead, &putawayv1.CreateTaskRequest{RequestId: id + "-task", FromLocationScan: stg, Sku: h.stock.sku,
			Quantity: benchStaged, Reference: "bench", Status: inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE})
		if status.Code(err) == codes.Unimplemented {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bench: putaway task at %s: %w", stg, err)
		}
		h.task = t.GetTask().GetId()
		if err := h.direct(); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

// benchPicks gives each handheld, through the API, a pick list of its
// own: the admin makes an item of the handheld's own (no barcode, so its
// SKU is what the associate keys), the lead finds benchPicked units of it
// in the handheld's bin, the admin releases an order for them (as central
// would) and the lead makes its discrete list, and the handheld starts
// the order's discrete list on a tote of its own. Nothing else in the mix
// touches the item, so no adjustment meets an allocation. A node without
// picking (Unimplemented) leaves the lists at 0 and ConfirmPick is dropped
// from the mix; so does an admin badge that cannot sign in.
func benchPicks(admin context.Context, hs []*handheld) error {
	for _, h := range hs {
		sku := fmt.Sprintf("BP-%s-%d", h.run, h.id)
		id := fmt.Sprintf("bench-%s-%d-pick", h.run, h.id)
		if _, err := h.inv.UpsertItem(admin, &inventoryv1.UpsertItemRequest{RequestId: id + "-item",
			Item: &inventoryv1.Item{Sku: sku, Description: "bench pick item"}}); err != nil {
			return fmt.Errorf("bench: item %s: %w", sku, err)
		}
		if _, err := h.inv.AdjustStock(h.lead, &inventoryv1.AdjustStockRequest{RequestId: id + "-stock", LocationCode: h.stock.location, Sku: sku,
			Delta: benchPicked, Reason: "bench picking", Status: inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE}); err != nil {
			return fmt.Errorf("bench: stock %s at %s: %w", sku, h.stock.location, err)
		}
		order := fmt.Sprintf("SO-B%s-%d", h.run, h.id)
		_, err := h.pk.ReleaseOrders(admin, &pickingv1.ReleaseOrdersRequest{RequestId: id + "-release", Orders: []*pickingv1.ReleaseOrder{{
			OrderId: order, Channel: pickingv1.Channel_CHANNEL_DIRECT, ShipBy: timestamppb.New(time.Now().Add(24 * time.Hour)),
			Lines: []*pickingv1.ReleaseOrderLine{{Sku: sku, Quantity: benchPicked}},
		}}})
		if status.Code(err) == codes.Unimplemented {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bench: release %s: %w", order, err)
		}
		lists, err := h.pk.CreatePickLists(h.lead, &pickingv1.CreatePickListsRequest{RequestId: id + "-list",
			Type: pickingv1.PickListType_PICK_LIST_TYPE_DISCRETE, OrderIds: []string{order}})
		if err != nil {
			return fmt.Errorf("bench: pick list of %s: %w", order, err)
		}
		if len(lists.GetPickLists()) != 1 {
			return fmt.Errorf("bench: %d pick lists for %s, want 1", len(lists.GetPickLists()), order)
		}
		started, err := h.pk.StartPickList(h.assoc, &pickingv1.StartPickListRequest{RequestId: id + "-start",
			PickListId: lists.GetPickLists()[0].GetId(), ToteScans: []string{fmt.Sprintf("LPN-B%sX%d", h.run, h.id)}})
		if err != nil {
			return fmt.Errorf("bench: start the pick list of %s: %w", order, err)
		}
		pl := started.GetPickList()
		if len(pl.GetLines()) != 1 {
			return fmt.Errorf("bench: pick list of %s has %d lines, want 1", order, len(pl.GetLines()))
		}
		h.pickList, h.pickLine, h.pickAt, h.pickSKU = pl.GetId(), pl.GetLines()[0].GetId(), pl.GetLines()[0].GetLocationCode(), sku
	}
	return nil
}

func (h *handheld) startCount(requestID string) (int64, error) {
	r, err := h.cc.StartCount(h.assoc, &cyclecountv1.StartCountRequest{RequestId: requestID, LocationScan: h.countAt})
	return r.GetCount().GetId(), err
}

func (h *handheld) receiveReturn(requestID string) (int64, error) {
	r, err := h.ret.ReceiveReturn(h.assoc, &returnsv1.ReceiveReturnRequest{RequestId: requestID, RmaNumber: h.rma, RawScan: h.retSKU, Quantity: 1})
	return r.GetUnit().GetUnitId(), err
}

func (h *handheld) grade(requestID string, unit int64) error {
	_, err := h.ret.GradeUnit(h.assoc, &returnsv1.GradeUnitRequest{RequestId: requestID, UnitId: unit, Grade: "A"})
	return err
}

// benchCounts gives each handheld, through the API, a storage location
// of its own holding benchCounted units of an item of its own, so its
// counts always post and nothing else in the mix moves stock there (no
// putaway is directed to a location holding another item, nor to one
// being counted). The location's code is made of the run and the
// handheld, so no count left open by an earlier run is in the way. A
// node without counting (Unimplemented) leaves the location empty and the
// counts are dropped from the mix.
func benchCounts(admin context.Context, hs []*handheld) error {
	for _, h := range hs {
		sku := fmt.Sprintf("BC-%s-%d", h.run, h.id)
		id := fmt.Sprintf("bench-%s-%d-count", h.run, h.id)
		sum := fnv.New64a()
		sum.Write([]byte(h.run))
		tag := fmt.Sprintf("%012X", sum.Sum64()&(1<<48-1))
		at := fmt.Sprintf("CB-%d-%s-%s-%s", h.id, tag[:4], tag[4:8], tag[8:])
		if _, err := h.inv.UpsertItem(admin, &inventoryv1.UpsertItemRequest{RequestId: id + "-item",
			Item: &inventoryv1.Item{Sku: sku, Description: "bench count item"}}); err != nil {
			return fmt.Errorf("bench: item %s: %w", sku, err)
		}
		if _, err := h.inv.UpsertLocation(admin, &inventoryv1.UpsertLocationRequest{RequestId: id + "-location",
			Location: &inventoryv1.Location{Code: at, Zone: "CB", Type: inventoryv1.LocationType_LOCATION_TYPE_STORAGE}}); err != nil {
			return fmt.Errorf("bench: location %s: %w", at, err)
		}
		if _, err := h.inv.AdjustStock(h.lead, &inventoryv1.AdjustStockRequest{RequestId: id + "-stock", LocationCode: at, Sku: sku,
			Delta: benchCounted, Reason: "bench counting", Status: inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE}); err != nil {
			return fmt.Errorf("bench: stock %s at %s: %w", sku, at, err)
		}
		if _, err := h.cc.GetPolicy(h.assoc, &cyclecountv1.GetPolicyRequest{}); status.Code(err) == codes.Unimplemented {
			return nil
		}
		h.countAt, h.countSKU = at, sku
	}
	return nil
}

// benchReturns gives each handheld, through the API, an RMA of its own
// for benchReturned units of an item of its own, received at the node's
// returns location. A node without returns (Unimplemented) leaves the RMA
// empty and the returns are dropped from the mix.
func benchReturns(admin context.Context, hs []*handheld) error {
	for _, h := range hs {
		sku := fmt.Sprintf("BR-%s-%d", h.run, h.id)
		id := fmt.Sprintf("bench-%s-%d-return", h.run, h.id)
		if _, err := h.inv.UpsertItem(admin, &inventoryv1.UpsertItemRequest{RequestId: id + "-item",
			Item: &inventoryv1.Item{Sku: sku, Description: "bench return item"}}); err != nil {
			return fmt.Errorf("bench: item %s: %w", sku, err)
		}
		rma := strings.ToUpper(fmt.Sprintf("RMA-B%s-%d", h.run, h.id))
		_, err := h.ret.CreateRma(admin, &returnsv1.CreateRmaRequest{RequestId: id + "-rma", Rma: &returnsv1.Rma{
			RmaNumber: rma, OrderRef: strings.ToUpper(fmt.Sprintf("SO-R%s-%d", h.run, h.id)), Channel: "direct",
			Lines: []*returnsv1.RmaLine{{Sku: sku, Quantity: benchReturned, Reason: "defective"}}}})
		if status.Code(err) == codes.Unimplemented {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bench: RMA %s: %w", rma, err)
		}
		h.rma, h.retSKU = rma, sku
	}
	return nil
}

// direct asks the node where the handheld's putaway task goes.
func (h *handheld) direct() error {
	sg, err := h.pa.SuggestLocation(h.assoc, &putawayv1.SuggestLocationRequest{TaskId: h.task})
	if err != nil {
		return fmt.Errorf("suggest a location for task %d: %w", h.task, err)
	}
	h.adjMu.Lock()
	h.to = sg.GetSuggestion().GetLocationCode()
	h.adjMu.Unlock()
	return nil
}

func (h *handheld) directedTo() string {
	h.adjMu.Lock()
	defer h.adjMu.Unlock()
	return h.to
}

// playMix runs every handheld through the mix until the duration is up.
func playMix(ctx context.Context, cfg benchConfig, hs []*handheld, mix []benchOp) benchResult {
	if cfg.out == nil {
		cfg.out = io.Discard
	}
	var round []int // indexes into mix, weight times each
	for i, op := range mix {
		for range op.weight {
			round = append(round, i)
		}
	}
	skipped := make([]atomic.Bool, len(mix))
	var skipOnce sync.Map
	type sample struct {
		op  int
		lat time.Duration
		err error
	}
	samples := make([][]sample, len(hs))
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				op := round[(seq+h.id)%len(round)]
				if ctx.Err() != nil {
					return
				}
				if skipped[op].Load() {
					if seq >= len(round) && allSkipped(skipped) {
						return
					}
					continue
				}
				t0 := time.Now()
				err := mix[op].call(ctx, h, seq)
				lat := time.Since(t0)
				if ctx.Err() != nil && err != nil {
					return // the run ended under this call
				}
				if status.Code(err) == codes.Unimplemented {
					skipped[op].Store(true)
					if _, dup := skipOnce.LoadOrStore(op, true); !dup {
						fmt.Fprintf(cfg.out, "skipping %s: the node does not serve it\n", mix[op].name)
					}
					continue
				}
				samples[i] = append(samples[i], sample{op, lat, err})
				if cfg.think > 0 {
					select {
					case <-time.After(cfg.think):
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	res := benchResult{Handhelds: len(hs), DurationSeconds: took.Seconds(), PerRPC: map[string]rpcStat{}}
	var all []time.Duration
	per := make([][]time.Duration, len(mix))
	perErr := make([]int64, len(mix))
	for _, hsamples := range samples {
		for _, s := range hsamples {
			if s.err != nil {
				res.Errors++
				perErr[s.op]++
				if len(res.ErrorSamples) < 5 {
					res.ErrorSamples = append(res.ErrorSamples, mix[s.op].name+": "+s.err.Error())
				}
				continue
			}
			all = append(all, s.lat)
			per[s.op] = append(per[s.op], s.lat)
		}
	}
	res.Ops = int64(len(all))
	res.OpsPerSec = float64(res.Ops) / took.Seconds()
	res.P50ms, res.P95ms, res.P99ms, res.Maxms = quantiles(all)
	for i, op := range mix {
		if skipped[i].Load() {
			res.Skipped = append(res.Skipped, op.name)
			continue
		}
		st := rpcStat{Ops: int64(len(per[i])), OpsPerSec: float64(len(per[i])) / took.Seconds(), Errors: perErr[i]}
		st.P50ms, st.P95ms, st.P99ms, st.Maxms = quantiles(per[i])
		res.PerRPC[op.name] = st
	}
	return res
}

func allSkipped(s []atomic.Bool) bool {
	for i := range s {
		if !s[i].Load() {
			return false
		}
	}
	return true
}

func quantiles(d []time.Duration) (p50, p95, p99, max float64) {
	if len(d) == 0 {
		return 0, 0, 0, 0
	}
	slices.Sort(d)
	ms := func(q float64) float64 {
		return float64(d[min(len(d)-1, int(q*float64(len(d))))]) / float64(time.Millisecond)
	}
	return ms(0.50), ms(0.95), ms(0.99), float64(d[len(d)-1]) / float64(time.Millisecond)
}

// baselineSQLite is the bare SQLite limit of this machine: a loop with the
// node's pragmas (WAL, synchronous FULL) writing the four rows a stock
// adjustment writes (its balance, its movement, its outbox event, its
// stored answer), group-committed as the node's writer does (one batch of
// every handheld at a time, at most the node's 256), for a fifth of the
// duration (at least a second), in a scratch file in the temp dir.
func baselineSQLite(ctx context.Context, cfg benchConfig) (float64, error) {
	dir, err := os.MkdirTemp("", "floorops-bench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bare.db")+"?_pragma=journal_mode(wal)&_pragma=synchronous(full)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE balances (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL);
		CREATE TABLE movements (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, qty INTEGER NOT NULL, at TEXT NOT NULL);
		CREATE TABLE outbox (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL);
		CREATE TABLE requests (id TEXT PRIMARY KEY, response BLOB NOT NULL);
		INSERT INTO balances (id, qty) SELECT value, 100 FROM generate_series(1, 100)`); err != nil {
		// generate_series may be missing; fill the balances by hand
		if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS balances (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL);
			CREATE TABLE IF NOT EXISTS movements (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, qty INTEGER NOT NULL, at TEXT NOT NULL);
			CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL);
			CREATE TABLE IF NOT EXISTS requests (id TEXT PRIMARY KEY, response BLOB NOT NULL);
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 100) INSERT OR IGNORE INTO balances SELECT i, 100 FROM n`); err != nil {
			return 0, fmt.Errorf("bench: baseline schema: %w", err)
		}
	}
	batch := min(cfg.handhelds, 256)
	length := max(cfg.duration/5, time.Second)
	start := time.Now()
	scans := 0
	for time.Since(start) < length {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		for range batch {
			b := scans%100 + 1
			at := time.Now().UTC().Format(time.RFC3339Nano)
			for _, st := range []struct {
				q    string
				args []any
			}{
				{`UPDATE balances SET qty = qty + 1 WHERE id = ?`, []any{b}},
				{`INSERT INTO movements (balance, qty, at) VALUES (?, 1, ?)`, []any{b, at}},
				{`INSERT INTO outbox (payload) VALUES (?)`, []any{[]byte(`{"kind":"stock_adjusted","qty":1}`)}},
				{`INSERT INTO requests (id, response) VALUES (?, ?)`, []any{fmt.Sprint("r", scans), []byte(`{"movement":{"id":1}}`)}},
			} {
				if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
					tx.Rollback()
					return 0, fmt.Errorf("bench: baseline: %w", err)
				}
			}
			scans++
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(scans) / time.Since(start).Seconds(), nil
}

// baselineGRPC is the bare gRPC limit: the handhelds calling a health
// check on a server in this process over loopback, with no interceptors,
// for a fifth of the duration (at least a second).
func baselineGRPC(ctx context.Context, cfg benchConfig) (float64, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, health.NewServer())
	go gs.Serve(lis)
	defer gs.Stop()
	conns := make([]*grpc.ClientConn, (cfg.handhelds+49)/50)
	for i := range conns {
		cc, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return 0, err
		}
		defer cc.Close()
		conns[i] = cc
	}
	ctx, cancel := context.WithTimeout(ctx, max(cfg.duration/5, time.Second))
	defer cancel()
	var calls atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for i := range cfg.handhelds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := healthpb.NewHealthClient(conns[i%len(conns)])
			for ctx.Err() == nil {
				if _, err := c.Check(ctx, &healthpb.HealthCheckRequest{}); err == nil {
					calls.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(calls.Load()) / time.Since(start).Seconds(), nil
}
