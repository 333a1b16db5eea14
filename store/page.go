package store

import (
	"encoding/base64"

	"github.com/floorops/floorops"
)

// Paging for every List RPC: page_size 0 means DefaultPageSize, at most
// MaxPageSize; page tokens are opaque to clients (the last key of the
// previous page, base64).
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// PageSize turns a requested page size into a limit, or EINVALID on field
// page_size.
func PageSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultPageSize, nil
	case n < 0 || n > MaxPageSize:
		return 0, floorops.Invalid("page_size", "must be between 1 and %d", MaxPageSize)
	}
	return n, nil
}

// EncodePageToken wraps the last key of a page for the client.
func EncodePageToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

// DecodePageToken unwraps a page token, or EINVALID on field page_token.
func DecodePageToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", floorops.Invalid("page_token", "is not a token this node issued")
	}
	return string(b), nil
}
