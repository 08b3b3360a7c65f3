package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ planAdjuster[securitySettingsModel] = securitySettingsKind{}
	_ configChecking                      = securitySettingsKind{}
)

// NewSecuritySettingsResource is the engage_security_settings resource.
func NewSecuritySettingsResource() resource.Resource { return newManaged(securitySettingsKind{}) }

// securitySettingsKind is the account's singleton: it always exists on the
// platform, so create takes it over, but only while nobody else has (see
// create), and delete resets the defaults.
type securitySettingsKind struct{}

type securitySettingsModel struct {
	ID                       types.String     `tfsdk:"id"`
	RequireTwoFactor         types.Bool       `tfsdk:"require_two_factor"`
	SessionTimeoutMinutes    wholeNumberValue `tfsdk:"session_timeout_minutes"`
	SSO                      types.Object     `tfsdk:"sso"`
	CampaignApprovalRequired types.Bool       `tfsdk:"campaign_approval_required"`
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
)

func (securitySettingsKind) typeName() string { return "security_settings" }
func (securitySettingsKind) noun() string     { return "security settings" }

// Schema keeps every configurable attribute either Optional with a default
// or Optional without Computed (the IdP strings, null when unset). So an
// omitted attribute plans its default, and `terraform plan
// -generate-config-out` writes a configuration that plans no change.
func (securitySettingsKind) schema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "The account's security settings: two-factor authentication, session timeout, " +
			"SAML single sign-on and campaign approval. A singleton: declare it once per account. " +
			"Creating the resource takes the settings over only while they are the platform defaults, and fails " +
			"when they were changed (by another `engage_security_settings` block, or in the console): import them " +
			"then, with the ID `account`. Attributes left out get the platform defaults; destroying the resource " +
			"resets the platform defaults.",
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
				CustomType: wholeNumberType{},
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(access.DefaultSessionTimeoutMinutes),
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

// validateConfig checks at plan time the SSO rules that span attributes,
// with the platform's wording, wherever the values are known. The platform
// checks them again on apply. Defaults are not applied yet here: an unset
// flag is null, which means false.
func (securitySettingsKind) validateConfig(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var sso types.Object
	diags.Append(config.GetAttribute(ctx, ssoPath, &sso)...)
	if diags.HasError() || sso.IsNull() || sso.IsUnknown() {
		return
	}
	var m ssoModel
	diags.Append(sso.As(ctx, &m, objectAsOptions)...)
	if diags.HasError() {
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
				diags.AddAttributeError(ssoPath.AtName(idp.name), "Incomplete SSO configuration",
					fmt.Sprintf("Attribute sso.%s %s.", idp.name, access.SSORequiredMessage))
			}
		}
	}
	if m.Enforce.ValueBool() && !m.Enabled.IsUnknown() && !m.Enabled.ValueBool() {
		diags.AddAttributeError(ssoPath.AtName("enforce"), "Invalid SSO configuration",
			fmt.Sprintf("Attribute sso.enforce %s.", access.SSOEnforceMessage))
	}
	if notAfter, ok := certificateNotAfter(m.IdPCertificatePEM); ok && time.Now().After(notAfter) {
		switch {
		case m.Enforce.ValueBool():
			diags.AddAttributeError(ssoCertificatePath, "Expired IdP certificate",
				fmt.Sprintf("Attribute sso.idp_certificate_pem %s.", access.ExpiredCertificateMessage(notAfter)))
		case m.Enabled.ValueBool():
			diags.AddAttributeWarning(ssoCertificatePath, "Expired IdP certificate",
				fmt.Sprintf("Attribute sso.idp_certificate_pem expired on %s: SSO sign-ins will fail until the certificate is replaced.",
					formatTime(notAfter)))
		}
	}
}

// adjustPlan refuses a create over settings already written, makes
// idp_certificate_expires_at known at plan time, so a plan review sees when
// a new certificate runs out, and warns that a destroy resets the platform
// defaults rather than deleting anything.
func (securitySettingsKind) adjustPlan(ctx context.Context, data *providerData, _ tfsdk.Config, plan, state *securitySettingsModel, diags *diag.Diagnostics) {
	if plan != nil && state == nil && data != nil {
		// A create the apply would refuse (see create): refused now.
		if current, err := data.service.GetSecuritySettings(ctx); err == nil && current.Customized {
			addServiceError(diags, "Security settings already configured", errSettingsConfigured(current))
			return
		}
	}
	if plan == nil {
		diags.AddWarning("Security settings reset to the platform defaults",
			fmt.Sprintf("Destroying engage_security_settings does not delete the account's security settings: it resets them to the platform defaults "+
				"(two-factor authentication not required, %d-minute session timeout, SSO off, no campaign approval).", access.DefaultSessionTimeoutMinutes))
		return
	}
	if plan.SSO.IsNull() || plan.SSO.IsUnknown() {
		return
	}
	var m ssoModel
	diags.Append(plan.SSO.As(ctx, &m, objectAsOptions)...)
	if diags.HasError() || m.IdPCertificatePEM.IsUnknown() {
		return
	}
	expiresAt := types.StringNull()
	if notAfter, ok := certificateNotAfter(m.IdPCertificatePEM); ok {
		expiresAt = types.StringValue(formatTime(notAfter))
	} else if !m.IdPCertificatePEM.IsNull() {
		return // the validator reports the certificate
	}
	m.IdPCertificateExpiresAt = expiresAt
	obj, d := types.ObjectValueFrom(ctx, ssoAttrTypes, m)
	diags.Append(d...)
	plan.SSO = obj
}

func (securitySettingsKind) version(s access.SecuritySettings) access.Version { return s.Version }

// identity is the singleton's fixed id, as its state and import ID have
// it: the account is the one the provider's credentials reach, so the
// identity has nothing to say but that these are its settings.
func (securitySettingsKind) identity() objectIdentity {
	return objectIdentity{attrs: []identityAttr{{
		name: "id",
		description: "Always `" + access.SecuritySettingsID + "`, the resource's `id`: there is one set of security settings per account, " +
			"the account the provider's credentials reach.",
	}}}
}

// read never reports the singleton gone: it exists as long as the account.
func (securitySettingsKind) read(ctx context.Context, svc access.Service, _ securitySettingsModel) (access.SecuritySettings, error) {
	return svc.GetSecuritySettings(ctx)
}

// create takes the settings over only while nobody has written them since
// the account's defaults were last set (the platform's Customized), and
// conditionally on the version it read: a second block, or a change made in
// the console, is never silently overwritten. Two blocks would otherwise
// flip the account between their settings on every apply.
func (securitySettingsKind) create(ctx context.Context, w write[securitySettingsModel], in access.SecuritySettings) (access.SecuritySettings, error) {
	current, err := w.data.service.GetSecuritySettings(ctx)
	if err != nil {
		return current, err
	}
	if current.Customized {
		return current, errSettingsConfigured(current)
	}
	in.Version = current.Version
	written, err := w.data.service.UpdateSecuritySettings(ctx, in)
	if errors.Is(err, access.ErrPreconditionFailed) {
		// Written since the read above: by another block of this run.
		if current, readErr := w.data.service.GetSecuritySettings(ctx); readErr == nil && current.Customized {
			return written, errSettingsConfigured(current)
		}
	}
	return written, err
}

func (securitySettingsKind) update(ctx context.Context, w write[securitySettingsModel], in access.SecuritySettings) (access.SecuritySettings, error) {
	in.Version = w.version
	return w.data.service.UpdateSecuritySettings(ctx, in)
}

// delete resets the platform defaults: the settings themselves cannot be
// deleted.
func (securitySettingsKind) delete(ctx context.Context, data *providerData, _ securitySettingsModel) error {
	if _, err := data.service.ResetSecuritySettings(ctx); err != nil {
		return fmt.Errorf("resetting the platform defaults: %w", err)
	}
	return nil
}

// holder has nothing to add: create's own error names the import.
func (securitySettingsKind) holder(context.Context, access.Service, access.SecuritySettings) (keyHolder, error) {
	return keyHolder{}, errNoKeyHolder
}

// importer accepts only the singleton's ID, `account`.
func (securitySettingsKind) importer() importForms[access.SecuritySettings] {
	return importForms[access.SecuritySettings]{
		byID: func(ctx context.Context, svc access.Service, id string) (access.SecuritySettings, error) {
			if id != access.SecuritySettingsID {
				return access.SecuritySettings{}, fmt.Errorf(
					"the security settings are a singleton, one per account: import them with the ID %q, got %q", access.SecuritySettingsID, id)
			}
			return svc.GetSecuritySettings(ctx)
		},
		forms: fmt.Sprintf("%q only", access.SecuritySettingsID),
	}
}

// changedFromDefaults names the attributes in which s differs from the
// platform defaults.
func changedFromDefaults(s access.SecuritySettings) []string {
	d := access.DefaultSecuritySettings()
	var changed []string
	for _, f := range []struct {
		name    string
		differs bool
	}{
		{"require_two_factor", s.RequireTwoFactor != d.RequireTwoFactor},
		{"session_timeout_minutes", s.SessionTimeoutMinutes != d.SessionTimeoutMinutes},
		{"sso", s.SSO.Enabled != d.SSO.Enabled || s.SSO.Enforce != d.SSO.Enforce || s.SSO.IdPEntityID != d.SSO.IdPEntityID ||
			s.SSO.IdPSSOURL != d.SSO.IdPSSOURL || s.SSO.IdPCertificatePEM != d.SSO.IdPCertificatePEM},
		{"campaign_approval_required", s.CampaignApprovalRequired != d.CampaignApprovalRequired},
	} {
		if f.differs {
			changed = append(changed, f.name)
		}
	}
	return changed
}

// errSettingsConfigured refuses to create the singleton over settings
// someone already wrote, with the import that takes them over.
func errSettingsConfigured(current access.SecuritySettings) error {
	differ := "written since the defaults were last set, though they equal them"
	switch changed := changedFromDefaults(current); len(changed) {
	case 0:
	case 1:
		differ = changed[0] + " differs from the platform default"
	default:
		differ = strings.Join(changed, ", ") + " differ from the platform defaults"
	}
	return &access.ConflictError{Kind: "security settings", ID: access.SecuritySettingsID, Reason: fmt.Sprintf(
		"the account's security settings are already configured (%s), by another engage_security_settings block "+
			"(in this configuration or another) or in the console; declare engage_security_settings once per account. "+
			"If another block manages them, remove this one: importing them here as well would let the two blocks flip the "+
			"settings on every apply. If none does, import them into this block, replacing NAME with this block's name:"+
			"\n\nimport {\n  to = engage_security_settings.NAME\n  id = %q\n}\n\nor run: terraform import engage_security_settings.NAME %s",
		differ, access.SecuritySettingsID, access.SecuritySettingsID)}
}

// toObject maps the configured fields to the service's
// input; a null IdP field is the platform's empty string.
func (securitySettingsKind) toObject(ctx context.Context, m securitySettingsModel, diags *diag.Diagnostics) access.SecuritySettings {
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

// fromObject copies what the platform returned into the model.
func (securitySettingsKind) fromObject(ctx context.Context, m *securitySettingsModel, s access.SecuritySettings, diags *diag.Diagnostics) {
	m.ID = types.StringValue(access.SecuritySettingsID)
	m.RequireTwoFactor = types.BoolValue(s.RequireTwoFactor)
	m.SessionTimeoutMinutes = wholeNumberValueOf(int64(s.SessionTimeoutMinutes))
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
