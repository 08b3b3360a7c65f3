// Package access owns the Engage platform's access-configuration domain: the
// object types (roles, users, masking columns, IP allowlists, transfer
// credentials, export destinations, security settings), the permission
// catalog embedded from permissions.json, the pure validation rules, the typed
// errors and the Service interface that every backend implements.
//
// Nothing here knows about HTTP, SQL or Terraform: the embedded store, the
// REST client and the reference API server all depend on this package, never
// the other way round.
package access
