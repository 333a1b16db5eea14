package inventoryapi

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// ItemColumns are the columns of an items CSV, in any order; only sku is
// required. gtins lists GTIN or GTIN:PACK_QTY separated by ';'
// (e.g. "04006381333931;14006381333938:12"); category is the item's
// product category for the returns disposition rules.
var ItemColumns = []string{"sku", "description", "unit_cost_cents", "abc_class", "lot_tracked", "expiry_tracked", "serial_tracked", "gtins", "category"}

// LocationColumns are the columns of a locations CSV, in any order; code,
// zone and type are required.
var LocationColumns = []string{"code", "zone", "type", "walk_sequence", "capacity", "blocked"}

// importBatch is how many rows share one transaction (one fsync).
const importBatch = 5000

// maxRowErrors stops an import whose file is plainly the wrong one.
const maxRowErrors = 1000

// ImportItems upserts items from a CSV stream with a header row. Each row
// is validated and written whole or not at all; bad rows are reported with
// their line numbers and the rest are imported. An existing item is
// updated in the file's columns only (a column in the header is written,
// even when its cell is empty; a column left out keeps the stored value),
// with UpsertItem's rules: the SKU spelled as stored, no GTIN of an item
// with stock dropped. progress, if not nil, is called after each committed
// batch with the rows read so far.
func ImportItems(ctx context.Context, db *store.DB, r io.Reader, progress func(rows int)) (inventory.ImportReport, error) {
	return importCSV(ctx, db, r, ItemColumns, []string{"sku"}, progress, func(ctx context.Context, tx *store.Tx, rec map[string]string, fields inventory.Fields) error {
		it, err := itemFromRecord(rec)
		if err != nil {
			return err
		}
		return inventory.WriteItem(ctx, tx, it, fields)
	})
}

// ImportLocations upserts locations from a CSV stream with a header row,
// with the same per-row rules as ImportItems and UpsertLocation's: codes
// that scan as locations, and no change of what a stocked location's units
// mean.
func ImportLocations(ctx context.Context, db *store.DB, p *scan.Parser, r io.Reader, progress func(rows int)) (inventory.ImportReport, error) {
	return importCSV(ctx, db, r, LocationColumns, []string{"code", "zone", "type"}, progress, func(ctx context.Context, tx *store.Tx, rec map[string]string, fields inventory.Fields) error {
		l, err := locationFromRecord(rec)
		if err != nil {
			return err
		}
		return inventory.WriteLocation(ctx, tx, p, l, fields)
	})
}

func importCSV(ctx context.Context, db *store.DB, r io.Reader, known, required []string, progress func(int),
	apply func(context.Context, *store.Tx, map[string]string, inventory.Fields) error) (inventory.ImportReport, error) {
	var rep inventory.ImportReport
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return rep, floorops.Errorf(floorops.EINVALID, "the file is empty: a header row is required (%s)", strings.Join(known, ","))
	}
	if err != nil {
		return rep, floorops.Errorf(floorops.EINVALID, "line 1: %v", err)
	}
	cols, err := inventory.MapCSVHeader(header, known, required)
	if err != nil {
		return rep, err
	}
	fields := make(inventory.Fields, len(cols)) // an update writes the file's columns
	for _, c := range cols {
		fields[c] = true
	}
	type row struct {
		line int
		rec  map[string]string
	}
	batch := make([]row, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		imported, rejected := 0, []inventory.RowError(nil)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, rw := range batch {
				if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
					return err
				}
				if err := apply(ctx, tx, rw.rec, fields); err != nil {
					if floorops.ErrorCode(err) == floorops.EINTERNAL {
						return fmt.Errorf("line %d: %w", rw.line, err)
					}
					rejected = append(rejected, inventory.RowError{Line: rw.line, Err: err})
					if _, err := tx.ExecContext(ctx, `ROLLBACK TO import_row`); err != nil {
						return err
					}
				} else {
					imported++
				}
				if _, err := tx.ExecContext(ctx, `RELEASE import_row`); err != nil {
					return err
				}
			}
			return nil
		})
		batch = batch[:0]
		if err != nil {
			return err // the batch rolled back whole: none of its rows count
		}
		rep.Imported += imported
		rep.Errors = append(rep.Errors, rejected...)
		if progress != nil {
			progress(rep.Rows)
		}
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var line int
		if err != nil {
			var perr *csv.ParseError
			if !errors.As(err, &perr) {
				return rep, err
			}
			line = perr.Line
			rep.Rows++
			rep.Errors = append(rep.Errors, inventory.RowError{Line: perr.Line, Err: perr.Err})
		} else {
			line, _ = cr.FieldPos(0)
			rep.Rows++
			if len(rec) > len(header) {
				rep.Errors = append(rep.Errors, inventory.RowError{Line: line, Err: fmt.Errorf("%d fields, header has %d", len(rec), len(header))})
			} else {
				m := make(map[string]string, len(cols))
				for i, name := range cols {
					if i < len(rec) {
						m[name] = strings.TrimSpace(rec[i])
					}
				}
				batch = append(batch, row{line: line, rec: m})
			}
		}
		if len(rep.Errors) > maxRowErrors {
			return rep, floorops.Errorf(floorops.EINVALID, "more than %d bad rows; stopped at line %d", maxRowErrors, line)
		}
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}

func parseBool(field, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "0", "false", "no", "n":
		return false, nil
	case "1", "true", "yes", "y":
		return true, nil
	}
	return false, floorops.Invalid(field, "%q is not true/false", s)
}

func parseInt(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, floorops.Invalid(field, "%q is not a whole number", s)
	}
	return n, nil
}

func itemFromRecord(rec map[string]string) (inventory.Item, error) {
	it := inventory.Item{SKU: rec["sku"], Description: rec["description"], ABCClass: rec["abc_class"], Category: rec["category"]}
	var err error
	if it.UnitCostCents, err = parseInt("unit_cost_cents", rec["unit_cost_cents"]); err != nil {
		return it, err
	}
	if it.LotTracked, err = parseBool("lot_tracked", rec["lot_tracked"]); err != nil {
		return it, err
	}
	if it.ExpiryTracked, err = parseBool("expiry_tracked", rec["expiry_tracked"]); err != nil {
		return it, err
	}
	if it.SerialTracked, err = parseBool("serial_tracked", rec["serial_tracked"]); err != nil {
		return it, err
	}
	for _, g := range strings.FieldsFunc(rec["gtins"], func(r rune) bool { return r == ';' || r == ' ' }) {
		code, pack, hasPack := strings.Cut(g, ":")
		gt := inventory.GTIN{GTIN: code, PackQty: 1}
		if hasPack {
			if gt.PackQty, err = parseInt("gtins", pack); err != nil {
				return it, err
			}
		}
		it.GTINs = append(it.GTINs, gt)
	}
	return it, nil
}

func locationFromRecord(rec map[string]string) (inventory.Location, error) {
	l := inventory.Location{Code: rec["code"], Zone: rec["zone"], Type: inventory.LocationType(rec["type"])}
	var err error
	if l.WalkSeq, err = parseInt("walk_sequence", rec["walk_sequence"]); err != nil {
		return l, err
	}
	if l.Capacity, err = parseInt("capacity", rec["capacity"]); err != nil {
		return l, err
	}
	l.Blocked, err = parseBool("blocked", rec["blocked"])
	return l, err
}
