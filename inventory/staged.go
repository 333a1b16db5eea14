package inventory

// StagedStock is stock that has arrived in a dock or staging location and
// must be put away: receiving reports it, returns will too, and the putaway
// workflow turns it into a task. server wires the producer to the consumer
// so workflow packages never import each other.
type StagedStock struct {
	ItemID     int64
	LocationID int64 // the dock or staging location holding it
	Lot        string
	Expiry     string
	Status     Status
	LPN        string
	Qty        int64
	Ref        string // receipt, RMA or move that staged it
	Actor      Actor
	// Restock: the units are going back to stock (a cancelled order's
	// picks, a customer return), not arriving from a supplier, so they do
	// not count toward dock-to-stock time.
	Restock bool
}
