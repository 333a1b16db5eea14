// Command floorops runs a fulfillment node's floor-operations service and the
// tools around it: serve, import, users, apikeys, scan, labels, print.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/floorops/floorops"
)

// command is one floorops subcommand. args excludes the subcommand name.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the CLI's table of subcommands. Keep it sorted by name.
var commands = map[string]command{
	"apikeys": {"create an API key for a central system", cmdAPIKeys},
	"import":  {"import items or locations from CSV", cmdImport},
	"labels":  {"render location, LPN and item labels as PNG, ZPL or PDF", cmdLabels},
	"print":   {"send a ZPL file raw to a Zebra printer (host:9100)", cmdPrint},
	"scan":    {"print what a raw scanned string is (--json for JSON)", cmdScan},
	"serve":   {"run the node: gRPC, REST gateway, metrics (--demo seeds a demo warehouse)", cmdServe},
	"users":   {"add, list or disable badge users", cmdUsers},
}

// errUsage marks a mistake on the command line; main exits 2 for it.
var errUsage = errors.New("usage")

// errHelp reports that -h printed a command's flags; main exits 0.
var errHelp = errors.New("help shown")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, errHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	default:
		var fe *floorops.Error
		if errors.As(err, &fe) {
			fmt.Fprintln(os.Stderr, "floorops:", fe.Message)
		} else {
			fmt.Fprintln(os.Stderr, "floorops:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		printUsage(stderr)
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: floorops <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'floorops <command> -h' for a command's flags.")
}
