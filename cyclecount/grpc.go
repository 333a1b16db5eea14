package cyclecount

import (
	"context"
	"time"

	"github.com/floorops/floorops/inventory"
	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Handler serves CycleCountService over gRPC: proto in, one service call,
// proto out. What the caller may see is the service's (seenBy).
type Handler struct {
	cyclecountv1.UnimplementedCycleCountServiceServer
	svc *Service
}

// NewHandler returns the gRPC face of s.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// StartCount begins a count of the scanned location.
func (h *Handler) StartCount(ctx context.Context, req *cyclecountv1.StartCountRequest) (*cyclecountv1.StartCountResponse, error) {
	c, err := h.svc.StartCount(ctx, req.GetRequestId(), StartInput{
		LocationScan: req.GetLocationScan(), CountID: req.GetCountId(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.StartCountResponse{Count: countToProto(c)}, nil
}

// SubmitCount records what was counted.
func (h *Handler) SubmitCount(ctx context.Context, req *cyclecountv1.SubmitCountRequest) (*cyclecountv1.SubmitCountResponse, error) {
	in := SubmitInput{CountID: req.GetCountId(), ConfirmedEmpty: req.GetConfirmedEmpty(), Actor: inventory.ActorFrom(ctx)}
	for _, l := range req.GetLines() {
		in.Lines = append(in.Lines, CountedLine{ItemScan: l.GetItemScan(), Lot: l.GetLot(), Expiry: l.GetExpiry(), LPN: l.GetLpn(), Qty: l.GetQuantity(),
			Serials: l.GetSerials()})
	}
	sub, err := h.svc.SubmitCount(ctx, req.GetRequestId(), in)
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.SubmitCountResponse{Count: countToProto(sub.Count), Outcome: outcomes[sub.Outcome], RecountId: sub.RecountID}, nil
}

// ListPendingApprovals lists counts waiting for a lead.
func (h *Handler) ListPendingApprovals(ctx context.Context, req *cyclecountv1.ListPendingApprovalsRequest) (*cyclecountv1.ListPendingApprovalsResponse, error) {
	ps, next, err := h.svc.ListPendingApprovals(ctx, int(req.GetPageSize()), req.GetPageToken(), inventory.ActorFrom(ctx))
	if err != nil {
		return nil, err
	}
	resp := &cyclecountv1.ListPendingApprovalsResponse{NextPageToken: next}
	for _, p := range ps {
		pa := &cyclecountv1.PendingApproval{Count: countToProto(p.Count), Previous: countToProto(p.Previous)}
		for _, m := range p.Movements {
			pa.Movements = append(pa.Movements, &cyclecountv1.MovementSince{MovementId: m.ID, Kind: m.Kind, Sku: m.SKU,
				Quantity: m.Qty, UserBadge: m.UserBadge, CreateTime: timestamppb.New(m.CreatedAt)})
		}
		resp.Approvals = append(resp.Approvals, pa)
	}
	return resp, nil
}

// Approve posts a count waiting for a lead.
func (h *Handler) Approve(ctx context.Context, req *cyclecountv1.ApproveRequest) (*cyclecountv1.ApproveResponse, error) {
	c, err := h.svc.Approve(ctx, req.GetRequestId(), DecideInput{CountID: req.GetCountId(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.ApproveResponse{Count: countToProto(c)}, nil
}

// Reject sends a count waiting for a lead back to be recounted.
func (h *Handler) Reject(ctx context.Context, req *cyclecountv1.RejectRequest) (*cyclecountv1.RejectResponse, error) {
	r, err := h.svc.Reject(ctx, req.GetRequestId(), DecideInput{CountID: req.GetCountId(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.RejectResponse{Count: countToProto(r.Count), RecountId: r.RecountID}, nil
}

// PlanCounts plans and stores a day's counts.
func (h *Handler) PlanCounts(ctx context.Context, req *cyclecountv1.PlanCountsRequest) (*cyclecountv1.PlanCountsResponse, error) {
	cs, err := h.svc.PlanCounts(ctx, req.GetRequestId(), PlanInput{Date: req.GetDate(), Counts: int(req.GetCapacityCounts()),
		Minutes: req.GetCapacityMinutes(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	resp := &cyclecountv1.PlanCountsResponse{}
	for _, c := range cs {
		resp.Tasks = append(resp.Tasks, countToProto(c))
	}
	return resp, nil
}

// ListTasks lists open counts in plan order.
func (h *Handler) ListTasks(ctx context.Context, req *cyclecountv1.ListTasksRequest) (*cyclecountv1.ListTasksResponse, error) {
	cs, next, err := h.svc.ListTasks(ctx, req.GetDate(), int(req.GetPageSize()), req.GetPageToken(), inventory.ActorFrom(ctx))
	if err != nil {
		return nil, err
	}
	resp := &cyclecountv1.ListTasksResponse{NextPageToken: next}
	for _, c := range cs {
		resp.Tasks = append(resp.Tasks, countToProto(c))
	}
	return resp, nil
}

// AddTask adds a count of a location.
func (h *Handler) AddTask(ctx context.Context, req *cyclecountv1.AddTaskRequest) (*cyclecountv1.AddTaskResponse, error) {
	c, err := h.svc.AddTask(ctx, req.GetRequestId(), AddInput{LocationCode: req.GetLocationCode(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.AddTaskResponse{Task: countToProto(c)}, nil
}

// AssignTask gives an open count to an associate.
func (h *Handler) AssignTask(ctx context.Context, req *cyclecountv1.AssignTaskRequest) (*cyclecountv1.AssignTaskResponse, error) {
	c, err := h.svc.AssignTask(ctx, req.GetRequestId(), AssignInput{CountID: req.GetCountId(), Badge: req.GetBadge(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.AssignTaskResponse{Task: countToProto(c)}, nil
}

// RemoveTask takes an open count off the plan.
func (h *Handler) RemoveTask(ctx context.Context, req *cyclecountv1.RemoveTaskRequest) (*cyclecountv1.RemoveTaskResponse, error) {
	c, err := h.svc.RemoveTask(ctx, req.GetRequestId(), RemoveInput{CountID: req.GetCountId(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.RemoveTaskResponse{Task: countToProto(c)}, nil
}

// GetAccuracy reports record accuracy per zone and class.
func (h *Handler) GetAccuracy(ctx context.Context, req *cyclecountv1.GetAccuracyRequest) (*cyclecountv1.GetAccuracyResponse, error) {
	as, err := h.svc.GetAccuracy(ctx, req.GetFromDate(), req.GetToDate())
	if err != nil {
		return nil, err
	}
	resp := &cyclecountv1.GetAccuracyResponse{}
	for _, a := range as {
		resp.Rows = append(resp.Rows, &cyclecountv1.Accuracy{Zone: a.Zone, AbcClass: a.Class, PositionsCounted: a.Positions,
			PositionsWithinTolerance: a.WithinTolerance, RecordAccuracyPercent: a.RecordAccuracy(), QuantityAccuracyPercent: a.QuantityAccuracy(),
			UnitsAdjusted: a.UnitsAdjusted, ValueAdjustedCents: a.ValueAdjustedCents})
	}
	return resp, nil
}

// GetPolicy returns the counting policy.
func (h *Handler) GetPolicy(ctx context.Context, _ *cyclecountv1.GetPolicyRequest) (*cyclecountv1.GetPolicyResponse, error) {
	p, err := h.svc.GetPolicy(ctx)
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.GetPolicyResponse{Policy: policyToProto(p)}, nil
}

// SetPolicy replaces the counting policy.
func (h *Handler) SetPolicy(ctx context.Context, req *cyclecountv1.SetPolicyRequest) (*cyclecountv1.SetPolicyResponse, error) {
	in := SetPolicyInput{Actor: inventory.ActorFrom(ctx)}
	if p := req.GetPolicy(); p != nil {
		tol := func(t *cyclecountv1.Tolerance) *Tolerance {
			if t == nil {
				return nil // left out: refused, not zero
			}
			return &Tolerance{Units: t.GetUnits(), Percent: t.GetPercent(), ValueCents: t.GetValueCents()}
		}
		in.Policy = &PolicyUpdate{A: tol(p.GetClassA()), B: tol(p.GetClassB()), C: tol(p.GetClassC()),
			AShare: p.ClassASharePercent, BShare: p.ClassBSharePercent, ZeroCheckMaxShare: p.ZeroCheckMaxShare,
			NeighbourVarianceHazard: p.NeighbourVarianceHazard, NeighbourItemVarianceHazard: p.NeighbourItemVarianceHazard}
		// The rest of the settings, by their proto names (the policy's
		// setting names): each one sent, and only those.
		m := p.ProtoReflect()
		for _, ps := range policySettings {
			switch ps.name {
			case "zero_check_max_share", "neighbour_variance_hazard", "neighbour_item_variance_hazard":
				continue // fields of their own, above
			}
			if fd := m.Descriptor().Fields().ByName(protoreflect.Name(ps.name)); fd != nil && m.Has(fd) {
				if in.Policy.Settings == nil {
					in.Policy.Settings = map[string]float64{}
				}
				in.Policy.Settings[ps.name] = m.Get(fd).Float()
			}
		}
		if p.VelocityWindowDays != nil {
			d := int(p.GetVelocityWindowDays())
			in.Policy.WindowDays = &d
		}
	}
	out, err := h.svc.SetPolicy(ctx, req.GetRequestId(), in)
	if err != nil {
		return nil, err
	}
	return &cyclecountv1.SetPolicyResponse{Policy: policyToProto(out)}, nil
}

var outcomes = map[Outcome]cyclecountv1.CountOutcome{
	OutcomePosted:          cyclecountv1.CountOutcome_COUNT_OUTCOME_POSTED,
	OutcomeRecount:         cyclecountv1.CountOutcome_COUNT_OUTCOME_RECOUNT,
	OutcomeStockMoved:      cyclecountv1.CountOutcome_COUNT_OUTCOME_STOCK_MOVED,
	OutcomePendingApproval: cyclecountv1.CountOutcome_COUNT_OUTCOME_PENDING_APPROVAL,
}

var states = map[State]cyclecountv1.CountState{
	StateOpen:            cyclecountv1.CountState_COUNT_STATE_OPEN,
	StateCounting:        cyclecountv1.CountState_COUNT_STATE_COUNTING,
	StatePosted:          cyclecountv1.CountState_COUNT_STATE_POSTED,
	StateRecounted:       cyclecountv1.CountState_COUNT_STATE_RECOUNTED,
	StatePendingApproval: cyclecountv1.CountState_COUNT_STATE_PENDING_APPROVAL,
	StateRemoved:         cyclecountv1.CountState_COUNT_STATE_REMOVED,
}

func countToProto(c Count) *cyclecountv1.Count {
	out := &cyclecountv1.Count{Id: c.ID, LocationCode: c.LocationCode, State: states[c.State], RecountOf: c.RecountOf,
		CountedBy: c.CountedBy, NotBy: c.NotBy, StartTime: ts(c.StartedAt), SubmitTime: ts(c.SubmittedAt),
		DecidedBy: c.DecidedBy, DecisionReason: c.DecisionReason, CountRequestId: c.CountRequestID,
		PlanDate: c.PlanDate, TaskKind: c.TaskKind, Score: c.Score, Reasons: c.Reasons, AssignedTo: c.AssignedTo}
	for _, l := range c.Lines {
		pl := &cyclecountv1.CountLine{Sku: l.SKU, Lot: l.Lot, Expiry: l.Expiry, Lpn: l.LPN, CountedQuantity: l.Counted,
			Serials: l.Serials, MissingSerials: l.MissingSerials, SerialsFromElsewhere: l.SerialsFromElsewhere}
		if !c.blind {
			pl.SnapshotQuantity = proto.Int64(l.Snapshot)
			if !c.SubmittedAt.IsZero() { // nothing counted yet: no difference to post
				pl.AdjustmentQuantity = proto.Int64(l.Adjustment())
			}
		}
		out.Lines = append(out.Lines, pl)
	}
	return out
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func policyToProto(p Tolerances) *cyclecountv1.Policy {
	tol := func(t Tolerance) *cyclecountv1.Tolerance {
		return &cyclecountv1.Tolerance{Units: t.Units, Percent: t.Percent, ValueCents: t.ValueCents}
	}
	out := &cyclecountv1.Policy{ClassA: tol(p.A), ClassB: tol(p.B), ClassC: tol(p.C),
		ClassASharePercent: proto.Float64(p.ABC.AShare), ClassBSharePercent: proto.Float64(p.ABC.BShare),
		VelocityWindowDays: proto.Int32(int32(p.ABC.WindowDays))}
	// Every setting, as set or its default, by its proto name.
	m := out.ProtoReflect()
	for name, v := range p.Scheduling.Settings() {
		if fd := m.Descriptor().Fields().ByName(protoreflect.Name(name)); fd != nil {
			m.Set(fd, protoreflect.ValueOfFloat64(v))
		}
	}
	return out
}
