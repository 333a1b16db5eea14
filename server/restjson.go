package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/floorops/floorops"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// restJSON is the REST face's JSON: protojson with proto field names, as in
// /openapi.json, and zero values sent, so a handheld reads "quantity": 0,
// not nothing. A body that does not decode is answered with one field
// violation per bad field, named by its proto path (item.sku,
// orders[0].lines[2].quantity) whichever spelling the client used, instead
// of protojson's first complaint in camelCase.
type restJSON struct {
	runtime.JSONPb
}

func newRESTJSON() *restJSON {
	return &restJSON{runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}}
}

// NewDecoder reads the whole request body (capped by the REST face) and
// decodes it. An empty body is an empty request, as the gateway expects.
// A body that sets a path parameter's field to another value than the
// path is refused on that field.
func (j *restJSON) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return io.EOF
		}
		m, ok := v.(proto.Message)
		if !ok {
			return j.JSONPb.Unmarshal(data, v)
		}
		data = normalizeMasks(data, m.ProtoReflect().Descriptor())
		if err := j.UnmarshalOptions.Unmarshal(data, m); err != nil {
			bad := bodyViolations(data, m.ProtoReflect().Descriptor())
			if b, ok := r.(*restBody); ok {
				b.call.invalid = bad
			}
			return bad
		}
		if b, ok := r.(*restBody); ok && b.call.route != nil {
			if bad := b.call.route.pathConflicts(m.ProtoReflect(), b.call.pathParams); bad != nil {
				b.call.invalid = bad
				return bad
			}
		}
		return nil
	})
}

// bodyViolations says what is wrong with a JSON body protojson refused, field
// by field.
func bodyViolations(data []byte, md protoreflect.MessageDescriptor) *floorops.Error {
	var bad []floorops.FieldViolation
	switch {
	case !json.Valid(data):
		desc := "is not valid JSON"
		var serr *json.SyntaxError
		if err := json.Unmarshal(data, new(any)); errors.As(err, &serr) {
			desc = fmt.Sprintf("is not valid JSON (at byte %d)", serr.Offset)
		}
		bad = append(bad, floorops.FieldViolation{Field: syntaxField(data, md), Description: desc})
	case firstByte(data) != '{':
		bad = append(bad, floorops.FieldViolation{Description: "must be a JSON object"})
	default:
		walkObject(data, md, "", &bad)
	}
	if len(bad) == 0 {
		// protojson refused something the walk does not see (two fields of
		// one oneof, say): name the body as a whole.
		bad = append(bad, floorops.FieldViolation{Description: "does not match the request: check field names, value types and that only one of a set of alternatives is given"})
	}
	return invalidFields(bad)
}

// invalidFields is an EINVALID error naming every bad field (the body
// itself has field "").
func invalidFields(bad []floorops.FieldViolation) *floorops.Error {
	return floorops.InvalidFields(bad...)
}

// syntaxField is the proto path of the field whose value holds the first
// syntax error of a JSON body (a bad escape or a raw control character in
// a string, a broken number), so the client learns which field to fix; ""
// when the error is outside any field's value.
func syntaxField(data []byte, md protoreflect.MessageDescriptor) string {
	type frame struct {
		md      protoreflect.MessageDescriptor // an object's message; nil if unknown
		elem    protoreflect.MessageDescriptor // an array's element message; nil if none
		prefix  string                         // the container's own path
		array   bool
		n       int    // elements begun, in an array
		field   string // path of the value being read, in an object
		fd      protoreflect.FieldDescriptor
		wantKey bool
	}
	join := func(prefix, name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	for {
		tok, err := dec.Token()
		if len(stack) == 0 && err == nil {
			if tok == json.Delim('{') {
				stack = append(stack, &frame{md: md, wantKey: true})
				continue
			}
			return ""
		}
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if err != nil {
			switch {
			case top.array:
				return fmt.Sprintf("%s[%d]", top.prefix, top.n)
			case top.wantKey:
				return top.prefix
			default:
				return top.field
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].wantKey = true
			}
			continue
		}
		if !top.array && top.wantKey {
			key, _ := tok.(string)
			top.field, top.fd = join(top.prefix, strings.ToValidUTF8(key, "\uFFFD")), nil
			if top.md != nil {
				fd := top.md.Fields().ByJSONName(key)
				if fd == nil {
					fd = top.md.Fields().ByTextName(key)
				}
				if fd != nil {
					top.field, top.fd = join(top.prefix, string(fd.Name())), fd
				}
			}
			top.wantKey = false
			continue
		}
		// A value: in an array the next element, in an object the key's.
		path, fd := top.field, top.fd
		var elemMD protoreflect.MessageDescriptor
		if top.array {
			path, elemMD = fmt.Sprintf("%s[%d]", top.prefix, top.n), top.elem
			top.n++
		} else {
			top.wantKey = true
		}
		switch tok {
		case json.Delim('{'):
			child := &frame{prefix: path, md: elemMD, wantKey: true}
			if fd != nil && !fd.IsList() && !fd.IsMap() && fd.Message() != nil && !wellKnown(fd.Message()) {
				child.md = fd.Message()
			}
			stack = append(stack, child)
		case json.Delim('['):
			child := &frame{prefix: path, array: true}
			if fd != nil && fd.IsList() && fd.Message() != nil && !wellKnown(fd.Message()) {
				child.elem = fd.Message()
			}
			stack = append(stack, child)
		}
	}
}

func firstByte(data []byte) byte {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// walkObject checks a JSON object (valid JSON) against message md, adding a
// violation per bad field under prefix.
func walkObject(data []byte, md protoreflect.MessageDescriptor, prefix string, bad *[]floorops.FieldViolation) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	seen := map[protoreflect.Name]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return
		}
		fd := md.Fields().ByJSONName(key)
		if fd == nil {
			fd = md.Fields().ByTextName(key)
		}
		if fd == nil {
			*bad = append(*bad, floorops.FieldViolation{Field: prefix + strings.ToValidUTF8(key, "\uFFFD"), Description: "is not a field of this request"})
			continue
		}
		path := prefix + string(fd.Name())
		if seen[fd.Name()] {
			*bad = append(*bad, floorops.FieldViolation{Field: path, Description: "is given more than once"})
			continue
		}
		seen[fd.Name()] = true
		walkField(raw, md, fd, path, bad)
	}
}

// walkField checks one field's JSON value. Messages, lists and maps of
// messages are walked into; any other value is decoded alone, by protojson,
// so it is accepted exactly when protojson accepts it.
func walkField(raw json.RawMessage, md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor, path string, bad *[]floorops.FieldViolation) {
	if string(raw) == "null" {
		return // protojson: an unset field
	}
	switch {
	case fd.IsList() && fd.Message() != nil && !wellKnown(fd.Message()):
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			*bad = append(*bad, floorops.FieldViolation{Field: path, Description: "must be a JSON array"})
			return
		}
		for i, e := range elems {
			walkValue(e, fd.Message(), fmt.Sprintf("%s[%d]", path, i), bad)
		}
	case fd.IsMap() && fd.MapValue().Message() != nil && !wellKnown(fd.MapValue().Message()):
		var entries map[string]json.RawMessage
		if json.Unmarshal(raw, &entries) != nil {
			*bad = append(*bad, floorops.FieldViolation{Field: path, Description: "must be a JSON object"})
			return
		}
		if !decodesAlone(md, fd, raw) {
			for k, e := range entries {
				walkValue(e, fd.MapValue().Message(), fmt.Sprintf("%s[%s]", path, k), bad)
			}
		}
	case !fd.IsList() && !fd.IsMap() && fd.Message() != nil && !wellKnown(fd.Message()):
		walkValue(raw, fd.Message(), path, bad)
	case fd.IsList():
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			*bad = append(*bad, floorops.FieldViolation{Field: path, Description: "must be a JSON array"})
			return
		}
		for i, e := range elems {
			if !decodesAlone(md, fd, json.RawMessage("["+string(e)+"]")) {
				*bad = append(*bad, floorops.FieldViolation{Field: fmt.Sprintf("%s[%d]", path, i), Description: describeValue(fd, e)})
			}
		}
	default:
		if !decodesAlone(md, fd, raw) {
			*bad = append(*bad, floorops.FieldViolation{Field: path, Description: describeValue(fd, raw)})
		}
	}
}

// walkValue checks one message value: an object walked field by field.
func walkValue(raw json.RawMessage, md protoreflect.MessageDescriptor, path string, bad *[]floorops.FieldViolation) {
	if string(raw) == "null" {
		return
	}
	if firstByte(raw) != '{' {
		*bad = append(*bad, floorops.FieldViolation{Field: path, Description: "must be a JSON object"})
		return
	}
	walkObject(raw, md, path+".", bad)
}

// decodesAlone reports whether protojson accepts raw as field fd of md.
func decodesAlone(md protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor, raw json.RawMessage) bool {
	key, _ := json.Marshal(fd.JSONName())
	doc := append(append(append([]byte("{"), key...), ':'), raw...)
	doc = append(doc, '}')
	return protojson.Unmarshal(doc, newMessage(md)) == nil
}

// newMessage is an empty message of type md: the generated type when it is
// linked in, a dynamic one otherwise.
func newMessage(md protoreflect.MessageDescriptor) proto.Message {
	if mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName()); err == nil {
		return mt.New().Interface()
	}
	return dynamicpb.NewMessage(md)
}

func wellKnown(md protoreflect.MessageDescriptor) bool {
	return md.ParentFile().Package() == "google.protobuf"
}

// describeValue says what field fd must hold, given the JSON raw it got.
func describeValue(fd protoreflect.FieldDescriptor, raw json.RawMessage) string {
	var s string
	if (fd.Kind() == protoreflect.StringKind || fd.Kind() == protoreflect.BytesKind) && json.Unmarshal(raw, &s) == nil && !utf8.Valid(raw) {
		return "is not valid UTF-8 text"
	}
	return describeField(fd)
}

// describeField says, in a client's terms, what values field fd takes. It
// is the description of a wrongly typed value in a body, path or query.
func describeField(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return "must be a string"
	case protoreflect.BytesKind:
		return "must be base64-encoded bytes in a string"
	case protoreflect.BoolKind:
		return "must be true or false"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return "must be a whole number from -2147483648 to 2147483647"
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return "must be a whole number from 0 to 4294967295"
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return "must be a whole number from -9223372036854775808 to 9223372036854775807 (a JSON number or a string of digits)"
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return "must be a whole number from 0 to 18446744073709551615 (a JSON number or a string of digits)"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "must be a number"
	case protoreflect.EnumKind:
		return "must be one of " + enumNames(fd.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		switch fd.Message().FullName() {
		case "google.protobuf.Timestamp":
			return "must be an RFC 3339 time such as 2026-03-31T14:05:00Z"
		case "google.protobuf.Duration":
			return "must be a duration in seconds such as 1.5s"
		case "google.protobuf.FieldMask":
			return `must name fields separated by commas, such as "description,unit_cost_cents"`
		}
		if fd.IsMap() || !wellKnown(fd.Message()) {
			return "must be a JSON object"
		}
		return "is not a valid value"
	}
	return "is not a valid value"
}

// enumNames lists the names of an enum's values, as JSON and query
// parameters spell them.
func enumNames(ed protoreflect.EnumDescriptor) string {
	vals := ed.Values()
	names := make([]string, 0, vals.Len())
	for i := range vals.Len() {
		names = append(names, string(vals.Get(i).Name()))
	}
	return strings.Join(names, ", ")
}

// normalizeMasks rewrites every update mask (google.protobuf.FieldMask) in
// a JSON body of message md into the one form protojson reads, a string of
// lowerCamel paths, so that a client may write a mask as this API names
// its fields everywhere else: "description,unit_cost_cents", or
// {"paths":["description","unit_cost_cents"]}. lowerCamel paths are taken
// too, as are spaces around a path. protojson turns the paths back into
// proto names. A body it cannot read is returned unchanged, for the
// decoder to refuse field by field.
func normalizeMasks(data []byte, md protoreflect.MessageDescriptor) []byte {
	if !holdsMask(md, map[protoreflect.FullName]bool{}) {
		return data
	}
	if out, ok := rewriteMasks(data, md); ok {
		return out
	}
	return data
}

// holdsMask reports whether a message of type md can hold a FieldMask.
func holdsMask(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	if md.FullName() == "google.protobuf.FieldMask" {
		return true
	}
	if seen[md.FullName()] || wellKnown(md) {
		return false
	}
	seen[md.FullName()] = true
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.IsMap() {
			fd = fd.MapValue()
		}
		if fd.Message() != nil && holdsMask(fd.Message(), seen) {
			return true
		}
	}
	return false
}

// rewriteMasks is normalizeMasks for one JSON object, keeping its keys in
// order (a key given twice stays twice, for the decoder to refuse).
func rewriteMasks(data []byte, md protoreflect.MessageDescriptor) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for dec.More() {
		start := dec.InputOffset()
		if _, err := dec.Token(); err != nil {
			return nil, false
		}
		key := bytes.TrimLeft(bytes.TrimSpace(data[start:dec.InputOffset()]), ",")
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		var k string
		if json.Unmarshal(key, &k) != nil {
			return nil, false
		}
		fd := md.Fields().ByJSONName(k)
		if fd == nil {
			fd = md.Fields().ByTextName(k)
		}
		if fd != nil && fd.Message() != nil && !fd.IsMap() {
			if fd.IsList() {
				raw = rewriteEach(raw, fd.Message())
			} else {
				raw = rewriteValue(raw, fd.Message())
			}
		}
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		out.Write(bytes.TrimSpace(key))
		out.WriteByte(':')
		out.Write(raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	out.WriteByte('}')
	return out.Bytes(), true
}

// rewriteValue is one message value with its masks rewritten; raw as it
// came if it is not one normalizeMasks can read.
func rewriteValue(raw json.RawMessage, md protoreflect.MessageDescriptor) json.RawMessage {
	if md.FullName() == "google.protobuf.FieldMask" {
		return maskJSON(raw)
	}
	if wellKnown(md) || firstByte(raw) != '{' {
		return raw
	}
	if out, ok := rewriteMasks(raw, md); ok {
		return out
	}
	return raw
}

func rewriteEach(raw json.RawMessage, md protoreflect.MessageDescriptor) json.RawMessage {
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return raw
	}
	parts := make([][]byte, len(elems))
	for i, e := range elems {
		parts[i] = rewriteValue(e, md)
	}
	return append(append([]byte("["), bytes.Join(parts, []byte(","))...), ']')
}

// maskJSON is a mask value, a string "a,b_c" or an object {"paths":[...]},
// as the string protojson reads ("a,bC"). A path that is neither a proto
// nor a JSON name is kept as given, for protojson to refuse.
func maskJSON(raw json.RawMessage) json.RawMessage {
	var paths []string
	var s string
	var obj struct {
		Paths []string `json:"paths"`
	}
	switch {
	case json.Unmarshal(raw, &s) == nil:
		if strings.TrimSpace(s) == "" {
			return raw
		}
		paths = strings.Split(s, ",")
	case firstByte(raw) == '{':
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if dec.Decode(&obj) != nil {
			return raw
		}
		paths = obj.Paths
	default:
		return raw
	}
	for i, p := range paths {
		segs := strings.Split(strings.TrimSpace(p), ".")
		for j, seg := range segs {
			if c := lowerCamel(seg); snakeCase(c) == seg {
				segs[j] = c
			}
		}
		paths[i] = strings.Join(segs, ".")
	}
	out, err := json.Marshal(strings.Join(paths, ","))
	if err != nil {
		return raw
	}
	return out
}

// lowerCamel is a proto field name as JSON spells it: unit_cost_cents ->
// unitCostCents.
func lowerCamel(name string) string {
	var b strings.Builder
	up := false
	for _, c := range name {
		switch {
		case c == '_':
			up = true
		case up && 'a' <= c && c <= 'z':
			b.WriteRune(c - 'a' + 'A')
			up = false
		default:
			b.WriteRune(c)
			up = false
		}
	}
	return b.String()
}

// snakeCase is lowerCamel undone, as protojson undoes it.
func snakeCase(name string) string {
	var b strings.Builder
	for _, c := range name {
		if 'A' <= c && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}
