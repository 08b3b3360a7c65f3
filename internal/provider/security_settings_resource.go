package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ resource.ResourceWithConfigure      = (*securitySettingsResource)(nil)
	_ resource.ResourceWithImportState    = (*securitySettingsResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*securitySettingsResource)(nil)
	_ resource.ResourceWithValidateConfig = (*securitySettingsResource)(nil)
)

// NewSecuritySettingsResource is the engage_security_settings resource.
func NewSecuritySettingsResource() resource.Resource { return &securitySettingsResource{} }

type securitySettingsResource struct {
	data *providerData
}

type securitySettingsModel struct {
	ID                       types.String `tfsdk:"id"`
	RequireTwoFactor         types.Bool   `tfsdk:"require_two_factor"`
	SessionTimeoutMinutes    types.Int64  `tfsdk:"session_timeout_minutes"`
	SSO                      types.Object `tfsdk:"sso"`
	CampaignApprovalRequired types.Bool   `tfsdk:"campaign_approval_required"`
}

// ssoModel is the sso attribute. The platform's "not set" (an empty string)
// is null here, so that an IdP field left out of the configuration stays out
// of state.
type ssoModel struct {
	Enabled                 types.Bool   `tfsdk:"enabled"`
	IdPEntityID             types.String `tfsdk:"idp_entity_id"`
	IdPSSOURL               types.String `tfsdk:"idp_sso_url"`
	IdPCertificatePEM       types.String `tfsdk:"idp_certificate_pem"`
	IdPCertificateExpiresAt types.String `tfsdk:"idp_certificate_expires_at"`
	Enforce                 types.Bool   `tfsdk:"enforce"`
}

var ssoAttrTypes = map[string]attr.Type{
	"enabled":                    types.BoolType,
	"idp_entity_id":              types.StringType,
	"idp_sso_url":                types.StringType,
	"idp_certificate_pem":        types.StringType,
	"idp_certificate_expires_at": types.StringType,
	"enforce":                    types.BoolType,
}

// ssoOff is the sso value when the configuration leaves it out: SSO off and
// no IdP. It is exactly what the platform's defaults read back as, so an
// omitted sso round-trips without a diff.
var ssoOff = types.ObjectValueMust(ssoAttrTypes, map[string]attr.Value{
	"enabled":                    types.BoolValue(false),
	"idp_entity_id":              types.StringNull(),
	"idp_sso_url":                types.StringNull(),
	"idp_certificate_pem":        types.StringNull(),
	"idp_certificate_expires_at": types.StringNull(),
	"enforce":                    types.BoolValue(false),
})

var (
	ssoPath            = path.Root("sso")
	ssoCertificatePath = ssoPath.AtName("idp_certificate_pem")
	ssoCertExpiresPath = ssoPath.AtName("idp_certificate_expires_at")
)

func (r *securitySettingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_security_settings"
}

// Schema keeps every configurable attribute either Optional with a default
// or Optional without Computed (the IdP strings, null when unset). So an
// omitted attribute plans its default, and `terraform plan
// -generate-config-out` writes a configuration that plans no change.
func (r *securitySettingsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The account's security settings: two-factor authentication, session timeout, " +
			"SAML single sign-on and campaign approval. A singleton: declare it at most once per account. " +
			"Creating the resource writes the configured settings over the account's current ones " +
			"(attributes left out get the platform defaults); destroying it resets the platform defaults.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Always `" + access.SecuritySettingsID + "`: there is one set of security settings per account.",
				Computed:            true,
				Default:             stringdefault.StaticString(access.SecuritySettingsID),
			},
			"require_two_factor": schema.BoolAttribute{
				MarkdownDescription: "Whether every user must set up two-factor authentication to sign in. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"session_timeout_minutes": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Minutes of inactivity after which a console session ends, %d-%d (one week). Defaults to `%d` (one day), the platform default.",
					access.MinSessionTimeoutMinutes, access.MaxSessionTimeoutMinutes, access.DefaultSessionTimeoutMinutes),
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(access.DefaultSessionTimeoutMinutes),
				Validators: []validator.Int64{
					int64validator.Between(access.MinSessionTimeoutMinutes, access.MaxSessionTimeoutMinutes),
				},
			},
			"sso": schema.SingleNestedAttribute{
				MarkdownDescription: "SAML single sign-on through the account's identity provider (IdP). " +
					"Leaving it out means SSO off and no IdP configured.",
				Optional: true,
				Computed: true,
				Default:  objectdefault.StaticValue(ssoOff),
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{
						MarkdownDescription: "Whether users may sign in through the IdP; needs `idp_entity_id`, `idp_sso_url` and `idp_certificate_pem`. Defaults to `false`.",
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(false),
					},
					"idp_entity_id": schema.StringAttribute{
						MarkdownDescription: "The IdP's SAML entity ID (issuer); required when `enabled` is `true`, not set by default.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"idp_sso_url": schema.StringAttribute{
						MarkdownDescription: "The IdP's single sign-on URL, which must be `https://`; required when `enabled` is `true`, not set by default.",
						Optional:            true,
						Validators: []validator.String{
							platformCheck{description: "IdP SSO URL", check: access.CheckHTTPSURL},
						},
					},
					"idp_certificate_pem": schema.StringAttribute{
						MarkdownDescription: "The IdP's signing certificate, one PEM-encoded X.509 certificate (a heredoc keeps it readable); " +
							"required when `enabled` is `true`, and must not have expired when `enforce` is `true`; not set by default.",
						Optional: true,
						Validators: []validator.String{
							platformCheck{description: "IdP certificate", check: checkCertificatePEM},
						},
					},
					"idp_certificate_expires_at": schema.StringAttribute{
						MarkdownDescription: "When `idp_certificate_pem` expires (RFC 3339, UTC), read from the certificate; known at plan time, null without a certificate.",
						Computed:            true,
					},
					"enforce": schema.BoolAttribute{
						MarkdownDescription: "Whether SSO is the only way to sign in (password logins off); needs `enabled` and an unexpired certificate. Defaults to `false`.",
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(false),
					},
				},
			},
			"campaign_approval_required": schema.BoolAttribute{
				MarkdownDescription: "Whether a campaign needs a second user's approval before it is published. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
		},
	}
}

func (r *securitySettingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks at plan time the SSO rules that span attributes,
// with the platform's wording, wherever the values are known. The platform
// checks them again on apply. Defaults are not applied yet here: an unset
// flag is null, which means false.
func (r *securitySettingsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var sso types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, ssoPath, &sso)...)
	if resp.Diagnostics.HasError() || sso.IsNull() || sso.IsUnknown() {
		return
	}
	var m ssoModel
	resp.Diagnostics.Append(sso.As(ctx, &m, objectAsOptions)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Enabled.ValueBool() {
		for _, idp := range []struct {
			name  string
			value types.String
		}{
			{"idp_entity_id", m.IdPEntityID},
			{"idp_sso_url", m.IdPSSOURL},
			{"idp_certificate_pem", m.IdPCertificatePEM},
		} {
			if idp.value.IsNull() {
				resp.Diagnostics.AddAttributeError(ssoPath.AtName(idp.name), "Incomplete SSO configuration",
					fmt.Sprintf("Attribute sso.%s %s.", idp.name, access.SSORequiredMessage))
			}
		}
	}
	if m.Enforce.ValueBool() && !m.Enabled.IsUnknown() && !m.Enabled.ValueBool() {
		resp.Diagnostics.AddAttributeError(ssoPath.AtName("enforce"), "Invalid SSO configuration",
			fmt.Sprintf("Attribute sso.enforce %s.", access.SSOEnforceMessage))
	}
	if notAfter, ok := certificateNotAfter(m.IdPCertificatePEM); ok && time.Now().After(notAfter) {
		switch {
		case m.Enforce.ValueBool():
			resp.Diagnostics.AddAttributeError(ssoCertificatePath, "Expired IdP certificate",
				fmt.Sprintf("Attribute sso.idp_certificate_pem %s.", access.ExpiredCertificateMessage(notAfter)))
		case m.Enabled.ValueBool():
			resp.Diagnostics.AddAttributeWarning(ssoCertificatePath, "Expired IdP certificate",
				fmt.Sprintf("Attribute sso.idp_certificate_pem expired on %s: SSO sign-ins will fail until the certificate is replaced.",
					formatTime(notAfter)))
		}
	}
}

// ModifyPlan makes idp_certificate_expires_at known at plan time, so a plan
// review sees when a new certificate runs out, and warns that a destroy
// resets the platform defaults rather than deleting anything.
func (r *securitySettingsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		resp.Diagnostics.AddWarning("Security settings reset to the platform defaults",
			fmt.Sprintf("Destroying engage_security_settings does not delete the account's security settings: it resets them to the platform defaults "+
				"(two-factor authentication not required, %d-minute session timeout, SSO off, no campaign approval).", access.DefaultSessionTimeoutMinutes))
		return
	}
	var sso types.Object
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, ssoPath, &sso)...)
	if resp.Diagnostics.HasError() || sso.IsNull() || sso.IsUnknown() {
		return
	}
	var m ssoModel
	resp.Diagnostics.Append(sso.As(ctx, &m, objectAsOptions)...)
	if resp.Diagnostics.HasError() || m.IdPCertificatePEM.IsUnknown() {
		return
	}
	expiresAt := types.StringNull()
	if notAfter, ok := certificateNotAfter(m.IdPCertificatePEM); ok {
		expiresAt = types.StringValue(formatTime(notAfter))
	} else if !m.IdPCertificatePEM.IsNull() {
		return // the validator reports the certificate
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, ssoCertExpiresPath, expiresAt)...)
}

// Create writes the configured settings: the singleton always exists on the
// platform, so there is nothing to create, only settings to replace.
func (r *securitySettingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan securitySettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := securitySettingsFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	written, err := r.data.service.UpdateSecuritySettings(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to write security settings", err)
		return
	}
	plan.setFrom(ctx, written, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, written.Version, &resp.Diagnostics)
}

func (r *securitySettingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state securitySettingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, err := r.data.service.GetSecuritySettings(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read security settings", err)
		return
	}
	state.setFrom(ctx, settings, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	saveVersion(ctx, resp.Private, settings.Version, &resp.Diagnostics)
}

func (r *securitySettingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan securitySettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := securitySettingsFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in.Version = lastVersion(ctx, req.Private, &resp.Diagnostics)
	updated, err := r.data.service.UpdateSecuritySettings(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update security settings", err)
		return
	}
	plan.setFrom(ctx, updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, updated.Version, &resp.Diagnostics)
}

// Delete resets the platform defaults: the settings themselves cannot be
// deleted.
func (r *securitySettingsResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	if _, err := r.data.service.UpdateSecuritySettings(ctx, access.DefaultSecuritySettings()); err != nil {
		addServiceError(&resp.Diagnostics, "Unable to reset security settings to the platform defaults", err)
	}
}

// ImportState accepts only the singleton's ID, `account`.
func (r *securitySettingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != access.SecuritySettingsID {
		resp.Diagnostics.AddError("Unable to import security settings",
			fmt.Sprintf("The security settings are a singleton, one per account: import them with the ID %q, got %q.", access.SecuritySettingsID, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), access.SecuritySettingsID)...)
}

// securitySettingsFromModel maps the configured fields to the service's
// input; a null IdP field is the platform's empty string.
func securitySettingsFromModel(ctx context.Context, m securitySettingsModel, diags *diag.Diagnostics) access.SecuritySettings {
	var sso ssoModel
	diags.Append(m.SSO.As(ctx, &sso, objectAsOptions)...)
	return access.SecuritySettings{
		RequireTwoFactor:      m.RequireTwoFactor.ValueBool(),
		SessionTimeoutMinutes: int(m.SessionTimeoutMinutes.ValueInt64()),
		SSO: access.SSOSettings{
			Enabled:           sso.Enabled.ValueBool(),
			IdPEntityID:       sso.IdPEntityID.ValueString(),
			IdPSSOURL:         sso.IdPSSOURL.ValueString(),
			IdPCertificatePEM: sso.IdPCertificatePEM.ValueString(),
			Enforce:           sso.Enforce.ValueBool(),
		},
		CampaignApprovalRequired: m.CampaignApprovalRequired.ValueBool(),
	}
}

// setFrom copies what the platform returned into the model.
func (m *securitySettingsModel) setFrom(ctx context.Context, s access.SecuritySettings, diags *diag.Diagnostics) {
	m.ID = types.StringValue(access.SecuritySettingsID)
	m.RequireTwoFactor = types.BoolValue(s.RequireTwoFactor)
	m.SessionTimeoutMinutes = types.Int64Value(int64(s.SessionTimeoutMinutes))
	m.CampaignApprovalRequired = types.BoolValue(s.CampaignApprovalRequired)
	sso := ssoModel{
		Enabled:                 types.BoolValue(s.SSO.Enabled),
		IdPEntityID:             optionalString(s.SSO.IdPEntityID),
		IdPSSOURL:               optionalString(s.SSO.IdPSSOURL),
		IdPCertificatePEM:       optionalString(s.SSO.IdPCertificatePEM),
		IdPCertificateExpiresAt: types.StringNull(),
		Enforce:                 types.BoolValue(s.SSO.Enforce),
	}
	if e := s.SSO.IdPCertificateExpiresAt; e != nil {
		sso.IdPCertificateExpiresAt = types.StringValue(formatTime(*e))
	}
	var d diag.Diagnostics
	m.SSO, d = types.ObjectValueFrom(ctx, ssoAttrTypes, sso)
	diags.Append(d...)
}

// checkCertificatePEM is access.ParseCertificatePEM as a platformCheck. Its
// messages never quote the certificate.
func checkCertificatePEM(s string) string {
	if _, err := access.ParseCertificatePEM(s); err != nil {
		return err.Error()
	}
	return ""
}

// certificateNotAfter returns the expiry of a known, parseable certificate.
func certificateNotAfter(pemText types.String) (time.Time, bool) {
	if pemText.IsNull() || pemText.IsUnknown() {
		return time.Time{}, false
	}
	cert, err := access.ParseCertificatePEM(pemText.ValueString())
	if err != nil {
		return time.Time{}, false
	}
	return cert.NotAfter.UTC(), true
}
