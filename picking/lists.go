package picking

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

// Default limits of a pick list built by CreatePickLists.
const (
	defaultBatchOrders   = 20  // orders in one batch tote
	defaultClusterOrders = 8   // totes on one cluster cart
	defaultMaxLines      = 100 // stops on one walk
	defaultMaxLists      = 20  // lists built by one rule run
)

// CreateListsInput is a lead's request to group released orders into pick
// lists: the orders named, or with none named, released orders by priority
// and ship-by date (optionally of one channel).
type CreateListsInput struct {
	Type         ListType        `json:"type" validate:"required,oneof=discrete batch cluster"`
	OrderIDs     []string        `json:"order_ids" validate:"max=1000,dive,required,max=64"`
	MaxOrders    int             `json:"max_orders" validate:"gte=0,lte=100"`
	MaxLines     int             `json:"max_lines" validate:"gte=0,lte=2000"`
	MaxLists     int             `json:"max_lists" validate:"gte=0,lte=500"`
	ShipLocation string          `json:"ship_location_code" validate:"max=32"`
	Channel      Channel         `json:"channel" validate:"omitempty,oneof=amazon walmart tiktok shopify direct"`
	Actor        inventory.Actor `json:"actor"`
}

// CreatePickLists groups released orders into pick lists. First, stock
// that has become available since release is allocated to the backordered
// lines of the orders it may list (see fillBackorders). Orders go in
// whole, most urgent first; a list closes when it reaches max_orders
// (discrete lists hold one) or the next order's lines would pass max_lines.
// An order with nothing allocated has nothing to pick and is left out by
// the rule (named explicitly, it is refused).
func (s *Service) CreatePickLists(ctx context.Context, requestID string, in CreateListsInput) ([]PickList, error) {
	in.Type = ListType(strings.ToLower(strings.TrimSpace(string(in.Type))))
	in.Channel = Channel(strings.ToLower(strings.TrimSpace(string(in.Channel))))
	in.ShipLocation = scan.Code(in.ShipLocation)
	for i := range in.OrderIDs {
		in.OrderIDs[i] = scan.Code(in.OrderIDs[i])
	}
	if err := floorops.Validate(in); err != nil {
		return nil, err
	}
	switch {
	case in.Type == Discrete:
		in.MaxOrders = 1
	case in.MaxOrders == 0 && in.Type == Batch:
		in.MaxOrders = defaultBatchOrders
	case in.MaxOrders == 0:
		in.MaxOrders = defaultClusterOrders
	}
	if in.MaxLines == 0 {
		in.MaxLines = defaultMaxLines
	}
	if in.MaxLists == 0 {
		in.MaxLists = defaultMaxLists
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "CreatePickLists", Body: in},
		func(tx *store.Tx) ([]PickList, error) { return createLists(ctx, tx, in) })
}

// listable is a released order with open lines on no list.
type listable struct {
	id       int64
	ref      string
	priority int
	shipBy   string
	lines    int
	state    OrderState
}

func createLists(ctx context.Context, tx *store.Tx, in CreateListsInput) ([]PickList, error) {
	ship, err := shipLane(ctx, tx, in.ShipLocation)
	if err != nil {
		return nil, err
	}
	if err := fillBackorders(ctx, tx, in); err != nil {
		return nil, err
	}
	var orders []listable
	const q = `SELECT o.id, o.order_ref, o.priority, o.ship_by, o.state,
			(SELECT COUNT(*) FROM pick_tasks t WHERE t.order_id = o.id AND t.state = 'open' AND t.list_id IS NULL)
		FROM pick_orders o`
	if len(in.OrderIDs) > 0 {
		seen := map[string]bool{}
		for i, ref := range in.OrderIDs {
			field := fmt.Sprintf("order_ids[%d]", i)
			if seen[ref] {
				return nil, floorops.Invalid(field, "order %s is named twice", ref)
			}
			seen[ref] = true
			var o listable
			err := tx.QueryRowContext(ctx, q+` WHERE o.order_ref = ?`, ref).Scan(&o.id, &o.ref, &o.priority, &o.shipBy, &o.state, &o.lines)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, floorops.Errorf(floorops.ENOTFOUND, "order %s not found", ref)
			}
			if err != nil {
				return nil, fmt.Errorf("read order %s: %w", ref, err)
			}
			if o.state != OrderReleased {
				return nil, floorops.Errorf(floorops.EPRECONDITION, "order %s is %s, not waiting for a pick list", ref, o.state)
			}
			if o.lines == 0 {
				return nil, floorops.Errorf(floorops.EPRECONDITION, "order %s has nothing allocated to pick", ref)
			}
			orders = append(orders, o)
		}
	} else {
		rows, err := tx.QueryContext(ctx, q+` WHERE o.state = 'released' AND (? = '' OR o.channel = ?)
			ORDER BY o.priority DESC, o.ship_by, o.id`, string(in.Channel), string(in.Channel))
		if err != nil {
			return nil, fmt.Errorf("read released orders: %w", err)
		}
		for rows.Next() {
			var o listable
			if err := rows.Scan(&o.id, &o.ref, &o.priority, &o.shipBy, &o.state, &o.lines); err != nil {
				rows.Close()
				return nil, err
			}
			if o.lines > 0 {
				orders = append(orders, o)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var groups [][]listable
	lines := 0
	for _, o := range orders {
		n := len(groups)
		if n == 0 || len(groups[n-1]) >= in.MaxOrders || lines+o.lines > in.MaxLines {
			if len(in.OrderIDs) == 0 && n == in.MaxLists {
				break
			}
			groups = append(groups, nil)
			n++
			lines = 0
		}
		groups[n-1] = append(groups[n-1], o)
		lines += o.lines
	}
	now := store.FormatTime(tx.Now)
	var out []PickList
	for _, g := range groups {
		priority, shipBy := g[0].priority, g[0].shipBy
		for _, o := range g[1:] {
			priority = max(priority, o.priority)
			shipBy = min(shipBy, o.shipBy)
		}
		var listID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO pick_lists (type, state, ship_location_id, priority, ship_by, created_by, created_at)
			VALUES (?, 'open', ?, ?, ?, ?, ?) RETURNING id`, string(in.Type), ship.ID, priority, shipBy, in.Actor.Badge, now).Scan(&listID); err != nil {
			return nil, fmt.Errorf("insert pick list: %w", err)
		}
		for pos, o := range g {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pick_list_orders (list_id, order_id, position) VALUES (?, ?, ?)`, listID, o.id, pos+1); err != nil {
				return nil, fmt.Errorf("list order %s: %w", o.ref, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE pick_tasks SET list_id = ?, updated_at = ? WHERE order_id = ? AND state = 'open' AND list_id IS NULL`,
				listID, now, o.id); err != nil {
				return nil, fmt.Errorf("list tasks of %s: %w", o.ref, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE pick_orders SET state = 'listed', updated_at = ? WHERE id = ?`, now, o.id); err != nil {
				return nil, fmt.Errorf("list order %s: %w", o.ref, err)
			}
		}
		l, err := loadList(ctx, tx, listID)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// shipLane is the named ship lane, or the first unblocked one in walk order.
func shipLane(ctx context.Context, tx *store.Tx, code string) (inventory.Location, error) {
	if code == "" {
		err := tx.QueryRowContext(ctx, `SELECT code FROM locations WHERE type = 'ship' AND blocked = 0 ORDER BY walk_seq, code LIMIT 1`).Scan(&code)
		if errors.Is(err, sql.ErrNoRows) {
			return inventory.Location{}, floorops.Errorf(floorops.EPRECONDITION, "the node has no ship lane to send picks to")
		}
		if err != nil {
			return inventory.Location{}, fmt.Errorf("find ship lane: %w", err)
		}
	}
	l, err := inventory.LocationByCode(ctx, tx, code)
	if err != nil {
		return l, err
	}
	if l.Type != inventory.LocShip {
		return l, floorops.Invalid("ship_location_code", "%s is a %s location, not a ship lane", l.Code, l.Type)
	}
	return l, nil
}

// listHeader is a pick list row with its ship lane.
type listHeader struct {
	PickList
	shipID int64
}

func loadHeader(ctx context.Context, q inventory.Querier, id int64) (listHeader, error) {
	var h listHeader
	var shipBy, created string
	err := q.QueryRowContext(ctx, `SELECT p.id, p.type, p.state, p.assigned_to, p.ship_location_id, l.code, p.priority, p.ship_by, p.created_at
		FROM pick_lists p JOIN locations l ON l.id = p.ship_location_id WHERE p.id = ?`, id).
		Scan(&h.ID, &h.Type, &h.State, &h.AssignedTo, &h.shipID, &h.ShipLocation, &h.Priority, &shipBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return h, floorops.Errorf(floorops.ENOTFOUND, "pick list %d not found", id)
	}
	if err != nil {
		return h, fmt.Errorf("read pick list %d: %w", id, err)
	}
	if h.ShipBy, err = store.ParseTime(shipBy); err != nil {
		return h, err
	}
	if h.CreatedAt, err = store.ParseTime(created); err != nil {
		return h, err
	}
	rows, err := q.QueryContext(ctx, `SELECT o.order_ref, plo.tote FROM pick_list_orders plo JOIN pick_orders o ON o.id = plo.order_id
		WHERE plo.list_id = ? ORDER BY plo.position`, id)
	if err != nil {
		return h, fmt.Errorf("read orders of pick list %d: %w", id, err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var ref, tote string
		if err := rows.Scan(&ref, &tote); err != nil {
			return h, err
		}
		h.OrderIDs = append(h.OrderIDs, ref)
		if tote != "" && !seen[tote] {
			seen[tote] = true
			h.Totes = append(h.Totes, tote)
		}
	}
	return h, rows.Err()
}

const lineColumns = `t.id, o.order_ref, ol.line_number, l.code, i.sku, i.description, t.lot, t.expiry, i.lot_tracked, t.lpn,
	t.qty, t.picked_qty, t.short_qty, t.state, COALESCE(plo.tote, '')`

const lineJoins = ` FROM pick_tasks t JOIN pick_orders o ON o.id = t.order_id JOIN pick_order_lines ol ON ol.id = t.line_id
	JOIN locations l ON l.id = t.location_id JOIN items i ON i.id = t.item_id
	LEFT JOIN pick_list_orders plo ON plo.order_id = t.order_id`

func scanLines(rows *sql.Rows) ([]Line, error) {
	defer rows.Close()
	var out []Line
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.ID, &l.OrderID, &l.LineNumber, &l.LocationCode, &l.SKU, &l.Description, &l.Lot, &l.Expiry,
			&l.LotRequired, &l.LPN, &l.Qty, &l.Picked, &l.Short, &l.State, &l.Tote); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// loadList reads a pick list with its lines in walk order.
func loadList(ctx context.Context, q inventory.Querier, id int64) (PickList, error) {
	h, err := loadHeader(ctx, q, id)
	if err != nil {
		return PickList{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+lineColumns+lineJoins+` WHERE t.list_id = ? ORDER BY l.walk_seq, l.code, i.sku, t.id`, id)
	if err != nil {
		return PickList{}, fmt.Errorf("read lines of pick list %d: %w", id, err)
	}
	if h.Lines, err = scanLines(rows); err != nil {
		return PickList{}, err
	}
	return h.PickList, nil
}

func loadLine(ctx context.Context, q inventory.Querier, id int64) (Line, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+lineColumns+lineJoins+` WHERE t.id = ?`, id)
	if err != nil {
		return Line{}, fmt.Errorf("read pick line %d: %w", id, err)
	}
	ls, err := scanLines(rows)
	if err != nil {
		return Line{}, err
	}
	if len(ls) == 0 {
		return Line{}, floorops.Errorf(floorops.ENOTFOUND, "pick line %d not found", id)
	}
	return ls[0], nil
}

// ListPickLists pages through pick lists, newest first, optionally of one
// state.
func (s *Service) ListPickLists(ctx context.Context, state ListState, limit int, pageToken string) ([]PickList, string, error) {
	page, before, err := store.NewestFirst("pick_lists|"+string(state), limit, pageToken)
	if err != nil {
		return nil, "", err
	}
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT id FROM pick_lists WHERE id < ? AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?`,
		before, string(state), string(state), page.Fetch())
	if err != nil {
		return nil, "", fmt.Errorf("list pick lists: %w", err)
	}
	return store.PageOfViews(page, rows, store.IDKey, func(id int64) (PickList, error) { return loadList(ctx, q, id) })
}

// StartInput is an associate taking a pick list with the totes on the cart.
type StartInput struct {
	ListID    int64           `json:"pick_list_id" validate:"gte=0"`
	ToteScans []string        `json:"tote_scans" validate:"required,min=1,max=100,dive,required,max=64"`
	Actor     inventory.Actor `json:"actor"`
}

// StartPickList assigns a pick list (0: the most urgent open one) to the
// associate. Discrete and batch lists take one tote; cluster lists one per
// order, matched to the orders in list order. A tote must be empty: one
// already on a list being picked, or still holding units in the ledger
// (say, another order's picks waiting at a ship lane), is refused. The
// associate who holds the list may start it again (a handheld that lost
// its state) with the same totes.
func (s *Service) StartPickList(ctx context.Context, requestID string, in StartInput) (PickList, error) {
	if err := floorops.Validate(in); err != nil {
		return PickList{}, err
	}
	totes := make([]string, len(in.ToteScans))
	seen := map[string]bool{}
	for i, raw := range in.ToteScans {
		field := fmt.Sprintf("tote_scans[%d]", i)
		sc, err := s.scan.Parse(raw)
		if err != nil {
			return PickList{}, floorops.Invalid(field, "%v", err)
		}
		if sc.Kind != scan.KindLPN {
			return PickList{}, floorops.Invalid(field, "scanned a %s, not a tote label", sc.Kind)
		}
		if seen[sc.Code] {
			return PickList{}, floorops.Invalid(field, "tote %s is scanned twice", sc.Code)
		}
		seen[sc.Code] = true
		totes[i] = sc.Code
	}
	return store.Idempotent(ctx, s.db, store.Request{ID: requestID, Method: "StartPickList", Body: in},
		func(tx *store.Tx) (PickList, error) { return startList(ctx, tx, in, totes) })
}

func startList(ctx context.Context, tx *store.Tx, in StartInput, totes []string) (PickList, error) {
	id := in.ListID
	if id == 0 {
		err := tx.QueryRowContext(ctx, `SELECT id FROM pick_lists WHERE state = 'open'
				AND EXISTS (SELECT 1 FROM pick_tasks t WHERE t.list_id = pick_lists.id AND t.state = 'open')
			ORDER BY priority DESC, ship_by, id LIMIT 1`).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return PickList{}, floorops.Errorf(floorops.ENOTFOUND, "no pick list is waiting to be picked")
		}
		if err != nil {
			return PickList{}, fmt.Errorf("next pick list: %w", err)
		}
	}
	h, err := loadHeader(ctx, tx, id)
	if err != nil {
		return PickList{}, err
	}
	switch {
	case h.State == ListCompleted:
		return PickList{}, floorops.Errorf(floorops.EPRECONDITION, "pick list %d is already completed", id)
	case h.State == ListPicking && h.AssignedTo != in.Actor.Badge:
		return PickList{}, floorops.Errorf(floorops.EPRECONDITION, "pick list %d is being picked by %s", id, h.AssignedTo)
	case h.State == ListPicking:
		if strings.Join(h.Totes, ",") != strings.Join(totes, ",") {
			return PickList{}, floorops.Errorf(floorops.EPRECONDITION, "pick list %d is already on totes %s", id, strings.Join(h.Totes, ", "))
		}
		return loadList(ctx, tx, id)
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pick_tasks WHERE list_id = ? AND state = 'open'`, id).Scan(&open); err != nil {
		return PickList{}, fmt.Errorf("count open lines: %w", err)
	}
	if open == 0 {
		return PickList{}, floorops.Errorf(floorops.EPRECONDITION, "pick list %d has nothing to pick: its orders were cancelled", id)
	}
	want := 1
	if h.Type == Cluster {
		want = len(h.OrderIDs)
	}
	if len(totes) != want {
		return PickList{}, floorops.Invalid("tote_scans", "pick list %d is a %s list of %d orders: scan %d tote(s), not %d",
			id, h.Type, len(h.OrderIDs), want, len(totes))
	}
	for _, tote := range totes {
		var other int64
		err := tx.QueryRowContext(ctx, `SELECT plo.list_id FROM pick_list_orders plo JOIN pick_lists pl ON pl.id = plo.list_id
			WHERE plo.tote = ? AND plo.tote <> '' AND pl.state = 'picking' LIMIT 1`, tote).Scan(&other)
		if err == nil {
			return PickList{}, floorops.Errorf(floorops.EPRECONDITION, "tote %s is on pick list %d: take an empty tote", tote, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return PickList{}, fmt.Errorf("check tote %s: %w", tote, err)
		}
		var held int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(qty), 0) FROM balances WHERE lpn = ? AND lpn <> ''`, tote).Scan(&held); err != nil {
			return PickList{}, fmt.Errorf("check tote %s: %w", tote, err)
		}
		if held > 0 {
			return PickList{}, floorops.Errorf(floorops.EPRECONDITION, "tote %s still holds %d units: take an empty tote", tote, held)
		}
	}
	for pos := range h.OrderIDs {
		tote := totes[0]
		if h.Type == Cluster {
			tote = totes[pos]
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pick_list_orders SET tote = ? WHERE list_id = ? AND position = ?`, tote, id, pos+1); err != nil {
			return PickList{}, fmt.Errorf("assign tote: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pick_lists SET state = 'picking', assigned_to = ?, started_at = ? WHERE id = ?`,
		in.Actor.Badge, store.FormatTime(tx.Now), id); err != nil {
		return PickList{}, fmt.Errorf("start pick list: %w", err)
	}
	return loadList(ctx, tx, id)
}

// Next is where the associate goes next.
type Next struct {
	Line         *Line  // nil when Done
	Done         bool   // every line is picked or shorted
	Remaining    int    // open lines, this one included
	ShipLocation string // where to drop the totes
}

// NextLine returns the first open line of a list in walk order.
func (s *Service) NextLine(ctx context.Context, listID int64) (Next, error) {
	if listID <= 0 {
		return Next{}, floorops.Invalid("pick_list_id", "is required")
	}
	l, err := loadList(ctx, s.db.Reader(), listID)
	if err != nil {
		return Next{}, err
	}
	n := Next{ShipLocation: l.ShipLocation}
	for i := range l.Lines {
		if l.Lines[i].State != LineOpen {
			continue
		}
		if n.Line == nil {
			n.Line = &l.Lines[i]
		}
		n.Remaining++
	}
	n.Done = n.Line == nil
	return n, nil
}
