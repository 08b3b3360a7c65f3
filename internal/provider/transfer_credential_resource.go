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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ resource.ResourceWithConfigure   = (*transferCredentialResource)(nil)
	_ resource.ResourceWithImportState = (*transferCredentialResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*transferCredentialResource)(nil)
)

// NewTransferCredentialResource is the engage_transfer_credential resource.
func NewTransferCredentialResource() resource.Resource { return &transferCredentialResource{} }

type transferCredentialResource struct {
	data *providerData
}

// transferCredentialModel has no field for the secret's value on purpose:
// secret_wo is write-only, read from the configuration only when it is sent,
// so no code path can copy it into plan or state.
type transferCredentialModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Username        types.String `tfsdk:"username"`
	SecretWO        types.String `tfsdk:"secret_wo"`
	SecretWOVersion types.Int64  `tfsdk:"secret_wo_version"`
	Reference       types.String `tfsdk:"reference"`
	CreatedAt       types.String `tfsdk:"created_at"`
	RotatedAt       types.String `tfsdk:"rotated_at"`
}

func (r *transferCredentialResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_transfer_credential"
}

func (r *transferCredentialResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A username and secret that export destinations use to deliver data. The platform " +
			"substitutes the secret for `reference` during a transfer, so the secret never appears in export " +
			"settings. The secret is **write-only** (Terraform 1.11 or later): it is sent to the platform and " +
			"never stored in state or shown in plans. Change `secret_wo_version` to rotate it. An imported " +
			"credential keeps the secret the platform holds: its configuration (including the one " +
			"`terraform plan -generate-config-out` writes, `secret_wo = null`) may leave `secret_wo` out until " +
			"you set `secret_wo` and `secret_wo_version` to take the secret over.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier the platform assigned to the credential.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the credential, 1-64 letters, digits, `_` or `-`, unique regardless of case. It forms `reference`.",
				Required:            true,
				Validators: []validator.String{
					platformCheck{description: "credential name", check: access.CheckCredentialName},
				},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("User name to log in with at the destination, 1-%d characters.", access.MaxNameLength),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, access.MaxNameLength),
					stringvalidator.RegexMatches(trimmedName, "must not start or end with white space"),
				},
			},
			"secret_wo": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The secret (password or private key), at most %d bytes. Write-only: "+
					"never stored in state; sent on create and whenever `secret_wo_version` changes, so required then "+
					"(a plan without it fails) and optional otherwise.", access.MaxSecretLength),
				// Optional, not Required: the configuration Terraform generates
				// for an imported credential cannot know the secret.
				Optional:   true,
				WriteOnly:  true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, access.MaxSecretLength)},
			},
			"secret_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; change it to send `secret_wo` again and rotate the secret. " +
					"Terraform cannot see changes to a write-only value, so this is how a rotation is planned.",
				Optional: true,
			},
			"reference": schema.StringAttribute{
				MarkdownDescription: "Placeholder the platform replaces with the secret during a transfer, e.g. `{{credential.sftp_prod}}`. Known at plan time.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the credential was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"rotated_at": schema.StringAttribute{
				MarkdownDescription: "When the secret was last set (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (r *transferCredentialResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan shows the placeholder at plan time, keeps rotated_at unless
// this plan rotates the secret, and fails a plan that would send a secret
// it does not have.
func (r *transferCredentialResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan transferCredentialModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Name.IsUnknown() {
		plan.Reference = types.StringValue(access.CredentialReference(plan.Name.ValueString()))
	}
	creating := req.State.Raw.IsNull()
	sendsSecret := creating
	if !creating {
		var state transferCredentialModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if state.SecretWOVersion.Equal(plan.SecretWOVersion) {
			plan.RotatedAt = state.RotatedAt
		} else {
			sendsSecret = true
		}
	}
	if sendsSecret {
		requireSecretAtPlan(ctx, req.Config, creating, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// requireSecretAtPlan fails the plan when it would send secret_wo and the
// configuration has none; a value known only at apply is checked then
// (configuredSecret).
func requireSecretAtPlan(ctx context.Context, config tfsdk.Config, creating bool, diags *diag.Diagnostics) {
	var secret types.String
	diags.Append(config.GetAttribute(ctx, path.Root("secret_wo"), &secret)...)
	if diags.HasError() || !secret.IsNull() {
		return
	}
	detail := "secret_wo_version changed, which sends secret_wo to rotate the secret, but secret_wo is not set."
	if creating {
		detail = "secret_wo is required to create a transfer credential. An imported credential keeps the secret " +
			"the platform holds, so its configuration may leave secret_wo out until the secret is rotated."
	}
	diags.AddAttributeError(path.Root("secret_wo"), "Missing secret", detail)
}

func (r *transferCredentialResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan transferCredentialModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := credentialFromModel(plan)
	in.Secret = configuredSecret(ctx, req.Config.GetAttribute, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := r.data.service.CreateTransferCredential(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to create transfer credential", err)
		return
	}
	plan.setFrom(created)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, created.Version, &resp.Diagnostics)
}

func (r *transferCredentialResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state transferCredentialModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := r.data.service.GetTransferCredential(ctx, state.ID.ValueString())
	if errors.Is(err, access.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read transfer credential", err)
		return
	}
	state.setFrom(c)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	saveVersion(ctx, resp.Private, c.Version, &resp.Diagnostics)
}

func (r *transferCredentialResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state transferCredentialModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := credentialFromModel(plan)
	in.ID = state.ID.ValueString()
	// The secret goes out only when the version says so; otherwise the
	// platform keeps the one it has.
	if !plan.SecretWOVersion.Equal(state.SecretWOVersion) {
		in.Secret = configuredSecret(ctx, req.Config.GetAttribute, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	in.Version = lastVersion(ctx, req.Private, &resp.Diagnostics)
	updated, err := r.data.service.UpdateTransferCredential(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update transfer credential", err)
		return
	}
	plan.setFrom(updated)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, updated.Version, &resp.Diagnostics)
}

func (r *transferCredentialResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state transferCredentialModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.service.DeleteTransferCredential(ctx, state.ID.ValueString(), 0)
	if err != nil && !errors.Is(err, access.ErrNotFound) {
		addServiceError(&resp.Diagnostics, "Unable to delete transfer credential", err)
	}
}

// ImportState accepts a credential id, or `name:<credential name>`.
func (r *transferCredentialResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if name, ok := strings.CutPrefix(req.ID, importNamePrefix); ok {
		c, err := findByName(ctx, "transfer credential", name, r.data.service.ListTransferCredentials,
			func(c access.TransferCredential) string { return c.Name })
		if err != nil {
			addServiceError(&resp.Diagnostics, "Unable to import transfer credential", err)
			return
		}
		id = c.ID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// configuredSecret reads secret_wo from the configuration, the only place a
// write-only value exists.
func configuredSecret(ctx context.Context, get func(context.Context, path.Path, any) diag.Diagnostics, diags *diag.Diagnostics) string {
	var secret types.String
	diags.Append(get(ctx, path.Root("secret_wo"), &secret)...)
	if !diags.HasError() && (secret.IsNull() || secret.IsUnknown()) {
		diags.AddAttributeError(path.Root("secret_wo"), "Missing secret",
			"secret_wo must be known when the credential is created or its secret_wo_version changes.")
	}
	return secret.ValueString()
}

func credentialFromModel(m transferCredentialModel) access.TransferCredential {
	return access.TransferCredential{
		ID:       m.ID.ValueString(),
		Name:     m.Name.ValueString(),
		Username: m.Username.ValueString(),
	}
}

func (m *transferCredentialModel) setFrom(c access.TransferCredential) {
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.Username = types.StringValue(c.Username)
	m.SecretWO = types.StringNull() // write-only: never in state
	m.Reference = types.StringValue(c.Reference)
	m.CreatedAt = types.StringValue(formatTime(c.CreatedAt))
	m.RotatedAt = types.StringValue(formatTime(c.RotatedAt))
}
