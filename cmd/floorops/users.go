package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/store"
)

// stdin is where commands read secrets typed at a prompt; tests replace it.
var stdin io.Reader = os.Stdin

// openDB opens the node's existing database for a one-shot command: a
// mistyped --db fails naming the path instead of creating an empty node.
func openDB(ctx context.Context, path string) (*store.DB, error) {
	return store.OpenExisting(ctx, path)
}

// usersGroup is "floorops users": the badge users who sign in on handhelds.
var usersGroup = group{name: "users", subs: []subcommand{
	{name: "add", summary: "add a badge user; without --pin the PIN is read from the first line of standard input", define: usersAdd},
	{name: "list", summary: "list the badge users, active and disabled", define: usersList},
	{name: "disable", summary: "disable a badge user and revoke its sessions", define: usersAdmin(auth.ActionDisable)},
	{name: "enable", summary: "let a disabled badge user sign in again", define: usersAdmin(auth.ActionEnable)},
	{name: "reset-pin", summary: "give a badge user a new PIN, unlock the badge and revoke its sessions;\nwithout --pin the PIN is read from the first line of standard input", define: usersAdmin(auth.ActionResetPIN)},
	{name: "unlock", summary: "unlock a badge locked after repeated wrong PINs", define: usersAdmin(auth.ActionUnlock)},
	{name: "audit", summary: "list who enabled, disabled, reset or unlocked badge users, and when", define: usersAudit},
}}

func cmdUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usersGroup.run(ctx, args, stdout, stderr)
}

// withAuth runs fn on the auth service of the database at dbPath, which
// reads badges with the node's scanner (nodeParser): AddUser refuses a badge
// the node's handhelds would not read as one.
func withAuth(ctx context.Context, dbPath string, fn func(*auth.Service) error) error {
	p, err := nodeParser()
	if err != nil {
		return err
	}
	db, err := openDB(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(auth.NewService(db, p))
}

func usersAdd(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	var u auth.User
	fs.StringVar(&u.Badge, "badge", "", "badge code, B- then a letter, then letters or digits, e.g. B-ANA (required); it must scan as a badge")
	fs.StringVar(&u.Name, "name", "", "display name")
	role := fs.String("role", "associate", "associate, lead or admin")
	pin := fs.String("pin", "", "PIN of 4 to 12 digits; without it the PIN is read from the first line of standard input, so it stays out of shell history")
	return func(ctx context.Context, stdout, _ io.Writer) error {
		u.Role = auth.Role(*role)
		var err error
		if *pin, err = readPIN(*pin); err != nil {
			return err
		}
		return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
			if err := svc.AddUser(ctx, u, *pin); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "added %s (%s)\n", u.Badge, u.Role)
			return nil
		})
	}
}

func usersList(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	return func(ctx context.Context, stdout, _ io.Writer) error {
		return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
			users, err := svc.ListUsers(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "BADGE\tNAME\tROLE\tSTATUS")
			for _, u := range users {
				st := "active"
				if u.Disabled {
					st = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Badge, u.Name, u.Role, st)
			}
			return tw.Flush()
		})
	}
}

// cliActor is who an admin change made with the CLI is recorded against:
// the operating-system user on this host.
func cliActor() auth.Principal {
	who := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		who = u.Username
	}
	host, _ := os.Hostname()
	return auth.Principal{Badge: "cli:" + who, Name: who, Role: auth.Admin, Device: host}
}

// cliRequestID is a fresh request id: each CLI run is one request.
func cliRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "cli-" + hex.EncodeToString(b)
}

// readPIN returns pin, or the first line of standard input without it.
func readPIN(pin string) (string, error) {
	if pin != "" {
		return pin, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("%w: give --pin or type the PIN on standard input", errUsage)
	}
	return strings.TrimSpace(line), nil
}

// usersAdmin defines "users disable|enable|reset-pin|unlock": an admin's
// change to a badge user, recorded in the user audit trail.
func usersAdmin(action string) func(fs *flag.FlagSet) runFunc {
	return func(fs *flag.FlagSet) runFunc {
		dbPath := dbFlag(fs)
		badge := fs.String("badge", "", "badge code (required)")
		var pin *string
		if action == auth.ActionResetPIN {
			pin = fs.String("pin", "", "the new PIN of 4 to 12 digits; without it the PIN is read from the first line of standard input")
		}
		return func(ctx context.Context, stdout, _ io.Writer) error {
			if strings.TrimSpace(*badge) == "" {
				return fmt.Errorf("%w: --badge is required", errUsage)
			}
			var newPIN string
			if pin != nil {
				var err error
				if newPIN, err = readPIN(*pin); err != nil {
					return err
				}
			}
			return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
				id, by := cliRequestID(), cliActor()
				var (
					u    auth.User
					err  error
					done string
				)
				switch action {
				case auth.ActionDisable:
					u, err = svc.DisableUser(ctx, id, *badge, by)
					done = "disabled %s and revoked its sessions\n"
				case auth.ActionEnable:
					u, err = svc.EnableUser(ctx, id, *badge, by)
					done = "enabled %s\n"
				case auth.ActionResetPIN:
					u, err = svc.ResetPin(ctx, id, *badge, newPIN, by)
					done = "reset the PIN of %s, unlocked it and revoked its sessions\n"
				case auth.ActionUnlock:
					u, err = svc.UnlockBadge(ctx, id, *badge, by)
					done = "unlocked %s\n"
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, done, u.Badge)
				return nil
			})
		}
	}
}

func usersAudit(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	badge := fs.String("badge", "", "only this badge (default every badge)")
	return func(ctx context.Context, stdout, _ io.Writer) error {
		return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
			var events []auth.AuditEvent
			for tok := ""; ; {
				page, next, err := svc.ListUserAudit(ctx, *badge, 1000, tok)
				if err != nil {
					return err
				}
				events = append(events, page...)
				if tok = next; tok == "" {
					break
				}
			}
			slices.Reverse(events) // oldest first, as a log reads
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tBADGE\tACTION\tBY\tDEVICE")
			for _, e := range events {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339), e.Badge, e.Action, e.ActorBadge, e.ActorDevice)
			}
			return tw.Flush()
		})
	}
}

// apikeysGroup is "floorops apikeys": the keys central systems (ERP, order
// management) call the node with.
var apikeysGroup = group{name: "apikeys", subs: []subcommand{
	{name: "create", summary: "create an API key and print it once; the node keeps only its hash", define: apikeysCreate},
	{name: "list", summary: "list the API keys by name, active and disabled (never the keys)", define: apikeysList},
	{name: "disable", summary: "disable an API key; calls with it fail at once", define: apikeysDisable},
}}

func cmdAPIKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return apikeysGroup.run(ctx, args, stdout, stderr)
}

func apikeysCreate(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	name := fs.String("name", "", "what the key is for, e.g. erp (required)")
	return func(ctx context.Context, stdout, stderr io.Writer) error {
		return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
			key, err := svc.CreateAPIKey(ctx, *name)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s\n", key)
			fmt.Fprintf(stderr, "API key %q created. It is shown once; the node keeps only its hash.\nSend it as: authorization: Bearer <key>\n", *name)
			return nil
		})
	}
}

func apikeysList(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	return func(ctx context.Context, stdout, _ io.Writer) error {
		return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
			keys, err := svc.ListAPIKeys(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCREATED\tSTATUS")
			for _, k := range keys {
				st := "active"
				if k.Disabled {
					st = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, store.FormatTime(k.CreatedAt), st)
			}
			return tw.Flush()
		})
	}
}

func apikeysDisable(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	name := fs.String("name", "", "the key's name, as given to create (required)")
	return func(ctx context.Context, stdout, _ io.Writer) error {
		return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
			if err := svc.DisableAPIKey(ctx, *name); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "disabled API key %s\n", *name)
			return nil
		})
	}
}
