package server

import (
	"context"
	"fmt"
	"time"

	"github.com/floorops/floorops/receiving"
	"github.com/floorops/floorops/scan"
)

// DemoPONumber and DemoPalletSSCCs are the demo node's open purchase order
// and the pallets its ASN announces, so a newcomer can try receiving: start
// a receipt at DOCK-01 by scanning DemoPONumber (or a pallet), scan a
// pallet with confirm_pallet, then cases of SKU-0003.
const DemoPONumber = "PO-1001"

// DemoPalletSSCCs are the SSCCs of the demo ASN's two pallets.
var DemoPalletSSCCs = [2]string{demoSSCC(1), demoSSCC(2)}

func demoSSCC(serial int) string {
	body := fmt.Sprintf("00614141%09d", serial)
	d, _ := scan.GS1CheckDigit(body)
	return body + string(d)
}

// SeedDemoReceiving adds the demo PO (three lines: SKU-0001, SKU-0002 with
// 10% over-receipt tolerance, and lot-tracked SKU-0004) and its ASN of two
// pallets. Call it from SeedDemo after the items exist.
func SeedDemoReceiving(ctx context.Context, s *Server) error {
	_, err := s.Receiving.UpsertPurchaseOrder(ctx, "demo-po-1001", receiving.PurchaseOrder{
		Number: DemoPONumber, Vendor: "ACME", ExpectedDate: time.Now().Format(time.DateOnly),
		Lines: []receiving.POLine{
			{SKU: "SKU-0001", Ordered: 48},
			{SKU: "SKU-0002", Ordered: 120, TolerancePct: 10},
			{SKU: "SKU-0004", Ordered: 24},
		},
	})
	if err != nil {
		return fmt.Errorf("demo PO: %w", err)
	}
	_, err = s.Receiving.CreateASN(ctx, "demo-asn-1001", receiving.ASN{
		Number: "ASN-1001", PONumber: DemoPONumber,
		Containers: []receiving.Container{
			{SSCC: DemoPalletSSCCs[0], Contents: []receiving.Content{{SKU: "SKU-0001", Qty: 48}}},
			{SSCC: DemoPalletSSCCs[1], Contents: []receiving.Content{
				{SKU: "SKU-0004", Qty: 24, Lot: "L2604D", Expiry: time.Now().AddDate(1, 0, 0).Format(time.DateOnly)},
			}},
		},
	})
	if err != nil {
		return fmt.Errorf("demo ASN: %w", err)
	}
	return nil
}
