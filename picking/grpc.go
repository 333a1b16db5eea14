package picking

import (
	"context"
	"fmt"
	"time"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Handler serves PickingService over gRPC: proto in, domain call, proto
// out. Errors are domain errors; the server maps them to status codes.
type Handler struct {
	pickingv1.UnimplementedPickingServiceServer
	svc *Service
}

// NewHandler returns the gRPC face of s.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// ReleaseOrders takes orders from central and allocates them. A ship_by
// that is not a valid timestamp is refused here, naming the field; the
// service bounds the years it accepts.
func (h *Handler) ReleaseOrders(ctx context.Context, req *pickingv1.ReleaseOrdersRequest) (*pickingv1.ReleaseOrdersResponse, error) {
	in := ReleaseInput{Actor: inventory.ActorFrom(ctx)}
	for i, o := range req.GetOrders() {
		oi := OrderInput{OrderID: o.GetOrderId(), Channel: channels.domain(o.GetChannel()), Priority: int(o.GetPriority())}
		if o.GetShipBy() != nil {
			if err := o.GetShipBy().CheckValid(); err != nil {
				return nil, floorops.Invalid(fmt.Sprintf("orders[%d].ship_by", i), "is not a valid timestamp: %v", err)
			}
			oi.ShipBy = o.GetShipBy().AsTime()
		}
		for _, l := range o.GetLines() {
			oi.Lines = append(oi.Lines, LineInput{SKU: l.GetSku(), Qty: l.GetQuantity()})
		}
		in.Orders = append(in.Orders, oi)
	}
	rel, err := h.svc.ReleaseOrders(ctx, req.GetRequestId(), in)
	if err != nil {
		return nil, err
	}
	resp := &pickingv1.ReleaseOrdersResponse{}
	for _, r := range rel.Results {
		pr := &pickingv1.ReleaseOrderResult{OrderId: r.OrderID, Outcome: releaseOutcomes[r.Outcome], Reason: r.Reason, Field: r.Field}
		if r.Order != nil {
			pr.Order = orderToProto(*r.Order)
			resp.Orders = append(resp.Orders, pr.Order)
		}
		resp.Results = append(resp.Results, pr)
	}
	return resp, nil
}

// CancelOrder cancels an order.
func (h *Handler) CancelOrder(ctx context.Context, req *pickingv1.CancelOrderRequest) (*pickingv1.CancelOrderResponse, error) {
	res, err := h.svc.CancelOrder(ctx, req.GetRequestId(), CancelInput{OrderID: req.GetOrderId(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	resp := &pickingv1.CancelOrderResponse{Order: orderToProto(res.Order)}
	for _, r := range res.Returns {
		resp.ReturnTasks = append(resp.ReturnTasks, &pickingv1.ReturnTask{Id: r.ID, OrderId: r.OrderID, Sku: r.SKU, Lot: r.Lot,
			Expiry: r.Expiry, LocationCode: r.LocationCode, Tote: r.Tote, Quantity: r.Qty, HandedToPutaway: r.HandedToPutaway})
	}
	return resp, nil
}

// GetOrder returns one order.
func (h *Handler) GetOrder(ctx context.Context, req *pickingv1.GetOrderRequest) (*pickingv1.GetOrderResponse, error) {
	o, err := h.svc.GetOrder(ctx, req.GetOrderId())
	if err != nil {
		return nil, err
	}
	return &pickingv1.GetOrderResponse{Order: orderToProto(o)}, nil
}

// CreatePickLists groups orders into pick lists.
func (h *Handler) CreatePickLists(ctx context.Context, req *pickingv1.CreatePickListsRequest) (*pickingv1.CreatePickListsResponse, error) {
	lists, err := h.svc.CreatePickLists(ctx, req.GetRequestId(), CreateListsInput{
		Type: listTypes.domain(req.GetType()), OrderIDs: req.GetOrderIds(), MaxOrders: int(req.GetMaxOrders()),
		MaxLines: int(req.GetMaxLines()), MaxLists: int(req.GetMaxLists()), ShipLocation: req.GetShipLocationCode(),
		Channel: channels.domain(req.GetChannel()), Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	resp := &pickingv1.CreatePickListsResponse{}
	for _, l := range lists {
		resp.PickLists = append(resp.PickLists, listToProto(l))
	}
	return resp, nil
}

// ListPickLists pages through pick lists.
func (h *Handler) ListPickLists(ctx context.Context, req *pickingv1.ListPickListsRequest) (*pickingv1.ListPickListsResponse, error) {
	lists, next, err := h.svc.ListPickLists(ctx, listStates.domain(req.GetState()), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pickingv1.ListPickListsResponse{NextPageToken: next}
	for _, l := range lists {
		resp.PickLists = append(resp.PickLists, listToProto(l))
	}
	return resp, nil
}

// StartPickList assigns a list to the caller.
func (h *Handler) StartPickList(ctx context.Context, req *pickingv1.StartPickListRequest) (*pickingv1.StartPickListResponse, error) {
	l, err := h.svc.StartPickList(ctx, req.GetRequestId(), StartInput{ListID: req.GetPickListId(), ToteScans: req.GetToteScans(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &pickingv1.StartPickListResponse{PickList: listToProto(l)}, nil
}

// NextLine returns the next stop.
func (h *Handler) NextLine(ctx context.Context, req *pickingv1.NextLineRequest) (*pickingv1.NextLineResponse, error) {
	n, err := h.svc.NextLine(ctx, req.GetPickListId())
	if err != nil {
		return nil, err
	}
	resp := &pickingv1.NextLineResponse{Done: n.Done, RemainingLines: int32(n.Remaining), ShipLocationCode: n.ShipLocation}
	if n.Line != nil {
		resp.Line = lineToProto(*n.Line)
	}
	return resp, nil
}

// ConfirmPick records units picked.
func (h *Handler) ConfirmPick(ctx context.Context, req *pickingv1.ConfirmPickRequest) (*pickingv1.ConfirmPickResponse, error) {
	c, err := h.svc.ConfirmPick(ctx, req.GetRequestId(), ConfirmInput{
		ListID: req.GetPickListId(), LineID: req.GetLineId(), LocationScan: req.GetLocationScan(),
		ItemScan: req.GetItemScan(), Qty: req.GetQuantity(), Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &pickingv1.ConfirmPickResponse{Line: lineToProto(c.Line), Movement: inventory.MovementToProto(c.Movement)}, nil
}

// ShortPick reports a short location.
func (h *Handler) ShortPick(ctx context.Context, req *pickingv1.ShortPickRequest) (*pickingv1.ShortPickResponse, error) {
	sh, err := h.svc.ShortPick(ctx, req.GetRequestId(), ShortInput{
		ListID: req.GetPickListId(), LineID: req.GetLineId(), LocationScan: req.GetLocationScan(), ItemScan: req.GetItemScan(),
		Found: req.GetFoundQuantity(), Reason: req.GetReason(), Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	resp := &pickingv1.ShortPickResponse{Line: lineToProto(sh.Line), BackorderedQuantity: sh.Backordered, CountRequestId: sh.CountRequestID}
	for _, l := range sh.Reallocated {
		resp.ReallocatedLines = append(resp.ReallocatedLines, lineToProto(l))
	}
	return resp, nil
}

// CompletePickList drops the totes at a ship lane.
func (h *Handler) CompletePickList(ctx context.Context, req *pickingv1.CompletePickListRequest) (*pickingv1.CompletePickListResponse, error) {
	c, err := h.svc.CompletePickList(ctx, req.GetRequestId(), CompleteInput{ListID: req.GetPickListId(), ShipScan: req.GetShipLocationScan(), Actor: inventory.ActorFrom(ctx)})
	if err != nil {
		return nil, err
	}
	resp := &pickingv1.CompletePickListResponse{PickList: listToProto(c.List), PickedOrderIds: c.PickedOrders, BackorderedOrderIds: c.BackorderedOrders}
	for _, o := range c.Orders {
		resp.Orders = append(resp.Orders, orderToProto(o))
	}
	return resp, nil
}

// enumMap maps a domain string type to its proto enum both ways; an
// unmapped proto value becomes "" and fails validation.
type enumMap[D ~string, P comparable] map[D]P

func (m enumMap[D, P]) domain(p P) D {
	for d, v := range m {
		if v == p {
			return d
		}
	}
	return ""
}

var (
	channels = enumMap[Channel, pickingv1.Channel]{
		Amazon: pickingv1.Channel_CHANNEL_AMAZON, Walmart: pickingv1.Channel_CHANNEL_WALMART, TikTok: pickingv1.Channel_CHANNEL_TIKTOK,
		Shopify: pickingv1.Channel_CHANNEL_SHOPIFY, Direct: pickingv1.Channel_CHANNEL_DIRECT,
	}
	orderStates = enumMap[OrderState, pickingv1.OrderState]{
		OrderReleased: pickingv1.OrderState_ORDER_STATE_RELEASED, OrderListed: pickingv1.OrderState_ORDER_STATE_LISTED,
		OrderPicked: pickingv1.OrderState_ORDER_STATE_PICKED, OrderCancelled: pickingv1.OrderState_ORDER_STATE_CANCELLED,
		OrderBackordered: pickingv1.OrderState_ORDER_STATE_BACKORDERED,
	}
	releaseOutcomes = enumMap[ReleaseOutcome, pickingv1.ReleaseOutcome]{
		Released: pickingv1.ReleaseOutcome_RELEASE_OUTCOME_RELEASED, AlreadyReleased: pickingv1.ReleaseOutcome_RELEASE_OUTCOME_ALREADY_RELEASED,
		ReleaseConflict: pickingv1.ReleaseOutcome_RELEASE_OUTCOME_CONFLICT, ReleaseUnknownSKU: pickingv1.ReleaseOutcome_RELEASE_OUTCOME_UNKNOWN_SKU,
	}
	listTypes = enumMap[ListType, pickingv1.PickListType]{
		Discrete: pickingv1.PickListType_PICK_LIST_TYPE_DISCRETE, Batch: pickingv1.PickListType_PICK_LIST_TYPE_BATCH,
		Cluster: pickingv1.PickListType_PICK_LIST_TYPE_CLUSTER,
	}
	listStates = enumMap[ListState, pickingv1.PickListState]{
		ListOpen: pickingv1.PickListState_PICK_LIST_STATE_OPEN, ListPicking: pickingv1.PickListState_PICK_LIST_STATE_PICKING,
		ListCompleted: pickingv1.PickListState_PICK_LIST_STATE_COMPLETED,
	}
	lineStates = enumMap[LineState, pickingv1.LineState]{
		LineOpen: pickingv1.LineState_LINE_STATE_OPEN, LinePicked: pickingv1.LineState_LINE_STATE_PICKED,
		LineShort: pickingv1.LineState_LINE_STATE_SHORT, LineCancelled: pickingv1.LineState_LINE_STATE_CANCELLED,
	}
)

func timeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func orderToProto(o Order) *pickingv1.Order {
	p := &pickingv1.Order{OrderId: o.OrderID, Channel: channels[o.Channel], Priority: int32(o.Priority), ShipBy: timeToProto(o.ShipBy),
		State: orderStates[o.State], PickListId: o.PickListID, CancelReason: o.CancelReason}
	for _, l := range o.Lines {
		p.Lines = append(p.Lines, &pickingv1.OrderLine{LineNumber: int32(l.LineNumber), Sku: l.SKU, Quantity: l.Qty,
			AllocatedQuantity: l.Allocated, PickedQuantity: l.Picked, ShortQuantity: l.Short, BackorderedQuantity: l.Backordered})
	}
	return p
}

func lineToProto(l Line) *pickingv1.PickLine {
	return &pickingv1.PickLine{Id: l.ID, OrderId: l.OrderID, LineNumber: int32(l.LineNumber), LocationCode: l.LocationCode,
		Sku: l.SKU, Description: l.Description, Lot: l.Lot, Expiry: l.Expiry, LotRequired: l.LotRequired, Quantity: l.Qty,
		PickedQuantity: l.Picked, ShortQuantity: l.Short, State: lineStates[l.State], Tote: l.Tote, Lpn: l.LPN}
}

func listToProto(l PickList) *pickingv1.PickList {
	p := &pickingv1.PickList{Id: l.ID, Type: listTypes[l.Type], State: listStates[l.State], AssignedTo: l.AssignedTo,
		ShipLocationCode: l.ShipLocation, OrderIds: l.OrderIDs, Totes: l.Totes, Priority: int32(l.Priority),
		ShipBy: timeToProto(l.ShipBy), CreateTime: timeToProto(l.CreatedAt)}
	for _, ln := range l.Lines {
		p.Lines = append(p.Lines, lineToProto(ln))
	}
	return p
}
