package store

import (
	"context"
	"fmt"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The Service methods the embedded backend does not serve yet. They live
// together here so that each later change deletes its stubs from one place.

func notImplemented(method string) error { return fmt.Errorf("%s: %w", method, ErrNotImplemented) }

func (s *Store) ListUsers(context.Context, access.ListOptions) (access.Page[access.User], error) {
	return access.Page[access.User]{}, notImplemented("ListUsers")
}

func (s *Store) GetUser(context.Context, string) (access.User, error) {
	return access.User{}, notImplemented("GetUser")
}

func (s *Store) GetUserByEmail(context.Context, string) (access.User, error) {
	return access.User{}, notImplemented("GetUserByEmail")
}

func (s *Store) CreateUser(context.Context, access.User) (access.User, error) {
	return access.User{}, notImplemented("CreateUser")
}

func (s *Store) UpdateUser(context.Context, access.User) (access.User, error) {
	return access.User{}, notImplemented("UpdateUser")
}

func (s *Store) DeleteUser(context.Context, string, access.Version) error {
	return notImplemented("DeleteUser")
}

func (s *Store) ListMaskingColumns(context.Context, access.ListOptions) (access.Page[access.MaskingColumn], error) {
	return access.Page[access.MaskingColumn]{}, notImplemented("ListMaskingColumns")
}

func (s *Store) GetMaskingColumn(context.Context, string, string) (access.MaskingColumn, error) {
	return access.MaskingColumn{}, notImplemented("GetMaskingColumn")
}

func (s *Store) CreateMaskingColumn(context.Context, access.MaskingColumn) (access.MaskingColumn, error) {
	return access.MaskingColumn{}, notImplemented("CreateMaskingColumn")
}

func (s *Store) UpdateMaskingColumn(context.Context, access.MaskingColumn) (access.MaskingColumn, error) {
	return access.MaskingColumn{}, notImplemented("UpdateMaskingColumn")
}

func (s *Store) DeleteMaskingColumn(context.Context, string, string, access.Version) error {
	return notImplemented("DeleteMaskingColumn")
}

func (s *Store) ListIPAllowlists(context.Context, access.ListOptions) (access.Page[access.IPAllowlist], error) {
	return access.Page[access.IPAllowlist]{}, notImplemented("ListIPAllowlists")
}

func (s *Store) GetIPAllowlist(context.Context, string) (access.IPAllowlist, error) {
	return access.IPAllowlist{}, notImplemented("GetIPAllowlist")
}

func (s *Store) CreateIPAllowlist(context.Context, access.IPAllowlist) (access.IPAllowlist, error) {
	return access.IPAllowlist{}, notImplemented("CreateIPAllowlist")
}

func (s *Store) UpdateIPAllowlist(context.Context, access.IPAllowlist) (access.IPAllowlist, error) {
	return access.IPAllowlist{}, notImplemented("UpdateIPAllowlist")
}

func (s *Store) DeleteIPAllowlist(context.Context, string, access.Version) error {
	return notImplemented("DeleteIPAllowlist")
}

func (s *Store) ListTransferCredentials(context.Context, access.ListOptions) (access.Page[access.TransferCredential], error) {
	return access.Page[access.TransferCredential]{}, notImplemented("ListTransferCredentials")
}

func (s *Store) GetTransferCredential(context.Context, string) (access.TransferCredential, error) {
	return access.TransferCredential{}, notImplemented("GetTransferCredential")
}

func (s *Store) CreateTransferCredential(context.Context, access.TransferCredential) (access.TransferCredential, error) {
	return access.TransferCredential{}, notImplemented("CreateTransferCredential")
}

func (s *Store) UpdateTransferCredential(context.Context, access.TransferCredential) (access.TransferCredential, error) {
	return access.TransferCredential{}, notImplemented("UpdateTransferCredential")
}

func (s *Store) DeleteTransferCredential(context.Context, string, access.Version) error {
	return notImplemented("DeleteTransferCredential")
}

func (s *Store) ListExportDestinations(context.Context, access.ListOptions) (access.Page[access.ExportDestination], error) {
	return access.Page[access.ExportDestination]{}, notImplemented("ListExportDestinations")
}

func (s *Store) GetExportDestination(context.Context, string) (access.ExportDestination, error) {
	return access.ExportDestination{}, notImplemented("GetExportDestination")
}

func (s *Store) CreateExportDestination(context.Context, access.ExportDestination) (access.ExportDestination, error) {
	return access.ExportDestination{}, notImplemented("CreateExportDestination")
}

func (s *Store) UpdateExportDestination(context.Context, access.ExportDestination) (access.ExportDestination, error) {
	return access.ExportDestination{}, notImplemented("UpdateExportDestination")
}

func (s *Store) DeleteExportDestination(context.Context, string, access.Version) error {
	return notImplemented("DeleteExportDestination")
}

func (s *Store) UpdateSecuritySettings(context.Context, access.SecuritySettings) (access.SecuritySettings, error) {
	return access.SecuritySettings{}, notImplemented("UpdateSecuritySettings")
}
