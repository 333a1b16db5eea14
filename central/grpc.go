package central

import (
	"context"
	"errors"
	"strings"

	"github.com/floorops/floorops"
	centralv1 "github.com/floorops/floorops/proto/floorops/central/v1"
	upstreamv1 "github.com/floorops/floorops/proto/floorops/upstream/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
)

type nodeKey struct{}

// signIn finds the node calling: the common name of a verified client
// certificate, or the node a bearer key was made for.
func (c *Central) signIn(ctx context.Context) (string, error) {
	if p, ok := peer.FromContext(ctx); ok {
		if ti, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(ti.State.VerifiedChains) > 0 {
			return ti.State.VerifiedChains[0][0].Subject.CommonName, nil
		}
	}
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		// The scheme is case-insensitive (RFC 9110): "bearer" works too.
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			return c.NodeForKey(ctx, strings.TrimSpace(v[7:]))
		}
	}
	return "", floorops.Errorf(floorops.EUNAUTHENTICATED, "a node key (authorization: Bearer <key>) or client certificate is required")
}

func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(interface{ GRPCStatus() *status.Status }); ok {
		return err // already a status, with its details
	}
	var fe *floorops.Error
	if !errors.As(err, &fe) {
		return status.Error(codes.Internal, "central failed; see its log")
	}
	code := map[floorops.Code]codes.Code{
		floorops.EINVALID: codes.InvalidArgument, floorops.ENOTFOUND: codes.NotFound,
		floorops.ECONFLICT: codes.Aborted, floorops.EPRECONDITION: codes.FailedPrecondition,
		floorops.EUNAUTHENTICATED: codes.Unauthenticated, floorops.EPERMISSION: codes.PermissionDenied,
		floorops.EUNAVAILABLE: codes.Unavailable,
	}[fe.Code]
	if code == codes.OK {
		code = codes.Internal
	}
	return status.Error(code, fe.Message)
}

// NewGRPCServer serves UpstreamService and CentralService over c. Every
// call must come from a node (key or certificate); a node pushes only its
// own events.
func NewGRPCServer(c *Central, opts ...grpc.ServerOption) *grpc.Server {
	// MaxReceiveBytes first, so a caller's own limit wins.
	opts = append([]grpc.ServerOption{grpc.MaxRecvMsgSize(MaxReceiveBytes)}, opts...)
	opts = append(opts, grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		node, err := c.signIn(ctx)
		if err != nil {
			return nil, toStatus(err)
		}
		resp, err := h(context.WithValue(ctx, nodeKey{}, node), req)
		return resp, toStatus(err)
	}))
	g := grpc.NewServer(opts...)
	upstreamv1.RegisterUpstreamServiceServer(g, upstreamHandler{c: c})
	centralv1.RegisterCentralServiceServer(g, centralHandler{c: c})
	reflection.Register(g) // the schema only: grpcurl works without a key
	return g
}

// MaxReceiveBytes is the largest request central takes (gRPC's usual 4
// MiB). A node caps its batches well below it (upstream.MaxBatchBytes)
// and halves a batch central answers ResourceExhausted.
const MaxReceiveBytes = 4 << 20

type upstreamHandler struct {
	upstreamv1.UnimplementedUpstreamServiceServer
	c *Central
}

func (h upstreamHandler) PushEvents(ctx context.Context, req *upstreamv1.PushEventsRequest) (*upstreamv1.PushEventsResponse, error) {
	if req.GetNodeId() == "" {
		return nil, floorops.Invalid("node_id", "is required")
	}
	if node, _ := ctx.Value(nodeKey{}).(string); node != req.GetNodeId() {
		return nil, floorops.Errorf(floorops.EPERMISSION, "this key or certificate is node %q's, not %q's", node, req.GetNodeId())
	}
	return h.c.Push(ctx, req)
}

type centralHandler struct {
	centralv1.UnimplementedCentralServiceServer
	c *Central
}

func (h centralHandler) GetNetworkAvailability(ctx context.Context, req *centralv1.GetNetworkAvailabilityRequest) (*centralv1.GetNetworkAvailabilityResponse, error) {
	skus, err := h.c.NetworkAvailability(ctx, req.GetSkus())
	if err != nil {
		return nil, err
	}
	return &centralv1.GetNetworkAvailabilityResponse{Skus: skus}, nil
}

func (h centralHandler) ListNodes(ctx context.Context, _ *centralv1.ListNodesRequest) (*centralv1.ListNodesResponse, error) {
	nodes, err := h.c.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	return &centralv1.ListNodesResponse{Nodes: nodes}, nil
}
