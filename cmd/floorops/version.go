package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// readBuildInfo is debug.ReadBuildInfo; tests may replace it.
var readBuildInfo = debug.ReadBuildInfo

// cmdVersion is "floorops version": which build of floorops a node runs,
// from the module version and VCS stamps Go records in the binary.
func cmdVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "usage: floorops version") }
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: version: unexpected arguments %q", errUsage, fs.Args())
	}
	path, version := "github.com/floorops/floorops", "(unknown)"
	revision, when, modified := "unknown", "", false
	if bi, ok := readBuildInfo(); ok {
		if bi.Main.Path != "" {
			path = bi.Main.Path
		}
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	fmt.Fprintf(stdout, "floorops %s %s\n  revision %s", path, version, revision)
	if modified {
		fmt.Fprint(stdout, " (modified)")
	}
	if when != "" {
		fmt.Fprintf(stdout, " of %s", when)
	}
	fmt.Fprintf(stdout, "\n  %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
