package client

import (
	"context"
	"net/http"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// The kind of object each collection holds, as the store names it in errors.
const (
	roleKind               = "role"
	userKind               = "user"
	maskingColumnKind      = "masking column"
	ipAllowlistKind        = "IP allowlist"
	transferCredentialKind = "transfer credential"
	exportDestinationKind  = "export destination"
	securitySettingsKind   = "security settings"
)

// The collections, over the Client's listings.

// byID is a collection of objects the platform names by id, at path.
func byID[A, W any](cl *Client, path, kind string, cache *collectionCache[W], toAccess func(W) A, body func(A) any,
	id func(A) string, version func(*A) *access.Version,
) collection[A, W] {
	return collection[A, W]{
		cl: cl, path: path, kind: kind, cache: cache, toAccess: toAccess, body: body, version: version,
		ref: func(a A) objectRef { return idRef(path, id(a)) },
	}
}

func (cl *Client) roles() collection[access.Role, wire.Role] {
	return byID(cl, wire.RolesPath, roleKind, cl.cache.roles, wire.Role.ToAccess,
		func(r access.Role) any { return wire.FromRole(r) },
		func(r access.Role) string { return r.ID }, func(r *access.Role) *access.Version { return &r.Version })
}

func (cl *Client) users() collection[access.User, wire.User] {
	return byID(cl, wire.UsersPath, userKind, cl.cache.users, wire.User.ToAccess,
		func(u access.User) any { return wire.FromUser(u) },
		func(u access.User) string { return u.ID }, func(u *access.User) *access.Version { return &u.Version })
}

// Masking columns are named by table and column.
func (cl *Client) maskingColumns() collection[access.MaskingColumn, wire.MaskingColumn] {
	return collection[access.MaskingColumn, wire.MaskingColumn]{
		cl: cl, path: wire.MaskingColumnsPath, kind: maskingColumnKind, cache: cl.cache.maskingColumns,
		toAccess: wire.MaskingColumn.ToAccess, body: func(c access.MaskingColumn) any { return wire.FromMaskingColumn(c) },
		ref:     func(c access.MaskingColumn) objectRef { return maskingColumnRef(c.Table, c.Column) },
		version: func(c *access.MaskingColumn) *access.Version { return &c.Version },
	}
}

func (cl *Client) ipAllowlists() collection[access.IPAllowlist, wire.IPAllowlist] {
	return byID(cl, wire.IPAllowlistsPath, ipAllowlistKind, cl.cache.ipAllowlists, wire.IPAllowlist.ToAccess,
		func(l access.IPAllowlist) any { return wire.FromIPAllowlist(l) },
		func(l access.IPAllowlist) string { return l.ID }, func(l *access.IPAllowlist) *access.Version { return &l.Version })
}

// Transfer credentials: the secret goes out on writes and never comes back.
func (cl *Client) transferCredentials() collection[access.TransferCredential, wire.TransferCredential] {
	return byID(cl, wire.TransferCredentialsPath, transferCredentialKind, cl.cache.transferCredentials, wire.TransferCredential.ToAccess,
		func(c access.TransferCredential) any { return wire.FromTransferCredentialWrite(c) },
		func(c access.TransferCredential) string { return c.ID }, func(c *access.TransferCredential) *access.Version { return &c.Version })
}

func (cl *Client) exportDestinations() collection[access.ExportDestination, wire.ExportDestination] {
	return byID(cl, wire.ExportDestinationsPath, exportDestinationKind, cl.cache.exportDestinations, wire.ExportDestination.ToAccess,
		func(d access.ExportDestination) any { return wire.FromExportDestination(d) },
		func(d access.ExportDestination) string { return d.ID }, func(d *access.ExportDestination) *access.Version { return &d.Version })
}

// WhoAmI describes the caller as the server sees it, address included.
func (cl *Client) WhoAmI(ctx context.Context) (access.Caller, error) {
	c := call{method: http.MethodGet, path: wire.WhoAmIPath, kind: "caller"}
	r, err := cl.do(ctx, c)
	if err != nil {
		return access.Caller{}, err
	}
	var w wire.WhoAmI
	if err := decodeBody(c, r, &w); err != nil {
		return access.Caller{}, err
	}
	return w.ToAccess(), nil
}

// ListPermissions returns the permission catalog.
func (cl *Client) ListPermissions(ctx context.Context) ([]access.Permission, error) {
	c := call{method: http.MethodGet, path: wire.PermissionsPath, kind: "permission catalog"}
	r, err := cl.do(ctx, c)
	if err != nil {
		return nil, err
	}
	var list wire.List[wire.Permission]
	if err := decodeBody(c, r, &list); err != nil {
		return nil, err
	}
	out := make([]access.Permission, 0, len(list.Items))
	for _, p := range list.Items {
		out = append(out, p.ToAccess())
	}
	return out, nil
}

// Roles.

func (cl *Client) ListRoles(ctx context.Context, opts access.ListOptions) (access.Page[access.Role], error) {
	return cl.roles().list(ctx, opts)
}

func (cl *Client) GetRole(ctx context.Context, id string) (access.Role, error) {
	return cl.roles().get(ctx, idRef(wire.RolesPath, id))
}

// GetRoleByName finds the role among all roles (the API has no lookup by
// name), in the listing of roles.
func (cl *Client) GetRoleByName(ctx context.Context, name string) (access.Role, error) {
	key := access.NameKey(name)
	return cl.roles().find(ctx, func(w wire.Role) bool { return access.NameKey(w.Name) == key }, &access.NotFoundError{Kind: roleKind, ID: name})
}

func (cl *Client) CreateRole(ctx context.Context, r access.Role) (access.Role, error) {
	return cl.roles().create(ctx, r)
}

func (cl *Client) UpdateRole(ctx context.Context, r access.Role) (access.Role, error) {
	return cl.roles().update(ctx, r)
}

func (cl *Client) DeleteRole(ctx context.Context, id string, ifVersion access.Version) error {
	return cl.roles().delete(ctx, idRef(wire.RolesPath, id), ifVersion)
}

// Users.

func (cl *Client) ListUsers(ctx context.Context, opts access.ListOptions) (access.Page[access.User], error) {
	return cl.users().list(ctx, opts)
}

func (cl *Client) GetUser(ctx context.Context, id string) (access.User, error) {
	return cl.users().get(ctx, idRef(wire.UsersPath, id))
}

// GetUserByEmail finds the user among all users (the API has no lookup by
// email), compared case-insensitively as the platform does, in the listing
// of users.
func (cl *Client) GetUserByEmail(ctx context.Context, email string) (access.User, error) {
	key := access.NameKey(email)
	return cl.users().find(ctx, func(w wire.User) bool { return access.NameKey(w.Email) == key }, &access.NotFoundError{Kind: userKind, ID: email})
}

func (cl *Client) CreateUser(ctx context.Context, u access.User) (access.User, error) {
	return cl.users().create(ctx, u)
}

func (cl *Client) UpdateUser(ctx context.Context, u access.User) (access.User, error) {
	return cl.users().update(ctx, u)
}

func (cl *Client) DeleteUser(ctx context.Context, id string, ifVersion access.Version) error {
	return cl.users().delete(ctx, idRef(wire.UsersPath, id), ifVersion)
}

// RevokeUserSessions ends the user's open sessions. Like every POST it
// carries an Idempotency-Key, kept across retries, so a retry after a lost
// answer gets the first count rather than 0. The user does not change, so
// its cached listing and remembered ETag stay valid.
func (cl *Client) RevokeUserSessions(ctx context.Context, id string) (int, error) {
	c := call{method: http.MethodPost, path: wire.RevokeSessionsPath(id), kind: userKind, id: id}
	r, err := cl.do(ctx, c)
	if err != nil {
		return 0, err
	}
	var w wire.SessionsRevoked
	if err := decodeBody(c, r, &w); err != nil {
		return 0, err
	}
	return w.Revoked, nil
}

// Masking columns, identified by table and column.

func (cl *Client) ListMaskingColumns(ctx context.Context, opts access.ListOptions) (access.Page[access.MaskingColumn], error) {
	return cl.maskingColumns().list(ctx, opts)
}

func (cl *Client) GetMaskingColumn(ctx context.Context, table, column string) (access.MaskingColumn, error) {
	return cl.maskingColumns().get(ctx, maskingColumnRef(table, column))
}

func (cl *Client) CreateMaskingColumn(ctx context.Context, c access.MaskingColumn) (access.MaskingColumn, error) {
	return cl.maskingColumns().create(ctx, c)
}

func (cl *Client) UpdateMaskingColumn(ctx context.Context, c access.MaskingColumn) (access.MaskingColumn, error) {
	return cl.maskingColumns().update(ctx, c)
}

func (cl *Client) DeleteMaskingColumn(ctx context.Context, table, column string, ifVersion access.Version) error {
	return cl.maskingColumns().delete(ctx, maskingColumnRef(table, column), ifVersion)
}

// IP allowlists.

func (cl *Client) ListIPAllowlists(ctx context.Context, opts access.ListOptions) (access.Page[access.IPAllowlist], error) {
	return cl.ipAllowlists().list(ctx, opts)
}

func (cl *Client) GetIPAllowlist(ctx context.Context, id string) (access.IPAllowlist, error) {
	return cl.ipAllowlists().get(ctx, idRef(wire.IPAllowlistsPath, id))
}

func (cl *Client) CreateIPAllowlist(ctx context.Context, l access.IPAllowlist) (access.IPAllowlist, error) {
	return cl.ipAllowlists().create(ctx, l)
}

func (cl *Client) UpdateIPAllowlist(ctx context.Context, l access.IPAllowlist) (access.IPAllowlist, error) {
	return cl.ipAllowlists().update(ctx, l)
}

func (cl *Client) DeleteIPAllowlist(ctx context.Context, id string, ifVersion access.Version) error {
	return cl.ipAllowlists().delete(ctx, idRef(wire.IPAllowlistsPath, id), ifVersion)
}

// Transfer credentials.

func (cl *Client) ListTransferCredentials(ctx context.Context, opts access.ListOptions) (access.Page[access.TransferCredential], error) {
	return cl.transferCredentials().list(ctx, opts)
}

func (cl *Client) GetTransferCredential(ctx context.Context, id string) (access.TransferCredential, error) {
	return cl.transferCredentials().get(ctx, idRef(wire.TransferCredentialsPath, id))
}

func (cl *Client) CreateTransferCredential(ctx context.Context, c access.TransferCredential) (access.TransferCredential, error) {
	return cl.transferCredentials().create(ctx, c)
}

func (cl *Client) UpdateTransferCredential(ctx context.Context, c access.TransferCredential) (access.TransferCredential, error) {
	return cl.transferCredentials().update(ctx, c)
}

func (cl *Client) DeleteTransferCredential(ctx context.Context, id string, ifVersion access.Version) error {
	return cl.transferCredentials().delete(ctx, idRef(wire.TransferCredentialsPath, id), ifVersion)
}

// Export destinations.

func (cl *Client) ListExportDestinations(ctx context.Context, opts access.ListOptions) (access.Page[access.ExportDestination], error) {
	return cl.exportDestinations().list(ctx, opts)
}

func (cl *Client) GetExportDestination(ctx context.Context, id string) (access.ExportDestination, error) {
	return cl.exportDestinations().get(ctx, idRef(wire.ExportDestinationsPath, id))
}

func (cl *Client) CreateExportDestination(ctx context.Context, d access.ExportDestination) (access.ExportDestination, error) {
	return cl.exportDestinations().create(ctx, d)
}

func (cl *Client) UpdateExportDestination(ctx context.Context, d access.ExportDestination) (access.ExportDestination, error) {
	return cl.exportDestinations().update(ctx, d)
}

func (cl *Client) DeleteExportDestination(ctx context.Context, id string, ifVersion access.Version) error {
	return cl.exportDestinations().delete(ctx, idRef(wire.ExportDestinationsPath, id), ifVersion)
}

// Security settings: the singleton.

func (cl *Client) GetSecuritySettings(ctx context.Context) (access.SecuritySettings, error) {
	w, v, err := getObject[wire.SecuritySettings](ctx, cl, wire.SecuritySettingsPath, securitySettingsKind, access.SecuritySettingsID)
	return withVersion(w.ToAccess(), v, err, func(s *access.SecuritySettings) *access.Version { return &s.Version })
}

func (cl *Client) UpdateSecuritySettings(ctx context.Context, s access.SecuritySettings) (access.SecuritySettings, error) {
	w, v, err := replaceObject[wire.SecuritySettings](ctx, cl, wire.SecuritySettingsPath, securitySettingsKind, access.SecuritySettingsID,
		wire.FromSecuritySettings(s), s.Version)
	return withVersion(w.ToAccess(), v, err, func(s *access.SecuritySettings) *access.Version { return &s.Version })
}

// ResetSecuritySettings restores the platform defaults. The reset is
// unconditional, so it sends no If-Match; like every write it carries an
// Idempotency-Key (added by do), and the new ETag is remembered for the next
// update.
func (cl *Client) ResetSecuritySettings(ctx context.Context) (access.SecuritySettings, error) {
	c := call{method: http.MethodDelete, path: wire.SecuritySettingsPath, kind: securitySettingsKind, id: access.SecuritySettingsID}
	w, v, err := objectCall[wire.SecuritySettings](ctx, cl, c, wire.SecuritySettingsPath)
	return withVersion(w.ToAccess(), v, err, func(s *access.SecuritySettings) *access.Version { return &s.Version })
}

// withVersion returns a with the version from the ETag, or the zero value
// and err.
func withVersion[A any](a A, v access.Version, err error, field func(*A) *access.Version) (A, error) {
	if err != nil {
		var zero A
		return zero, err
	}
	*field(&a) = v
	return a, nil
}
