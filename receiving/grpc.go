package receiving

import (
	"context"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Handler serves ReceivingService over gRPC: proto in, domain call, proto
// out. Who may do and see what (overrides, closing a PO, what a blind
// receipt hides) the service decides from the caller's actor.
type Handler struct {
	receivingv1.UnimplementedReceivingServiceServer
	svc *Service
}

// NewHandler returns the gRPC face of s.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// UpsertPurchaseOrder creates a PO or updates the fields its mask names
// (or, without a mask, the fields set: Google's AIP-134 rule, so that a
// field left out never clears what is stored).
func (h *Handler) UpsertPurchaseOrder(ctx context.Context, req *receivingv1.UpsertPurchaseOrderRequest) (*receivingv1.UpsertPurchaseOrderResponse, error) {
	po, err := h.svc.UpsertPurchaseOrder(ctx, req.GetRequestId(), poFromProto(req.GetPurchaseOrder()), poMask(req)...)
	if err != nil {
		return nil, floorops.WithFieldPrefix(err, "purchase_order", "update_mask")
	}
	return &receivingv1.UpsertPurchaseOrderResponse{PurchaseOrder: poToProto(po)}, nil
}

// GetPurchaseOrder returns one PO.
func (h *Handler) GetPurchaseOrder(ctx context.Context, req *receivingv1.GetPurchaseOrderRequest) (*receivingv1.GetPurchaseOrderResponse, error) {
	po, err := h.svc.GetPurchaseOrder(ctx, req.GetPoNumber())
	if err != nil {
		return nil, err
	}
	return &receivingv1.GetPurchaseOrderResponse{PurchaseOrder: poToProto(po)}, nil
}

// ListPurchaseOrders pages through POs.
func (h *Handler) ListPurchaseOrders(ctx context.Context, req *receivingv1.ListPurchaseOrdersRequest) (*receivingv1.ListPurchaseOrdersResponse, error) {
	pos, next, err := h.svc.ListPurchaseOrders(ctx, req.GetOpenOnly(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &receivingv1.ListPurchaseOrdersResponse{NextPageToken: next}
	for _, po := range pos {
		resp.PurchaseOrders = append(resp.PurchaseOrders, poToProto(po))
	}
	return resp, nil
}

// SetVendorPolicy sets a vendor's receiving policy.
func (h *Handler) SetVendorPolicy(ctx context.Context, req *receivingv1.SetVendorPolicyRequest) (*receivingv1.SetVendorPolicyResponse, error) {
	p, err := h.svc.SetVendorPolicy(ctx, req.GetRequestId(), VendorPolicy{Vendor: req.GetVendor(), Blind: req.GetBlindReceiving()})
	if err != nil {
		return nil, err
	}
	return &receivingv1.SetVendorPolicyResponse{Vendor: p.Vendor, BlindReceiving: p.Blind}, nil
}

// CreateAdvanceShipNotice records an ASN.
func (h *Handler) CreateAdvanceShipNotice(ctx context.Context, req *receivingv1.CreateAdvanceShipNoticeRequest) (*receivingv1.CreateAdvanceShipNoticeResponse, error) {
	a, err := h.svc.CreateASN(ctx, req.GetRequestId(), asnFromProto(req.GetAdvanceShipNotice()))
	if err != nil {
		return nil, floorops.WithFieldPrefix(err, "advance_ship_notice", "update_mask")
	}
	return &receivingv1.CreateAdvanceShipNoticeResponse{AdvanceShipNotice: asnToProto(a)}, nil
}

// GetAdvanceShipNotice returns one ASN.
func (h *Handler) GetAdvanceShipNotice(ctx context.Context, req *receivingv1.GetAdvanceShipNoticeRequest) (*receivingv1.GetAdvanceShipNoticeResponse, error) {
	a, err := h.svc.GetASN(ctx, req.GetAsnNumber())
	if err != nil {
		return nil, err
	}
	return &receivingv1.GetAdvanceShipNoticeResponse{AdvanceShipNotice: asnToProto(a)}, nil
}

// ListAdvanceShipNotices pages through ASNs.
func (h *Handler) ListAdvanceShipNotices(ctx context.Context, req *receivingv1.ListAdvanceShipNoticesRequest) (*receivingv1.ListAdvanceShipNoticesResponse, error) {
	as, next, err := h.svc.ListASNs(ctx, req.GetPoNumber(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &receivingv1.ListAdvanceShipNoticesResponse{NextPageToken: next}
	for _, a := range as {
		resp.AdvanceShipNotices = append(resp.AdvanceShipNotices, asnToProto(a))
	}
	return resp, nil
}

// StartReceipt opens a receipt at a dock door.
func (h *Handler) StartReceipt(ctx context.Context, req *receivingv1.StartReceiptRequest) (*receivingv1.StartReceiptResponse, error) {
	rc, err := h.svc.StartReceipt(ctx, req.GetRequestId(), StartInput{
		DockScan: req.GetDockLocationScan(), DocumentScan: req.GetDocumentScan(), Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &receivingv1.StartReceiptResponse{Receipt: receiptToProto(rc)}, nil
}

// ReceiveScan receives one scan.
func (h *Handler) ReceiveScan(ctx context.Context, req *receivingv1.ReceiveScanRequest) (*receivingv1.ReceiveScanResponse, error) {
	res, err := h.svc.ReceiveScan(ctx, req.GetRequestId(), ScanInput{
		ReceiptID: req.GetReceiptId(), Raw: req.GetRawScan(), Qty: req.GetQuantity(),
		Condition: conditionFromProto(req.GetCondition()), Lot: req.GetLot(), Expiry: req.GetExpiry(),
		OverrideReason: req.GetOverrideReason(), ConfirmPallet: req.GetConfirmPallet(), Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	resp := &receivingv1.ReceiveScanResponse{ConfirmationRequired: res.ConfirmationRequired}
	for _, g := range res.Received {
		resp.Received = append(resp.Received, receivedToProto(g))
	}
	for _, c := range res.Contents {
		resp.ContainerContents = append(resp.ContainerContents, contentToProto(c))
	}
	return resp, nil
}

// UndoLastScan reverses the caller's last scan on a receipt.
func (h *Handler) UndoLastScan(ctx context.Context, req *receivingv1.UndoLastScanRequest) (*receivingv1.UndoLastScanResponse, error) {
	rev, err := h.svc.UndoLastScan(ctx, req.GetRequestId(), UndoInput{ReceiptID: req.GetReceiptId(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	resp := &receivingv1.UndoLastScanResponse{}
	for _, g := range rev {
		resp.Reversed = append(resp.Reversed, receivedToProto(g))
	}
	return resp, nil
}

// CloseReceipt closes and reconciles a receipt, and its PO if asked.
func (h *Handler) CloseReceipt(ctx context.Context, req *receivingv1.CloseReceiptRequest) (*receivingv1.CloseReceiptResponse, error) {
	rc, err := h.svc.CloseReceipt(ctx, req.GetRequestId(), CloseInput{ReceiptID: req.GetReceiptId(), ClosePO: req.GetClosePurchaseOrder(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &receivingv1.CloseReceiptResponse{Receipt: receiptToProto(rc)}, nil
}

// GetReceipt returns one receipt.
func (h *Handler) GetReceipt(ctx context.Context, req *receivingv1.GetReceiptRequest) (*receivingv1.GetReceiptResponse, error) {
	rc, err := h.svc.GetReceipt(ctx, req.GetReceiptId())
	if err != nil {
		return nil, err
	}
	return &receivingv1.GetReceiptResponse{Receipt: receiptToProto(rc)}, nil
}

// ListReceipts pages through receipts.
func (h *Handler) ListReceipts(ctx context.Context, req *receivingv1.ListReceiptsRequest) (*receivingv1.ListReceiptsResponse, error) {
	f := ReceiptFilter{PONumber: req.GetPoNumber()}
	switch req.GetStatus() {
	case receivingv1.ReceiptStatus_RECEIPT_STATUS_OPEN:
		f.Status = ReceiptOpen
	case receivingv1.ReceiptStatus_RECEIPT_STATUS_CLOSED:
		f.Status = ReceiptClosed
	}
	rcs, next, err := h.svc.ListReceipts(ctx, f, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &receivingv1.ListReceiptsResponse{NextPageToken: next}
	for _, rc := range rcs {
		resp.Receipts = append(resp.Receipts, receiptToProto(rc))
	}
	return resp, nil
}

// poMask is the update an UpsertPurchaseOrderRequest asks for: its
// update_mask, else the fields it sets. Never nil: nil would mean every
// field.
func poMask(req *receivingv1.UpsertPurchaseOrderRequest) []string {
	if paths := req.GetUpdateMask().GetPaths(); len(paths) > 0 {
		return paths
	}
	p := req.GetPurchaseOrder()
	set := []string{}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"vendor", p.GetVendor() != ""}, {"expected_date", p.GetExpectedDate() != ""},
		{"status", p.GetStatus() != receivingv1.PurchaseOrderStatus_PURCHASE_ORDER_STATUS_UNSPECIFIED},
		{"lines", len(p.GetLines()) > 0},
	} {
		if f.set {
			set = append(set, f.name)
		}
	}
	return set
}

func poFromProto(p *receivingv1.PurchaseOrder) PurchaseOrder {
	po := PurchaseOrder{Number: p.GetPoNumber(), Vendor: p.GetVendor(), ExpectedDate: p.GetExpectedDate()}
	switch p.GetStatus() {
	case receivingv1.PurchaseOrderStatus_PURCHASE_ORDER_STATUS_OPEN:
		po.Status = POOpen
	case receivingv1.PurchaseOrderStatus_PURCHASE_ORDER_STATUS_CLOSED:
		po.Status = POClosed
	}
	for _, l := range p.GetLines() {
		po.Lines = append(po.Lines, POLine{LineNo: int(l.GetLineNumber()), SKU: l.GetSku(), Ordered: l.GetOrderedQuantity(),
			TolerancePct: int(l.GetOverReceiptTolerancePercent())})
	}
	return po
}

func poToProto(po PurchaseOrder) *receivingv1.PurchaseOrder {
	p := &receivingv1.PurchaseOrder{
		PoNumber: po.Number, Vendor: po.Vendor, ExpectedDate: po.ExpectedDate, Status: receivingv1.PurchaseOrderStatus_PURCHASE_ORDER_STATUS_OPEN,
		BlindReceiving: po.Blind, OrderedQuantity: po.Ordered, ReceivedQuantity: po.Received, OpenReceiptCount: int32(po.OpenReceipts),
	}
	if po.Status == POClosed {
		p.Status = receivingv1.PurchaseOrderStatus_PURCHASE_ORDER_STATUS_CLOSED
	}
	for _, l := range po.Lines {
		p.Lines = append(p.Lines, &receivingv1.PurchaseOrderLine{LineNumber: int32(l.LineNo), Sku: l.SKU, OrderedQuantity: l.Ordered,
			OverReceiptTolerancePercent: int32(l.TolerancePct), ReceivedQuantity: l.Received})
	}
	return p
}

func asnFromProto(p *receivingv1.AdvanceShipNotice) ASN {
	a := ASN{Number: p.GetAsnNumber(), PONumber: p.GetPoNumber(), ShipDate: p.GetShipDate()}
	for _, c := range p.GetContainers() {
		ct := Container{SSCC: c.GetSscc(), LPN: c.GetLpn()}
		for _, x := range c.GetContents() {
			ct.Contents = append(ct.Contents, Content{SKU: x.GetSku(), Qty: x.GetQuantity(), Lot: x.GetLot(), Expiry: x.GetExpiry()})
		}
		a.Containers = append(a.Containers, ct)
	}
	return a
}

func asnToProto(a ASN) *receivingv1.AdvanceShipNotice {
	p := &receivingv1.AdvanceShipNotice{AsnNumber: a.Number, PoNumber: a.PONumber, ShipDate: a.ShipDate, BlindReceiving: a.Blind}
	for _, c := range a.Containers {
		pc := &receivingv1.ShipContainer{Sscc: c.SSCC, Lpn: c.LPN, Received: c.Received}
		for _, x := range c.Contents {
			pc.Contents = append(pc.Contents, contentToProto(x))
		}
		p.Containers = append(p.Containers, pc)
	}
	return p
}

func contentToProto(c Content) *receivingv1.ShipContainerContent {
	return &receivingv1.ShipContainerContent{Sku: c.SKU, Quantity: c.Qty, Lot: c.Lot, Expiry: c.Expiry}
}

func conditionFromProto(c receivingv1.Condition) Condition {
	if c == receivingv1.Condition_CONDITION_DAMAGED {
		return Damaged
	}
	return Good
}

func conditionToProto(c Condition) receivingv1.Condition {
	if c == Damaged {
		return receivingv1.Condition_CONDITION_DAMAGED
	}
	return receivingv1.Condition_CONDITION_GOOD
}

func receivedToProto(g Received) *receivingv1.ReceivedStock {
	return &receivingv1.ReceivedStock{
		LineNumber: int32(g.LineNo), Sku: g.SKU, Quantity: g.Qty, Lot: g.Lot, Expiry: g.Expiry, Lpn: g.LPN,
		Condition: conditionToProto(g.Condition), Quarantined: g.Quarantined, Unexpected: g.Unexpected, MovementId: g.MovementID,
	}
}

func receiptToProto(rc Receipt) *receivingv1.Receipt {
	p := &receivingv1.Receipt{
		ReceiptId: rc.ID, PoNumber: rc.PONumber, AsnNumber: rc.ASNNumber, Vendor: rc.Vendor, DockLocationCode: rc.DockCode,
		Status: receivingv1.ReceiptStatus_RECEIPT_STATUS_OPEN, BlindReceiving: rc.Blind, StartedBy: rc.StartedBy,
		StartTime: protoTime(rc.StartedAt), CloseTime: protoTime(rc.ClosedAt), ReceivedQuantity: rc.Received,
	}
	if rc.Status == ReceiptClosed {
		p.Status = receivingv1.ReceiptStatus_RECEIPT_STATUS_CLOSED
	}
	for _, l := range rc.Lines {
		p.Lines = append(p.Lines, &receivingv1.ReceiptLine{
			LineNumber: int32(l.LineNo), Sku: l.SKU, ExpectedQuantity: l.Expected, ReceivedGoodQuantity: l.Good,
			ReceivedDamagedQuantity: l.Damaged, ShortQuantity: l.Short, OverQuantity: l.Over, Unexpected: l.Unexpected,
			ReceivedUnexpectedQuantity: l.UnexpectedQty,
		})
	}
	for _, e := range rc.Exceptions {
		p.Exceptions = append(p.Exceptions, &receivingv1.ReceiptException{Kind: e.Kind, Sku: e.SKU, Quantity: e.Qty, Detail: e.Detail, UserBadge: e.UserBadge})
	}
	return p
}

// protoTime is a time for the API; a time not set (zero) is left out.
func protoTime(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
