package apiserver

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// collection serves the five routes of one kind of object: A is its domain
// type, W its response body and R its request body (they differ only for
// transfer credentials, whose secret goes in and never comes out).
type collection[A, W, R any] struct {
	s *server

	listFn   func(context.Context, access.ListOptions) (access.Page[A], error)
	getFn    func(ctx context.Context, r *http.Request) (A, error)
	createFn func(context.Context, A) (A, error)
	updateFn func(context.Context, A) (A, error)
	deleteFn func(ctx context.Context, r *http.Request, v access.Version) error

	toWire   func(A) W
	fromBody func(R) A
	// identify gives a replacement the identity in the URL and the version
	// from If-Match; it refuses a body that names another object.
	identify func(r *http.Request, a *A, v access.Version) error
	version  func(A) access.Version
	location func(A) string
}

func (c *collection[A, W, R]) list(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	page, err := c.listFn(r.Context(), opts)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	c.s.encode(w, r, http.StatusOK, wire.FromPage(page, c.toWire))
}

func (c *collection[A, W, R]) get(w http.ResponseWriter, r *http.Request) {
	a, err := c.getFn(r.Context(), r)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	c.s.encodeObject(w, r, http.StatusOK, c.toWire(a), c.version(a))
}

func (c *collection[A, W, R]) create(w http.ResponseWriter, r *http.Request) {
	var body R
	if err := decode(w, r, &body); err != nil {
		c.s.writeError(w, r, err)
		return
	}
	a, err := c.createFn(r.Context(), c.fromBody(body))
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", c.location(a))
	c.s.encodeObject(w, r, http.StatusCreated, c.toWire(a), c.version(a))
}

func (c *collection[A, W, R]) replace(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	var body R
	if err := decode(w, r, &body); err != nil {
		c.s.writeError(w, r, err)
		return
	}
	a := c.fromBody(body)
	if err := c.identify(r, &a, v); err != nil {
		c.s.writeError(w, r, err)
		return
	}
	a, err = c.updateFn(r.Context(), a)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	c.s.encodeObject(w, r, http.StatusOK, c.toWire(a), c.version(a))
}

func (c *collection[A, W, R]) delete(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	if err := c.deleteFn(r.Context(), r, v); err != nil {
		c.s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pathIdentity checks that a body's identifying field, when given, agrees
// with the URL: a PUT must not rename one object into another.
func pathIdentity(field, inBody, inPath string) error {
	if inBody == "" || inBody == inPath {
		return nil
	}
	return badRequest(fmt.Sprintf("the body's %s %q differs from the URL's %q", field, inBody, inPath),
		wire.FieldError{Field: field, Message: fmt.Sprintf("must be %q (as in the URL) or absent", inPath)})
}

func byID[A any](get func(context.Context, string) (A, error)) func(context.Context, *http.Request) (A, error) {
	return func(ctx context.Context, r *http.Request) (A, error) { return get(ctx, r.PathValue("id")) }
}

func deleteByID(del func(context.Context, string, access.Version) error) func(context.Context, *http.Request, access.Version) error {
	return func(ctx context.Context, r *http.Request, v access.Version) error {
		return del(ctx, r.PathValue("id"), v)
	}
}

func (s *server) roles() *collection[access.Role, wire.Role, wire.Role] {
	return &collection[access.Role, wire.Role, wire.Role]{
		s: s, listFn: s.svc.ListRoles, getFn: byID(s.svc.GetRole), createFn: s.svc.CreateRole,
		updateFn: s.svc.UpdateRole, deleteFn: deleteByID(s.svc.DeleteRole),
		toWire: wire.FromRole, fromBody: wire.Role.ToAccess,
		identify: func(r *http.Request, a *access.Role, v access.Version) error {
			a.Version = v
			return setID(r, &a.ID)
		},
		version:  func(a access.Role) access.Version { return a.Version },
		location: func(a access.Role) string { return wire.ObjectPath(wire.RolesPath, a.ID) },
	}
}

func (s *server) users() *collection[access.User, wire.User, wire.User] {
	return &collection[access.User, wire.User, wire.User]{
		s: s, listFn: s.svc.ListUsers, getFn: byID(s.svc.GetUser), createFn: s.svc.CreateUser,
		updateFn: s.svc.UpdateUser, deleteFn: deleteByID(s.svc.DeleteUser),
		toWire: wire.FromUser, fromBody: wire.User.ToAccess,
		identify: func(r *http.Request, a *access.User, v access.Version) error {
			a.Version = v
			return setID(r, &a.ID)
		},
		version:  func(a access.User) access.Version { return a.Version },
		location: func(a access.User) string { return wire.ObjectPath(wire.UsersPath, a.ID) },
	}
}

func (s *server) maskingColumns() *collection[access.MaskingColumn, wire.MaskingColumn, wire.MaskingColumn] {
	return &collection[access.MaskingColumn, wire.MaskingColumn, wire.MaskingColumn]{
		s: s, listFn: s.svc.ListMaskingColumns,
		getFn: func(ctx context.Context, r *http.Request) (access.MaskingColumn, error) {
			return s.svc.GetMaskingColumn(ctx, r.PathValue("table"), r.PathValue("column"))
		},
		createFn: s.svc.CreateMaskingColumn, updateFn: s.svc.UpdateMaskingColumn,
		deleteFn: func(ctx context.Context, r *http.Request, v access.Version) error {
			return s.svc.DeleteMaskingColumn(ctx, r.PathValue("table"), r.PathValue("column"), v)
		},
		toWire: wire.FromMaskingColumn, fromBody: wire.MaskingColumn.ToAccess,
		identify: func(r *http.Request, a *access.MaskingColumn, v access.Version) error {
			a.Version = v
			table, column := r.PathValue("table"), r.PathValue("column")
			if err := pathIdentity("table", a.Table, table); err != nil {
				return err
			}
			if err := pathIdentity("column", a.Column, column); err != nil {
				return err
			}
			a.Table, a.Column = table, column
			return nil
		},
		version:  func(a access.MaskingColumn) access.Version { return a.Version },
		location: func(a access.MaskingColumn) string { return wire.MaskingColumnPath(a.Table, a.Column) },
	}
}

func (s *server) ipAllowlists() *collection[access.IPAllowlist, wire.IPAllowlist, wire.IPAllowlist] {
	return &collection[access.IPAllowlist, wire.IPAllowlist, wire.IPAllowlist]{
		s: s, listFn: s.svc.ListIPAllowlists, getFn: byID(s.svc.GetIPAllowlist), createFn: s.svc.CreateIPAllowlist,
		updateFn: s.svc.UpdateIPAllowlist, deleteFn: deleteByID(s.svc.DeleteIPAllowlist),
		toWire: wire.FromIPAllowlist, fromBody: wire.IPAllowlist.ToAccess,
		identify: func(r *http.Request, a *access.IPAllowlist, v access.Version) error {
			a.Version = v
			return setID(r, &a.ID)
		},
		version:  func(a access.IPAllowlist) access.Version { return a.Version },
		location: func(a access.IPAllowlist) string { return wire.ObjectPath(wire.IPAllowlistsPath, a.ID) },
	}
}

func (s *server) transferCredentials() *collection[access.TransferCredential, wire.TransferCredential, wire.TransferCredentialWrite] {
	return &collection[access.TransferCredential, wire.TransferCredential, wire.TransferCredentialWrite]{
		s: s, listFn: s.svc.ListTransferCredentials, getFn: byID(s.svc.GetTransferCredential),
		createFn: s.svc.CreateTransferCredential, updateFn: s.svc.UpdateTransferCredential,
		deleteFn: deleteByID(s.svc.DeleteTransferCredential),
		toWire:   wire.FromTransferCredential, fromBody: wire.TransferCredentialWrite.ToAccess,
		identify: func(r *http.Request, a *access.TransferCredential, v access.Version) error {
			a.Version = v
			return setID(r, &a.ID)
		},
		version:  func(a access.TransferCredential) access.Version { return a.Version },
		location: func(a access.TransferCredential) string { return wire.ObjectPath(wire.TransferCredentialsPath, a.ID) },
	}
}

func (s *server) exportDestinations() *collection[access.ExportDestination, wire.ExportDestination, wire.ExportDestination] {
	return &collection[access.ExportDestination, wire.ExportDestination, wire.ExportDestination]{
		s: s, listFn: s.svc.ListExportDestinations, getFn: byID(s.svc.GetExportDestination),
		createFn: s.svc.CreateExportDestination, updateFn: s.svc.UpdateExportDestination,
		deleteFn: deleteByID(s.svc.DeleteExportDestination),
		toWire:   wire.FromExportDestination, fromBody: wire.ExportDestination.ToAccess,
		identify: func(r *http.Request, a *access.ExportDestination, v access.Version) error {
			a.Version = v
			return setID(r, &a.ID)
		},
		version:  func(a access.ExportDestination) access.Version { return a.Version },
		location: func(a access.ExportDestination) string { return wire.ObjectPath(wire.ExportDestinationsPath, a.ID) },
	}
}

// setID puts the URL's id on a replacement, refusing a body naming another.
func setID(r *http.Request, id *string) error {
	path := r.PathValue("id")
	if err := pathIdentity("id", *id, path); err != nil {
		return err
	}
	*id = path
	return nil
}

func (s *server) getSecuritySettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.svc.GetSecuritySettings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.encodeObject(w, r, http.StatusOK, wire.FromSecuritySettings(st), st.Version)
}

func (s *server) putSecuritySettings(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body wire.SecuritySettings
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := body.ToAccess()
	in.Version = v
	st, err := s.svc.UpdateSecuritySettings(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.encodeObject(w, r, http.StatusOK, wire.FromSecuritySettings(st), st.Version)
}

// resetSecuritySettings restores the platform defaults. The singleton
// outlives its DELETE, so unlike an object's DELETE (204) this answers as
// its PUT does: 200 with the settings and their new ETag, which a client
// needs for its next conditional write. The reset is unconditional
// (access.SecuritySettingsService), so an If-Match naming a version is
// refused rather than ignored: a client must not believe a reset was
// conditional when it was not.
func (s *server) resetSecuritySettings(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if v != 0 {
		s.writeError(w, r, badRequest("resetting the security settings is unconditional; send no If-Match",
			wire.FieldError{Field: "If-Match", Message: "must be absent or *"}))
		return
	}
	st, err := s.svc.ResetSecuritySettings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.encodeObject(w, r, http.StatusOK, wire.FromSecuritySettings(st), st.Version)
}

// revokeUserSessions ends the user's open sessions. It takes no body (an
// empty JSON object is accepted, for clients that always send one) and
// answers with the count, without an ETag: the user's version does not
// change.
func (s *server) revokeUserSessions(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 {
		var body struct{}
		if err := decode(w, r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	n, err := s.svc.RevokeUserSessions(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.encode(w, r, http.StatusOK, wire.SessionsRevoked{Revoked: n})
}

func (s *server) listPermissions(w http.ResponseWriter, r *http.Request) {
	perms, err := s.svc.ListPermissions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.encode(w, r, http.StatusOK, wire.FromPage(access.Page[access.Permission]{Items: perms}, wire.FromPermission))
}

// whoAmI answers with the caller as the service knows it and the address
// this server sees, which is what lockout protection must keep allowed.
func (s *server) whoAmI(w http.ResponseWriter, r *http.Request) {
	c, err := s.svc.WhoAmI(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c.ClientIP = clientIP(r)
	if p, ok := principalFrom(r.Context()); ok {
		c.TokenName, c.Scopes = p.Name, p.Scopes
	}
	s.encode(w, r, http.StatusOK, wire.FromCaller(c))
}

// clientIP is the address of the connection's peer. Forwarding headers are
// deliberately not trusted: any client could claim any address with them.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
