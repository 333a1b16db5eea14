package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/floorops/floorops/web"
)

// webApp serves the handheld web app (package web) at "/" on the HTTP
// port, beside the REST routes: the embedded files with their content
// types, an ETag per file and "Cache-Control: no-cache" (the browser keeps
// a copy and asks with If-None-Match, so a new binary's app is picked up on
// the next load and an unchanged one costs a 304), and /app-config.json,
// what the app must know of the node (the scanner's FNC1 stand-in).
type webApp struct {
	files  fs.FS
	config []byte
	mu     sync.Mutex
	etags  map[string]string
}

// webConfig is /app-config.json.
type webConfig struct {
	// FNC1Standin is the character the node's scanners send for the GS1
	// separator ("" when none is configured).
	FNC1Standin string `json:"fnc1_standin"`
}

func newWebApp(fnc1 byte) *webApp {
	cfg := webConfig{}
	if fnc1 != 0 {
		cfg.FNC1Standin = string(rune(fnc1))
	}
	b, _ := json.Marshal(cfg)
	return &webApp{files: web.Files(), config: b, etags: map[string]string{}}
}

// webTypes are the content types of the app's files, set here rather than
// from the system's MIME table so a node answers the same everywhere.
var webTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".txt":         "text/plain; charset=utf-8",
	".webmanifest": "application/manifest+json",
}

func (a *webApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the app's files take GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// Everything the app loads comes from the node itself: no CDN.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	if name == "app-config.json" {
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		w.Write(a.config)
		return
	}
	body, err := fs.ReadFile(a.files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype, ok := webTypes[path.Ext(name)]
	if !ok {
		if ctype = mime.TypeByExtension(path.Ext(name)); ctype == "" {
			ctype = "application/octet-stream"
		}
	}
	etag := a.etag(name, body)
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

func (a *webApp) etag(name string, body []byte) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.etags[name]; ok {
		return e
	}
	sum := sha256.Sum256(body)
	e := `"` + hex.EncodeToString(sum[:8]) + `"`
	a.etags[name] = e
	return e
}
