package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ planAdjuster[roleModel] = roleKind{}

// roleNameCheck is nameCheck plus the system roles' names, which the
// platform refuses for a custom role: at plan time rather than at apply.
var roleNameCheck = platformCheck{description: "role name", check: access.CheckRoleName}

// NewRoleResource is the engage_role resource.
func NewRoleResource() resource.Resource { return newManaged(roleKind{}) }

type roleKind struct{}

type roleModel struct {
	ID                   types.String `tfsdk:"id"`
	Name                 types.String `tfsdk:"name"`
	Description          types.String `tfsdk:"description"`
	Permissions          types.Set    `tfsdk:"permissions"`
	EffectivePermissions types.Set    `tfsdk:"effective_permissions"`
	Sensitive            types.Bool   `tfsdk:"sensitive"`
	System               types.Bool   `tfsdk:"system"`
	CreatedAt            types.String `tfsdk:"created_at"`
}

func (roleKind) typeName() string { return "role" }
func (roleKind) noun() string     { return "role" }

func (roleKind) schema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A custom role: a named set of permissions that users log in with. " +
			"Permissions a granted permission depends on are enabled automatically; `effective_permissions` " +
			"shows the result at plan time. System roles (\"Full Admin\", \"Read Only\") are read-only: " +
			"look them up with the `engage_role` data source. The platform refuses to delete a role that " +
			"users hold: the plan warns, naming them. To move the users to another role and remove this one " +
			"in a single apply, give roles `lifecycle { create_before_destroy = true }` from the start: Terraform " +
			"then updates the users before it destroys the role. Without it, move the users in one apply and " +
			"remove the role in the next.",
		Attributes: map[string]schema.Attribute{
			"id":          idAttribute("role"),
			"name":        nameAttribute("name of the role, not a system role's name", true, roleNameCheck),
			"description": descriptionAttribute("what the role is for"),
			"permissions": schema.SetAttribute{
				MarkdownDescription: "Keys of the permissions the role grants, from the `engage_permissions` catalog. " +
					"Authoritative: permissions not listed are removed. At least one.",
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(permissionKeyValidator{}),
				},
			},
			"effective_permissions": schema.SetAttribute{
				MarkdownDescription: "The permissions the role actually grants: `permissions` plus every permission they imply, transitively. Known at plan time.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"sensitive": schema.BoolAttribute{
				MarkdownDescription: "Whether any effective permission grants access to personal data or bulk exports of it. Known at plan time.",
				Computed:            true,
			},
			"system": schema.BoolAttribute{
				MarkdownDescription: "Whether this is a predefined system role; always `false` for a managed role.",
				Computed:            true,
			},
			"created_at": createdAtAttribute("role"),
		},
	}
}

// adjustPlan makes effective_permissions, sensitive and system known at
// plan time, so a plan review (or an OPA policy over `terraform show
// -json`) sees what a role will really grant; and warns when a destroy will
// meet the users who hold the role.
func (roleKind) adjustPlan(ctx context.Context, data *providerData, _ tfsdk.Config, plan, state *roleModel, diags *diag.Diagnostics) {
	if plan == nil {
		warnRoleHolders(ctx, data, *state, diags)
		return
	}
	keys, known := knownStrings(ctx, plan.Permissions, diags)
	if !known || diags.HasError() {
		return
	}
	catalog := access.DefaultCatalog()
	effective := catalog.Closure(keys)
	plan.EffectivePermissions = stringSet(effective, diags)
	plan.Sensitive = types.BoolValue(catalog.AnySensitive(effective))
	plan.System = types.BoolValue(false)
}

// maxHoldersNamed is how many holders of a role a message names.
const maxHoldersNamed = 5

// warnRoleHolders warns, at plan time, that the role to destroy is held by
// users: the platform will refuse the delete unless they move first.
func warnRoleHolders(ctx context.Context, data *providerData, state roleModel, diags *diag.Diagnostics) {
	if data == nil {
		return
	}
	holders, err := roleHolders(ctx, data.service, state.ID.ValueString())
	if err != nil || len(holders) == 0 {
		return // the apply reports what the platform says
	}
	diags.AddWarning("Role still held by users", fmt.Sprintf(
		"The role %q (%s) is held by %s. The platform refuses to delete a role that users hold, so the destroy "+
			"succeeds only if Terraform destroys or moves them first. It does for users destroyed along with the role "+
			"(terraform destroy), and for users moved to another role in this apply when the role has "+
			"lifecycle { create_before_destroy = true }; otherwise move them in one apply and remove the role in the next. "+
			"If the role's address was renamed, a moved block renames it without destroying it.",
		state.Name.ValueString(), state.ID.ValueString(), describeHolders(holders)))
}

// roleHolders lists the users holding the role id.
func roleHolders(ctx context.Context, svc access.Service, id string) ([]access.User, error) {
	users, err := access.ListAll(ctx, svc.ListUsers)
	if err != nil {
		return nil, err
	}
	var holders []access.User
	for _, u := range users {
		if u.RoleID == id {
			holders = append(holders, u)
		}
	}
	return holders, nil
}

// describeHolders names holders by count and email: "2 users (a@x.com,
// b@x.com)".
func describeHolders(holders []access.User) string {
	count := "1 user"
	if len(holders) != 1 {
		count = fmt.Sprintf("%d users", len(holders))
	}
	return count + " (" + holderEmails(holders) + ")"
}

// holderEmails names the first maxHoldersNamed holders in alphabetical
// order, and counts the rest.
func holderEmails(holders []access.User) string {
	emails := make([]string, len(holders))
	for i, u := range holders {
		emails[i] = u.Email
	}
	slices.Sort(emails)
	named := slices.Clip(emails[:min(len(emails), maxHoldersNamed)])
	if more := len(holders) - len(named); more > 0 {
		named = append(named, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(named, ", ")
}

func (roleKind) toObject(ctx context.Context, m roleModel, diags *diag.Diagnostics) access.Role {
	var perms []string
	diags.Append(m.Permissions.ElementsAs(ctx, &perms, false)...)
	return access.Role{
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
		Permissions: perms,
	}
}

func (roleKind) fromObject(_ context.Context, m *roleModel, r access.Role, diags *diag.Diagnostics) {
	m.ID = types.StringValue(r.ID)
	m.Name = types.StringValue(r.Name)
	m.Description = types.StringValue(r.Description)
	m.Permissions = stringSet(r.Permissions, diags)
	m.EffectivePermissions = stringSet(r.EffectivePermissions, diags)
	m.Sensitive = types.BoolValue(r.Sensitive)
	m.System = types.BoolValue(r.System)
	m.CreatedAt = types.StringValue(formatTime(r.CreatedAt))
}

func (roleKind) version(r access.Role) access.Version { return r.Version }

func (roleKind) identity() objectIdentity { return platformIDIdentity("role") }

func (roleKind) read(ctx context.Context, svc access.Service, state roleModel) (access.Role, error) {
	return svc.GetRole(ctx, state.ID.ValueString())
}

func (roleKind) create(ctx context.Context, w write[roleModel], r access.Role) (access.Role, error) {
	return w.data.service.CreateRole(ctx, r)
}

func (roleKind) update(ctx context.Context, w write[roleModel], r access.Role) (access.Role, error) {
	r.ID, r.Version = w.state.ID.ValueString(), w.version
	return w.data.service.UpdateRole(ctx, r)
}

// delete names the holders when the platform refuses because users hold
// the role, so the error says whom to move.
func (roleKind) delete(ctx context.Context, data *providerData, state roleModel) error {
	id := state.ID.ValueString()
	err := data.service.DeleteRole(ctx, id, 0)
	if !errors.Is(err, access.ErrConflict) {
		return err
	}
	holders, listErr := roleHolders(ctx, data.service, id)
	if listErr != nil || len(holders) == 0 {
		return err
	}
	return fmt.Errorf("%w: %s. Set their role_id to another role first, or give the role "+
		"lifecycle { create_before_destroy = true } to move them and remove it in one apply", err, holderEmails(holders))
}

// holder finds the role holding the name; a system role's name is refused
// at plan time, and a system role is never offered for import.
func (roleKind) holder(ctx context.Context, svc access.Service, r access.Role) (keyHolder, error) {
	return rolesByName.holder(ctx, svc, r.Name)
}

// importer refuses system roles: they cannot be managed, only looked up.
func (roleKind) importer() importForms[access.Role] {
	forms := rolesByName.importer()
	forms.manageable = func(r access.Role) error {
		if r.System {
			return errSystemRole(r)
		}
		return nil
	}
	return forms
}

var rolesByName = namedObjects[access.Role]{
	noun: "role",
	byID: func(ctx context.Context, svc access.Service, id string) (access.Role, error) {
		return svc.GetRole(ctx, id)
	},
	byName: func(ctx context.Context, svc access.Service, name string) (access.Role, error) {
		r, err := svc.GetRoleByName(ctx, name)
		if err == nil && r.System {
			return access.Role{}, errSystemRole(r)
		}
		return r, err
	},
	facts: func(r access.Role) (string, string, time.Time) { return r.ID, r.Name, r.CreatedAt },
}

func errSystemRole(r access.Role) error {
	return fmt.Errorf("%q is a system role and is read-only; look it up with the engage_role data source instead", r.Name)
}

// stringSet builds a set of strings; an empty input gives an empty set, not
// null, since the attributes it fills are never null on the platform.
func stringSet(values []string, diags *diag.Diagnostics) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	s, d := types.SetValue(types.StringType, elems)
	diags.Append(d...)
	return s
}

// knownStrings returns the elements of a set of strings, and false when the
// set or any element is not known yet.
func knownStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) ([]string, bool) {
	if s.IsNull() || s.IsUnknown() {
		return nil, false
	}
	for _, e := range s.Elements() {
		if e.IsUnknown() {
			return nil, false
		}
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out, true
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
