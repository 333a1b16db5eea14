// Command gen writes package scan's Application Identifier tables
// (aitable_gen.go) from GS1's Barcode Syntax Dictionary. Run it with
// "go generate ./scan" after replacing internal/gs1dict/gs1-syntax-dictionary.txt
// with a new release.
package main

import (
	"log"
	"os"

	"github.com/floorops/floorops/scan/internal/gs1dict"
)

func main() {
	src, err := gs1dict.Source()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("aitable_gen.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
