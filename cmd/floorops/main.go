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
	"apikeys": {"create, list or disable API keys for central systems", cmdAPIKeys},
	"central": {"run the reference central (UpstreamService, CentralService); central keys create NODE_ID", cmdCentral},
	"counts":  {"print the day's cycle count plan (counts plan)", cmdCounts},
	"import":  {"import items, locations or purchase orders (pos) from CSV", cmdImport},
	"labels":  {"render location, LPN and item labels as PNG, ZPL or PDF", cmdLabels},
	"migrate": {"create the database if needed and bring its schema up to date", cmdMigrate},
	"print":   {"send a ZPL file raw to a Zebra printer (host:9100)", cmdPrint},
	"scan":    {"print what a raw scanned string is (--json for JSON)", cmdScan},
	"serve":   {"run the node: gRPC, REST gateway, metrics (--demo seeds a demo warehouse)", cmdServe},
	"sync":    {"show the node's upstream sync: backlog, lag, parked events (sync status)", cmdSync},
	"sim":     {"compare count policies (random, abc, risk) on a simulated node with hidden errors", cmdSim},
	"users":   {"add, list, disable, enable, reset-pin, unlock or audit badge users", cmdUsers},
	"version": {"print the module version and VCS revision this binary was built from", cmdVersion},
}

// errUsage marks a mistake on the command line; main exits 2 for it.
var errUsage = errors.New("usage")

// errHelp reports that -h printed a command's usage and flags and nothing
// else ran; main exits 0.
var errHelp = errors.New("help shown")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the process's exit status: 0
// for success or help, 2 for a mistake on the command line, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, err)
		return 2
	}
	var fe *floorops.Error
	if errors.As(err, &fe) {
		fmt.Fprintln(stderr, "floorops:", fe.Message)
	} else {
		fmt.Fprintln(stderr, "floorops:", err)
	}
	return 1
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		if len(args) > 1 && args[0] == "help" {
			// "floorops help users" is "floorops users -h".
			if _, ok := commands[args[1]]; ok {
				return run(ctx, []string{args[1], "-h"}, stdout, stderr)
			}
			printUsage(stderr)
			return fmt.Errorf("%w: unknown command %q", errUsage, args[1])
		}
		if len(args) == 0 {
			// Bare floorops is a mistake, not a request for help.
			printUsage(stderr)
			return fmt.Errorf("%w: floorops <command>: give a command", errUsage)
		}
		printUsage(stdout)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		printUsage(stderr)
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	if len(args) == 2 && args[1] == "help" {
		// "floorops serve help" asks for serve's flags; it does not start a node.
		return cmd.run(ctx, []string{"-h"}, stdout, stderr)
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
