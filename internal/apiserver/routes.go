package apiserver

import (
	"net/http"

	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// routeRegistrar is what routes registers on: an *http.ServeMux, or a test's
// recorder listing the patterns to compare with openapi.yaml.
type routeRegistrar interface {
	Handle(pattern string, handler http.Handler)
}

// routes registers every route of the API. Keep them all here: this list is
// the API's table of contents, and openapi.yaml must match it. The paths
// are package wire's, which the client calls.
func (s *server) routes(mux routeRegistrar) {
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, h) }
	// Writes replay their first response under an Idempotency-Key, so that a
	// client retrying after a lost answer gets that answer: not a second
	// object (POST), a 412 for its own change (PUT) or a 404 (DELETE).
	write := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.idempotent(h)) }
	// objects registers a collection's five routes: list and create at path,
	// read, replace and delete at path+item.
	objects := func(path, item string, list, create, get, replace, del http.HandlerFunc) {
		handle("GET "+path, list)
		write("POST "+path, create)
		handle("GET "+path+item, get)
		write("PUT "+path+item, replace)
		write("DELETE "+path+item, del)
	}

	handle("GET "+wire.WhoAmIPath, s.whoAmI)
	handle("GET "+wire.PermissionsPath, s.listPermissions)

	roles := s.roles()
	objects(wire.RolesPath, "/{id}", roles.list, roles.create, roles.get, roles.replace, roles.delete)

	users := s.users()
	objects(wire.UsersPath, "/{id}", users.list, users.create, users.get, users.replace, users.delete)
	// An operation on the user rather than a change to it, in the
	// custom-method form (AIP-136): a retry replays the first count instead
	// of answering 0 for sessions the lost first call already ended.
	write("POST "+wire.UsersPath+"/{id}"+wire.RevokeSessionsSuffix, s.revokeUserSessions)

	columns := s.maskingColumns()
	objects(wire.MaskingColumnsPath, "/{table}/{column}", columns.list, columns.create, columns.get, columns.replace, columns.delete)

	// Allowlist writes are enforced at once by this server (networkGate),
	// and refused when they would lock the caller out (guardLockout).
	allowlists := s.ipAllowlists()
	guarded := func(h http.HandlerFunc) http.HandlerFunc { return s.invalidatingNetwork(s.guardLockout(h)) }
	objects(wire.IPAllowlistsPath, "/{id}", allowlists.list, guarded(allowlists.create), allowlists.get,
		guarded(allowlists.replace), guarded(allowlists.delete))

	credentials := s.transferCredentials()
	objects(wire.TransferCredentialsPath, "/{id}", credentials.list, credentials.create, credentials.get, credentials.replace, credentials.delete)

	destinations := s.exportDestinations()
	objects(wire.ExportDestinationsPath, "/{id}", destinations.list, destinations.create, destinations.get, destinations.replace, destinations.delete)

	handle("GET "+wire.SecuritySettingsPath, s.getSecuritySettings)
	write("PUT "+wire.SecuritySettingsPath, s.putSecuritySettings)
	write("DELETE "+wire.SecuritySettingsPath, s.resetSecuritySettings)

	handle("GET /v1/openapi.yaml", s.getOpenAPI)
}
