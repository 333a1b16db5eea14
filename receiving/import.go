package receiving

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

// POColumns are the columns of a purchase-order CSV, in any order: one row
// per PO line, rows of a PO together or not. po_number, vendor, sku and
// ordered_quantity are required; line_number defaults to the row's position
// within its PO; expected_date is YYYY-MM-DD.
var POColumns = []string{"po_number", "vendor", "expected_date", "line_number", "sku", "ordered_quantity", "over_receipt_tolerance_percent"}

var requiredPOColumns = []string{"po_number", "vendor", "sku", "ordered_quantity"}

// importPOBatch is how many POs share one transaction (one fsync).
const importPOBatch = 500

// ImportPOs creates or replaces purchase orders from a CSV stream with a
// header row (POColumns), for nodes without an integration. Each PO is
// written whole or not at all, with the same rules as UpsertPurchaseOrder
// (an existing PO keeps its expected date when the file has no such
// column, and its status);
// a bad row rejects its PO, and every rejection is reported with the line
// number of the row at fault. Other POs are imported. A row that cannot be
// read as CSV at all (a stray quote) could belong to any PO, so then
// nothing is imported.
func (s *Service) ImportPOs(ctx context.Context, r io.Reader) (inventory.ImportReport, error) {
	var rep inventory.ImportReport
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return rep, floorops.Errorf(floorops.EINVALID, "the file is empty: a header row is required (%s)", strings.Join(POColumns, ","))
	}
	if err != nil {
		return rep, floorops.Errorf(floorops.EINVALID, "line 1: %v", err)
	}
	cols, err := inventory.MapCSVHeader(header, POColumns, requiredPOColumns)
	if err != nil {
		return rep, err
	}
	// An existing PO is updated in its vendor and lines, and in its
	// expected date only when the file has that column.
	fields := inventory.Fields{"vendor": true, "lines": true}
	for _, c := range cols {
		if c == "expected_date" {
			fields[c] = true
		}
	}
	type csvPO struct {
		po    PurchaseOrder
		lines []int // file line of each PO line
		bad   bool
	}
	var order []string
	pos := map[string]*csvPO{}
	unreadable := false
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		rep.Rows++
		if err != nil {
			var perr *csv.ParseError
			if !errors.As(err, &perr) {
				return rep, err
			}
			rep.Errors = append(rep.Errors, inventory.RowError{Line: perr.Line, Err: fmt.Errorf("%w: the row's PO is unknown, so no PO was imported", perr.Err)})
			unreadable = true
			continue
		}
		m := map[string]string{}
		for i, name := range cols {
			if i < len(rec) {
				m[name] = strings.TrimSpace(rec[i])
			}
		}
		number := scan.Code(m["po_number"])
		p := pos[number]
		if p == nil {
			p = &csvPO{po: PurchaseOrder{Number: number, Vendor: m["vendor"], ExpectedDate: m["expected_date"]}}
			pos[number] = p
			order = append(order, number)
		}
		l, err := poLineFromRecord(m)
		switch {
		case len(rec) > len(header):
			err = fmt.Errorf("%d fields, header has %d", len(rec), len(header))
		case err != nil:
		case scan.Code(m["vendor"]) != scan.Code(p.po.Vendor) || m["expected_date"] != p.po.ExpectedDate:
			err = floorops.Invalid("vendor", "rows of %s disagree on vendor or expected_date", number)
		}
		if err != nil {
			rep.Errors = append(rep.Errors, inventory.RowError{Line: line, Err: err})
			p.bad = true
			continue
		}
		if l.LineNo == 0 {
			l.LineNo = len(p.po.Lines) + 1
		}
		p.po.Lines = append(p.po.Lines, l)
		p.lines = append(p.lines, line)
	}
	if unreadable {
		return rep, nil
	}
	for start := 0; start < len(order); start += importPOBatch {
		batch := order[start:min(start+importPOBatch, len(order))]
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			for _, number := range batch {
				p := pos[number]
				if p.bad {
					continue
				}
				err := normalizePO(&p.po)
				if err == nil {
					err = savepoint(ctx, tx, func() error { return upsertPO(ctx, tx, p.po, fields) })
				}
				switch {
				case err == nil:
					rep.Imported += len(p.lines)
				case floorops.ErrorCode(err) == floorops.EINTERNAL:
					return fmt.Errorf("%s: %w", number, err)
				default:
					rep.Errors = append(rep.Errors, inventory.RowError{Line: blame(err, p.lines), Err: fmt.Errorf("%s: %w", number, err)})
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// savepoint runs fn so that its writes are undone if it fails, leaving the
// rest of the transaction intact.
func savepoint(ctx context.Context, tx *store.Tx, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT import_po`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO import_po`); rerr != nil {
			return rerr
		}
		_, _ = tx.ExecContext(ctx, `RELEASE import_po`)
		return err
	}
	_, err := tx.ExecContext(ctx, `RELEASE import_po`)
	return err
}

// blame returns the file line of the PO line an error names ("lines[2].sku"),
// else the PO's first row.
func blame(err error, lines []int) int {
	var e *floorops.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		var i int
		if _, scanErr := fmt.Sscanf(e.Fields[0].Field, "lines[%d]", &i); scanErr == nil && i >= 0 && i < len(lines) {
			return lines[i]
		}
	}
	return lines[0]
}

func poLineFromRecord(m map[string]string) (POLine, error) {
	l := POLine{SKU: m["sku"]}
	if m["po_number"] == "" {
		return l, floorops.Invalid("po_number", "is required")
	}
	num := func(field string) (int64, error) {
		if m[field] == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(m[field], 10, 64)
		if err != nil {
			return 0, floorops.Invalid(field, "%q is not a whole number", m[field])
		}
		return n, nil
	}
	n, err := num("line_number")
	if err != nil {
		return l, err
	}
	l.LineNo = int(n)
	if l.Ordered, err = num("ordered_quantity"); err != nil {
		return l, err
	}
	n, err = num("over_receipt_tolerance_percent")
	l.TolerancePct = int(n)
	return l, err
}
