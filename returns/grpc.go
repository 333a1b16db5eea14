package returns

import (
	"context"
	"time"

	"github.com/floorops/floorops/inventory"
	returnsv1 "github.com/floorops/floorops/proto/floorops/returns/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Handler serves ReturnsService over gRPC: proto in, one service call,
// proto out. Who may do what the service decides from the caller's actor.
type Handler struct {
	returnsv1.UnimplementedReturnsServiceServer
	svc *Service
}

// NewHandler returns the gRPC face of s.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// CreateRma records an RMA.
func (h *Handler) CreateRma(ctx context.Context, req *returnsv1.CreateRmaRequest) (*returnsv1.CreateRmaResponse, error) {
	in := RMAInput{Actor: inventory.ActorFrom(ctx)}
	if r := req.GetRma(); r != nil {
		in.RMA = RMA{Number: r.GetRmaNumber(), OrderRef: r.GetOrderRef(), Channel: r.GetChannel()}
		for _, l := range r.GetLines() {
			in.RMA.Lines = append(in.RMA.Lines, RMALine{SKU: l.GetSku(), Qty: l.GetQuantity(), Reason: l.GetReason()})
		}
	}
	r, err := h.svc.CreateRMA(ctx, req.GetRequestId(), in)
	if err != nil {
		return nil, err
	}
	return &returnsv1.CreateRmaResponse{Rma: rmaToProto(r)}, nil
}

// GetRma returns one RMA with its units.
func (h *Handler) GetRma(ctx context.Context, req *returnsv1.GetRmaRequest) (*returnsv1.GetRmaResponse, error) {
	r, err := h.svc.GetRMA(ctx, req.GetRmaNumber())
	if err != nil {
		return nil, err
	}
	return &returnsv1.GetRmaResponse{Rma: rmaToProto(r)}, nil
}

// ListRmas pages RMAs.
func (h *Handler) ListRmas(ctx context.Context, req *returnsv1.ListRmasRequest) (*returnsv1.ListRmasResponse, error) {
	rs, next, err := h.svc.ListRMAs(ctx, int(req.GetPageSize()), req.GetPageToken(), req.GetOrderRef())
	if err != nil {
		return nil, err
	}
	resp := &returnsv1.ListRmasResponse{NextPageToken: next}
	for _, r := range rs {
		resp.Rmas = append(resp.Rmas, rmaToProto(r))
	}
	return resp, nil
}

// ReceiveReturn receives returned units.
func (h *Handler) ReceiveReturn(ctx context.Context, req *returnsv1.ReceiveReturnRequest) (*returnsv1.ReceiveReturnResponse, error) {
	u, err := h.svc.ReceiveReturn(ctx, req.GetRequestId(), ReceiveInput{
		RMANumber: req.GetRmaNumber(), OrderRef: req.GetOrderRef(), Raw: req.GetRawScan(), Qty: req.GetQuantity(),
		Lot: req.GetLot(), Expiry: req.GetExpiry(), Serial: req.GetSerial(), LocationScan: req.GetLocationScan(),
		Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &returnsv1.ReceiveReturnResponse{Unit: unitToProto(u)}, nil
}

// GradeUnit grades units.
func (h *Handler) GradeUnit(ctx context.Context, req *returnsv1.GradeUnitRequest) (*returnsv1.GradeUnitResponse, error) {
	u, err := h.svc.GradeUnit(ctx, req.GetRequestId(), GradeInput{
		UnitID: req.GetUnitId(), Grade: req.GetGrade(), MissingParts: req.GetMissingParts(), Expired: req.GetExpired(),
		Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &returnsv1.GradeUnitResponse{Unit: unitToProto(u)}, nil
}

// Disposition dispositions units.
func (h *Handler) Disposition(ctx context.Context, req *returnsv1.DispositionRequest) (*returnsv1.DispositionResponse, error) {
	d, err := h.svc.Disposition(ctx, req.GetRequestId(), DispositionInput{
		UnitID: req.GetUnitId(), Disposition: req.GetDisposition(), OverrideReason: req.GetOverrideReason(),
		Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &returnsv1.DispositionResponse{Unit: unitToProto(d.Unit), PutawayTaskId: d.PutawayTaskID}, nil
}

// ListQueue lists units waiting, oldest first.
func (h *Handler) ListQueue(ctx context.Context, req *returnsv1.ListQueueRequest) (*returnsv1.ListQueueResponse, error) {
	us, next, err := h.svc.ListQueue(ctx, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &returnsv1.ListQueueResponse{NextPageToken: next}
	for _, u := range us {
		resp.Units = append(resp.Units, unitToProto(u))
	}
	return resp, nil
}

// GetRules returns the rule table.
func (h *Handler) GetRules(ctx context.Context, _ *returnsv1.GetRulesRequest) (*returnsv1.GetRulesResponse, error) {
	rs, err := h.svc.GetRules(ctx)
	if err != nil {
		return nil, err
	}
	return &returnsv1.GetRulesResponse{Rules: rulesToProto(rs)}, nil
}

// SetRules replaces the rule table.
func (h *Handler) SetRules(ctx context.Context, req *returnsv1.SetRulesRequest) (*returnsv1.SetRulesResponse, error) {
	in := RulesInput{Actor: inventory.ActorFrom(ctx)}
	for _, r := range req.GetRules() {
		in.Rules = append(in.Rules, Rule{Condition: r.GetCondition(), Reason: r.GetReason(), Category: r.GetCategory(),
			Disposition: r.GetDisposition(), Available: r.GetAvailable(), LocationType: r.GetLocationType()})
	}
	rs, err := h.svc.SetRules(ctx, req.GetRequestId(), in)
	if err != nil {
		return nil, err
	}
	return &returnsv1.SetRulesResponse{Rules: rulesToProto(rs)}, nil
}

// GetSlaReport reports the SLA.
func (h *Handler) GetSlaReport(ctx context.Context, req *returnsv1.GetSlaReportRequest) (*returnsv1.GetSlaReportResponse, error) {
	r, err := h.svc.GetSLAReport(ctx, int(req.GetSlaHours()))
	if err != nil {
		return nil, err
	}
	resp := &returnsv1.GetSlaReportResponse{
		UnitsReceived: r.Received, UnitsDispositioned: r.Dispositioned, RestockedShare: r.RestockedShare,
		MedianHoursToDisposition: r.MedianToDisposition, P90HoursToDisposition: r.P90ToDisposition,
		MedianHoursToSellable: r.MedianToSellable, P90HoursToSellable: r.P90ToSellable,
	}
	for _, u := range r.Breaches {
		resp.Breaches = append(resp.Breaches, unitToProto(u))
	}
	return resp, nil
}

func timeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func rmaToProto(r RMA) *returnsv1.Rma {
	p := &returnsv1.Rma{RmaNumber: r.Number, OrderRef: r.OrderRef, Channel: r.Channel, CreateTime: timeToProto(r.CreatedAt)}
	for _, l := range r.Lines {
		p.Lines = append(p.Lines, &returnsv1.RmaLine{Sku: l.SKU, Quantity: l.Qty, Reason: l.Reason, ReceivedQuantity: l.Received})
	}
	for _, u := range r.Units {
		p.Units = append(p.Units, unitToProto(u))
	}
	return p
}

func unitToProto(u Unit) *returnsv1.ReturnUnit {
	return &returnsv1.ReturnUnit{
		UnitId: u.ID, RmaNumber: u.RMANumber, OrderRef: u.OrderRef, Sku: u.SKU, Quantity: u.Qty, Lot: u.Lot,
		Expiry: u.Expiry, Serial: u.Serial, LocationCode: u.LocationCode, Reason: u.Reason, Exceptions: u.Exceptions,
		Grade: u.Grade, MissingParts: u.MissingParts, Expired: u.Expired, SuggestedDisposition: u.Suggested,
		Disposition: u.Disposition, OverrideReason: u.OverrideReason, OverrideBy: u.OverrideBy,
		DispositionLocationCode: u.ToLocationCode, ReceiveTime: timeToProto(u.ReceivedAt), GradeTime: timeToProto(u.GradedAt),
		DispositionTime: timeToProto(u.DispositionAt), PutawayTime: timeToProto(u.PutawayAt), AgeHours: u.AgeHours,
	}
}

func rulesToProto(rs []Rule) []*returnsv1.Rule {
	out := make([]*returnsv1.Rule, len(rs))
	for i, r := range rs {
		out[i] = &returnsv1.Rule{Condition: r.Condition, Reason: r.Reason, Category: r.Category,
			Disposition: r.Disposition, Available: r.Available, LocationType: r.LocationType}
	}
	return out
}
