package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// Collections of the REST API v1 (internal/apiserver/routes.go) and the kind
// of object each holds, as the store names it in errors.
const (
	rolesPath               = "/v1/roles"
	usersPath               = "/v1/users"
	maskingColumnsPath      = "/v1/masking-columns"
	ipAllowlistsPath        = "/v1/ip-allowlists"
	transferCredentialsPath = "/v1/transfer-credentials"
	exportDestinationsPath  = "/v1/export-destinations"
	securitySettingsPath    = "/v1/settings/security"

	roleKind               = "role"
	userKind               = "user"
	maskingColumnKind      = "masking column"
	ipAllowlistKind        = "IP allowlist"
	transferCredentialKind = "transfer credential"
	exportDestinationKind  = "export destination"
	securitySettingsKind   = "security settings"
)

// WhoAmI describes the caller as the server sees it, address included.
func (cl *Client) WhoAmI(ctx context.Context) (access.Caller, error) {
	c := call{method: http.MethodGet, path: "/v1/whoami", kind: "caller"}
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
	c := call{method: http.MethodGet, path: "/v1/permissions", kind: "permission catalog"}
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
	return listObjects(ctx, cl, rolesPath, roleKind, opts, wire.Role.ToAccess)
}

func (cl *Client) GetRole(ctx context.Context, id string) (access.Role, error) {
	w, v, err := cachedGet(ctx, cl, cl.cache.roles, id, objectPath(rolesPath, id), id)
	return withVersion(w.ToAccess(), v, err, func(r *access.Role) *access.Version { return &r.Version })
}

// GetRoleByName finds the role among all roles (the API has no lookup by
// name), in the listing of roles.
func (cl *Client) GetRoleByName(ctx context.Context, name string) (access.Role, error) {
	key := access.NameKey(name)
	w, v, err := cachedFind(ctx, cl, cl.cache.roles, func(w wire.Role) bool { return access.NameKey(w.Name) == key },
		func(w wire.Role) string { return objectPath(rolesPath, w.ID) }, &access.NotFoundError{Kind: roleKind, ID: name})
	return withVersion(w.ToAccess(), v, err, func(r *access.Role) *access.Version { return &r.Version })
}

func (cl *Client) CreateRole(ctx context.Context, r access.Role) (access.Role, error) {
	w, v, err := createObject[wire.Role](ctx, cl, rolesPath, roleKind, wire.FromRole(r))
	wrote(cl.cache.roles, w, err)
	if err == nil {
		cl.remember(objectPath(rolesPath, w.ID), v)
	}
	return withVersion(w.ToAccess(), v, err, func(r *access.Role) *access.Version { return &r.Version })
}

func (cl *Client) UpdateRole(ctx context.Context, r access.Role) (access.Role, error) {
	w, v, err := replaceObject[wire.Role](ctx, cl, objectPath(rolesPath, r.ID), roleKind, r.ID, wire.FromRole(r), r.Version)
	wrote(cl.cache.roles, w, err)
	return withVersion(w.ToAccess(), v, err, func(r *access.Role) *access.Version { return &r.Version })
}

func (cl *Client) DeleteRole(ctx context.Context, id string, ifVersion access.Version) error {
	err := cl.deleteObject(ctx, objectPath(rolesPath, id), roleKind, id, ifVersion)
	deleted(cl.cache.roles, id, err)
	return err
}

// Users.

func (cl *Client) ListUsers(ctx context.Context, opts access.ListOptions) (access.Page[access.User], error) {
	return listObjects(ctx, cl, usersPath, userKind, opts, wire.User.ToAccess)
}

func (cl *Client) GetUser(ctx context.Context, id string) (access.User, error) {
	w, v, err := cachedGet(ctx, cl, cl.cache.users, id, objectPath(usersPath, id), id)
	return withVersion(w.ToAccess(), v, err, func(u *access.User) *access.Version { return &u.Version })
}

// GetUserByEmail finds the user among all users (the API has no lookup by
// email), compared case-insensitively as the platform does, in the listing
// of users.
func (cl *Client) GetUserByEmail(ctx context.Context, email string) (access.User, error) {
	key := access.NameKey(email)
	w, v, err := cachedFind(ctx, cl, cl.cache.users, func(w wire.User) bool { return access.NameKey(w.Email) == key },
		func(w wire.User) string { return objectPath(usersPath, w.ID) }, &access.NotFoundError{Kind: userKind, ID: email})
	return withVersion(w.ToAccess(), v, err, func(u *access.User) *access.Version { return &u.Version })
}

func (cl *Client) CreateUser(ctx context.Context, u access.User) (access.User, error) {
	w, v, err := createObject[wire.User](ctx, cl, usersPath, userKind, wire.FromUser(u))
	wrote(cl.cache.users, w, err)
	if err == nil {
		cl.remember(objectPath(usersPath, w.ID), v)
	}
	return withVersion(w.ToAccess(), v, err, func(u *access.User) *access.Version { return &u.Version })
}

func (cl *Client) UpdateUser(ctx context.Context, u access.User) (access.User, error) {
	w, v, err := replaceObject[wire.User](ctx, cl, objectPath(usersPath, u.ID), userKind, u.ID, wire.FromUser(u), u.Version)
	wrote(cl.cache.users, w, err)
	return withVersion(w.ToAccess(), v, err, func(u *access.User) *access.Version { return &u.Version })
}

func (cl *Client) DeleteUser(ctx context.Context, id string, ifVersion access.Version) error {
	err := cl.deleteObject(ctx, objectPath(usersPath, id), userKind, id, ifVersion)
	deleted(cl.cache.users, id, err)
	return err
}

// RevokeUserSessions ends the user's open sessions. Like every POST it
// carries an Idempotency-Key, kept across retries, so a retry after a lost
// answer gets the first count rather than 0. The user does not change, so
// its cached listing and remembered ETag stay valid.
func (cl *Client) RevokeUserSessions(ctx context.Context, id string) (int, error) {
	c := call{method: http.MethodPost, path: objectPath(usersPath, id) + "/sessions:revoke", kind: userKind, id: id}
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

func maskingColumnPath(table, column string) string {
	return maskingColumnsPath + "/" + url.PathEscape(table) + "/" + url.PathEscape(column)
}

func (cl *Client) ListMaskingColumns(ctx context.Context, opts access.ListOptions) (access.Page[access.MaskingColumn], error) {
	return listObjects(ctx, cl, maskingColumnsPath, maskingColumnKind, opts, wire.MaskingColumn.ToAccess)
}

func (cl *Client) GetMaskingColumn(ctx context.Context, table, column string) (access.MaskingColumn, error) {
	w, v, err := cachedGet(ctx, cl, cl.cache.maskingColumns, maskingColumnKey(table, column), maskingColumnPath(table, column),
		wire.MaskingColumnID(table, column))
	return withVersion(w.ToAccess(), v, err, func(c *access.MaskingColumn) *access.Version { return &c.Version })
}

func (cl *Client) CreateMaskingColumn(ctx context.Context, c access.MaskingColumn) (access.MaskingColumn, error) {
	w, v, err := createObject[wire.MaskingColumn](ctx, cl, maskingColumnsPath, maskingColumnKind, wire.FromMaskingColumn(c))
	wrote(cl.cache.maskingColumns, w, err)
	if err == nil {
		cl.remember(maskingColumnPath(w.Table, w.Column), v)
	}
	return withVersion(w.ToAccess(), v, err, func(c *access.MaskingColumn) *access.Version { return &c.Version })
}

func (cl *Client) UpdateMaskingColumn(ctx context.Context, c access.MaskingColumn) (access.MaskingColumn, error) {
	w, v, err := replaceObject[wire.MaskingColumn](ctx, cl, maskingColumnPath(c.Table, c.Column), maskingColumnKind,
		wire.MaskingColumnID(c.Table, c.Column), wire.FromMaskingColumn(c), c.Version)
	wrote(cl.cache.maskingColumns, w, err)
	return withVersion(w.ToAccess(), v, err, func(c *access.MaskingColumn) *access.Version { return &c.Version })
}

func (cl *Client) DeleteMaskingColumn(ctx context.Context, table, column string, ifVersion access.Version) error {
	err := cl.deleteObject(ctx, maskingColumnPath(table, column), maskingColumnKind, wire.MaskingColumnID(table, column), ifVersion)
	deleted(cl.cache.maskingColumns, maskingColumnKey(table, column), err)
	return err
}

// IP allowlists.

func (cl *Client) ListIPAllowlists(ctx context.Context, opts access.ListOptions) (access.Page[access.IPAllowlist], error) {
	return listObjects(ctx, cl, ipAllowlistsPath, ipAllowlistKind, opts, wire.IPAllowlist.ToAccess)
}

func (cl *Client) GetIPAllowlist(ctx context.Context, id string) (access.IPAllowlist, error) {
	w, v, err := cachedGet(ctx, cl, cl.cache.ipAllowlists, id, objectPath(ipAllowlistsPath, id), id)
	return withVersion(w.ToAccess(), v, err, func(l *access.IPAllowlist) *access.Version { return &l.Version })
}

func (cl *Client) CreateIPAllowlist(ctx context.Context, l access.IPAllowlist) (access.IPAllowlist, error) {
	w, v, err := createObject[wire.IPAllowlist](ctx, cl, ipAllowlistsPath, ipAllowlistKind, wire.FromIPAllowlist(l))
	wrote(cl.cache.ipAllowlists, w, err)
	if err == nil {
		cl.remember(objectPath(ipAllowlistsPath, w.ID), v)
	}
	return withVersion(w.ToAccess(), v, err, func(l *access.IPAllowlist) *access.Version { return &l.Version })
}

func (cl *Client) UpdateIPAllowlist(ctx context.Context, l access.IPAllowlist) (access.IPAllowlist, error) {
	w, v, err := replaceObject[wire.IPAllowlist](ctx, cl, objectPath(ipAllowlistsPath, l.ID), ipAllowlistKind, l.ID, wire.FromIPAllowlist(l), l.Version)
	wrote(cl.cache.ipAllowlists, w, err)
	return withVersion(w.ToAccess(), v, err, func(l *access.IPAllowlist) *access.Version { return &l.Version })
}

func (cl *Client) DeleteIPAllowlist(ctx context.Context, id string, ifVersion access.Version) error {
	err := cl.deleteObject(ctx, objectPath(ipAllowlistsPath, id), ipAllowlistKind, id, ifVersion)
	deleted(cl.cache.ipAllowlists, id, err)
	return err
}

// Transfer credentials: the secret goes out on writes and never comes back.

func (cl *Client) ListTransferCredentials(ctx context.Context, opts access.ListOptions) (access.Page[access.TransferCredential], error) {
	return listObjects(ctx, cl, transferCredentialsPath, transferCredentialKind, opts, wire.TransferCredential.ToAccess)
}

func (cl *Client) GetTransferCredential(ctx context.Context, id string) (access.TransferCredential, error) {
	w, v, err := cachedGet(ctx, cl, cl.cache.transferCredentials, id, objectPath(transferCredentialsPath, id), id)
	return withVersion(w.ToAccess(), v, err, func(c *access.TransferCredential) *access.Version { return &c.Version })
}

func (cl *Client) CreateTransferCredential(ctx context.Context, c access.TransferCredential) (access.TransferCredential, error) {
	w, v, err := createObject[wire.TransferCredential](ctx, cl, transferCredentialsPath, transferCredentialKind, wire.FromTransferCredentialWrite(c))
	wrote(cl.cache.transferCredentials, w, err)
	if err == nil {
		cl.remember(objectPath(transferCredentialsPath, w.ID), v)
	}
	return withVersion(w.ToAccess(), v, err, func(c *access.TransferCredential) *access.Version { return &c.Version })
}

func (cl *Client) UpdateTransferCredential(ctx context.Context, c access.TransferCredential) (access.TransferCredential, error) {
	w, v, err := replaceObject[wire.TransferCredential](ctx, cl, objectPath(transferCredentialsPath, c.ID), transferCredentialKind, c.ID,
		wire.FromTransferCredentialWrite(c), c.Version)
	wrote(cl.cache.transferCredentials, w, err)
	return withVersion(w.ToAccess(), v, err, func(c *access.TransferCredential) *access.Version { return &c.Version })
}

func (cl *Client) DeleteTransferCredential(ctx context.Context, id string, ifVersion access.Version) error {
	err := cl.deleteObject(ctx, objectPath(transferCredentialsPath, id), transferCredentialKind, id, ifVersion)
	deleted(cl.cache.transferCredentials, id, err)
	return err
}

// Export destinations.

func (cl *Client) ListExportDestinations(ctx context.Context, opts access.ListOptions) (access.Page[access.ExportDestination], error) {
	return listObjects(ctx, cl, exportDestinationsPath, exportDestinationKind, opts, wire.ExportDestination.ToAccess)
}

func (cl *Client) GetExportDestination(ctx context.Context, id string) (access.ExportDestination, error) {
	w, v, err := cachedGet(ctx, cl, cl.cache.exportDestinations, id, objectPath(exportDestinationsPath, id), id)
	return withVersion(w.ToAccess(), v, err, func(d *access.ExportDestination) *access.Version { return &d.Version })
}

func (cl *Client) CreateExportDestination(ctx context.Context, d access.ExportDestination) (access.ExportDestination, error) {
	w, v, err := createObject[wire.ExportDestination](ctx, cl, exportDestinationsPath, exportDestinationKind, wire.FromExportDestination(d))
	wrote(cl.cache.exportDestinations, w, err)
	if err == nil {
		cl.remember(objectPath(exportDestinationsPath, w.ID), v)
	}
	return withVersion(w.ToAccess(), v, err, func(d *access.ExportDestination) *access.Version { return &d.Version })
}

func (cl *Client) UpdateExportDestination(ctx context.Context, d access.ExportDestination) (access.ExportDestination, error) {
	w, v, err := replaceObject[wire.ExportDestination](ctx, cl, objectPath(exportDestinationsPath, d.ID), exportDestinationKind, d.ID,
		wire.FromExportDestination(d), d.Version)
	wrote(cl.cache.exportDestinations, w, err)
	return withVersion(w.ToAccess(), v, err, func(d *access.ExportDestination) *access.Version { return &d.Version })
}

func (cl *Client) DeleteExportDestination(ctx context.Context, id string, ifVersion access.Version) error {
	err := cl.deleteObject(ctx, objectPath(exportDestinationsPath, id), exportDestinationKind, id, ifVersion)
	deleted(cl.cache.exportDestinations, id, err)
	return err
}

// Security settings: the singleton.

func (cl *Client) GetSecuritySettings(ctx context.Context) (access.SecuritySettings, error) {
	w, v, err := getObject[wire.SecuritySettings](ctx, cl, securitySettingsPath, securitySettingsKind, access.SecuritySettingsID)
	return withVersion(w.ToAccess(), v, err, func(s *access.SecuritySettings) *access.Version { return &s.Version })
}

func (cl *Client) UpdateSecuritySettings(ctx context.Context, s access.SecuritySettings) (access.SecuritySettings, error) {
	w, v, err := replaceObject[wire.SecuritySettings](ctx, cl, securitySettingsPath, securitySettingsKind, access.SecuritySettingsID,
		wire.FromSecuritySettings(s), s.Version)
	return withVersion(w.ToAccess(), v, err, func(s *access.SecuritySettings) *access.Version { return &s.Version })
}

// ResetSecuritySettings restores the platform defaults. The reset is
// unconditional, so it sends no If-Match; like every write it carries an
// Idempotency-Key (added by do), and the new ETag is remembered for the next
// update.
func (cl *Client) ResetSecuritySettings(ctx context.Context) (access.SecuritySettings, error) {
	c := call{method: http.MethodDelete, path: securitySettingsPath, kind: securitySettingsKind, id: access.SecuritySettingsID}
	w, v, err := objectCall[wire.SecuritySettings](ctx, cl, c, securitySettingsPath)
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
