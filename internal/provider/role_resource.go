package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ resource.ResourceWithConfigure   = (*roleResource)(nil)
	_ resource.ResourceWithImportState = (*roleResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*roleResource)(nil)
)

// trimmedName matches a name with no leading or trailing white space, which
// the platform refuses (it would look the same in the console, yet differ).
var trimmedName = regexp.MustCompile(`^\S(?:.*\S)?$`)

// NewRoleResource is the engage_role resource.
func NewRoleResource() resource.Resource { return &roleResource{} }

type roleResource struct {
	data *providerData
}

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

func (r *roleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (r *roleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A custom role: a named set of permissions that users log in with. " +
			"Permissions a granted permission depends on are enabled automatically; `effective_permissions` " +
			"shows the result at plan time. System roles (\"Full Admin\", \"Read Only\") are read-only: " +
			"look them up with the `engage_role` data source." +
			adoptionNote("role", "name"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier the platform assigned to the role.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the role, 1-%d characters, unique in the account regardless of case.", access.MaxNameLength),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, access.MaxNameLength),
					stringvalidator.RegexMatches(trimmedName, "must not start or end with white space"),
				},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("What the role is for, at most %d characters. Defaults to an empty string.", access.MaxDescriptionLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(access.MaxDescriptionLength)},
			},
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
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the role was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *roleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes effective_permissions, sensitive and system known at plan
// time, so a plan review (or an OPA policy over `terraform show -json`) sees
// what a role will really grant.
func (r *roleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || plansNoChange(req) {
		return // destroy, or nothing changes
	}
	var plan roleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	keys, known := knownStrings(ctx, plan.Permissions, &resp.Diagnostics)
	if !known || resp.Diagnostics.HasError() {
		return
	}
	catalog := access.DefaultCatalog()
	effective := catalog.Closure(keys)
	plan.EffectivePermissions = stringSet(effective, &resp.Diagnostics)
	plan.Sensitive = types.BoolValue(catalog.AnySensitive(effective))
	plan.System = types.BoolValue(false)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *roleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan roleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := roleFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := createOrAdopt(ctx, in, r.data.service.CreateRole, roleAdoption(r.data.service), &resp.Diagnostics)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to create role", err)
		return
	}
	plan.setFrom(created, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, created.Version, &resp.Diagnostics)
}

func (r *roleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := r.data.service.GetRole(ctx, state.ID.ValueString())
	if errors.Is(err, access.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read role", err)
		return
	}
	state.setFrom(role, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	saveVersion(ctx, resp.Private, role.Version, &resp.Diagnostics)
}

func (r *roleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state roleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := roleFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in.ID = state.ID.ValueString()
	in.Version = lastVersion(ctx, req.Private, &resp.Diagnostics)
	updated, err := r.data.service.UpdateRole(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update role", err)
		return
	}
	plan.setFrom(updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, updated.Version, &resp.Diagnostics)
}

func (r *roleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.service.DeleteRole(ctx, state.ID.ValueString(), 0)
	if err != nil && !errors.Is(err, access.ErrNotFound) {
		addServiceError(&resp.Diagnostics, "Unable to delete role", err)
	}
}

// ImportState accepts a role id, or `name:<role name>`. System roles are
// refused: they cannot be managed, only looked up.
func (r *roleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var (
		role access.Role
		err  error
	)
	if name, ok := strings.CutPrefix(req.ID, importNamePrefix); ok {
		role, err = r.data.service.GetRoleByName(ctx, name)
	} else {
		role, err = r.data.service.GetRole(ctx, req.ID)
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to import role", err)
		return
	}
	if role.System {
		resp.Diagnostics.AddError("Unable to import role",
			fmt.Sprintf("%q is a system role and is read-only; look it up with the engage_role data source instead.", role.Name))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), role.ID)...)
}

// roleFromModel maps the configured fields to the service's input.
func roleFromModel(ctx context.Context, m roleModel, diags *diag.Diagnostics) access.Role {
	var perms []string
	diags.Append(m.Permissions.ElementsAs(ctx, &perms, false)...)
	return access.Role{
		ID:          m.ID.ValueString(),
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
		Permissions: perms,
	}
}

// setFrom copies what the platform returned into the model.
func (m *roleModel) setFrom(r access.Role, diags *diag.Diagnostics) {
	m.ID = types.StringValue(r.ID)
	m.Name = types.StringValue(r.Name)
	m.Description = types.StringValue(r.Description)
	m.Permissions = stringSet(r.Permissions, diags)
	m.EffectivePermissions = stringSet(r.EffectivePermissions, diags)
	m.Sensitive = types.BoolValue(r.Sensitive)
	m.System = types.BoolValue(r.System)
	m.CreatedAt = types.StringValue(formatTime(r.CreatedAt))
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
