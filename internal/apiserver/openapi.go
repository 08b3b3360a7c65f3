package apiserver

import (
	_ "embed"
	"net/http"
	"slices"
)

// openAPI is the API's OpenAPI 3.0 description. It is written by hand from
// this package's code; tests check it against the routes and against every
// request and response of the REST acceptance suite.
//
//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3.0 description of the API (YAML), a copy the
// caller may keep.
func OpenAPI() []byte { return slices.Clone(openAPI) }

// getOpenAPI serves the description, so a client can fetch the contract of
// the server it talks to. It needs the access:read scope like any read: the
// document is public, but one rule for every route is simpler to trust.
func (s *server) getOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPI)
}
