package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/floorops/floorops"
)

// Request identifies one client request for idempotency: the client's
// request id, the operation, and the request body (hashed) so a reused id
// with a different body is caught instead of silently answered.
type Request struct {
	ID     string
	Method string
	Body   any
}

// Idempotent runs fn in a write transaction at most once per request id.
// The first successful result is stored, JSON-encoded, in the same
// transaction as the change it describes; a retry with the same id and body
// returns the stored result and changes nothing. A failed fn stores nothing,
// so a retry after an error runs again. The same id with a different method
// or body is ECONFLICT.
func Idempotent[T any](ctx context.Context, db *DB, req Request, fn func(tx *Tx) (T, error)) (T, error) {
	var out T
	if req.ID == "" {
		return out, floorops.Invalid("request_id", "is required")
	}
	if len(req.ID) > 128 {
		return out, floorops.Invalid("request_id", "must be at most 128 characters")
	}
	noteStoredForm[T](req)
	body, err := json.Marshal(req.Body)
	if err != nil {
		return out, fmt.Errorf("store: hash request: %w", err)
	}
	sum := sha256.Sum256(body)
	err = db.Write(ctx, func(tx *Tx) error {
		var method string
		var hash, stored []byte
		err := tx.QueryRowContext(ctx, `SELECT method, request_hash, response FROM idempotency WHERE request_id = ?`, req.ID).
			Scan(&method, &hash, &stored)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("store: idempotency lookup: %w", err)
		case method != req.Method || !bytes.Equal(hash, sum[:]):
			return floorops.Errorf(floorops.ECONFLICT, "request_id %q was already used for a different request", req.ID)
		default:
			if err := json.Unmarshal(stored, &out); err != nil {
				return fmt.Errorf("store: stored response for %q: %w", req.ID, err)
			}
			return nil
		}
		tx.RequestID = req.ID
		res, err := fn(tx)
		tx.RequestID = ""
		if err != nil {
			return err
		}
		enc, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("store: encode response: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency (request_id, method, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)`,
			req.ID, req.Method, sum[:], enc, FormatTime(tx.Now)); err != nil {
			return fmt.Errorf("store: save response: %w", err)
		}
		out = res
		return nil
	})
	if err != nil {
		var zero T // nothing was committed: no answer with the error
		return zero, err
	}
	return out, nil
}

// StoredForm is what an idempotent method keeps in the idempotency table:
// the Go type whose JSON is hashed to recognise a retry (Request) and the Go
// type whose JSON is replayed to it (Response). Renaming a field of either
// changes what a retry of a request stored before the change sees, so
// server's tests pin their JSON form.
type StoredForm struct {
	Request, Response reflect.Type
}

var storedForms sync.Map // method -> StoredForm

func noteStoredForm[T any](req Request) {
	if _, ok := storedForms.Load(req.Method); !ok {
		storedForms.Store(req.Method, StoredForm{Request: reflect.TypeOf(req.Body), Response: reflect.TypeFor[T]()})
	}
}

// StoredForms lists the stored form of every idempotent method this process
// has run, by method name.
func StoredForms() map[string]StoredForm {
	out := map[string]StoredForm{}
	storedForms.Range(func(k, v any) bool {
		out[k.(string)] = v.(StoredForm)
		return true
	})
	return out
}
