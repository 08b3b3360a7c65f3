package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ action.ActionWithConfigure  = (*revokeSessionsAction)(nil)
	_ action.ActionWithModifyPlan = (*revokeSessionsAction)(nil)
)

// NewRevokeSessionsAction is the engage_revoke_sessions action.
func NewRevokeSessionsAction() action.Action { return &revokeSessionsAction{} }

// revokeSessionsAction ends every open console session of a user: an
// operation, not configuration, so an action rather than a resource. Changing
// a user's role or disabling it applies to new logins; the sessions already
// open keep what they had until they time out, unless this ends them.
type revokeSessionsAction struct {
	data *providerData
}

type revokeSessionsModel struct {
	UserID types.String `tfsdk:"user_id"`
}

func (a *revokeSessionsAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_revoke_sessions"
}

func (a *revokeSessionsAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Ends every open console session of a user, so that the user must log in again: a new role or " +
			"`disabled = true` then applies at once instead of when the sessions time out. Run it with " +
			"`terraform apply -invoke=action.engage_revoke_sessions.<name>`, or from an `action_trigger` in a resource's " +
			"`lifecycle` block after the user's role or `disabled` changes. The user itself does not change, so the next " +
			"plan shows nothing. Needs Terraform 1.14 or later; OpenTofu does not support actions.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: "Id of the user whose sessions to end: an `engage_user` resource's `id`, or the `engage_user` " +
					"data source's for a user managed elsewhere. The user must exist; a user with no open session is not an error.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func (a *revokeSessionsAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses an unknown user at plan time when the id is known then,
// so `terraform plan -invoke` says what `apply` would. An id known only after
// apply (a user created by the same run) is checked when the action runs.
func (a *revokeSessionsAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.data == nil {
		return // the provider is not configured yet
	}
	var m revokeSessionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.UserID.IsUnknown() || m.UserID.IsNull() {
		return
	}
	id := m.UserID.ValueString()
	_, err := a.data.service.GetUser(ctx, id)
	if errors.Is(err, access.ErrNotFound) {
		addUserNotFound(&resp.Diagnostics, "Unable to plan revoking the user's sessions", id)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to check the user whose sessions to revoke", err)
	}
}

func (a *revokeSessionsAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	if a.data == nil {
		resp.Diagnostics.AddError("Provider not configured",
			"The engage provider was not configured before the action ran. This is a bug in the provider; please report it.")
		return
	}
	var m revokeSessionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.UserID.ValueString()
	n, err := a.data.service.RevokeUserSessions(ctx, id)
	if errors.Is(err, access.ErrNotFound) {
		addUserNotFound(&resp.Diagnostics, "Unable to revoke the user's sessions", id)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to revoke the sessions of user "+id, err)
		return
	}
	resp.SendProgress(action.InvokeProgressEvent{Message: revokedMessage(id, n)})
}

// revokedMessage is the progress line Terraform prints for a revocation.
func revokedMessage(id string, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("User %s had no open session; nothing to revoke.", id)
	case 1:
		return fmt.Sprintf("Revoked 1 session of user %s; the user must log in again.", id)
	default:
		return fmt.Sprintf("Revoked %d sessions of user %s; the user must log in again.", n, id)
	}
}

// addUserNotFound explains an unknown user_id and the two ways to a right one.
func addUserNotFound(diags *diag.Diagnostics, summary, id string) {
	diags.AddAttributeError(path.Root("user_id"), summary, fmt.Sprintf(
		"No user has the id %q: it was deleted, or the id is mistyped. Use the id of an engage_user resource "+
			"(engage_user.<name>.id), or look the user up by email with the engage_user data source "+
			"(data.engage_user.<name>.id).", id))
}
