package server

import (
	"context"
	"errors"
	"log/slog"

	"github.com/floorops/floorops"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// codeOf is the one mapping from the node's error kinds to gRPC codes.
var codeOf = map[floorops.Code]codes.Code{
	floorops.EINVALID:         codes.InvalidArgument,
	floorops.ENOTFOUND:        codes.NotFound,
	floorops.ECONFLICT:        codes.AlreadyExists,
	floorops.EPRECONDITION:    codes.FailedPrecondition,
	floorops.EUNAUTHENTICATED: codes.Unauthenticated,
	floorops.EPERMISSION:      codes.PermissionDenied,
	floorops.EUNAVAILABLE:     codes.Unavailable,
	floorops.EINTERNAL:        codes.Internal,
}

// toStatus turns any error a handler returns into a gRPC status. Domain
// errors keep their message (written for the associate) and field
// violations; anything else is logged here, once, and returned as a bare
// Internal so no SQL or stack detail leaks to clients.
func toStatus(log *slog.Logger, method string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err // already a status (from grpc itself, health, reflection)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "deadline exceeded")
	}
	var e *floorops.Error
	if !errors.As(err, &e) || e.Code == floorops.EINTERNAL {
		log.Error("internal error", "method", method, "err", err)
		return status.Error(codes.Internal, "internal error; the node has logged it")
	}
	return statusOf(e).Err()
}

// statusOf is the status of a domain error: its code, its message, and its
// field violations as google.rpc.BadRequest details. An error that names
// fields says exactly those in its message (floorops.FieldsMessage), so the
// message and the details never disagree, over gRPC or REST.
func statusOf(e *floorops.Error) *status.Status {
	msg := e.Message
	if len(e.Fields) > 0 {
		msg = floorops.FieldsMessage(e.Fields)
	}
	st := status.New(codeOf[e.Code], msg)
	if len(e.Fields) > 0 {
		br := &errdetails.BadRequest{}
		for _, f := range e.Fields {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: f.Field, Description: f.Description})
		}
		if withDetails, derr := st.WithDetails(br); derr == nil {
			st = withDetails
		}
	}
	return st
}
