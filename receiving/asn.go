package receiving

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/scan"
	"github.com/floorops/floorops/store"
)

// CreateASN records a vendor's advance ship notice against an open PO. The
// ASN number and every SSCC and LPN must be new to the node (on no other
// ASN, received on no receipt, no stock on it: EPRECONDITION naming the
// container otherwise, see palletNotReceived), and contents
// must carry the lot and expiry their items are tracked by, so that a
// pallet can later be received whole in one scan. Every SKU on it must be
// on the PO (EPRECONDITION otherwise): an ASN announcing what was not
// ordered is the vendor's discrepancy to settle with central before the
// truck is received, not stock the dock silently takes in.
func (s *Service) CreateASN(ctx context.Context, requestID string, a ASN) (ASN, error) {
	if err := normalizeASN(s.scan, &a); err != nil {
		return ASN{}, err
	}
	saved, err := store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "CreateASN", Body: a},
		func(tx *store.Tx) (ASN, error) {
			if err := createASN(ctx, tx, a); err != nil {
				return ASN{}, err
			}
			return s.asnView(ctx, tx, a.Number)
		})
	return saved.seenBy(inventory.ActorFrom(ctx)), err
}

func normalizeASN(p *scan.Parser, a *ASN) error {
	a.Number = scan.Code(a.Number)
	a.PONumber = scan.Code(a.PONumber)
	a.ShipDate = strings.TrimSpace(a.ShipDate)
	a.Blind = false
	for i := range a.Containers {
		c := &a.Containers[i]
		c.SSCC = strings.TrimSpace(c.SSCC)
		c.LPN = scan.Code(c.LPN)
		c.Received = false
		for j := range c.Contents {
			c.Contents[j].SKU = scan.Code(c.Contents[j].SKU)
			c.Contents[j].Lot = strings.TrimSpace(c.Contents[j].Lot)
		}
	}
	if err := floorops.Validate(a); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, c := range a.Containers {
		field := fmt.Sprintf("containers[%d]", i)
		switch {
		case (c.SSCC == "") == (c.LPN == ""):
			return floorops.Invalid(field+".sscc", "give exactly one of sscc (pallet) or lpn (carton)")
		case c.SSCC != "" && !scan.ValidGS1CheckDigit(c.SSCC):
			return floorops.Invalid(field+".sscc", "%s has a wrong check digit", c.SSCC)
		case c.LPN != "":
			if sc, err := p.Parse(c.LPN); err != nil || sc.Kind != scan.KindLPN {
				return floorops.Invalid(field+".lpn", "%s is not a license plate code (LPN-...)", c.LPN)
			}
		}
		if seen[c.Code()] {
			return floorops.Invalid(field, "%s is listed twice", c.Code())
		}
		seen[c.Code()] = true
	}
	return nil
}

func createASN(ctx context.Context, tx *store.Tx, a ASN) error {
	po, err := poByNumber(ctx, tx, a.PONumber)
	if err != nil {
		return err
	}
	if po.status == POClosed {
		return floorops.Errorf(floorops.EPRECONDITION, "%s is closed; it expects no more shipments", po.number)
	}
	lines, err := poLines(ctx, tx, po.id)
	if err != nil {
		return err
	}
	onPO := make(map[int64]bool, len(lines))
	for _, l := range lines {
		onPO[l.itemID] = true
	}
	var asnID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO asns (asn_number, po_id, ship_date, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		a.Number, po.id, a.ShipDate, store.FormatTime(tx.Now)).Scan(&asnID)
	if store.IsConstraint(err, store.ConstraintUnique) {
		return floorops.Errorf(floorops.ECONFLICT, "ASN %s already exists", a.Number)
	}
	if err != nil {
		return fmt.Errorf("insert ASN %s: %w", a.Number, err)
	}
	for i, c := range a.Containers {
		kind := "sscc"
		if c.SSCC == "" {
			kind = "lpn"
		}
		if err := palletNotReceived(ctx, tx, c.Code()); err != nil {
			var fe *floorops.Error
			if !errors.As(err, &fe) {
				return err
			}
			return &floorops.Error{Code: fe.Code, Message: fmt.Sprintf("container %s cannot be announced: %s", c.Code(), fe.Message),
				Fields: []floorops.FieldViolation{{Field: fmt.Sprintf("containers[%d].%s", i, kind), Description: "has already been received"}}}
		}
		var cid int64
		err := tx.QueryRowContext(ctx, `INSERT INTO asn_containers (asn_id, code, kind) VALUES (?, ?, ?) RETURNING id`, asnID, c.Code(), kind).Scan(&cid)
		if store.IsConstraint(err, store.ConstraintUnique) {
			return &floorops.Error{Code: floorops.ECONFLICT, Message: fmt.Sprintf("container %s is already on another ASN", c.Code()),
				Fields: []floorops.FieldViolation{{Field: fmt.Sprintf("containers[%d].%s", i, kind), Description: "is already on another ASN"}}}
		}
		if err != nil {
			return fmt.Errorf("insert container %s: %w", c.Code(), err)
		}
		for j, ct := range c.Contents {
			item, err := inventory.ItemBySKU(ctx, tx, ct.SKU)
			if err != nil {
				return err
			}
			field := fmt.Sprintf("containers[%d].contents[%d]", i, j)
			if !onPO[item.ID] {
				return &floorops.Error{Code: floorops.EPRECONDITION,
					Message: fmt.Sprintf("%s on container %s is not on %s", item.SKU, c.Code(), po.number),
					Fields:  []floorops.FieldViolation{{Field: field + ".sku", Description: "is not on the purchase order"}}}
			}
			if item.LotTracked && ct.Lot == "" {
				return floorops.Invalid(field+".lot", "is required: %s is lot tracked", item.SKU)
			}
			if item.ExpiryTracked && ct.Expiry == "" {
				return floorops.Invalid(field+".expiry", "is required: %s carries an expiry date", item.SKU)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO asn_contents (container_id, item_id, qty, lot, expiry) VALUES (?, ?, ?, ?, ?)`,
				cid, item.ID, ct.Qty, tracked(item.LotTracked, ct.Lot), tracked(item.ExpiryTracked, ct.Expiry)); err != nil {
				return fmt.Errorf("insert contents of %s: %w", c.Code(), err)
			}
		}
	}
	return nil
}

// tracked keeps a lot or expiry only for items tracked by it, so untracked
// stock is not split into balances by data nobody asked for.
func tracked(isTracked bool, v string) string {
	if isTracked {
		return v
	}
	return ""
}

// GetASN returns an ASN with which of its containers are received.
func (s *Service) GetASN(ctx context.Context, number string) (ASN, error) {
	number = scan.Code(number)
	if number == "" {
		return ASN{}, floorops.Invalid("asn_number", "is required")
	}
	a, err := s.asnView(ctx, s.db.Reader(), number)
	return a.seenBy(inventory.ActorFrom(ctx)), err
}

// asnView reads an ASN with its containers, what they hold and whether
// its PO is received blind.
func (s *Service) asnView(ctx context.Context, q inventory.Querier, number string) (ASN, error) {
	a := ASN{Number: number}
	var id int64
	var vendor string
	err := q.QueryRowContext(ctx, `SELECT a.id, p.po_number, p.vendor, a.ship_date FROM asns a JOIN purchase_orders p ON p.id = a.po_id
		WHERE a.asn_number = ?`, number).Scan(&id, &a.PONumber, &vendor, &a.ShipDate)
	if errors.Is(err, sql.ErrNoRows) {
		return a, floorops.Errorf(floorops.ENOTFOUND, "ASN %s not found", number)
	}
	if err != nil {
		return a, fmt.Errorf("read ASN %s: %w", number, err)
	}
	if a.Blind, err = s.blindFor(ctx, q, vendor); err != nil {
		return a, err
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.code, c.kind, `+containerReceived+` FROM asn_containers c WHERE c.asn_id = ? ORDER BY c.id`, id)
	if err != nil {
		return a, fmt.Errorf("read containers of %s: %w", number, err)
	}
	var ids []int64
	for rows.Next() {
		var cid int64
		var code, kind string
		var c Container
		if err := rows.Scan(&cid, &code, &kind, &c.Received); err != nil {
			rows.Close()
			return a, err
		}
		if kind == "sscc" {
			c.SSCC = code
		} else {
			c.LPN = code
		}
		ids = append(ids, cid)
		a.Containers = append(a.Containers, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	for i, cid := range ids {
		ct, err := containerContents(ctx, q, cid)
		if err != nil {
			return a, err
		}
		for _, c := range ct {
			a.Containers[i].Contents = append(a.Containers[i].Contents, c.Content)
		}
	}
	return a, nil
}

// containerReceived is an SQL expression over asn_containers c: whether a
// receipt scan not undone put units on the container's code, its license
// plate. That is the container received whole, or a pallet received by
// its GS1 label's GTIN before an ASN listed its SSCC; either way the
// pallet is in the building and is not received again.
const containerReceived = `EXISTS (SELECT 1 FROM receipt_scans s WHERE s.lpn = c.code AND s.lpn <> '' AND ` + standingScan + `)`

// standingScan is an SQL condition over receipt_scans s: a scan that
// received units and has not been undone.
const standingScan = `s.qty > 0 AND NOT EXISTS (SELECT 1 FROM receipt_scans u WHERE u.undoes_id = s.id)`

// content is one stored container content with its item.
type content struct {
	Content
	itemID int64
}

func containerContents(ctx context.Context, q inventory.Querier, containerID int64) ([]content, error) {
	var out []content
	err := inventory.EachRow(ctx, q, `SELECT ac.item_id, i.sku, ac.qty, ac.lot, ac.expiry FROM asn_contents ac JOIN items i ON i.id = ac.item_id
		WHERE ac.container_id = ? ORDER BY ac.id`, []any{containerID}, func(rows *sql.Rows) error {
		var c content
		err := rows.Scan(&c.itemID, &c.SKU, &c.Qty, &c.Lot, &c.Expiry)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read container contents: %w", err)
	}
	return out, nil
}

// container is a stored ASN container with the PO its ASN delivers against.
type container struct {
	id        int64
	code      string
	asnID     int64
	asnNumber string
	poID      int64
	received  bool
}

func containerByCode(ctx context.Context, q inventory.Querier, code string) (container, error) {
	c := container{code: code}
	err := q.QueryRowContext(ctx, `SELECT c.id, a.id, a.asn_number, a.po_id, `+containerReceived+`
		FROM asn_containers c JOIN asns a ON a.id = c.asn_id WHERE c.code = ?`, code).
		Scan(&c.id, &c.asnID, &c.asnNumber, &c.poID, &c.received)
	if errors.Is(err, sql.ErrNoRows) {
		return c, floorops.Errorf(floorops.ENOTFOUND, "%s is not on any ASN; receive its cases by GTIN", code)
	}
	if err != nil {
		return c, fmt.Errorf("read container %s: %w", code, err)
	}
	return c, nil
}

// ListASNs returns up to limit ASNs after the ASN number in pageToken,
// optionally only those of one PO, and the next token.
func (s *Service) ListASNs(ctx context.Context, poNumber string, limit int, pageToken string) ([]ASN, string, error) {
	poNumber = scan.Code(poNumber)
	page, err := store.PageRequest("asns|"+poNumber, limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT a.asn_number FROM asns a JOIN purchase_orders p ON p.id = a.po_id
		WHERE a.asn_number > ? AND (? = '' OR p.po_number = ?) ORDER BY a.asn_number LIMIT ?`, page.After, poNumber, poNumber, page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("list ASNs: %w", err)
	}
	viewer := inventory.ActorFrom(ctx)
	return store.PageOfViews(page, rows, store.TextKey, func(n string) (ASN, error) {
		a, err := s.asnView(ctx, q, n)
		return a.seenBy(viewer), err
	})
}
