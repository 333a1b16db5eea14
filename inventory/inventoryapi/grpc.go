// Package inventoryapi is the inventory service's API face: its gRPC
// handler, label rendering and CSV import of master data. It sits beside the
// ledger core so that workflows, which import inventory, never pull in PDF,
// barcode or font rendering; only server and cmd import it.
package inventoryapi

import (
	"context"

	"github.com/floorops/floorops"
	"github.com/floorops/floorops/inventory"
	"github.com/floorops/floorops/label"
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"github.com/floorops/floorops/store"
)

// Handler serves InventoryService over gRPC: proto in, domain call, proto
// out. Errors are domain errors; the server maps them to status codes.
type Handler struct {
	inventoryv1.UnimplementedInventoryServiceServer
	svc   *inventory.Service
	db    *store.DB // the node's database, for labels
	hooks Hooks
}

// Hooks are what the inventory face asks other workflows.
type Hooks struct {
	// HiddenFrom is which of the location codes the caller a may read no
	// quantities of now (a blind count is in progress there): GetBalances
	// and ListMovements leave those locations' rows out. Cycle counting
	// decides; server wires it.
	HiddenFrom func(ctx context.Context, q inventory.Querier, a inventory.Actor, codes []string) (map[string]bool, error)
}

// NewHandler returns the gRPC face of s, the ledger over db. It panics on
// a missing hook, so a node that forgot to wire one does not start.
func NewHandler(s *inventory.Service, db *store.DB, h Hooks) *Handler {
	if h.HiddenFrom == nil {
		panic("inventoryapi: Hooks.HiddenFrom is required")
	}
	return &Handler{svc: s, db: db, hooks: h}
}

// hidden is which of codes the caller may read no quantities of.
func (h *Handler) hidden(ctx context.Context, codes []string) (map[string]bool, error) {
	return h.hooks.HiddenFrom(ctx, h.db.Reader(), inventory.ActorFrom(ctx), codes)
}

// UpsertItem creates an item or updates the fields its mask names (or,
// without a mask, the fields set).
func (h *Handler) UpsertItem(ctx context.Context, req *inventoryv1.UpsertItemRequest) (*inventoryv1.UpsertItemResponse, error) {
	it, err := h.svc.UpsertItem(ctx, req.GetRequestId(), itemFromProto(req.GetItem()),
		inventory.ItemUpdate{Fields: itemMask(req), AllowGTINRemoval: req.GetAllowGtinRemoval()})
	if err != nil {
		return nil, floorops.WithFieldPrefix(err, "item", "update_mask")
	}
	return &inventoryv1.UpsertItemResponse{Item: itemToProto(it)}, nil
}

// GetItem returns one item.
func (h *Handler) GetItem(ctx context.Context, req *inventoryv1.GetItemRequest) (*inventoryv1.GetItemResponse, error) {
	it, err := h.svc.GetItem(ctx, req.GetSku())
	if err != nil {
		return nil, err
	}
	return &inventoryv1.GetItemResponse{Item: itemToProto(it)}, nil
}

// ListItems pages through items.
func (h *Handler) ListItems(ctx context.Context, req *inventoryv1.ListItemsRequest) (*inventoryv1.ListItemsResponse, error) {
	items, next, err := h.svc.ListItems(ctx, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &inventoryv1.ListItemsResponse{NextPageToken: next}
	for _, it := range items {
		resp.Items = append(resp.Items, itemToProto(it))
	}
	return resp, nil
}

// UpsertLocation creates a location or updates the fields its mask names
// (or, without a mask, the fields set).
func (h *Handler) UpsertLocation(ctx context.Context, req *inventoryv1.UpsertLocationRequest) (*inventoryv1.UpsertLocationResponse, error) {
	l, err := h.svc.UpsertLocation(ctx, req.GetRequestId(), locationFromProto(req.GetLocation()), locationMask(req)...)
	if err != nil {
		return nil, floorops.WithFieldPrefix(err, "location", "update_mask")
	}
	return &inventoryv1.UpsertLocationResponse{Location: locationToProto(l)}, nil
}

// GetLocation returns one location.
func (h *Handler) GetLocation(ctx context.Context, req *inventoryv1.GetLocationRequest) (*inventoryv1.GetLocationResponse, error) {
	l, err := h.svc.GetLocation(ctx, req.GetCode())
	if err != nil {
		return nil, err
	}
	return &inventoryv1.GetLocationResponse{Location: locationToProto(l)}, nil
}

// ListLocations pages through locations in walk order.
func (h *Handler) ListLocations(ctx context.Context, req *inventoryv1.ListLocationsRequest) (*inventoryv1.ListLocationsResponse, error) {
	locs, next, err := h.svc.ListLocations(ctx, req.GetZone(), int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &inventoryv1.ListLocationsResponse{NextPageToken: next}
	for _, l := range locs {
		resp.Locations = append(resp.Locations, locationToProto(l))
	}
	return resp, nil
}

// GetBalances returns stock on hand.
func (h *Handler) GetBalances(ctx context.Context, req *inventoryv1.GetBalancesRequest) (*inventoryv1.GetBalancesResponse, error) {
	bs, err := h.svc.GetBalances(ctx, req.GetLocationCode(), req.GetSku())
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(bs))
	for _, b := range bs {
		codes = append(codes, b.LocationCode)
	}
	hide, err := h.hidden(ctx, codes)
	if err != nil {
		return nil, err
	}
	resp := &inventoryv1.GetBalancesResponse{}
	for _, b := range bs {
		if hide[b.LocationCode] {
			continue // being counted blind: no quantities for an associate
		}
		resp.Balances = append(resp.Balances, &inventoryv1.Balance{
			LocationCode: b.LocationCode, Sku: b.SKU, Lot: b.Lot, Expiry: b.Expiry,
			Status: inventory.StatusToProto(b.Status), Lpn: b.LPN, Quantity: b.Qty,
		})
	}
	return resp, nil
}

// GetAvailableToSell returns ATS per SKU. Associates may not call it (the
// permission table in auth): with every figure of a SKU, it is the SKU's
// record across bins, including one being counted blind.
func (h *Handler) GetAvailableToSell(ctx context.Context, req *inventoryv1.GetAvailableToSellRequest) (*inventoryv1.GetAvailableToSellResponse, error) {
	as, err := h.svc.AvailableToSell(ctx, req.GetSkus())
	if err != nil {
		return nil, err
	}
	resp := &inventoryv1.GetAvailableToSellResponse{}
	for _, a := range as {
		resp.Availability = append(resp.Availability, &inventoryv1.Availability{Sku: a.SKU, OnHand: a.OnHand, Allocated: a.Allocated, AvailableToSell: a.ATS})
	}
	return resp, nil
}

// MoveStock moves units between two scanned locations.
func (h *Handler) MoveStock(ctx context.Context, req *inventoryv1.MoveStockRequest) (*inventoryv1.MoveStockResponse, error) {
	mv, err := h.svc.MoveStock(ctx, req.GetRequestId(), inventory.MoveInput{
		FromScan: req.GetFromLocationScan(), ToScan: req.GetToLocationScan(), SKU: req.GetSku(),
		Lot: req.GetLot(), Expiry: req.GetExpiry(), Qty: req.GetQuantity(),
		Status: statusFromProto(req.GetStatus()), LPN: req.GetLpn(), Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &inventoryv1.MoveStockResponse{Movement: inventory.MovementToProto(mv)}, nil
}

// AdjustStock corrects a balance.
func (h *Handler) AdjustStock(ctx context.Context, req *inventoryv1.AdjustStockRequest) (*inventoryv1.AdjustStockResponse, error) {
	mv, err := h.svc.AdjustStock(ctx, req.GetRequestId(), inventory.AdjustInput{
		LocationCode: req.GetLocationCode(), SKU: req.GetSku(), Lot: req.GetLot(), Expiry: req.GetExpiry(),
		Delta: req.GetDelta(), Reason: req.GetReason(), Status: statusFromProto(req.GetStatus()), LPN: req.GetLpn(),
		Actor: inventory.ActorFrom(ctx),
	})
	if err != nil {
		return nil, err
	}
	return &inventoryv1.AdjustStockResponse{Movement: inventory.MovementToProto(mv)}, nil
}

// ListMovements pages through the ledger.
func (h *Handler) ListMovements(ctx context.Context, req *inventoryv1.ListMovementsRequest) (*inventoryv1.ListMovementsResponse, error) {
	ms, next, err := h.svc.ListMovements(ctx, inventory.MovementFilter{SKU: req.GetSku(), LocationCode: req.GetLocationCode(), Kind: req.GetKind()},
		int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, 2*len(ms))
	for _, m := range ms {
		codes = append(codes, m.From, m.To)
	}
	hide, err := h.hidden(ctx, codes)
	if err != nil {
		return nil, err
	}
	resp := &inventoryv1.ListMovementsResponse{NextPageToken: next}
	for _, m := range ms {
		if hide[m.From] || hide[m.To] {
			continue // being counted blind: no quantities for an associate
		}
		resp.Movements = append(resp.Movements, inventory.MovementToProto(m))
	}
	return resp, nil
}

// itemMask is the update an UpsertItemRequest asks for: its update_mask,
// else the fields it sets (Google's AIP-134 rule), so that a field left
// out of the request never clears what is stored. Never nil: nil would
// mean every field.
func itemMask(req *inventoryv1.UpsertItemRequest) []string {
	if paths := req.GetUpdateMask().GetPaths(); len(paths) > 0 {
		return paths
	}
	p := req.GetItem()
	set := []string{}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"description", p.GetDescription() != ""}, {"unit_cost_cents", p.GetUnitCostCents() != 0},
		{"lot_tracked", p.GetLotTracked()}, {"expiry_tracked", p.GetExpiryTracked()}, {"serial_tracked", p.GetSerialTracked()},
		{"abc_class", p.GetAbcClass() != ""}, {"gtins", len(p.GetGtins()) > 0}, {"category", p.GetCategory() != ""},
	} {
		if f.set {
			set = append(set, f.name)
		}
	}
	return set
}

// locationMask is itemMask's rule for an UpsertLocationRequest.
func locationMask(req *inventoryv1.UpsertLocationRequest) []string {
	if paths := req.GetUpdateMask().GetPaths(); len(paths) > 0 {
		return paths
	}
	p := req.GetLocation()
	set := []string{}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"zone", p.GetZone() != ""}, {"type", p.GetType() != inventoryv1.LocationType_LOCATION_TYPE_UNSPECIFIED},
		{"walk_sequence", p.GetWalkSequence() != 0}, {"capacity", p.GetCapacity() != 0}, {"blocked", p.GetBlocked()},
	} {
		if f.set {
			set = append(set, f.name)
		}
	}
	return set
}

func itemFromProto(p *inventoryv1.Item) inventory.Item {
	it := inventory.Item{
		SKU: p.GetSku(), Description: p.GetDescription(), UnitCostCents: p.GetUnitCostCents(),
		LotTracked: p.GetLotTracked(), ExpiryTracked: p.GetExpiryTracked(), SerialTracked: p.GetSerialTracked(),
		ABCClass: p.GetAbcClass(), Category: p.GetCategory(),
	}
	for _, g := range p.GetGtins() {
		it.GTINs = append(it.GTINs, inventory.GTIN{GTIN: g.GetGtin(), PackQty: int64(g.GetPackQty())})
	}
	return it
}

func itemToProto(it inventory.Item) *inventoryv1.Item {
	p := &inventoryv1.Item{
		Sku: it.SKU, Description: it.Description, UnitCostCents: it.UnitCostCents,
		LotTracked: it.LotTracked, ExpiryTracked: it.ExpiryTracked, SerialTracked: it.SerialTracked, AbcClass: it.ABCClass,
		Category: it.Category,
	}
	for _, g := range it.GTINs {
		p.Gtins = append(p.Gtins, &inventoryv1.Gtin{Gtin: g.GTIN, PackQty: int32(g.PackQty)})
	}
	return p
}

var locationTypes = map[inventory.LocationType]inventoryv1.LocationType{
	inventory.LocDock: inventoryv1.LocationType_LOCATION_TYPE_DOCK, inventory.LocStaging: inventoryv1.LocationType_LOCATION_TYPE_STAGING,
	inventory.LocStorage: inventoryv1.LocationType_LOCATION_TYPE_STORAGE, inventory.LocPickFace: inventoryv1.LocationType_LOCATION_TYPE_PICKFACE,
	inventory.LocReturns: inventoryv1.LocationType_LOCATION_TYPE_RETURNS, inventory.LocQuarantine: inventoryv1.LocationType_LOCATION_TYPE_QUARANTINE,
	inventory.LocShip: inventoryv1.LocationType_LOCATION_TYPE_SHIP,
}

func locationFromProto(p *inventoryv1.Location) inventory.Location {
	l := inventory.Location{Code: p.GetCode(), Zone: p.GetZone(), WalkSeq: p.GetWalkSequence(), Capacity: p.GetCapacity(), Blocked: p.GetBlocked()}
	for t, pt := range locationTypes {
		if pt == p.GetType() {
			l.Type = t
		}
	}
	return l
}

func locationToProto(l inventory.Location) *inventoryv1.Location {
	return &inventoryv1.Location{
		Code: l.Code, Zone: l.Zone, Type: locationTypes[l.Type], WalkSequence: l.WalkSeq,
		Capacity: l.Capacity, Blocked: l.Blocked, CheckCode: l.CheckCode,
	}
}

func statusFromProto(s inventoryv1.StockStatus) inventory.Status {
	if s == inventoryv1.StockStatus_STOCK_STATUS_QUARANTINE {
		return inventory.Quarantined
	}
	return inventory.Available
}

// ResolveScan tells a handheld what it scanned.
func (h *Handler) ResolveScan(ctx context.Context, req *inventoryv1.ResolveScanRequest) (*inventoryv1.ResolveScanResponse, error) {
	r, err := h.svc.ResolveScan(ctx, req.GetRaw(), req.GetExpectedLocationCode())
	if err != nil {
		return nil, err
	}
	v := r.Scan
	resp := &inventoryv1.ResolveScanResponse{
		Kind: v.Kind, Code: v.Code, Ais: v.AIs, Gtin: v.GTIN, Sscc: v.SSCC, Lot: v.Lot, Serial: v.Serial,
		Expiry: v.Expiry, BestBefore: v.BestBefore, Found: r.Found, Note: r.Note, PackQuantity: r.PackQty, Lpn: r.LPN,
		Warnings: r.Warnings,
	}
	if v.Count != nil {
		resp.Count = int64(*v.Count)
	}
	if v.NetWeightKg != nil {
		resp.NetWeightKg = *v.NetWeightKg
	}
	if r.Item != nil {
		resp.Item = itemToProto(*r.Item)
	}
	if r.Location != nil {
		resp.Location = locationToProto(*r.Location)
	}
	return resp, nil
}

var labelFormats = map[inventoryv1.LabelFormat]label.Format{
	inventoryv1.LabelFormat_LABEL_FORMAT_UNSPECIFIED: label.FormatPNG,
	inventoryv1.LabelFormat_LABEL_FORMAT_PNG:         label.FormatPNG,
	inventoryv1.LabelFormat_LABEL_FORMAT_ZPL:         label.FormatZPL,
	inventoryv1.LabelFormat_LABEL_FORMAT_PDF:         label.FormatPDF,
}

// RenderLabel returns a printable label.
func (h *Handler) RenderLabel(ctx context.Context, req *inventoryv1.RenderLabelRequest) (*inventoryv1.RenderLabelResponse, error) {
	f, ok := labelFormats[req.GetFormat()]
	if !ok {
		return nil, floorops.Invalid("format", "unknown label format %v", req.GetFormat())
	}
	l, err := RenderLabel(ctx, h.db, h.svc.Parser(), LabelRequest{
		Format: f, LocationCode: req.GetLocationCode(), Zone: req.GetZone(), LPNCode: req.GetLpnCode(), SSCC: req.GetSscc(),
		SKU: req.GetSku(), Lot: req.GetLot(), Expiry: req.GetExpiry(), Symbology: req.GetSymbology(),
	})
	if err != nil {
		return nil, err
	}
	return &inventoryv1.RenderLabelResponse{Content: l.Content, ContentType: l.ContentType}, nil
}
