package wire

import "net/url"

// The URL paths of the REST API v1: the server registers its routes on them
// (internal/apiserver/routes.go), the client calls them, and nothing else
// spells them.
const (
	WhoAmIPath              = "/v1/whoami"
	PermissionsPath         = "/v1/permissions"
	RolesPath               = "/v1/roles"
	UsersPath               = "/v1/users"
	MaskingColumnsPath      = "/v1/masking-columns"
	IPAllowlistsPath        = "/v1/ip-allowlists"
	TransferCredentialsPath = "/v1/transfer-credentials"
	ExportDestinationsPath  = "/v1/export-destinations"
	SecuritySettingsPath    = "/v1/settings/security"
)

// ObjectPath is the path of the object id in collection.
func ObjectPath(collection, id string) string { return collection + "/" + url.PathEscape(id) }

// MaskingColumnPath is the path of a masking column, which the API names
// by table and column rather than by one id.
func MaskingColumnPath(table, column string) string {
	return MaskingColumnsPath + "/" + url.PathEscape(table) + "/" + url.PathEscape(column)
}

// RevokeSessionsSuffix follows a user's path for the operation that ends
// the user's sessions.
const RevokeSessionsSuffix = "/sessions:revoke"

// RevokeSessionsPath is the operation that ends a user's sessions.
func RevokeSessionsPath(userID string) string {
	return ObjectPath(UsersPath, userID) + RevokeSessionsSuffix
}

// MaskingColumnID is a masking column's one-string name, "table/column":
// its id in the API's JSON, its import ID and its identity's import form.
func MaskingColumnID(table, column string) string { return table + "/" + column }
