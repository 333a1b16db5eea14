package inventory

import (
	inventoryv1 "github.com/floorops/floorops/proto/floorops/inventory/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// StatusToProto is a stock status as the API spells it.
func StatusToProto(s Status) inventoryv1.StockStatus {
	switch s {
	case Available:
		return inventoryv1.StockStatus_STOCK_STATUS_AVAILABLE
	case Quarantined:
		return inventoryv1.StockStatus_STOCK_STATUS_QUARANTINE
	}
	return inventoryv1.StockStatus_STOCK_STATUS_UNSPECIFIED
}

// MovementToProto converts a ledger row for the API; every workflow's
// handler that answers with the movement it recorded (a move, a putaway, a
// pick) reuses it.
func MovementToProto(m Movement) *inventoryv1.Movement {
	p := &inventoryv1.Movement{
		Id: m.ID, Kind: m.Kind, Sku: m.SKU, Lot: m.Lot, Expiry: m.Expiry,
		FromLocationCode: m.From, ToLocationCode: m.To,
		FromStatus: StatusToProto(m.FromStatus), ToStatus: StatusToProto(m.ToStatus),
		Quantity: m.Qty, Reason: m.Reason, UserBadge: m.UserBadge, DeviceId: m.DeviceID,
		Reference: m.Ref, RequestId: m.RequestID, FromLpn: m.FromLPN, ToLpn: m.ToLPN,
	}
	if !m.CreatedAt.IsZero() {
		p.CreateTime = timestamppb.New(m.CreatedAt)
	}
	return p
}
