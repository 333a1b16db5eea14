package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

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
	{name: "disable", summary: "disable a badge user and revoke its sessions", define: usersDisable},
}}

func cmdUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usersGroup.run(ctx, args, stdout, stderr)
}

// withAuth runs fn on the auth service of the database at dbPath.
func withAuth(ctx context.Context, dbPath string, fn func(*auth.Service) error) error {
	db, err := openDB(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(auth.NewService(db))
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
		// AddUser refuses a badge the node's scanner would not read as one.
		if err := useNodeScanner(); err != nil {
			return err
		}
		if *pin == "" {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("%w: give --pin or type the PIN on standard input", errUsage)
			}
			*pin = strings.TrimSpace(line)
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

func usersDisable(fs *flag.FlagSet) runFunc {
	dbPath := dbFlag(fs)
	badge := fs.String("badge", "", "badge code (required)")
	return func(ctx context.Context, stdout, _ io.Writer) error {
		return withAuth(ctx, *dbPath, func(svc *auth.Service) error {
			if err := svc.DisableUser(ctx, *badge); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "disabled %s and revoked its sessions\n", *badge)
			return nil
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
				fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.CreatedAt, st)
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
