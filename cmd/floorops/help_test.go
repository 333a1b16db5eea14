package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// groups are the commands made of subcommands, by name.
var groups = map[string]*group{
	"apikeys": &apikeysGroup,
	"import":  &importGroup,
	"labels":  &labelsGroup,
	"users":   &usersGroup,
}

// flagNames returns the flags fn registers on a fresh FlagSet.
func flagNames(fn func(*flag.FlagSet)) []string {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fn(fs)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// TestHelpExitsZero: every way of asking for help, on the binary, a
// command group or a subcommand, exits 0, prints to stdout and opens no
// database.
func TestHelpExitsZero(t *testing.T) {
	db := filepath.Join(t.TempDir(), "node.db")
	t.Setenv("FLOOROPS_DB", db)
	var cases [][]string
	for _, h := range []string{"-h", "--help", "help"} {
		cases = append(cases, []string{h})
		for name := range commands {
			cases = append(cases, []string{name, h})
		}
		for name, g := range groups {
			for _, sub := range g.subs {
				cases = append(cases, []string{name, sub.name, h})
			}
		}
	}
	for name := range commands {
		cases = append(cases, []string{"help", name})
	}
	for _, args := range cases {
		out, _, err := runCLI(t, args...)
		if code := exitCode(err, io.Discard); code != 0 {
			t.Errorf("floorops %s: exit %d (%v), want 0", strings.Join(args, " "), code, err)
		}
		if out == "" {
			t.Errorf("floorops %s printed no help on stdout", strings.Join(args, " "))
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("help created the database %s (stat: %v)", db, err)
	}
}

// TestGroupHelpListsEverySubcommandAndFlag: "floorops <group> -h" lists each
// subcommand with every flag it takes, --db included.
func TestGroupHelpListsEverySubcommandAndFlag(t *testing.T) {
	t.Parallel()
	for name, g := range groups {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, _, err := runCLI(t, name, "-h")
			if !errors.Is(err, errHelp) {
				t.Fatalf("%s -h: %v, want help", name, err)
			}
			for _, sub := range g.subs {
				if !strings.Contains(out, "floorops "+name+" "+sub.name) {
					t.Errorf("%s -h does not list %s:\n%s", name, sub.name, out)
				}
				for _, f := range flagNames(func(fs *flag.FlagSet) { sub.define(fs) }) {
					if !strings.Contains(out, "-"+f+" ") && !strings.Contains(out, "-"+f+"\n") {
						t.Errorf("%s -h does not list %s's flag --%s", name, sub.name, f)
					}
				}
			}
		})
	}
	for _, name := range []string{"import", "apikeys", "users", "labels"} {
		if out, _, _ := runCLI(t, name, "-h"); !strings.Contains(out, "-db") {
			t.Errorf("%s -h does not mention --db", name)
		}
	}
}

// TestUsageMistakesExitTwo: a missing or unknown subcommand, or arguments
// a subcommand does not take, exit 2.
func TestUsageMistakesExitTwo(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "node.db")
	for _, args := range [][]string{
		{"nope"},
		{"help", "nope"},
		{"users"},
		{"users", "frobnicate"},
		{"users", "list", "--db", db, "extra"},
		{"users", "add", "--db", db, "--badge", "B-ANA", "Ana", "--role", "lead"},
		{"apikeys"},
		{"apikeys", "list", "--db", db, "--name", "erp"},
		{"import"},
		{"import", "pallets", "x.csv"},
		{"import", "pos", "--db", db},
		{"labels"},
		{"labels", "bins"},
		{"users", "list", "--nope"},
		{"serve", "--db", db, "extra"},
		{"serve", "--db", db, "--location-pattern", "("},
		{"serve", "--db", db, "--fnc1", "~~"},
	} {
		_, _, err := runCLI(t, args...)
		if code := exitCode(err, io.Discard); code != 2 {
			t.Errorf("floorops %s: exit %d (%v), want 2", strings.Join(args, " "), code, err)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a usage mistake created the database (stat: %v)", err)
	}
}

// TestTopLevelUsageNamesPOImport: the command list says import takes
// purchase orders as well.
func TestTopLevelUsageNamesPOImport(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "import" && !strings.Contains(line, "pos") {
			t.Errorf("import's summary does not mention pos: %q", line)
		}
	}
}
