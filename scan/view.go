package scan

// View is a Scan as the node shows it in JSON (API responses, the scan
// diagnostics command): what was scanned, what it is, and the decoded
// fields that are present. Dates are YYYY-MM-DD.
type View struct {
	Raw  string `json:"raw"`
	Kind string `json:"kind"`
	// AIs maps each GS1 Application Identifier to its data as scanned.
	AIs            map[string]string `json:"ais,omitempty"`
	GTIN           string            `json:"gtin,omitempty"`
	SSCC           string            `json:"sscc,omitempty"`
	Lot            string            `json:"lot,omitempty"`
	Serial         string            `json:"serial,omitempty"`
	Expiry         string            `json:"expiry,omitempty"`
	BestBefore     string            `json:"best_before,omitempty"`
	ProductionDate string            `json:"production_date,omitempty"`
	PackagingDate  string            `json:"packaging_date,omitempty"`
	Count          *int              `json:"count,omitempty"`
	NetWeightKg    *float64          `json:"net_weight_kg,omitempty"`
	Code           string            `json:"code,omitempty"`
	Symbology      string            `json:"symbology,omitempty"`
}

// View returns s in its JSON shape.
func (s *Scan) View() View {
	v := View{
		Raw:            s.Raw,
		Kind:           s.Kind.String(),
		GTIN:           s.GTIN,
		SSCC:           s.SSCC,
		Lot:            s.Lot,
		Serial:         s.Serial,
		Expiry:         s.Expiry.String(),
		BestBefore:     s.BestBefore.String(),
		ProductionDate: s.ProductionDate.String(),
		PackagingDate:  s.PackagingDate.String(),
		Code:           s.Code,
		Symbology:      s.Symbology,
	}
	if s.n > 0 {
		v.AIs = make(map[string]string, s.n)
		for _, e := range s.elems[:s.n] {
			v.AIs[e.AI] = e.Value
		}
	}
	if s.HasCount {
		c := s.Count
		v.Count = &c
	}
	if s.HasNetWeight {
		w := s.NetWeightKg
		v.NetWeightKg = &w
	}
	return v
}
