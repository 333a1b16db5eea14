package store

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"strconv"

	"github.com/floorops/floorops"
)

// Paging for every List RPC: page_size 0 means DefaultPageSize, at most
// MaxPageSize; page tokens are opaque to clients (the last key of the
// previous page and a tag of the list and filters it belongs to, base64).
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

// scopeTagLen is how many bytes of the scope's hash a token carries.
const scopeTagLen = 4

func scopeTag(scope string) []byte {
	sum := sha256.Sum256([]byte(scope))
	return sum[:scopeTagLen]
}

// EncodePageToken wraps the last key of a page for the client. scope names
// the list and its filters ("locations|zone=A"): the token is only good
// for the next page of that same listing.
func EncodePageToken(scope, key string) string {
	return base64.RawURLEncoding.EncodeToString(append(scopeTag(scope), key...))
}

// DecodePageToken unwraps a page token of the listing scope ("" for the
// first page), or EINVALID on field page_token: a token that is not the
// node's, or that another listing or other filters issued, would otherwise
// silently start the list somewhere else.
func DecodePageToken(scope, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < scopeTagLen {
		return "", floorops.Invalid("page_token", "is not a token this node issued")
	}
	if !bytes.Equal(b[:scopeTagLen], scopeTag(scope)) {
		return "", floorops.Invalid("page_token", "belongs to another list or other filters: ask for the first page again")
	}
	return string(b[scopeTagLen:]), nil
}

// NewestFirst reads a page request of listing scope over rows listed newest
// first by id: the limit, and the id the page starts below (the largest id
// when token is empty). Pair it with IDPageToken for the next page.
func NewestFirst(scope string, pageSize int, token string) (limit int, before int64, err error) {
	if limit, err = PageSize(pageSize); err != nil {
		return 0, 0, err
	}
	key, err := DecodePageToken(scope, token)
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

// IDPageToken is the token of a newest-first page of listing scope that
// ended at id.
func IDPageToken(scope string, id int64) string {
	return EncodePageToken(scope, strconv.FormatInt(id, 10))
}

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
