package access

import "context"

// ListOptions pages through a collection. The zero value lists everything.
type ListOptions struct {
	// PageToken continues after the last object of a previous page.
	PageToken string
	// Limit caps the page size; zero means no limit.
	Limit int
}

// Page is one page of a collection. NextPageToken is empty on the last page.
type Page[T any] struct {
	Items         []T
	NextPageToken string
}

// ListAll reads a whole collection through list. The zero ListOptions asks a
// backend for everything at once; the loop only matters for a backend that
// pages anyway.
func ListAll[T any](ctx context.Context, list func(context.Context, ListOptions) (Page[T], error)) ([]T, error) {
	var (
		all  []T
		opts ListOptions
	)
	for {
		page, err := list(ctx, opts)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextPageToken == "" {
			return all, nil
		}
		opts.PageToken = page.NextPageToken
	}
}

// CatalogService serves the permission catalog.
type CatalogService interface {
	ListPermissions(ctx context.Context) ([]Permission, error)
}

// RoleService manages roles. Create and Update ignore the computed fields of
// their argument (ID on create, EffectivePermissions, Sensitive, System,
// timestamps) and return the stored object.
type RoleService interface {
	ListRoles(ctx context.Context, opts ListOptions) (Page[Role], error)
	GetRole(ctx context.Context, id string) (Role, error)
	GetRoleByName(ctx context.Context, name string) (Role, error)
	CreateRole(ctx context.Context, r Role) (Role, error)
	UpdateRole(ctx context.Context, r Role) (Role, error)
	DeleteRole(ctx context.Context, id string, ifVersion Version) error
}

// UserService manages console users.
type UserService interface {
	ListUsers(ctx context.Context, opts ListOptions) (Page[User], error)
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByEmail(ctx context.Context, email string) (User, error)
	CreateUser(ctx context.Context, u User) (User, error)
	UpdateUser(ctx context.Context, u User) (User, error)
	DeleteUser(ctx context.Context, id string, ifVersion Version) error

	// RevokeUserSessions ends every open console session of user id and
	// returns how many it ended (zero when there were none), so that a
	// change of role or a disabled flag applies at once rather than at the
	// sessions' timeout. It is an operation, not a change of configuration:
	// the user's version stays as it was.
	RevokeUserSessions(ctx context.Context, id string) (int, error)
}

// MaskingColumnService manages masked personal-data columns, identified by
// table and column.
type MaskingColumnService interface {
	ListMaskingColumns(ctx context.Context, opts ListOptions) (Page[MaskingColumn], error)
	GetMaskingColumn(ctx context.Context, table, column string) (MaskingColumn, error)
	CreateMaskingColumn(ctx context.Context, c MaskingColumn) (MaskingColumn, error)
	UpdateMaskingColumn(ctx context.Context, c MaskingColumn) (MaskingColumn, error)
	DeleteMaskingColumn(ctx context.Context, table, column string, ifVersion Version) error
}

// IPAllowlistService manages IP allowlists.
type IPAllowlistService interface {
	ListIPAllowlists(ctx context.Context, opts ListOptions) (Page[IPAllowlist], error)
	GetIPAllowlist(ctx context.Context, id string) (IPAllowlist, error)
	CreateIPAllowlist(ctx context.Context, l IPAllowlist) (IPAllowlist, error)
	UpdateIPAllowlist(ctx context.Context, l IPAllowlist) (IPAllowlist, error)
	DeleteIPAllowlist(ctx context.Context, id string, ifVersion Version) error
}

// TransferCredentialService manages transfer credentials. Secrets go in on
// Create and Update and never come back out.
type TransferCredentialService interface {
	ListTransferCredentials(ctx context.Context, opts ListOptions) (Page[TransferCredential], error)
	GetTransferCredential(ctx context.Context, id string) (TransferCredential, error)
	CreateTransferCredential(ctx context.Context, c TransferCredential) (TransferCredential, error)
	UpdateTransferCredential(ctx context.Context, c TransferCredential) (TransferCredential, error)
	DeleteTransferCredential(ctx context.Context, id string, ifVersion Version) error
}

// ExportDestinationService manages export destinations.
type ExportDestinationService interface {
	ListExportDestinations(ctx context.Context, opts ListOptions) (Page[ExportDestination], error)
	GetExportDestination(ctx context.Context, id string) (ExportDestination, error)
	CreateExportDestination(ctx context.Context, d ExportDestination) (ExportDestination, error)
	UpdateExportDestination(ctx context.Context, d ExportDestination) (ExportDestination, error)
	DeleteExportDestination(ctx context.Context, id string, ifVersion Version) error
}

// SecuritySettingsService reads, replaces and resets the account's security
// settings. Every update marks them Customized; only a reset clears that.
type SecuritySettingsService interface {
	GetSecuritySettings(ctx context.Context) (SecuritySettings, error)
	UpdateSecuritySettings(ctx context.Context, s SecuritySettings) (SecuritySettings, error)
	// ResetSecuritySettings restores DefaultSecuritySettings() and clears
	// Customized, unconditionally. It is a write: the version is bumped.
	ResetSecuritySettings(ctx context.Context) (SecuritySettings, error)
}

// Service is the whole access-configuration API of the platform: the one seam
// between the Terraform provider and a backend (embedded store or REST
// client). Every implementation enforces the same rules and returns the typed
// errors of this package.
type Service interface {
	CatalogService
	RoleService
	UserService
	MaskingColumnService
	IPAllowlistService
	TransferCredentialService
	ExportDestinationService
	SecuritySettingsService

	// WhoAmI describes the caller as the platform sees it.
	WhoAmI(ctx context.Context) (Caller, error)
}
