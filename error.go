// Package floorops holds the node's error vocabulary: the few kinds of failure
// every workflow reports, so that the server maps them to gRPC codes in one
// place and clients can act on the kind rather than the text.
package floorops

import (
	"errors"
	"fmt"
	"strings"
)

// Code is the kind of an error, in the terms a client acts on.
type Code string

// The error kinds. server maps each to one gRPC code.
const (
	// EINVALID: the request is malformed (missing field, bad quantity, bad scan).
	EINVALID Code = "invalid"
	// ENOTFOUND: the item, location, order or document does not exist.
	ENOTFOUND Code = "not_found"
	// ECONFLICT: the thing already exists, or a request id was reused for a
	// different request.
	ECONFLICT Code = "conflict"
	// EPRECONDITION: the request is well formed but the floor's state forbids
	// it (more units than are on hand, a closed PO, a blocked location).
	EPRECONDITION Code = "failed_precondition"
	// EUNAUTHENTICATED: no valid credentials.
	EUNAUTHENTICATED Code = "unauthenticated"
	// EPERMISSION: the caller's role may not do this.
	EPERMISSION Code = "permission_denied"
	// EUNAVAILABLE: the node cannot take the request just now (its
	// database is locked by another process, a backup say) and nothing was
	// changed; the same request, with the same request id, may be retried.
	EUNAVAILABLE Code = "unavailable"
	// EINTERNAL: a bug or an infrastructure failure; details are logged, not returned.
	EINTERNAL Code = "internal"
)

// FieldViolation names one bad request field and what is wrong with it.
type FieldViolation struct {
	Field       string
	Description string
}

// Error is a failure a client can act on. Message is safe to show an
// associate on a handheld; it never contains SQL or internals.
type Error struct {
	Code    Code
	Message string
	// Fields lists bad request fields for EINVALID.
	Fields []FieldViolation
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error of the given kind.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming one bad field.
func Invalid(field, format string, args ...any) *Error {
	return InvalidFields(FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// InvalidFields returns an EINVALID error naming every bad field, its
// message written by FieldsMessage.
func InvalidFields(fields ...FieldViolation) *Error {
	return &Error{Code: EINVALID, Message: FieldsMessage(fields), Fields: fields}
}

// FieldsMessage is the message of an error that names bad request fields:
// each violation as "field: description", in order, joined by "; " (a
// violation of the request as a whole reads "request body: ..."). It is
// the one place such a message is written, so that what an associate
// reads on the handheld lists exactly the fields a client is told of; the
// server writes every such error's message with it, on both faces.
func FieldsMessage(fields []FieldViolation) string {
	msgs := make([]string, len(fields))
	for i, v := range fields {
		where := v.Field
		if where == "" {
			where = "request body"
		}
		msgs[i] = where + ": " + v.Description
	}
	return strings.Join(msgs, "; ")
}

// ErrorCode returns the kind of err: its Code if it is (or wraps) an *Error,
// EINTERNAL for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsCode reports whether err is of the given kind.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }

// WithFieldPrefix returns err with each field violation's path put under
// the request field that holds the validated message ("sku" becomes
// "item.sku"), so a client sees the path in its own request. Violations
// of the request's own fields keep their path: request_id, which every
// mutating request carries at its top level, and own (e.g.
// "update_mask"). A message written from the violations is rewritten
// with them. Other errors pass through unchanged.
func WithFieldPrefix(err error, prefix string, own ...string) error {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]FieldViolation, len(e.Fields))
	for i, f := range e.Fields {
		out.Fields[i] = FieldViolation{Field: prefix + "." + f.Field, Description: f.Description}
		if f.Field == "request_id" {
			out.Fields[i] = f
		}
		for _, o := range own {
			if f.Field == o {
				out.Fields[i] = f
			}
		}
	}
	if e.Message == FieldsMessage(e.Fields) {
		out.Message = FieldsMessage(out.Fields)
	}
	return &out
}
