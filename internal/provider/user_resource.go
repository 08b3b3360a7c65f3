package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userResource)(nil)
)

// NewUserResource is the engage_user resource.
func NewUserResource() resource.Resource { return &userResource{} }

type userResource struct {
	data *providerData
}

// userModel serves the engage_user resource and data source alike.
type userModel struct {
	ID               types.String `tfsdk:"id"`
	Email            emailValue   `tfsdk:"email"`
	DisplayName      types.String `tfsdk:"display_name"`
	RoleID           types.String `tfsdk:"role_id"`
	Disabled         types.Bool   `tfsdk:"disabled"`
	Status           types.String `tfsdk:"status"`
	TwoFactorEnabled types.Bool   `tfsdk:"two_factor_enabled"`
	LastLoginAt      types.String `tfsdk:"last_login_at"`
	CreatedAt        types.String `tfsdk:"created_at"`
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A console user: an email address that logs in with one role. Terraform creates users " +
			"as `invited`; they become `active` at their first login. Set `disabled` to revoke access without " +
			"deleting the user. Assigning the \"Full Admin\" system role plans with a warning." +
			adoptionNote("user", "email"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier the platform assigned to the user.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Email address the user logs in with: a bare address such as `ada@example.com`, "+
					"at most %d characters, unique in the account regardless of case. Changing only its letter case is not a change.",
					access.MaxEmailLength),
				CustomType:    emailType{},
				Required:      true,
				Validators:    []validator.String{platformCheck{description: "email address", check: access.CheckEmail}},
				PlanModifiers: []planmodifier.String{emailCasePlanModifier{}},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name the console shows for the user, 1-%d characters, with no leading or trailing white space.", access.MaxNameLength),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, access.MaxNameLength),
					stringvalidator.RegexMatches(trimmedName, "must not start or end with white space"),
				},
			},
			"role_id": schema.StringAttribute{
				MarkdownDescription: "Id of the role the user logs in with: an `engage_role` resource, or a system role " +
					"from the `engage_role` data source. The role must exist; a role that is known at plan time is checked then.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"disabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the user's access is revoked; the user and its settings are kept. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`" + string(access.UserInvited) + "` until the user first logs in, then `" + string(access.UserActive) +
					"`; `" + string(access.UserDisabled) + "` while `disabled` is true. Known at plan time whenever the outcome is certain.",
				Computed: true,
			},
			"two_factor_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the user has enrolled a second factor; the user does this in the console, so Terraform only reports it.",
				Computed:            true,
			},
			"last_login_at": schema.StringAttribute{
				MarkdownDescription: "When the user last logged in (RFC 3339); null until the first login.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the user was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan shows what the platform will report, as far as it is certain,
// checks a role known at plan time, and warns when a user is given Full
// Admin.
//
// two_factor_enabled and last_login_at change when the user acts in the
// console, not when Terraform writes, so an update plans them unknown: the
// user may log in between plan and apply, and a value promised in the plan
// would then fail the apply. status is planned where it cannot change that
// way (see plannedUserStatus).
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || plansNoChange(req) {
		return // destroy, or nothing changes
	}
	var plan userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *userModel
	if !req.State.Raw.IsNull() {
		state = &userModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if state != nil && !userInputsDiffer(plan, *state) {
		// Nothing to write, so nothing may change: the plan is the state.
		// This also undoes the unknowns the framework planned when the
		// configuration differed from state only in the email's letter
		// case (which emailCasePlanModifier has already reverted).
		resp.Diagnostics.Append(resp.Plan.Set(ctx, state)...)
		return
	}

	if state == nil {
		// The platform creates users invited, with no login and no second
		// factor.
		plan.TwoFactorEnabled = types.BoolValue(false)
		plan.LastLoginAt = types.StringNull()
	} else {
		plan.TwoFactorEnabled = types.BoolUnknown()
		plan.LastLoginAt = types.StringUnknown()
	}
	plan.Status = plannedUserStatus(plan.Disabled, state)

	if roleAssigned(plan, state) {
		r.checkRoleAtPlan(ctx, plan, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// userInputsDiffer reports whether the plan would write anything.
func userInputsDiffer(plan, state userModel) bool {
	return !plan.Email.Equal(state.Email) || !plan.DisplayName.Equal(state.DisplayName) ||
		!plan.RoleID.Equal(state.RoleID) || !plan.Disabled.Equal(state.Disabled)
}

// plannedUserStatus is the status the platform will report after the write,
// or unknown when that depends on what the user does before the apply.
func plannedUserStatus(disabled types.Bool, state *userModel) types.String {
	switch {
	case disabled.IsUnknown():
		return types.StringUnknown()
	case disabled.ValueBool():
		return types.StringValue(string(access.UserDisabled))
	case state == nil:
		return types.StringValue(string(access.UserInvited)) // nobody has logged in to a user that does not exist yet
	case !state.LastLoginAt.IsNull():
		return types.StringValue(string(access.UserActive)) // a login is never undone
	default:
		return types.StringUnknown() // invited now, active if the user logs in before the apply
	}
}

// roleAssigned reports whether the plan gives the user a role it does not
// hold yet, and the role is known.
func roleAssigned(plan userModel, state *userModel) bool {
	if plan.RoleID.IsUnknown() || plan.RoleID.IsNull() {
		return false
	}
	return state == nil || !plan.RoleID.Equal(state.RoleID)
}

// checkRoleAtPlan fails the plan when the assigned role does not exist (the
// platform would refuse it at apply), and warns when it is Full Admin.
func (r *userResource) checkRoleAtPlan(ctx context.Context, plan userModel, diags *diag.Diagnostics) {
	roleID := plan.RoleID.ValueString()
	if roleID == access.FullAdminRoleID {
		diags.AddAttributeWarning(path.Root("role_id"), "User will hold the Full Admin role", fmt.Sprintf(
			"%s will hold the %q system role, which grants every permission, personal data and data exports included. "+
				"Prefer a custom engage_role with only the permissions this user needs.",
			describeUser(plan.Email), access.FullAdminRoleName))
		return
	}
	if r.data == nil {
		return // the provider is not configured yet
	}
	_, err := r.data.service.GetRole(ctx, roleID)
	if errors.Is(err, access.ErrNotFound) {
		diags.AddAttributeError(path.Root("role_id"), "Role not found", fmt.Sprintf(
			"No role has the id %q. Use the id of an engage_role resource, or of a system role from the engage_role data source.", roleID))
		return
	}
	if err != nil {
		addServiceError(diags, "Unable to check the user's role", err)
	}
}

// describeUser names a user in a message by email, when it is known.
func describeUser(email emailValue) string {
	if email.IsNull() || email.IsUnknown() {
		return "The user (whose email is known only after apply)"
	}
	return fmt.Sprintf("The user %q", email.ValueString())
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := createOrAdopt(ctx, userFromModel(plan), r.data.service.CreateUser, userAdoption(r.data.service), &resp.Diagnostics)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to create user", err)
		return
	}
	plan.setFrom(created)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, created.Version, &resp.Diagnostics)
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	user, err := r.data.service.GetUser(ctx, state.ID.ValueString())
	if errors.Is(err, access.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read user", err)
		return
	}
	state.setFrom(user)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	saveVersion(ctx, resp.Private, user.Version, &resp.Diagnostics)
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := userFromModel(plan)
	in.ID = state.ID.ValueString()
	in.Version = lastVersion(ctx, req.Private, &resp.Diagnostics)
	updated, err := r.data.service.UpdateUser(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update user", err)
		return
	}
	plan.setFrom(updated)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, updated.Version, &resp.Diagnostics)
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.service.DeleteUser(ctx, state.ID.ValueString(), 0)
	if err != nil && !errors.Is(err, access.ErrNotFound) {
		addServiceError(&resp.Diagnostics, "Unable to delete user", err)
	}
}

// ImportState accepts a user id, or an email address (anything containing
// '@"), matched regardless of case.
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var (
		user access.User
		err  error
	)
	if strings.Contains(req.ID, "@") {
		user, err = r.data.service.GetUserByEmail(ctx, req.ID)
	} else {
		user, err = r.data.service.GetUser(ctx, req.ID)
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to import user", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), user.ID)...)
}

// userFromModel maps the configured fields to the service's input.
func userFromModel(m userModel) access.User {
	return access.User{
		ID:          m.ID.ValueString(),
		Email:       m.Email.ValueString(),
		DisplayName: m.DisplayName.ValueString(),
		RoleID:      m.RoleID.ValueString(),
		Disabled:    m.Disabled.ValueBool(),
	}
}

// setFrom copies what the platform returned into the model.
func (m *userModel) setFrom(u access.User) {
	m.ID = types.StringValue(u.ID)
	m.Email = emailValueOf(u.Email)
	m.DisplayName = types.StringValue(u.DisplayName)
	m.RoleID = types.StringValue(u.RoleID)
	m.Disabled = types.BoolValue(u.Disabled)
	m.Status = types.StringValue(string(u.Status))
	m.TwoFactorEnabled = types.BoolValue(u.TwoFactorEnabled)
	m.LastLoginAt = types.StringNull()
	if u.LastLoginAt != nil {
		m.LastLoginAt = types.StringValue(formatTime(*u.LastLoginAt))
	}
	m.CreatedAt = types.StringValue(formatTime(u.CreatedAt))
}
