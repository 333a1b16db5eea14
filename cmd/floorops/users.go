package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/floorops/floorops/auth"
	"github.com/floorops/floorops/store"
)

// openDB opens the node's database for a one-shot command.
func openDB(ctx context.Context, path string) (*store.DB, error) { return store.Open(ctx, path) }

func cmdUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: floorops users add|list|disable [flags]", errUsage)
	}
	sub, args := args[0], args[1:]
	fs := newFlags("users "+sub, stderr)
	dbPath := dbFlag(fs)
	var u auth.User
	var pin string
	switch sub {
	case "add":
		fs.StringVar(&u.Badge, "badge", "", "badge code, e.g. B-1042 (required)")
		fs.StringVar(&u.Name, "name", "", "display name")
		role := fs.String("role", "associate", "associate, lead or admin")
		fs.StringVar(&pin, "pin", "", "PIN of 4 to 12 digits (required)")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		u.Role = auth.Role(*role)
	case "disable":
		fs.StringVar(&u.Badge, "badge", "", "badge code (required)")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
	case "list":
		if err := parseFlags(fs, args); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: unknown users command %q (add, list, disable)", errUsage, sub)
	}
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := auth.NewService(db)
	switch sub {
	case "add":
		if err := svc.AddUser(ctx, u, pin); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s (%s)\n", u.Badge, u.Role)
	case "disable":
		if err := svc.DisableUser(ctx, u.Badge); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s and revoked its sessions\n", u.Badge)
	case "list":
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
	}
	return nil
}

func cmdAPIKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: floorops apikeys create --name NAME", errUsage)
	}
	fs := newFlags("apikeys create", stderr)
	dbPath := dbFlag(fs)
	name := fs.String("name", "", "what the key is for, e.g. erp (required)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := auth.NewService(db).CreateAPIKey(ctx, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", key)
	fmt.Fprintf(stderr, "API key %q created. It is shown once; the node keeps only its hash.\nSend it as: authorization: Bearer <key>\n", *name)
	return nil
}
