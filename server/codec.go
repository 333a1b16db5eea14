package server

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/floorops/floorops"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
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
	bad sync.Map // request message -> *floorops.Error
}

func newWireCodec() *wireCodec {
	return &wireCodec{CodecV2: encoding.GetCodecV2("proto")}
}

// Unmarshal decodes data into v, recording (not returning) a decode error.
func (c *wireCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if err := c.CodecV2.Unmarshal(data, v); err != nil {
		var md protoreflect.MessageDescriptor
		if m, ok := v.(interface{ ProtoReflect() protoreflect.Message }); ok {
			md = m.ProtoReflect().Descriptor()
		}
		c.bad.Store(v, wireViolations(data.Materialize(), md))
	}
	return nil
}

// decodeError returns, and forgets, the decode error recorded for req.
func (c *wireCodec) decodeError(req any) error {
	v, ok := c.bad.LoadAndDelete(req)
	if !ok {
		return nil
	}
	return v.(*floorops.Error)
}

// wireViolations says what is wrong with a request that did not decode: each
// string field that is not UTF-8, by its proto path (item.sku,
// orders[1].order_id), or else the message as a whole.
func wireViolations(b []byte, md protoreflect.MessageDescriptor) *floorops.Error {
	var bad []floorops.FieldViolation
	if md == nil || !walkWire(b, md, "", &bad) || len(bad) == 0 {
		bad = []floorops.FieldViolation{{Description: "is not a valid protobuf message (truncated, or not protobuf)"}}
	}
	return invalidFields(bad)
}

// walkWire walks a message's wire bytes, adding a violation per string
// field that is not UTF-8. It returns false if the bytes are not a
// well-formed message.
func walkWire(b []byte, md protoreflect.MessageDescriptor, prefix string, bad *[]floorops.FieldViolation) bool {
	seen := map[protowire.Number]int{} // occurrences, for list indexes
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		fd := md.Fields().ByNumber(num)
		if typ != protowire.BytesType || fd == nil {
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				return false
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		path := prefix + string(fd.Name())
		if fd.IsList() {
			path = fmt.Sprintf("%s[%d]", path, seen[num])
		}
		seen[num]++
		switch {
		case fd.Kind() == protoreflect.StringKind && !utf8.Valid(v):
			*bad = append(*bad, floorops.FieldViolation{Field: path, Description: "is not valid UTF-8 text"})
		case fd.Kind() == protoreflect.MessageKind && !fd.IsMap():
			if !walkWire(v, fd.Message(), path+".", bad) {
				return false
			}
		}
	}
	return true
}
