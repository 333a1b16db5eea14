package server

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// edge is the interceptor just inside the metrics (metrics.go): it maps
// errors to status codes once and writes one log line per RPC. A panic in a handler is
// logged with its stack and answered as Internal; the node keeps serving
// (the handler's transaction was rolled back by store.Write).
type edge struct {
	log   *slog.Logger
	codec *wireCodec
}

func (e *edge) observe(ctx context.Context, method string, start time.Time, err error) {
	code := status.Code(err)
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	e.log.Log(ctx, level, "rpc", "method", method, "code", code.String(), "ms", float64(time.Since(start).Microseconds())/1000)
}

func (e *edge) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
		err = toStatus(e.log, info.FullMethod, err)
		e.observe(ctx, info.FullMethod, start, err)
	}()
	if err := e.codec.decodeError(req); err != nil {
		return nil, err
	}
	if err := undefinedEnums(req); err != nil {
		return nil, err
	}
	if err := textControls(req); err != nil {
		return nil, err
	}
	resp, err = handler(ctx, req)
	return resp, withRequestID(req, err)
}

func (e *edge) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
		err = toStatus(e.log, info.FullMethod, err)
		e.observe(ss.Context(), info.FullMethod, start, err)
	}()
	return handler(srv, &checkedStream{ServerStream: ss, codec: e.codec})
}

// checkedStream answers a malformed streamed message as InvalidArgument,
// as the unary path does.
type checkedStream struct {
	grpc.ServerStream
	codec *wireCodec
}

func (s *checkedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if err := s.codec.decodeError(m); err != nil {
		return err
	}
	if err := undefinedEnums(m); err != nil {
		return err
	}
	return textControls(m)
}
