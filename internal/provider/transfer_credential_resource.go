package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ planAdjuster[transferCredentialModel] = transferCredentialKind{}

// NewTransferCredentialResource is the engage_transfer_credential resource.
func NewTransferCredentialResource() resource.Resource { return newManaged(transferCredentialKind{}) }

type transferCredentialKind struct{}

// transferCredentialModel has no field for the secret's value on purpose:
// secret_wo is write-only, read from the configuration only when it is sent,
// so no code path can copy it into plan or state.
type transferCredentialModel struct {
	ID              types.String     `tfsdk:"id"`
	Name            types.String     `tfsdk:"name"`
	Username        types.String     `tfsdk:"username"`
	SecretWO        types.String     `tfsdk:"secret_wo"`
	SecretWOVersion wholeNumberValue `tfsdk:"secret_wo_version"`
	Reference       types.String     `tfsdk:"reference"`
	CreatedAt       types.String     `tfsdk:"created_at"`
	RotatedAt       types.String     `tfsdk:"rotated_at"`
}

func (transferCredentialKind) typeName() string { return "transfer_credential" }
func (transferCredentialKind) noun() string     { return "transfer credential" }

func (transferCredentialKind) schema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A username and secret that export destinations use to deliver data. The platform " +
			"substitutes the secret for `reference` during a transfer, so the secret never appears in export " +
			"settings. The secret is **write-only** (Terraform 1.11 or later): it is sent to the platform and " +
			"never stored in state or shown in plans. Change `secret_wo_version` to rotate it. An imported " +
			"credential keeps the secret the platform holds: its configuration (including the one " +
			"`terraform plan -generate-config-out` writes, `secret_wo = null`) may leave `secret_wo` out until " +
			"you set `secret_wo` and `secret_wo_version` to take the secret over.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("credential"),
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the credential, 1-64 letters, digits, `_` or `-`, unique regardless of case. It forms `reference`.",
				Required:            true,
				Validators: []validator.String{
					platformCheck{description: "credential name", check: access.CheckCredentialName},
				},
			},
			"username": nameAttribute("user name to log in with at the destination", false, nameCheck),
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
				MarkdownDescription: "Any whole number; change it to send `secret_wo` again and rotate the secret. " +
					"Terraform cannot see changes to a write-only value, so this is how a rotation is planned.",
				CustomType: wholeNumberType{},
				Optional:   true,
			},
			"reference": schema.StringAttribute{
				MarkdownDescription: "Placeholder the platform replaces with the secret during a transfer, e.g. `{{credential.sftp_prod}}`. Known at plan time.",
				Computed:            true,
			},
			"created_at": createdAtAttribute("credential"),
			"rotated_at": schema.StringAttribute{
				MarkdownDescription: "When the secret was last set (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

// adjustPlan shows the placeholder at plan time, keeps rotated_at unless
// this plan rotates the secret, and fails a plan that would send a secret
// it does not have.
func (transferCredentialKind) adjustPlan(ctx context.Context, _ *providerData, config tfsdk.Config, plan, state *transferCredentialModel, diags *diag.Diagnostics) {
	if plan == nil {
		return // destroy
	}
	if !plan.Name.IsUnknown() {
		plan.Reference = types.StringValue(access.CredentialReference(plan.Name.ValueString()))
	}
	if state != nil && state.SecretWOVersion.Equal(plan.SecretWOVersion) {
		plan.RotatedAt = state.RotatedAt
		return
	}
	requireSecretAtPlan(ctx, config, state == nil, diags)
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

func (transferCredentialKind) toObject(_ context.Context, m transferCredentialModel, _ *diag.Diagnostics) access.TransferCredential {
	return access.TransferCredential{Name: m.Name.ValueString(), Username: m.Username.ValueString()}
}

func (transferCredentialKind) fromObject(_ context.Context, m *transferCredentialModel, c access.TransferCredential, _ *diag.Diagnostics) {
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.Username = types.StringValue(c.Username)
	m.SecretWO = types.StringNull() // write-only: never in state
	m.Reference = types.StringValue(c.Reference)
	m.CreatedAt = types.StringValue(formatTime(c.CreatedAt))
	m.RotatedAt = types.StringValue(formatTime(c.RotatedAt))
}

func (transferCredentialKind) version(c access.TransferCredential) access.Version { return c.Version }

func (transferCredentialKind) identity() objectIdentity {
	return platformIDIdentity("transfer credential")
}

func (transferCredentialKind) read(ctx context.Context, svc access.Service, state transferCredentialModel) (access.TransferCredential, error) {
	return svc.GetTransferCredential(ctx, state.ID.ValueString())
}

func (transferCredentialKind) create(ctx context.Context, w write[transferCredentialModel], c access.TransferCredential) (access.TransferCredential, error) {
	secret, err := configuredSecret(ctx, w.config)
	if err != nil {
		return c, err
	}
	c.Secret = secret
	return w.data.service.CreateTransferCredential(ctx, c)
}

// update sends the secret only when secret_wo_version says so; otherwise
// the platform keeps the one it has.
func (transferCredentialKind) update(ctx context.Context, w write[transferCredentialModel], c access.TransferCredential) (access.TransferCredential, error) {
	c.ID, c.Version = w.state.ID.ValueString(), w.version
	if !w.plan.SecretWOVersion.Equal(w.state.SecretWOVersion) {
		secret, err := configuredSecret(ctx, w.config)
		if err != nil {
			return c, err
		}
		c.Secret = secret
	}
	return w.data.service.UpdateTransferCredential(ctx, c)
}

func (transferCredentialKind) delete(ctx context.Context, data *providerData, state transferCredentialModel) error {
	return data.service.DeleteTransferCredential(ctx, state.ID.ValueString(), 0)
}

func (transferCredentialKind) holder(ctx context.Context, svc access.Service, c access.TransferCredential) (keyHolder, error) {
	return credentialsByName.holder(ctx, svc, c.Name)
}

func (transferCredentialKind) importer() importForms[access.TransferCredential] {
	return credentialsByName.importer()
}

var credentialsByName = namedObjects[access.TransferCredential]{
	noun: "credential",
	byID: func(ctx context.Context, svc access.Service, id string) (access.TransferCredential, error) {
		return svc.GetTransferCredential(ctx, id)
	},
	byName: func(ctx context.Context, svc access.Service, name string) (access.TransferCredential, error) {
		return findByName(ctx, "transfer credential", name, svc.ListTransferCredentials,
			func(c access.TransferCredential) string { return c.Name })
	},
	facts: func(c access.TransferCredential) (string, string, time.Time) { return c.ID, c.Name, c.CreatedAt },
}

// errMissingSecret is a write that needs secret_wo without one known.
var errMissingSecret = &access.ValidationError{Kind: "transfer credential", Fields: []access.FieldError{{
	Field: "secret_wo", Message: "must be known when the credential is created or its secret_wo_version changes",
}}}

// configuredSecret reads secret_wo from the configuration, the only place a
// write-only value exists.
func configuredSecret(ctx context.Context, config tfsdk.Config) (string, error) {
	var secret types.String
	if diags := config.GetAttribute(ctx, path.Root("secret_wo"), &secret); diags.HasError() {
		// Not the diagnostics' text: a conversion error may quote the value.
		return "", errors.New("unable to read secret_wo from the configuration")
	}
	if secret.IsNull() || secret.IsUnknown() {
		return "", errMissingSecret
	}
	return secret.ValueString(), nil
}
