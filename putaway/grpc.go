package putaway

import (
	"context"
	"github.com/floorops/floorops"
	"time"

	"github.com/floorops/floorops/inventory"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Handler serves PutawayService over gRPC: proto in, domain call, proto
// out. Errors are domain errors; the server maps them to status codes.
type Handler struct {
	putawayv1.UnimplementedPutawayServiceServer
	svc *Service
}

// NewHandler returns the gRPC face of s.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// ListTasks pages through open tasks, oldest first.
func (h *Handler) ListTasks(ctx context.Context, req *putawayv1.ListTasksRequest) (*putawayv1.ListTasksResponse, error) {
	ts, next, err := h.svc.ListTasks(ctx, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &putawayv1.ListTasksResponse{NextPageToken: next}
	for _, t := range ts {
		resp.Tasks = append(resp.Tasks, taskToProto(t))
	}
	return resp, nil
}

// SuggestLocation directs a task's stock.
func (h *Handler) SuggestLocation(ctx context.Context, req *putawayv1.SuggestLocationRequest) (*putawayv1.SuggestLocationResponse, error) {
	t, sg, err := h.svc.SuggestLocation(ctx, req.GetTaskId(), req.GetScan())
	if err != nil {
		return nil, err
	}
	return &putawayv1.SuggestLocationResponse{Task: taskToProto(t), Suggestion: &putawayv1.Suggestion{
		LocationCode: sg.LocationCode, Zone: sg.Zone, LocationType: locationTypeToProto(sg.LocationType),
		Strategy: strategies[sg.Strategy], Reason: sg.Reason, Quantity: sg.Qty,
	}}, nil
}

// ConfirmPutaway records units put away at a scanned location.
func (h *Handler) ConfirmPutaway(ctx context.Context, req *putawayv1.ConfirmPutawayRequest) (*putawayv1.ConfirmPutawayResponse, error) {
	c, err := h.svc.ConfirmPutaway(ctx, req.GetRequestId(), ConfirmInput{
		TaskID: req.GetTaskId(), Scan: req.GetLocationScan(), Qty: req.GetQuantity(),
		Override: req.GetOverrideReason(), Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &putawayv1.ConfirmPutawayResponse{
		Task: taskToProto(c.Task), Movement: inventory.MovementToProto(c.Movement),
		Overridden: c.Overridden, DirectedLocationCode: c.Directed,
	}, nil
}

// CancelTask closes an open task.
func (h *Handler) CancelTask(ctx context.Context, req *putawayv1.CancelTaskRequest) (*putawayv1.CancelTaskResponse, error) {
	t, err := h.svc.CancelTask(ctx, req.GetRequestId(), CancelInput{TaskID: req.GetTaskId(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &putawayv1.CancelTaskResponse{Task: taskToProto(t)}, nil
}

// CreateTask creates a lead's ad-hoc task.
func (h *Handler) CreateTask(ctx context.Context, req *putawayv1.CreateTaskRequest) (*putawayv1.CreateTaskResponse, error) {
	t, err := h.svc.CreateAdhocTask(ctx, req.GetRequestId(), CreateInput{
		FromScan: req.GetFromLocationScan(), SKU: req.GetSku(), Qty: req.GetQuantity(), Lot: req.GetLot(),
		Expiry: req.GetExpiry(), Status: statusFromProto(req.GetStatus()), LPN: req.GetLpn(), Ref: req.GetReference(),
		Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &putawayv1.CreateTaskResponse{Task: taskToProto(t)}, nil
}

// SetHomeLocation assigns or clears an item's home pick face.
func (h *Handler) SetHomeLocation(ctx context.Context, req *putawayv1.SetHomeLocationRequest) (*putawayv1.SetHomeLocationResponse, error) {
	in, err := h.svc.SetHomeLocation(ctx, req.GetRequestId(), HomeInput{SKU: req.GetSku(), LocationCode: req.GetLocationCode(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &putawayv1.SetHomeLocationResponse{Sku: in.SKU, LocationCode: in.LocationCode}, nil
}

// GetDockToStock reports dock-to-stock times.
func (h *Handler) GetDockToStock(ctx context.Context, req *putawayv1.GetDockToStockRequest) (*putawayv1.GetDockToStockResponse, error) {
	var since time.Time
	if req.GetStartTime() != nil {
		if err := req.GetStartTime().CheckValid(); err != nil {
			return nil, floorops.Invalid("start_time", "is not a valid time: %v", err)
		}
		since = req.GetStartTime().AsTime()
	}
	overall, items, next, err := h.svc.GetDockToStock(ctx, since, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &putawayv1.GetDockToStockResponse{Overall: dockToStockToProto(overall), NextPageToken: next}
	for _, d := range items {
		resp.Items = append(resp.Items, dockToStockToProto(d))
	}
	return resp, nil
}

func dockToStockToProto(d DockToStock) *putawayv1.DockToStock {
	return &putawayv1.DockToStock{
		Sku: d.SKU, Tasks: d.Tasks, Units: d.Units,
		P50: durationpb.New(d.P50), P90: durationpb.New(d.P90), Average: durationpb.New(d.Avg),
	}
}

var strategies = map[Strategy]putawayv1.Strategy{
	StrategyConsolidate:  putawayv1.Strategy_STRATEGY_CONSOLIDATE,
	StrategyHomePickFace: putawayv1.Strategy_STRATEGY_HOME_PICK_FACE,
	StrategyVelocityZone: putawayv1.Strategy_STRATEGY_VELOCITY_ZONE,
	StrategyAnyEmpty:     putawayv1.Strategy_STRATEGY_ANY_EMPTY,
	StrategyQuarantine:   putawayv1.Strategy_STRATEGY_QUARANTINE,
}

var taskStates = map[TaskState]putawayv1.TaskState{
	TaskOpen:      putawayv1.TaskState_TASK_STATE_OPEN,
	TaskDone:      putawayv1.TaskState_TASK_STATE_DONE,
	TaskCancelled: putawayv1.TaskState_TASK_STATE_CANCELLED,
}

func taskToProto(t Task) *putawayv1.Task {
	p := &putawayv1.Task{
		Id: t.ID, Sku: t.SKU, FromLocationCode: t.FromCode, Lot: t.Lot, Expiry: t.Expiry,
		Status: statusToProto(t.Status), Lpn: t.LPN, Quantity: t.Qty, PutAwayQuantity: t.PutQty,
		RemainingQuantity: t.Remaining(), State: taskStates[t.State], Origin: t.Origin, Reference: t.Ref,
		CreatedBy: t.CreatedBy, CreateTime: timestamppb.New(t.CreatedAt), CancelReason: t.CancelReason,
	}
	if !t.ClosedAt.IsZero() {
		p.CloseTime = timestamppb.New(t.ClosedAt)
	}
	return p
}

func statusToProto(s inventory.Status) inventoryv1.StockStatus {
	if s == inventory.Quarantined {
		return inventoryv1.StockStatus_STOCK_STATUS_QUARANTINE
	}
	return inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE
}

func statusFromProto(s inventoryv1.StockStatus) inventory.Status {
	if s == inventoryv1.StockStatus_STOCK_STATUS_QUARANTINE {
		return inventory.Quarantined
	}
	return inventory.Available
}

func locationTypeToProto(t inventory.LocationType) inventoryv1.LocationType {
	switch t {
	case inventory.LocStorage:
		return inventoryv1.LocationType_LOCATION_TYPE_STORAGE
	case inventory.LocPickFace:
		return inventoryv1.LocationType_LOCATION_TYPE_PICKFACE
	case inventory.LocQuarantine:
		return inventoryv1.LocationType_LOCATION_TYPE_QUARANTINE
	}
	return inventoryv1.LocationType_LOCATION_TYPE_UNSPECIFIED
}
