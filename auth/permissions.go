package auth

import (
	"context"
	"strings"

	"github.com/floorops/floorops"
	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	cyclecountv1 "github.com/floorops/floorops/proto/floorops/cyclecount/v1"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	pickingv1 "github.com/floorops/floorops/proto/floorops/picking/v1"
	putawayv1 "github.com/floorops/floorops/proto/floorops/putaway/v1"
	receivingv1 "github.com/floorops/floorops/proto/floorops/receiving/v1"
	returnsv1 "github.com/floorops/floorops/proto/floorops/returns/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// public marks an RPC anyone may call without credentials. It is a role no
// principal has, so an empty or mistaken entry denies instead of opening.
const public Role = "public"

// Public is the permission of RPCs anyone may call without credentials.
var Public = []Role{public}

var (
	anyone     = []Role{Associate, Lead, Admin, Integration}
	floor      = []Role{Associate, Lead, Admin}
	leads      = []Role{Lead, Admin}
	masterData = []Role{Admin, Integration}
	admins     = []Role{Admin}
	readers    = anyone
	// sellers read what is available to sell: channels (integration),
	// leads and admins. Not associates: no floor screen needs it, and an
	// item's ATS less the bins an associate may read would be the record
	// of a bin being counted blind.
	sellers = []Role{Lead, Admin, Integration}
)

// SyncStatusRoute is a REST route of the node's own, not an RPC: the web
// app's read of the upstream sync status (server/websync.go). Its
// permission entry is below, beside the RPCs'.
const SyncStatusRoute = "GET /v1/sync/status"

// Permissions maps every RPC (full method name) to the roles allowed to
// call it. An RPC missing from the table is denied to everyone; a test walks
// every registered method and fails if one is missing.
var Permissions = map[string][]Role{
	"/grpc.health.v1.Health/Check":                                   Public,
	"/grpc.health.v1.Health/Watch":                                   Public,
	"/grpc.health.v1.Health/List":                                    Public,
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":      Public,
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": Public,

	authv1.AuthService_Login_FullMethodName:  Public,
	authv1.AuthService_Logout_FullMethodName: anyone,
	authv1.AuthService_WhoAmI_FullMethodName: anyone,
	// Only admins change who may sign in; each change is audited.
	authv1.AuthService_EnableUser_FullMethodName:    admins,
	authv1.AuthService_DisableUser_FullMethodName:   admins,
	authv1.AuthService_ResetPin_FullMethodName:      admins,
	authv1.AuthService_UnlockBadge_FullMethodName:   admins,
	authv1.AuthService_ListUserAudit_FullMethodName: admins,

	inventoryv1.InventoryService_UpsertItem_FullMethodName:         masterData,
	inventoryv1.InventoryService_GetItem_FullMethodName:            readers,
	inventoryv1.InventoryService_ListItems_FullMethodName:          readers,
	inventoryv1.InventoryService_UpsertLocation_FullMethodName:     masterData,
	inventoryv1.InventoryService_GetLocation_FullMethodName:        readers,
	inventoryv1.InventoryService_ListLocations_FullMethodName:      readers,
	inventoryv1.InventoryService_GetBalances_FullMethodName:        readers,
	inventoryv1.InventoryService_GetAvailableToSell_FullMethodName: sellers,
	inventoryv1.InventoryService_MoveStock_FullMethodName:          floor,
	inventoryv1.InventoryService_AdjustStock_FullMethodName:        leads,
	inventoryv1.InventoryService_ListMovements_FullMethodName:      readers,
	inventoryv1.InventoryService_ResolveScan_FullMethodName:        readers,
	inventoryv1.InventoryService_RenderLabel_FullMethodName:        floor,

	// The change feed is central's (its key's role) and an admin's.
	upstreamv1.ChangeFeedService_Watch_FullMethodName:                   {Integration, Admin},
	upstreamv1.ChangeFeedService_Snapshot_FullMethodName:                {Integration, Admin},
	upstreamv1.ChangeFeedService_ListAvailabilityChanges_FullMethodName: {Integration, Admin},

	// What `floorops sync status` shows, for a lead's screen.
	SyncStatusRoute: {Lead, Admin, Integration},

	// Central owns orders: it releases and cancels them, admins may stand in.
	pickingv1.PickingService_ReleaseOrders_FullMethodName:    {Integration, Admin},
	pickingv1.PickingService_CancelOrder_FullMethodName:      {Integration, Admin},
	pickingv1.PickingService_GetOrder_FullMethodName:         readers,
	pickingv1.PickingService_CreatePickLists_FullMethodName:  leads,
	pickingv1.PickingService_ListPickLists_FullMethodName:    readers,
	pickingv1.PickingService_StartPickList_FullMethodName:    floor,
	pickingv1.PickingService_NextLine_FullMethodName:         floor,
	pickingv1.PickingService_ConfirmPick_FullMethodName:      floor,
	pickingv1.PickingService_ShortPick_FullMethodName:        floor,
	pickingv1.PickingService_CompletePickList_FullMethodName: floor,

	putawayv1.PutawayService_ListTasks_FullMethodName:       readers,
	putawayv1.PutawayService_SuggestLocation_FullMethodName: floor,
	putawayv1.PutawayService_ConfirmPutaway_FullMethodName:  floor,
	putawayv1.PutawayService_CancelTask_FullMethodName:      leads,
	putawayv1.PutawayService_CreateTask_FullMethodName:      leads,
	putawayv1.PutawayService_SetHomeLocation_FullMethodName: leads,
	putawayv1.PutawayService_GetDockToStock_FullMethodName:  {Lead, Admin, Integration},

	receivingv1.ReceivingService_UpsertPurchaseOrder_FullMethodName:     {Admin, Integration, Lead},
	receivingv1.ReceivingService_GetPurchaseOrder_FullMethodName:        readers,
	receivingv1.ReceivingService_ListPurchaseOrders_FullMethodName:      readers,
	receivingv1.ReceivingService_SetVendorPolicy_FullMethodName:         {Admin, Integration, Lead},
	receivingv1.ReceivingService_CreateAdvanceShipNotice_FullMethodName: masterData,
	receivingv1.ReceivingService_GetAdvanceShipNotice_FullMethodName:    readers,
	receivingv1.ReceivingService_ListAdvanceShipNotices_FullMethodName:  readers,
	receivingv1.ReceivingService_StartReceipt_FullMethodName:            floor,
	receivingv1.ReceivingService_ReceiveScan_FullMethodName:             floor,
	receivingv1.ReceivingService_UndoLastScan_FullMethodName:            floor,
	receivingv1.ReceivingService_CloseReceipt_FullMethodName:            floor,
	receivingv1.ReceivingService_GetReceipt_FullMethodName:              readers,
	receivingv1.ReceivingService_ListReceipts_FullMethodName:            readers,

	// Central issues RMAs; the floor receives, grades and dispositions
	// (who may override toward restock, and who may set the rules, the
	// returns package decides).
	returnsv1.ReturnsService_CreateRma_FullMethodName:     {Admin, Integration, Lead},
	returnsv1.ReturnsService_GetRma_FullMethodName:        readers,
	returnsv1.ReturnsService_ListRmas_FullMethodName:      readers,
	returnsv1.ReturnsService_ReceiveReturn_FullMethodName: floor,
	returnsv1.ReturnsService_GradeUnit_FullMethodName:     floor,
	returnsv1.ReturnsService_Disposition_FullMethodName:   floor,
	returnsv1.ReturnsService_ListQueue_FullMethodName:     readers,
	returnsv1.ReturnsService_GetRules_FullMethodName:      readers,
	returnsv1.ReturnsService_SetRules_FullMethodName:      leads,
	returnsv1.ReturnsService_GetSlaReport_FullMethodName:  readers,

	// Associates count (blind); leads approve what two counts agree on;
	// admins set the tolerances.
	cyclecountv1.CycleCountService_PlanCounts_FullMethodName:           leads,
	cyclecountv1.CycleCountService_ListTasks_FullMethodName:            floor,
	cyclecountv1.CycleCountService_AddTask_FullMethodName:              leads,
	cyclecountv1.CycleCountService_AssignTask_FullMethodName:           leads,
	cyclecountv1.CycleCountService_RemoveTask_FullMethodName:           leads,
	cyclecountv1.CycleCountService_GetAccuracy_FullMethodName:          {Lead, Admin, Integration},
	cyclecountv1.CycleCountService_StartCount_FullMethodName:           floor,
	cyclecountv1.CycleCountService_SubmitCount_FullMethodName:          floor,
	cyclecountv1.CycleCountService_ListPendingApprovals_FullMethodName: leads,
	cyclecountv1.CycleCountService_Approve_FullMethodName:              leads,
	cyclecountv1.CycleCountService_Reject_FullMethodName:               leads,
	cyclecountv1.CycleCountService_GetPolicy_FullMethodName:            {Lead, Admin, Integration},
	cyclecountv1.CycleCountService_SetPolicy_FullMethodName:            admins,
}

// authorize authenticates the caller of method from the request metadata
// and checks the permission table. It returns the context carrying the
// principal.
func (s *Service) authorize(ctx context.Context, method string) (context.Context, error) {
	allowed, listed := Permissions[method]
	if !listed {
		return nil, floorops.Errorf(floorops.EPERMISSION, "%s is not in the permission table", method)
	}
	if len(allowed) == 1 && allowed[0] == public {
		return ctx, nil
	}
	var p Principal
	tok := BearerToken(ctx)
	if cert, ok := clientCertName(ctx); ok && tok == "" {
		p = Principal{Badge: "cert:" + cert, Name: cert, Role: Integration, Device: cert}
	} else {
		var err error
		if p, err = s.Authenticate(ctx, tok); err != nil {
			return nil, err
		}
	}
	for _, r := range allowed {
		if r == p.Role {
			return NewContext(ctx, p), nil
		}
	}
	return nil, floorops.Errorf(floorops.EPERMISSION, "role %s may not call %s", p.Role, method[strings.LastIndex(method, "/")+1:])
}

// clientCertName returns the subject common name of a client certificate
// the TLS handshake verified against the node's client CA (mTLS): central
// systems may sign in that way instead of with an API key.
func clientCertName(ctx context.Context) (string, bool) {
	pr, ok := peer.FromContext(ctx)
	if !ok {
		return "", false
	}
	ti, ok := pr.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.VerifiedChains) == 0 || len(ti.State.VerifiedChains[0]) == 0 {
		return "", false
	}
	cn := ti.State.VerifiedChains[0][0].Subject.CommonName
	return cn, cn != ""
}

// BearerToken returns the token from the request's authorization metadata
// ("Bearer <token>"), or "".
func BearerToken(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if scheme, tok, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "bearer") {
			return strings.TrimSpace(tok)
		}
	}
	return ""
}

// UnaryInterceptor enforces the permission table on unary RPCs.
func (s *Service) UnaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, err := s.authorize(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// StreamInterceptor enforces the permission table on streaming RPCs.
func (s *Service) StreamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, err := s.authorize(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return handler(srv, &principalStream{ServerStream: ss, ctx: ctx})
}

type principalStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *principalStream) Context() context.Context { return s.ctx }
