package server

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/floorops/floorops"
)

// undefinedEnums refuses a request that carries an enum number its proto
// does not define. Protobuf keeps unknown enum numbers (open enums), so a
// client sending condition 7 would otherwise reach the service as the
// zero value's neighbour, or be read as the default: a damaged unit
// received as good, a quarantined status as available. Every field of
// every message in the request is checked, so each service need not.
func undefinedEnums(req any) error {
	m, ok := req.(interface{ ProtoReflect() protoreflect.Message })
	if !ok {
		return nil
	}
	var bad []floorops.FieldViolation
	walkEnums(m.ProtoReflect(), "", &bad)
	if len(bad) == 0 {
		return nil
	}
	return invalidFields(bad)
}

func walkEnums(m protoreflect.Message, prefix string, bad *[]floorops.FieldViolation) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := prefix + string(fd.Name())
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
					walkEnums(mv.Message(), fmt.Sprintf("%s[%v].", name, k.Interface()), bad)
					return true
				})
			} else if ed := fd.MapValue().Enum(); ed != nil {
				v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
					checkEnum(ed, mv.Enum(), fmt.Sprintf("%s[%v]", name, k.Interface()), bad)
					return true
				})
			}
		case fd.IsList():
			l := v.List()
			for i := range l.Len() {
				switch {
				case fd.Message() != nil:
					walkEnums(l.Get(i).Message(), fmt.Sprintf("%s[%d].", name, i), bad)
				case fd.Enum() != nil:
					checkEnum(fd.Enum(), l.Get(i).Enum(), fmt.Sprintf("%s[%d]", name, i), bad)
				}
			}
		case fd.Message() != nil:
			walkEnums(v.Message(), name+".", bad)
		case fd.Enum() != nil:
			checkEnum(fd.Enum(), v.Enum(), name, bad)
		}
		return true
	})
}

// withRequestID adds request_id to the field violations of a refused
// request that also lacks one: services check the request id when they
// open their transaction, after their own validation, and a client should
// learn every missing field at once.
func withRequestID(req any, err error) error {
	var fe *floorops.Error
	if !errors.As(err, &fe) || fe.Code != floorops.EINVALID || len(fe.Fields) == 0 {
		return err
	}
	m, ok := req.(interface{ ProtoReflect() protoreflect.Message })
	if !ok {
		return err
	}
	fd := m.ProtoReflect().Descriptor().Fields().ByName("request_id")
	if fd == nil || fd.Kind() != protoreflect.StringKind || m.ProtoReflect().Get(fd).String() != "" {
		return err
	}
	for _, f := range fe.Fields {
		if f.Field == "request_id" {
			return err
		}
	}
	out := *fe
	out.Fields = append([]floorops.FieldViolation{{Field: "request_id", Description: "is required"}}, fe.Fields...)
	out.Message = floorops.FieldsMessage(out.Fields)
	return &out
}

func checkEnum(ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber, field string, bad *[]floorops.FieldViolation) {
	if ed.Values().ByNumber(n) == nil {
		*bad = append(*bad, floorops.FieldViolation{Field: field, Description: fmt.Sprintf("%d is not a defined value: must be one of %s", n, enumNames(ed))})
	}
}
