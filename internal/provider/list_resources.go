package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The seven list resources: how each kind is listed, named and filtered
// (list_core.go runs them). Filters apply to each page as it arrives; the
// platform's listing takes none, so a filtered listing reads the same pages
// as an unfiltered one.

func NewRoleListResource() list.ListResource { return newListed(roleKind{}) }

func NewUserListResource() list.ListResource { return newListed(userKind{}) }

func NewMaskingColumnListResource() list.ListResource { return newListed(maskingColumnKind{}) }

func NewIPAllowlistListResource() list.ListResource { return newListed(ipAllowlistKind{}) }

func NewTransferCredentialListResource() list.ListResource {
	return newListed(transferCredentialKind{})
}

func NewExportDestinationListResource() list.ListResource {
	return newListed(exportDestinationKind{})
}

func NewSecuritySettingsListResource() list.ListResource { return newListed(securitySettingsKind{}) }

// Roles: the system roles are left out, as Terraform cannot manage them
// (import refuses them); a user holding one refers to it by its fixed id.

func (roleKind) listDescription() string {
	return "Lists the account's custom roles (not the system roles Full Admin and Read Only, which " +
		"Terraform cannot manage), by name prefix and whether they grant sensitive permissions."
}

func (roleKind) listPage(ctx context.Context, svc access.Service, opts access.ListOptions) (access.Page[access.Role], error) {
	page, err := svc.ListRoles(ctx, opts)
	page.Items = dropSystemRoles(page.Items)
	return page, err
}

func dropSystemRoles(roles []access.Role) []access.Role {
	custom := roles[:0:0]
	for _, r := range roles {
		if !r.System {
			custom = append(custom, r)
		}
	}
	return custom
}

func (roleKind) displayName(r access.Role) string { return r.Name }

type roleListFilter struct {
	NamePrefix types.String `tfsdk:"name_prefix"`
	Sensitive  types.Bool   `tfsdk:"sensitive"`
}

func (roleKind) listFilterAttributes() map[string]listschema.Attribute {
	return map[string]listschema.Attribute{
		"name_prefix": listschema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Only roles whose name starts with this, compared as the platform compares " +
				"role names (case-insensitively).",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"sensitive": listschema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Only roles that grant (`true`) or do not grant (`false`) a sensitive " +
				"permission, directly or through a dependency (the role's `sensitive` attribute).",
		},
	}
}

func (roleKind) listFilter(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) func(access.Role) bool {
	var f roleListFilter
	diags.Append(config.Get(ctx, &f)...)
	prefix := access.NameKey(f.NamePrefix.ValueString())
	return func(r access.Role) bool {
		return strings.HasPrefix(access.NameKey(r.Name), prefix) &&
			(f.Sensitive.IsNull() || f.Sensitive.ValueBool() == r.Sensitive)
	}
}

// Users.

func (userKind) listDescription() string {
	return "Lists the account's console users, by role, status and whether they are disabled."
}

func (userKind) listPage(ctx context.Context, svc access.Service, opts access.ListOptions) (access.Page[access.User], error) {
	return svc.ListUsers(ctx, opts)
}

func (userKind) displayName(u access.User) string { return u.Email }

type userListFilter struct {
	RoleID   types.String `tfsdk:"role_id"`
	Status   types.String `tfsdk:"status"`
	Disabled types.Bool   `tfsdk:"disabled"`
}

func (userKind) listFilterAttributes() map[string]listschema.Attribute {
	statuses := []string{string(access.UserInvited), string(access.UserActive), string(access.UserDisabled)}
	return map[string]listschema.Attribute{
		"role_id": listschema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only users holding the role with this id (a custom role's `id`, or a system role's fixed id).",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"status": listschema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Only users in this status: " + quotedList(statuses) +
				" (`invited` until the first login).",
			Validators: []validator.String{stringvalidator.OneOf(statuses...)},
		},
		"disabled": listschema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "Only disabled (`true`) or only enabled (`false`) users.",
		},
	}
}

func (userKind) listFilter(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) func(access.User) bool {
	var f userListFilter
	diags.Append(config.Get(ctx, &f)...)
	return func(u access.User) bool {
		return (f.RoleID.IsNull() || f.RoleID.ValueString() == u.RoleID) &&
			(f.Status.IsNull() || f.Status.ValueString() == string(u.Status)) &&
			(f.Disabled.IsNull() || f.Disabled.ValueBool() == u.Disabled)
	}
}

// Masking columns.

func (maskingColumnKind) listDescription() string {
	return "Lists the account's masked personal-data columns, optionally of one table."
}

func (maskingColumnKind) listPage(ctx context.Context, svc access.Service, opts access.ListOptions) (access.Page[access.MaskingColumn], error) {
	return svc.ListMaskingColumns(ctx, opts)
}

func (maskingColumnKind) displayName(c access.MaskingColumn) string { return c.Table + "." + c.Column }

type maskingColumnListFilter struct {
	Table types.String `tfsdk:"table"`
}

func (maskingColumnKind) listFilterAttributes() map[string]listschema.Attribute {
	return map[string]listschema.Attribute{
		"table": listschema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only the masked columns of this data-space table.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
	}
}

func (maskingColumnKind) listFilter(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) func(access.MaskingColumn) bool {
	var f maskingColumnListFilter
	diags.Append(config.Get(ctx, &f)...)
	return func(c access.MaskingColumn) bool {
		return f.Table.IsNull() || f.Table.ValueString() == c.Table
	}
}

// IP allowlists.

func (ipAllowlistKind) listDescription() string {
	return "Lists the account's IP allowlists, optionally only the enabled or the disabled ones."
}

func (ipAllowlistKind) listPage(ctx context.Context, svc access.Service, opts access.ListOptions) (access.Page[access.IPAllowlist], error) {
	return svc.ListIPAllowlists(ctx, opts)
}

func (ipAllowlistKind) displayName(l access.IPAllowlist) string { return l.Name }

type ipAllowlistListFilter struct {
	Enabled types.Bool `tfsdk:"enabled"`
}

func (ipAllowlistKind) listFilterAttributes() map[string]listschema.Attribute {
	return map[string]listschema.Attribute{
		"enabled": listschema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "Only enabled (`true`) or only disabled (`false`) allowlists.",
		},
	}
}

func (ipAllowlistKind) listFilter(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) func(access.IPAllowlist) bool {
	var f ipAllowlistListFilter
	diags.Append(config.Get(ctx, &f)...)
	return func(l access.IPAllowlist) bool {
		return f.Enabled.IsNull() || f.Enabled.ValueBool() == l.Enabled
	}
}

// Transfer credentials: listed without their secrets, which the platform
// never returns; the generated configuration has `secret_wo = null`.

func (transferCredentialKind) listDescription() string {
	return "Lists the account's transfer credentials. The platform never returns a secret: generated " +
		"configuration leaves `secret_wo` unset, which keeps the secret the platform holds."
}

func (transferCredentialKind) listPage(ctx context.Context, svc access.Service, opts access.ListOptions) (access.Page[access.TransferCredential], error) {
	return svc.ListTransferCredentials(ctx, opts)
}

func (transferCredentialKind) displayName(c access.TransferCredential) string { return c.Name }

// Export destinations: named with where they send data, which is what a
// person onboarding an account looks for.

func (exportDestinationKind) listDescription() string {
	return "Lists the account's export destinations."
}

func (exportDestinationKind) listPage(ctx context.Context, svc access.Service, opts access.ListOptions) (access.Page[access.ExportDestination], error) {
	return svc.ListExportDestinations(ctx, opts)
}

func (exportDestinationKind) displayName(d access.ExportDestination) string {
	switch {
	case d.SFTP != nil:
		return fmt.Sprintf("%s (sftp %s:%d)", d.Name, d.SFTP.Host, d.SFTP.Port)
	case d.S3 != nil:
		return fmt.Sprintf("%s (s3 %s)", d.Name, d.S3.Bucket)
	}
	return d.Name
}

// Security settings: the account's one object, always there (the platform
// defaults until someone changes them).

func (securitySettingsKind) listDescription() string {
	return "Lists the account's security settings: always one object, `account`."
}

func (securitySettingsKind) listPage(ctx context.Context, svc access.Service, _ access.ListOptions) (access.Page[access.SecuritySettings], error) {
	s, err := svc.GetSecuritySettings(ctx)
	if err != nil {
		return access.Page[access.SecuritySettings]{}, err
	}
	return access.Page[access.SecuritySettings]{Items: []access.SecuritySettings{s}}, nil
}

func (securitySettingsKind) displayName(access.SecuritySettings) string {
	return access.SecuritySettingsID
}
