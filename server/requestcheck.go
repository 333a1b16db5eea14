package server

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/floorops/floorops"
)

// textControls refuses a request whose text carries a control character
// (C0 such as BEL or TAB, DEL, C1) or broken UTF-8 in any string field, at
// any depth: a reason, a reference, a device id or a user name is stored,
// printed on reports and sent upstream, where a BEL or an escape sequence
// does damage. It is the one rule for every RPC, so a new free-text field
// is covered without a validate tag. Only what a scanner sends is exempt
// (see isScanField): GS1 and ISO 15434 data legitimately carry GS (FNC1),
// RS and EOT, and the scan parser decides what they mean. Scans must still
// be valid UTF-8. White space around the text (the TAB or CR LF a
// keyboard-wedge scanner ends a code with) is not refused: every workflow
// trims it (scan.Code for codes, strings.TrimSpace for free text).
func textControls(req any) error {
	m, ok := req.(interface{ ProtoReflect() protoreflect.Message })
	if !ok {
		return nil
	}
	var bad []floorops.FieldViolation
	walkText(m.ProtoReflect(), "", &bad)
	if len(bad) == 0 {
		return nil
	}
	return invalidFields(bad)
}

// isScanField reports whether a string field carries raw scanner input,
// decided by its proto name: raw, raw_scan, scan, or a name ending in
// _scan or _scans (from_location_scan, tote_scans).
func isScanField(fd protoreflect.FieldDescriptor) bool {
	name := string(fd.Name())
	switch name {
	case "raw", "raw_scan", "scan":
		return true
	}
	return strings.HasSuffix(name, "_scan") || strings.HasSuffix(name, "_scans")
}

func walkText(m protoreflect.Message, prefix string, bad *[]floorops.FieldViolation) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := prefix + string(fd.Name())
		switch {
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				at := fmt.Sprintf("%s[%v]", name, k.Interface())
				if fd.MapKey().Kind() == protoreflect.StringKind {
					checkText(fd, k.String(), at, bad)
				}
				switch {
				case fd.MapValue().Message() != nil:
					walkText(mv.Message(), at+".", bad)
				case fd.MapValue().Kind() == protoreflect.StringKind:
					checkText(fd, mv.String(), at, bad)
				}
				return true
			})
		case fd.IsList():
			l := v.List()
			for i := range l.Len() {
				at := fmt.Sprintf("%s[%d]", name, i)
				switch {
				case fd.Message() != nil:
					walkText(l.Get(i).Message(), at+".", bad)
				case fd.Kind() == protoreflect.StringKind:
					checkText(fd, l.Get(i).String(), at, bad)
				}
			}
		case fd.Message() != nil:
			walkText(v.Message(), name+".", bad)
		case fd.Kind() == protoreflect.StringKind:
			checkText(fd, v.String(), name, bad)
		}
		return true
	})
}

func checkText(fd protoreflect.FieldDescriptor, s, field string, bad *[]floorops.FieldViolation) {
	switch {
	case !utf8.ValidString(s):
		*bad = append(*bad, floorops.FieldViolation{Field: field, Description: "must be valid UTF-8 text"})
	case !isScanField(fd) && strings.ContainsFunc(strings.TrimSpace(s), unicode.IsControl):
		*bad = append(*bad, floorops.FieldViolation{Field: field, Description: "must be text without control characters"})
	}
}
