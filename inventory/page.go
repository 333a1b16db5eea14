package inventory

import (
	"encoding/base64"

	"github.com/floorops/floorops"
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// pageSize turns a requested page size into a limit: 0 means the default.
func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return defaultPageSize, nil
	case n < 0 || n > maxPageSize:
		return 0, floorops.Invalid("page_size", "must be between 1 and %d", maxPageSize)
	}
	return n, nil
}

// Page tokens are opaque to clients: the last key of the previous page.
func encodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", floorops.Invalid("page_token", "is not a token this node issued")
	}
	return string(b), nil
}
