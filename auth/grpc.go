package auth

import (
	"context"

	"github.com/floorops/floorops"
	authv1 "github.com/floorops/floorops/proto/floorops/auth/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Handler serves AuthService over gRPC.
type Handler struct {
	authv1.UnimplementedAuthServiceServer
	svc *Service
}

// NewHandler returns the gRPC face of s.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

var roleToProto = map[Role]authv1.Role{
	Associate: authv1.Role_ROLE_ASSOCIATE, Lead: authv1.Role_ROLE_LEAD,
	Admin: authv1.Role_ROLE_ADMIN, Integration: authv1.Role_ROLE_INTEGRATION,
}

// Login signs a badge in.
func (h *Handler) Login(ctx context.Context, req *authv1.LoginRequest) (*authv1.LoginResponse, error) {
	res, err := h.svc.Login(ctx, req.GetBadge(), req.GetPin(), req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	return &authv1.LoginResponse{
		Token:      res.Token,
		ExpireTime: timestamppb.New(res.ExpiresAt),
		User:       &authv1.User{Badge: res.User.Badge, Name: res.User.Name, Role: roleToProto[res.User.Role]},
	}, nil
}

// Logout revokes the caller's token.
func (h *Handler) Logout(ctx context.Context, _ *authv1.LogoutRequest) (*authv1.LogoutResponse, error) {
	if p, _ := FromContext(ctx); p.Role == Integration {
		return nil, floorops.Errorf(floorops.EPRECONDITION, "API keys are revoked with floorops apikeys disable, not logged out")
	}
	if err := h.svc.Logout(ctx, BearerToken(ctx)); err != nil {
		return nil, err
	}
	return &authv1.LogoutResponse{}, nil
}

// WhoAmI says who the caller is.
func (h *Handler) WhoAmI(ctx context.Context, _ *authv1.WhoAmIRequest) (*authv1.WhoAmIResponse, error) {
	p, ok := FromContext(ctx)
	if !ok {
		return nil, floorops.Errorf(floorops.EUNAUTHENTICATED, "not signed in")
	}
	return &authv1.WhoAmIResponse{User: &authv1.User{Badge: p.Badge, Name: p.Name, Role: roleToProto[p.Role]}, DeviceId: p.Device}, nil
}

func userToProto(u User) *authv1.User {
	return &authv1.User{Badge: u.Badge, Name: u.Name, Role: roleToProto[u.Role], Disabled: u.Disabled}
}

// caller is the signed-in admin an admin RPC is recorded against.
func caller(ctx context.Context) Principal {
	p, _ := FromContext(ctx)
	return p
}

// EnableUser lets a disabled badge sign in again.
func (h *Handler) EnableUser(ctx context.Context, req *authv1.EnableUserRequest) (*authv1.EnableUserResponse, error) {
	u, err := h.svc.EnableUser(ctx, req.GetRequestId(), req.GetBadge(), caller(ctx))
	if err != nil {
		return nil, err
	}
	return &authv1.EnableUserResponse{User: userToProto(u)}, nil
}

// DisableUser stops a badge from signing in and revokes its sessions.
func (h *Handler) DisableUser(ctx context.Context, req *authv1.DisableUserRequest) (*authv1.DisableUserResponse, error) {
	u, err := h.svc.DisableUser(ctx, req.GetRequestId(), req.GetBadge(), caller(ctx))
	if err != nil {
		return nil, err
	}
	return &authv1.DisableUserResponse{User: userToProto(u)}, nil
}

// ResetPin gives a badge a new PIN and unlocks it.
func (h *Handler) ResetPin(ctx context.Context, req *authv1.ResetPinRequest) (*authv1.ResetPinResponse, error) {
	u, err := h.svc.ResetPin(ctx, req.GetRequestId(), req.GetBadge(), req.GetPin(), caller(ctx))
	if err != nil {
		return nil, err
	}
	return &authv1.ResetPinResponse{User: userToProto(u)}, nil
}

// UnlockBadge lifts a wrong-PIN lock.
func (h *Handler) UnlockBadge(ctx context.Context, req *authv1.UnlockBadgeRequest) (*authv1.UnlockBadgeResponse, error) {
	u, err := h.svc.UnlockBadge(ctx, req.GetRequestId(), req.GetBadge(), caller(ctx))
	if err != nil {
		return nil, err
	}
	return &authv1.UnlockBadgeResponse{User: userToProto(u)}, nil
}

// ListUserAudit pages through the user audit trail.
func (h *Handler) ListUserAudit(ctx context.Context, req *authv1.ListUserAuditRequest) (*authv1.ListUserAuditResponse, error) {
	events, next, err := h.svc.ListUserAudit(ctx, req.GetBadge(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &authv1.ListUserAuditResponse{NextPageToken: next}
	for _, e := range events {
		resp.Events = append(resp.Events, &authv1.UserAuditEvent{
			Badge: e.Badge, Action: e.Action, ActorBadge: e.ActorBadge, ActorDevice: e.ActorDevice,
			RequestId: e.RequestID, CreateTime: timestamppb.New(e.At),
		})
	}
	return resp, nil
}
