package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// group is a command made of subcommands ("users add", "labels lpn"). It
// dispatches to them and prints, for -h, every subcommand with its flags.
type group struct {
	name string
	subs []subcommand
}

// subcommand is one subcommand of a group.
type subcommand struct {
	name    string
	args    string // positional arguments after the flags, e.g. "FILE.csv"; "" for none
	summary string // what it does, one or two lines for the usage
	// define registers the subcommand's flags on fs and returns what runs
	// once fs has parsed the command line. It does nothing else, so that
	// help can list the flags without side effects.
	define func(fs *flag.FlagSet) runFunc
}

// runFunc runs a subcommand whose flags are parsed.
type runFunc func(ctx context.Context, stdout, stderr io.Writer) error

// isHelp reports whether arg asks for help in place of a subcommand.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help", "help":
		return true
	}
	return false
}

// run runs the subcommand args[0] with the flags and arguments after it, or
// prints the group's usage for -h, --help or help.
func (g *group) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: floorops %s %s [flags] (floorops %s -h lists every flag)", errUsage, g.name, g.names(), g.name)
	}
	if isHelp(args[0]) {
		g.usage(stdout)
		return errHelp
	}
	var sub *subcommand
	for i := range g.subs {
		if g.subs[i].name == args[0] {
			sub = &g.subs[i]
		}
	}
	if sub == nil {
		return fmt.Errorf("%w: unknown %s command %q: want %s (floorops %s -h lists every flag)", errUsage, g.name, args[0], g.names(), g.name)
	}
	if len(args) == 2 && args[1] == "help" {
		args = []string{args[0], "-h"} // "users add help" is "users add -h"
	}
	fs := newFlags(g.name+" "+sub.name, stderr)
	run := sub.define(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: ")
		g.subUsage(fs.Output(), sub, fs)
	}
	if err := parseFlags(fs, args[1:], stdout); err != nil {
		return err
	}
	if sub.args == "" && fs.NArg() > 0 {
		return fmt.Errorf("%w: floorops %s %s: unexpected arguments %q", errUsage, g.name, sub.name, fs.Args())
	}
	return run(ctx, stdout, stderr)
}

// names lists the subcommands as "add|list|disable".
func (g *group) names() string {
	names := make([]string, len(g.subs))
	for i, s := range g.subs {
		names[i] = s.name
	}
	return strings.Join(names, "|")
}

// usage prints every subcommand of the group with its flags.
func (g *group) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: floorops %s %s [flags]\n", g.name, g.names())
	for i := range g.subs {
		sub := &g.subs[i]
		fs := newFlags(g.name+" "+sub.name, w)
		sub.define(fs)
		fmt.Fprintln(w)
		g.subUsage(w, sub, fs)
	}
}

// subUsage prints one subcommand's synopsis, summary and flags.
func (g *group) subUsage(w io.Writer, sub *subcommand, fs *flag.FlagSet) {
	synopsis := "floorops " + g.name + " " + sub.name
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		synopsis += " [flags]"
	}
	if sub.args != "" {
		synopsis += " " + sub.args
	}
	fmt.Fprintln(w, synopsis)
	for _, line := range strings.Split(sub.summary, "\n") {
		fmt.Fprintln(w, "    "+line)
	}
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}
