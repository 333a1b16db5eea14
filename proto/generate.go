// Package proto holds floorops' protobuf contract: the .proto files under
// floorops/<area>/v1, the Go messages and gRPC stubs generated beside them,
// the grpc-gateway HTTP rules (gateway.yaml), the REST gateway generated
// from them under gateway/floorops/<area>/v1 (a package apart, so that
// importing a message package never pulls in the gateway runtime; only
// server imports it) and the merged OpenAPI v2 document served at
// /openapi.json.
//
// Regenerate with `go generate ./proto` from the repository root. buf and the
// protoc plugins run through `go run module@version`; nothing is installed.
package proto

import _ "embed"

//go:generate sh -c "cd .. && go run github.com/bufbuild/buf/cmd/buf@v1.75.0 generate"

// OpenAPI is the merged OpenAPI v2 document for every service's HTTP face.
//
//go:embed floorops.swagger.json
var OpenAPI []byte
