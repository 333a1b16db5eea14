package inventory

import "context"

// Role is what a person or system on the floor may do. auth gives each
// user and API key one; the workflows decide from it who may override an
// over-receipt, close a PO or see what a blind receipt expects.
type Role string

// Roles.
const (
	Associate   Role = "associate"   // floor associate: receive, put away, pick, count
	Lead        Role = "lead"        // floor lead: also adjust, approve, plan, override
	Admin       Role = "admin"       // node administrator: users, master data
	Integration Role = "integration" // a central system with an API key
)

// Actor is who did something, in which role and on which device; every
// movement records the badge and device.
//
// Role is not part of the JSON: the JSON of a request's actor is what a
// retry is recognised by (store.Idempotent), and a request stored before
// the role was carried must still hash the same. What the role allows is
// decided before a request is stored.
type Actor struct {
	Badge  string `json:"badge"`
	Device string `json:"device"`
	Role   Role   `json:"-"`
}

type actorKey struct{}

// ContextWithActor returns ctx carrying who is calling. auth's interceptor
// sets it for every call it signs in (auth.NewContext).
func ContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom is who is calling: the badge (or "key:<name>" of an API key),
// device and role the interceptor signed in. A call no one signed in for
// (a job of the node itself, a test calling a service directly) has the
// zero Actor, with no role.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// ToldHeld reports whether a refusal may tell a the units a location holds
// by the record (its fill, what is there, what is allocated): a lead, an
// admin or a system yes, an associate no. The location may be under a
// blind count (cycle counting decides which, and the ledger cannot ask
// it), and a refusal that formats the record (no room, not enough units,
// what is left at a putaway task's source) would read it out to the
// associate counting it. It is the one rule for every such refusal.
func ToldHeld(a Actor) bool { return a.Role != Associate }
