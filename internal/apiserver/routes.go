package apiserver

import (
	"net/http"
)

// routeRegistrar is what routes registers on: an *http.ServeMux, or a test's
// recorder listing the patterns to compare with openapi.yaml.
type routeRegistrar interface {
	Handle(pattern string, handler http.Handler)
}

// routes registers every route of the API. Keep them all here: this list is
// the API's table of contents, and openapi.yaml must match it.
func (s *server) routes(mux routeRegistrar) {
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, h) }
	// Writes replay their first response under an Idempotency-Key, so that a
	// client retrying after a lost answer gets that answer: not a second
	// object (POST), a 412 for its own change (PUT) or a 404 (DELETE).
	create := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.idempotent(h)) }
	write := create

	handle("GET /v1/whoami", s.whoAmI)
	handle("GET /v1/permissions", s.listPermissions)

	roles := s.roles()
	handle("GET /v1/roles", roles.list)
	create("POST /v1/roles", roles.create)
	handle("GET /v1/roles/{id}", roles.get)
	write("PUT /v1/roles/{id}", roles.replace)
	write("DELETE /v1/roles/{id}", roles.delete)

	users := s.users()
	handle("GET /v1/users", users.list)
	create("POST /v1/users", users.create)
	handle("GET /v1/users/{id}", users.get)
	write("PUT /v1/users/{id}", users.replace)
	write("DELETE /v1/users/{id}", users.delete)
	// An operation on the user rather than a change to it, in the
	// custom-method form (AIP-136): a retry replays the first count instead
	// of answering 0 for sessions the lost first call already ended.
	write("POST /v1/users/{id}/sessions:revoke", s.revokeUserSessions)

	columns := s.maskingColumns()
	handle("GET /v1/masking-columns", columns.list)
	create("POST /v1/masking-columns", columns.create)
	handle("GET /v1/masking-columns/{table}/{column}", columns.get)
	write("PUT /v1/masking-columns/{table}/{column}", columns.replace)
	write("DELETE /v1/masking-columns/{table}/{column}", columns.delete)

	allowlists := s.ipAllowlists()
	handle("GET /v1/ip-allowlists", allowlists.list)
	// Allowlist writes are enforced at once by this server (networkGate).
	// and refused when they would lock the caller out (guardLockout).
	create("POST /v1/ip-allowlists", s.invalidatingNetwork(s.guardLockout(allowlists.create)))
	handle("GET /v1/ip-allowlists/{id}", allowlists.get)
	write("PUT /v1/ip-allowlists/{id}", s.invalidatingNetwork(s.guardLockout(allowlists.replace)))
	write("DELETE /v1/ip-allowlists/{id}", s.invalidatingNetwork(s.guardLockout(allowlists.delete)))

	credentials := s.transferCredentials()
	handle("GET /v1/transfer-credentials", credentials.list)
	create("POST /v1/transfer-credentials", credentials.create)
	handle("GET /v1/transfer-credentials/{id}", credentials.get)
	write("PUT /v1/transfer-credentials/{id}", credentials.replace)
	write("DELETE /v1/transfer-credentials/{id}", credentials.delete)

	destinations := s.exportDestinations()
	handle("GET /v1/export-destinations", destinations.list)
	create("POST /v1/export-destinations", destinations.create)
	handle("GET /v1/export-destinations/{id}", destinations.get)
	write("PUT /v1/export-destinations/{id}", destinations.replace)
	write("DELETE /v1/export-destinations/{id}", destinations.delete)

	handle("GET /v1/settings/security", s.getSecuritySettings)
	write("PUT /v1/settings/security", s.putSecuritySettings)
	write("DELETE /v1/settings/security", s.resetSecuritySettings)

	handle("GET /v1/openapi.yaml", s.getOpenAPI)
}
