package store

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/floorops/floorops"
)

// Paging for every List RPC is one rule, written here: page_size 0 means
// DefaultPageSize, at most MaxPageSize; a list reads one row more than the
// page (PageRequest, Page.Fetch) to know whether another page follows, and
// PageOf trims it and issues the next page's token. Page tokens are opaque
// to clients: the key of the last row of the previous page, tagged with the
// list and filters it belongs to and the token format's version, base64.
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
		return 0, floorops.Invalid("page_size", "must be 1 to %d, or 0 for %d", MaxPageSize, DefaultPageSize)
	}
	return n, nil
}

// Page is one page request of a list: at most Limit rows after the row
// whose key is After ("" for the first page).
type Page struct {
	scope string
	Limit int
	After string
}

// PageRequest reads the page_size and page_token of a request for the list
// scope, which names the list and its filters ("locations|A"): a token
// is good only for the next page of that same listing. A bad page size is
// EINVALID on page_size; a token this node did not issue for scope
// (another list's, other filters', one of an earlier token format) is
// EINVALID on page_token, never read as a position in this list.
func PageRequest(scope string, pageSize int, token string) (Page, error) {
	limit, err := PageSize(pageSize)
	if err != nil {
		return Page{}, err
	}
	after, err := decodePageToken(scope, token)
	if err != nil {
		return Page{}, err
	}
	return Page{scope: scope, Limit: limit, After: after}, nil
}

// Fetch is how many rows to read for the page: one more than Limit, so
// PageOf knows whether another page follows.
func (p Page) Fetch() int { return p.Limit + 1 }

// PageOf trims rows, read in the list's order with Fetch as the limit, to
// the page, and returns the token of the next page ("" on the last). key
// is a row's position in the list's order: the next page's After.
func PageOf[T any](p Page, rows []T, key func(T) string) ([]T, string) {
	if len(rows) <= p.Limit {
		return rows, ""
	}
	rows = rows[:p.Limit]
	return rows, encodePageToken(p.scope, key(rows[p.Limit-1]))
}

// BeforeID is where a page of a list ordered newest first by id starts:
// below the id in After, or below every id on the first page. Pair it
// with IDKey.
func (p Page) BeforeID() (int64, error) {
	if p.After == "" {
		return 1<<63 - 1, nil
	}
	id, err := strconv.ParseInt(p.After, 10, 64)
	if err != nil {
		return 0, BadPageToken()
	}
	return id, nil
}

// NewestFirst is PageRequest for a list ordered newest first by id, and
// the id its page starts below (Page.BeforeID).
func NewestFirst(scope string, pageSize int, token string) (Page, int64, error) {
	p, err := PageRequest(scope, pageSize, token)
	if err != nil {
		return Page{}, 0, err
	}
	before, err := p.BeforeID()
	return p, before, err
}

// IDKey is the key of a row of a list ordered by id.
func IDKey(id int64) string { return strconv.FormatInt(id, 10) }

// TextKey is the key of a list ordered by one text column (a PO or ASN
// number): the value itself.
func TextKey(s string) string { return s }

// Key joins the parts of a key of a list ordered by several columns
// (walk sequence, then code). Only the last part may contain "|".
func Key(parts ...string) string { return strings.Join(parts, "|") }

// AfterParts splits After into the n parts Key joined; nil on the first
// page, EINVALID on page_token when it is not such a key.
func (p Page) AfterParts(n int) ([]string, error) {
	if p.After == "" {
		return nil, nil
	}
	parts := strings.SplitN(p.After, "|", n)
	if len(parts) != n {
		return nil, BadPageToken()
	}
	return parts, nil
}

// BadPageToken is the refusal of a page token whose key this list cannot
// read: EINVALID on page_token.
func BadPageToken() error {
	return floorops.Invalid("page_token", "is not a token this node issued")
}

// pageTokenVersion tags the token format: tokens of an earlier format
// carry another tag, so they are refused rather than misread.
const pageTokenVersion = "page/2|"

// scopeTagLen is how many bytes of the scope's hash a token carries.
const scopeTagLen = 4

func scopeTag(scope string) []byte {
	sum := sha256.Sum256([]byte(pageTokenVersion + scope))
	return sum[:scopeTagLen]
}

// encodePageToken wraps the last key of a page of listing scope for the
// client.
func encodePageToken(scope, key string) string {
	return base64.RawURLEncoding.EncodeToString(append(scopeTag(scope), key...))
}

// decodePageToken unwraps a page token of the listing scope ("" for the
// first page), or EINVALID on field page_token: a token that is not the
// node's, or that another listing or other filters issued, would otherwise
// silently start the list somewhere else.
func decodePageToken(scope, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < scopeTagLen {
		return "", BadPageToken()
	}
	if !bytes.Equal(b[:scopeTagLen], scopeTag(scope)) {
		return "", floorops.Invalid("page_token", "belongs to another list or other filters: ask for the first page again")
	}
	return string(b[scopeTagLen:]), nil
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

// PageOfViews is a list that pages over keys and answers with each key's
// full view: it reads the single column of rows (the keys, in the list's
// order, limit+1 of them), trims it to the page (PageOf) and loads the view
// of each key on the page, in order.
func PageOfViews[K, T any](p Page, rows *sql.Rows, key func(K) string, view func(K) (T, error)) ([]T, string, error) {
	keys, err := Column[K](rows)
	if err != nil {
		return nil, "", err
	}
	keys, next := PageOf(p, keys, key)
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		v, err := view(k)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, next, nil
}
