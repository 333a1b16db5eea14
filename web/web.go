// Package web is the handheld and floor-lead web app: plain ES modules and
// CSS under app/, embedded in the binary and served by the node at "/"
// (server/web.go). Nothing is built: the files here are what the browser
// runs. It imports nothing of floorops; the app talks to the node only
// through the REST face.
package web

import (
	"embed"
	"io/fs"
)

//go:embed app
var files embed.FS

// Files is the app's file tree, rooted at app/ (index.html at its top).
func Files() fs.FS {
	sub, err := fs.Sub(files, "app")
	if err != nil {
		panic(err) // the directory is embedded above; it cannot be missing
	}
	return sub
}
