package server

import (
	"sync"

	"github.com/floorops/floorops"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
)

// wireCodec is the proto codec with one difference: a request that is not
// valid protobuf (garbage bytes, a truncated field, a string that is not
// UTF-8, as a non-Go client sending Latin-1 text would) is the client's
// mistake, so it must be InvalidArgument. grpc-go turns every decode error
// into Internal before any interceptor runs; so the codec remembers the
// error for the request message instead, and the edge interceptor answers
// InvalidArgument for it without calling the handler.
type wireCodec struct {
	encoding.CodecV2
	bad sync.Map // request message -> decode error
}

func newWireCodec() *wireCodec {
	return &wireCodec{CodecV2: encoding.GetCodecV2("proto")}
}

// Unmarshal decodes data into v, recording (not returning) a decode error.
func (c *wireCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if err := c.CodecV2.Unmarshal(data, v); err != nil {
		c.bad.Store(v, err)
	}
	return nil
}

// decodeError returns, and forgets, the decode error recorded for req.
func (c *wireCodec) decodeError(req any) error {
	v, ok := c.bad.LoadAndDelete(req)
	if !ok {
		return nil
	}
	return &floorops.Error{Code: floorops.EINVALID, Message: "the request is not a valid protobuf message: " + v.(error).Error()}
}
