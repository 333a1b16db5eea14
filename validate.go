package floorops

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

func validatorInstance() *validator.Validate {
	validateOnce.Do(func() {
		validate = validator.New(validator.WithRequiredStructEnabled())
		// nocontrol: free text (names, reasons, descriptions) may be any
		// language but not control characters or broken UTF-8.
		validate.RegisterValidation("nocontrol", func(fl validator.FieldLevel) bool {
			s := fl.Field().String()
			return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
		})
		// code: an identifier typed or scanned on the floor (a location
		// code, a zone, a device id): printable ASCII without spaces, so
		// it reads back the same from a label, a log line or a handheld.
		validate.RegisterValidation("code", func(fl validator.FieldLevel) bool {
			return ValidCode(fl.Field().String())
		})
		// docref: a document number from another system (order, PO, ASN)
		// that travels in REST paths, labels and scans: letters, digits
		// and . _ : -, starting with a letter or digit.
		validate.RegisterValidation("docref", func(fl validator.FieldLevel) bool {
			s := fl.Field().String()
			for i := 0; i < len(s); i++ {
				c := s[i]
				alnum := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
				if !alnum && (i == 0 || !strings.ContainsRune("._:-", rune(c))) {
					return false
				}
			}
			return true
		})
		// Report fields by their json (= proto) names, so a handheld sees
		// "quantity", not "Quantity".
		validate.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				return f.Name
			}
			return name
		})
	})
	return validate
}

// ValidCode reports whether s is usable as an identifier the floor types or
// scans (location code, zone, device id): non-empty printable ASCII
// without spaces. The validate tag `code` is this rule; auth's sign-in
// checks device ids with it too.
func ValidCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// Validate checks a workflow's input struct against its `validate` tags and
// returns an EINVALID *Error with one field violation per failed rule.
// Services call it before their first write.
func Validate(v any) error {
	err := validatorInstance().Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return Errorf(EINTERNAL, "validate: %v", err)
	}
	fields := make([]FieldViolation, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, FieldViolation{Field: fieldPath(fe), Description: describe(fe)})
	}
	return InvalidFields(fields...)
}

// fieldPath drops the top-level struct name: "MoveInput.quantity" -> "quantity".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

func describe(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "gt":
		return "must be greater than " + fe.Param()
	case "gte", "min":
		if fe.Kind() == reflect.String {
			return "must be at least " + fe.Param() + " characters"
		}
		return "must be at least " + fe.Param()
	case "lte", "max":
		if fe.Kind() == reflect.String || fe.Kind() == reflect.Slice {
			return "must be at most " + fe.Param() + " long"
		}
		return "must be at most " + fe.Param()
	case "ne":
		return "must not be " + fe.Param()
	case "oneof":
		return "must be one of: " + fe.Param()
	case "datetime":
		return "must be a date like " + fe.Param()
	case "numeric":
		return "must be digits"
	case "printascii":
		return "must be printable ASCII (letters, digits, punctuation)"
	case "nocontrol":
		return "must be text without control characters"
	case "code":
		return "must be printable ASCII without spaces or control characters"
	case "docref":
		return "must be letters, digits and . _ : - (starting with a letter or digit)"
	default:
		return "is not valid (" + fe.Tag() + ")"
	}
}
