package store

import (
	"database/sql"
	"encoding/base64"
	"strconv"

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

// NewestFirst reads a page request over rows listed newest first by id: the
// limit, and the id the page starts below (the largest id when token is
// empty). Pair it with IDPageToken for the next page.
func NewestFirst(pageSize int, token string) (limit int, before int64, err error) {
	if limit, err = PageSize(pageSize); err != nil {
		return 0, 0, err
	}
	key, err := DecodePageToken(token)
	if err != nil {
		return 0, 0, err
	}
	if key == "" {
		return limit, 1<<63 - 1, nil
	}
	if before, err = strconv.ParseInt(key, 10, 64); err != nil {
		return 0, 0, floorops.Invalid("page_token", "is not a token this node issued")
	}
	return limit, before, nil
}

// IDPageToken is the token of a newest-first page that ended at id.
func IDPageToken(id int64) string { return EncodePageToken(strconv.FormatInt(id, 10)) }

// Column reads the single column of every row into a slice and closes rows:
// the keys of a page, before each row's full view is loaded.
func Column[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
