package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ planAdjuster[userModel] = userKind{}

// NewUserResource is the engage_user resource.
func NewUserResource() resource.Resource { return newManaged(userKind{}) }

type userKind struct{}

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

func (userKind) typeName() string { return "user" }
func (userKind) noun() string     { return "user" }

func (userKind) schema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A console user: an email address that logs in with one role. Terraform creates users " +
			"as `invited`; they become `active` at their first login. Set `disabled` to revoke access without " +
			"deleting the user. Assigning the \"Full Admin\" system role plans with a warning.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("user"),
			"email": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Email address the user logs in with: a bare address such as `ada@example.com`, "+
					"at most %d characters, unique in the account regardless of case. Changing only its letter case is not a change.",
					access.MaxEmailLength),
				CustomType:    emailType{},
				Required:      true,
				Validators:    []validator.String{platformCheck{description: "email address", check: access.CheckEmail}},
				PlanModifiers: []planmodifier.String{emailCasePlanModifier{}},
			},
			"display_name": nameAttribute("name the console shows for the user", false, nameCheck),
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
			"created_at": createdAtAttribute("user"),
		},
	}
}

// adjustPlan shows what the platform will report, checks a role known at
// plan time, and warns when a user is given Full Admin.
//
// status, two_factor_enabled and last_login_at change when the user acts in
// the console, not when Terraform writes: an update plans what the refresh
// read, and a change of disabled plans the status it sets. Should the user
// log in between plan and apply, the apply keeps the planned values (see
// update) and the next refresh reports the login.
func (k userKind) adjustPlan(ctx context.Context, data *providerData, _ tfsdk.Config, plan, state *userModel, diags *diag.Diagnostics) {
	if plan == nil {
		return // destroy
	}
	if state != nil && !userInputsDiffer(*plan, *state) {
		// Nothing to write, so nothing may change: the plan is the state.
		// This also undoes the unknowns the framework planned when the
		// configuration differed from state only in the email's letter
		// case (which emailCasePlanModifier has already reverted).
		*plan = *state
		return
	}
	if state == nil {
		// The platform creates users invited, with no login and no second
		// factor.
		plan.TwoFactorEnabled = types.BoolValue(false)
		plan.LastLoginAt = types.StringNull()
	} else {
		plan.TwoFactorEnabled = state.TwoFactorEnabled
		plan.LastLoginAt = state.LastLoginAt
	}
	plan.Status = plannedUserStatus(plan.Disabled, plan.LastLoginAt)
	if roleAssigned(*plan, state) {
		checkRoleAtPlan(ctx, data, *plan, diags)
	}
}

// userInputsDiffer reports whether the plan would write anything.
func userInputsDiffer(plan, state userModel) bool {
	return !plan.Email.Equal(state.Email) || !plan.DisplayName.Equal(state.DisplayName) ||
		!plan.RoleID.Equal(state.RoleID) || !plan.Disabled.Equal(state.Disabled)
}

// plannedUserStatus is the status the platform reports after a write of
// disabled, for a user whose last login is lastLogin: disabled while
// disabled, active once logged in, invited before.
func plannedUserStatus(disabled types.Bool, lastLogin types.String) types.String {
	switch {
	case disabled.IsUnknown():
		return types.StringUnknown()
	case disabled.ValueBool():
		return types.StringValue(string(access.UserDisabled))
	case !lastLogin.IsNull():
		return types.StringValue(string(access.UserActive)) // a login is never undone
	default:
		return types.StringValue(string(access.UserInvited))
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
func checkRoleAtPlan(ctx context.Context, data *providerData, plan userModel, diags *diag.Diagnostics) {
	roleID := plan.RoleID.ValueString()
	if roleID == access.FullAdminRoleID {
		diags.AddAttributeWarning(path.Root("role_id"), "User will hold the Full Admin role", fmt.Sprintf(
			"%s will hold the %q system role, which grants every permission, personal data and data exports included. "+
				"Prefer a custom engage_role with only the permissions this user needs.",
			describeUser(plan.Email), access.FullAdminRoleName))
		return
	}
	if data == nil {
		return // the provider is not configured yet
	}
	_, err := data.service.GetRole(ctx, roleID)
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

func (userKind) toObject(_ context.Context, m userModel, _ *diag.Diagnostics) access.User {
	return access.User{
		Email:       m.Email.ValueString(),
		DisplayName: m.DisplayName.ValueString(),
		RoleID:      m.RoleID.ValueString(),
		Disabled:    m.Disabled.ValueBool(),
	}
}

func (userKind) fromObject(_ context.Context, m *userModel, u access.User, _ *diag.Diagnostics) {
	m.setFrom(u)
}

func (userKind) version(u access.User) access.Version { return u.Version }

func (userKind) identity() objectIdentity { return platformIDIdentity("user") }

func (userKind) read(ctx context.Context, svc access.Service, state userModel) (access.User, error) {
	return svc.GetUser(ctx, state.ID.ValueString())
}

func (userKind) create(ctx context.Context, w write[userModel], u access.User) (access.User, error) {
	return w.data.service.CreateUser(ctx, u)
}

// update keeps the planned status, two_factor_enabled and last_login_at when
// the platform reports others: the user logged in between plan and apply,
// which the write did not cause and the next refresh reports.
func (userKind) update(ctx context.Context, w write[userModel], u access.User) (access.User, error) {
	u.ID, u.Version = w.state.ID.ValueString(), w.version
	updated, err := w.data.service.UpdateUser(ctx, u)
	if err != nil {
		return updated, err
	}
	if p := w.plan; !p.Status.IsUnknown() && !p.LastLoginAt.IsUnknown() && !p.TwoFactorEnabled.IsUnknown() {
		updated.Status = access.UserStatus(p.Status.ValueString())
		updated.TwoFactorEnabled = p.TwoFactorEnabled.ValueBool()
		updated.LastLoginAt = nil
		if !p.LastLoginAt.IsNull() {
			t, err := time.Parse(time.RFC3339, p.LastLoginAt.ValueString())
			if err != nil {
				return updated, fmt.Errorf("reading the planned last_login_at: %w", err)
			}
			updated.LastLoginAt = &t
		}
	}
	return updated, nil
}

func (userKind) delete(ctx context.Context, data *providerData, state userModel) error {
	return data.service.DeleteUser(ctx, state.ID.ValueString(), 0)
}

func (userKind) holder(ctx context.Context, svc access.Service, u access.User) (keyHolder, error) {
	got, err := svc.GetUserByEmail(ctx, u.Email)
	if err != nil {
		return keyHolder{}, err
	}
	return keyHolder{
		attr: path.Root("email"), key: fmt.Sprintf("with the email %q", got.Email),
		id: got.ID, keyImportID: got.Email, createdAt: got.CreatedAt,
	}, nil
}

// importer accepts a user id, or an email address (anything containing
// '@'), matched regardless of case.
func (userKind) importer() importForms[access.User] {
	return importForms[access.User]{
		byID: func(ctx context.Context, svc access.Service, id string) (access.User, error) {
			return svc.GetUser(ctx, id)
		},
		parseKey: func(importID string) (string, bool) { return importID, strings.Contains(importID, "@") },
		byKey: func(ctx context.Context, svc access.Service, email string) (access.User, error) {
			return svc.GetUserByEmail(ctx, email)
		},
		forms: "a user id, or the user's email address (such as ada@example.com)",
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
