package main

import (
	"bufio"
	"context"
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
		fs.StringVar(&u.Badge, "badge", "", "badge code, B- then a letter, then letters or digits, e.g. B-ANA (required); it must scan as a badge")
		fs.StringVar(&u.Name, "name", "", "display name")
		role := fs.String("role", "associate", "associate, lead or admin")
		fs.StringVar(&pin, "pin", "", "PIN of 4 to 12 digits; without it the PIN is read from the first line of standard input, so it stays out of shell history")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		u.Role = auth.Role(*role)
		// AddUser refuses a badge the node's scanner would not read as one.
		if err := useNodeScanner(); err != nil {
			return err
		}
		if pin == "" {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("%w: give --pin or type the PIN on standard input", errUsage)
			}
			pin = strings.TrimSpace(line)
		}
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
	if len(args) == 0 || (args[0] != "create" && args[0] != "list" && args[0] != "disable") {
		return fmt.Errorf("%w: floorops apikeys create|disable --name NAME, or apikeys list", errUsage)
	}
	sub := args[0]
	fs := newFlags("apikeys "+sub, stderr)
	dbPath := dbFlag(fs)
	name := fs.String("name", "", "what the key is for, e.g. erp (required for create and disable)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := auth.NewService(db)
	switch sub {
	case "create":
		key, err := svc.CreateAPIKey(ctx, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", key)
		fmt.Fprintf(stderr, "API key %q created. It is shown once; the node keeps only its hash.\nSend it as: authorization: Bearer <key>\n", *name)
	case "disable":
		if err := svc.DisableAPIKey(ctx, *name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled API key %s\n", *name)
	case "list":
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
	}
	return nil
}
