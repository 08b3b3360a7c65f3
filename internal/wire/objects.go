package wire

import (
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Role is a role as the API shows it. On writes the computed fields (id,
// effective_permissions, sensitive, system, created_at, version) are ignored.
type Role struct {
	ID                   string    `json:"id,omitempty"`
	Name                 string    `json:"name"`
	Description          string    `json:"description"`
	Permissions          []string  `json:"permissions"`
	EffectivePermissions []string  `json:"effective_permissions"`
	Sensitive            bool      `json:"sensitive"`
	System               bool      `json:"system"`
	CreatedAt            time.Time `json:"created_at,omitzero"`
	Version              int64     `json:"version,omitempty"`
}

// FromRole maps a stored role to its JSON form.
func FromRole(r access.Role) Role {
	return Role{
		ID:                   r.ID,
		Name:                 r.Name,
		Description:          r.Description,
		Permissions:          nonNil(r.Permissions),
		EffectivePermissions: nonNil(r.EffectivePermissions),
		Sensitive:            r.Sensitive,
		System:               r.System,
		CreatedAt:            utc(r.CreatedAt),
		Version:              int64(r.Version),
	}
}

// ToAccess maps the JSON form back to the domain type.
func (r Role) ToAccess() access.Role {
	return access.Role{
		ID:                   r.ID,
		Name:                 r.Name,
		Description:          r.Description,
		Permissions:          r.Permissions,
		EffectivePermissions: r.EffectivePermissions,
		Sensitive:            r.Sensitive,
		System:               r.System,
		CreatedAt:            r.CreatedAt,
		Version:              access.Version(r.Version),
	}
}

// User is a console user as the API shows it.
type User struct {
	ID               string     `json:"id,omitempty"`
	Email            string     `json:"email"`
	DisplayName      string     `json:"display_name"`
	RoleID           string     `json:"role_id"`
	Disabled         bool       `json:"disabled"`
	Status           string     `json:"status,omitempty"`
	TwoFactorEnabled bool       `json:"two_factor_enabled"`
	LastLoginAt      *time.Time `json:"last_login_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at,omitzero"`
	Version          int64      `json:"version,omitempty"`
}

// FromUser maps a stored user to its JSON form.
func FromUser(u access.User) User {
	return User{
		ID:               u.ID,
		Email:            u.Email,
		DisplayName:      u.DisplayName,
		RoleID:           u.RoleID,
		Disabled:         u.Disabled,
		Status:           string(u.Status),
		TwoFactorEnabled: u.TwoFactorEnabled,
		LastLoginAt:      utcPtr(u.LastLoginAt),
		CreatedAt:        utc(u.CreatedAt),
		Version:          int64(u.Version),
	}
}

// ToAccess maps the JSON form back to the domain type.
func (u User) ToAccess() access.User {
	return access.User{
		ID:               u.ID,
		Email:            u.Email,
		DisplayName:      u.DisplayName,
		RoleID:           u.RoleID,
		Disabled:         u.Disabled,
		Status:           access.UserStatus(u.Status),
		TwoFactorEnabled: u.TwoFactorEnabled,
		LastLoginAt:      u.LastLoginAt,
		CreatedAt:        u.CreatedAt,
		Version:          access.Version(u.Version),
	}
}

// MaskingColumn is a masked personal-data column. Its id is "table/column",
// the same as its Terraform import ID and its URL path.
type MaskingColumn struct {
	ID          string    `json:"id,omitempty"`
	Table       string    `json:"table"`
	Column      string    `json:"column"`
	Mask        string    `json:"mask"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	Version     int64     `json:"version,omitempty"`
}

// FromMaskingColumn maps a stored masking column to its JSON form.
func FromMaskingColumn(c access.MaskingColumn) MaskingColumn {
	return MaskingColumn{
		ID:          MaskingColumnID(c.Table, c.Column),
		Table:       c.Table,
		Column:      c.Column,
		Mask:        string(c.Mask),
		Description: c.Description,
		CreatedAt:   utc(c.CreatedAt),
		Version:     int64(c.Version),
	}
}

// ToAccess maps the JSON form back to the domain type; id is derived, so it
// is dropped.
func (c MaskingColumn) ToAccess() access.MaskingColumn {
	return access.MaskingColumn{
		Table:       c.Table,
		Column:      c.Column,
		Mask:        access.MaskKind(c.Mask),
		Description: c.Description,
		CreatedAt:   c.CreatedAt,
		Version:     access.Version(c.Version),
	}
}

// AllowlistEntry is one network of an IP allowlist.
type AllowlistEntry struct {
	CIDR        string `json:"cidr"`
	Description string `json:"description"`
}

// IPAllowlist is an IP allowlist as the API shows it.
type IPAllowlist struct {
	ID          string           `json:"id,omitempty"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Enabled     bool             `json:"enabled"`
	Entries     []AllowlistEntry `json:"entries"`
	CreatedAt   time.Time        `json:"created_at,omitzero"`
	Version     int64            `json:"version,omitempty"`
}

// FromIPAllowlist maps a stored allowlist to its JSON form.
func FromIPAllowlist(l access.IPAllowlist) IPAllowlist {
	entries := make([]AllowlistEntry, 0, len(l.Entries))
	for _, e := range l.Entries {
		entries = append(entries, AllowlistEntry{CIDR: e.CIDR, Description: e.Description})
	}
	return IPAllowlist{ID: l.ID, Name: l.Name, Description: l.Description, Enabled: l.Enabled, Entries: entries,
		CreatedAt: utc(l.CreatedAt), Version: int64(l.Version)}
}

// ToAccess maps the JSON form back to the domain type.
func (l IPAllowlist) ToAccess() access.IPAllowlist {
	var entries []access.AllowlistEntry
	if l.Entries != nil {
		entries = make([]access.AllowlistEntry, 0, len(l.Entries))
	}
	for _, e := range l.Entries {
		entries = append(entries, access.AllowlistEntry{CIDR: e.CIDR, Description: e.Description})
	}
	return access.IPAllowlist{ID: l.ID, Name: l.Name, Description: l.Description, Enabled: l.Enabled, Entries: entries,
		CreatedAt: l.CreatedAt, Version: access.Version(l.Version)}
}

// TransferCredential is a transfer credential as the API returns it. It has
// no secret field at all, so no response can carry one by mistake; writes
// use TransferCredentialWrite.
type TransferCredential struct {
	ID        string    `json:"id,omitempty"`
	Name      string    `json:"name"`
	Username  string    `json:"username"`
	Reference string    `json:"reference,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	RotatedAt time.Time `json:"rotated_at,omitzero"`
	Version   int64     `json:"version,omitempty"`
}

// TransferCredentialWrite is the body of a create or replace: the credential
// plus its secret. An empty secret on replace keeps the stored one.
type TransferCredentialWrite struct {
	TransferCredential
	Secret string `json:"secret,omitempty"`
}

// FromTransferCredential maps a stored credential to its JSON form. Any
// Secret on c is dropped.
func FromTransferCredential(c access.TransferCredential) TransferCredential {
	return TransferCredential{
		ID:        c.ID,
		Name:      c.Name,
		Username:  c.Username,
		Reference: c.Reference,
		CreatedAt: utc(c.CreatedAt),
		RotatedAt: utc(c.RotatedAt),
		Version:   int64(c.Version),
	}
}

// ToAccess maps the JSON form back to the domain type, without a secret.
func (c TransferCredential) ToAccess() access.TransferCredential {
	return access.TransferCredential{
		ID:        c.ID,
		Name:      c.Name,
		Username:  c.Username,
		Reference: c.Reference,
		CreatedAt: c.CreatedAt,
		RotatedAt: c.RotatedAt,
		Version:   access.Version(c.Version),
	}
}

// FromTransferCredentialWrite builds a write body from a domain credential,
// secret included; only a client sends this.
func FromTransferCredentialWrite(c access.TransferCredential) TransferCredentialWrite {
	return TransferCredentialWrite{TransferCredential: FromTransferCredential(c), Secret: c.Secret}
}

// ToAccess maps a write body to the domain type, secret included.
func (c TransferCredentialWrite) ToAccess() access.TransferCredential {
	out := c.TransferCredential.ToAccess()
	out.Secret = c.Secret
	return out
}

// SFTPTarget is where an SFTP destination delivers.
type SFTPTarget struct {
	Host          string `json:"host"`
	Port          int    `json:"port"`
	Path          string `json:"path"`
	HostKeySHA256 string `json:"host_key_sha256"`
	CredentialID  string `json:"credential_id"`
}

// S3Target is where an S3 destination delivers.
type S3Target struct {
	Bucket       string `json:"bucket"`
	Region       string `json:"region"`
	Prefix       string `json:"prefix"`
	CredentialID string `json:"credential_id"`
}

// ExportDestination is an export destination; exactly one of sftp and s3 is
// present.
type ExportDestination struct {
	ID          string      `json:"id,omitempty"`
	Name        string      `json:"name"`
	Type        string      `json:"type,omitempty"`
	SFTP        *SFTPTarget `json:"sftp,omitempty"`
	S3          *S3Target   `json:"s3,omitempty"`
	ExportKinds []string    `json:"export_kinds"`
	CreatedAt   time.Time   `json:"created_at,omitzero"`
	Version     int64       `json:"version,omitempty"`
}

// FromExportDestination maps a stored destination to its JSON form.
func FromExportDestination(d access.ExportDestination) ExportDestination {
	out := ExportDestination{
		ID:          d.ID,
		Name:        d.Name,
		Type:        string(d.Type),
		ExportKinds: make([]string, 0, len(d.ExportKinds)),
		CreatedAt:   utc(d.CreatedAt),
		Version:     int64(d.Version),
	}
	if d.SFTP != nil {
		t := SFTPTarget(*d.SFTP)
		out.SFTP = &t
	}
	if d.S3 != nil {
		t := S3Target(*d.S3)
		out.S3 = &t
	}
	for _, k := range d.ExportKinds {
		out.ExportKinds = append(out.ExportKinds, string(k))
	}
	return out
}

// ToAccess maps the JSON form back to the domain type.
func (d ExportDestination) ToAccess() access.ExportDestination {
	out := access.ExportDestination{
		ID:        d.ID,
		Name:      d.Name,
		Type:      access.DestinationType(d.Type),
		CreatedAt: d.CreatedAt,
		Version:   access.Version(d.Version),
	}
	if d.SFTP != nil {
		t := access.SFTPTarget(*d.SFTP)
		out.SFTP = &t
	}
	if d.S3 != nil {
		t := access.S3Target(*d.S3)
		out.S3 = &t
	}
	if d.ExportKinds != nil {
		out.ExportKinds = make([]access.ExportKind, 0, len(d.ExportKinds))
	}
	for _, k := range d.ExportKinds {
		out.ExportKinds = append(out.ExportKinds, access.ExportKind(k))
	}
	return out
}

// SSOSettings configure SAML single sign-on.
type SSOSettings struct {
	Enabled                 bool       `json:"enabled"`
	IdPEntityID             string     `json:"idp_entity_id"`
	IdPSSOURL               string     `json:"idp_sso_url"`
	IdPCertificatePEM       string     `json:"idp_certificate_pem"`
	IdPCertificateExpiresAt *time.Time `json:"idp_certificate_expires_at,omitempty"`
	Enforce                 bool       `json:"enforce"`
}

// SecuritySettings is the account-wide singleton. On writes the computed
// fields (customized, version) are ignored.
type SecuritySettings struct {
	RequireTwoFactor         bool        `json:"require_two_factor"`
	SessionTimeoutMinutes    int         `json:"session_timeout_minutes"`
	SSO                      SSOSettings `json:"sso"`
	CampaignApprovalRequired bool        `json:"campaign_approval_required"`
	Customized               bool        `json:"customized"`
	Version                  int64       `json:"version,omitempty"`
}

// FromSecuritySettings maps the stored settings to their JSON form.
func FromSecuritySettings(s access.SecuritySettings) SecuritySettings {
	return SecuritySettings{
		RequireTwoFactor:      s.RequireTwoFactor,
		SessionTimeoutMinutes: s.SessionTimeoutMinutes,
		SSO: SSOSettings{
			Enabled:                 s.SSO.Enabled,
			IdPEntityID:             s.SSO.IdPEntityID,
			IdPSSOURL:               s.SSO.IdPSSOURL,
			IdPCertificatePEM:       s.SSO.IdPCertificatePEM,
			IdPCertificateExpiresAt: utcPtr(s.SSO.IdPCertificateExpiresAt),
			Enforce:                 s.SSO.Enforce,
		},
		CampaignApprovalRequired: s.CampaignApprovalRequired,
		Customized:               s.Customized,
		Version:                  int64(s.Version),
	}
}

// ToAccess maps the JSON form back to the domain type.
func (s SecuritySettings) ToAccess() access.SecuritySettings {
	return access.SecuritySettings{
		RequireTwoFactor:      s.RequireTwoFactor,
		SessionTimeoutMinutes: s.SessionTimeoutMinutes,
		SSO: access.SSOSettings{
			Enabled:                 s.SSO.Enabled,
			IdPEntityID:             s.SSO.IdPEntityID,
			IdPSSOURL:               s.SSO.IdPSSOURL,
			IdPCertificatePEM:       s.SSO.IdPCertificatePEM,
			IdPCertificateExpiresAt: s.SSO.IdPCertificateExpiresAt,
			Enforce:                 s.SSO.Enforce,
		},
		CampaignApprovalRequired: s.CampaignApprovalRequired,
		Customized:               s.Customized,
		Version:                  access.Version(s.Version),
	}
}

// Permission is one entry of the permission catalog.
type Permission struct {
	Key         string   `json:"key"`
	ID          int64    `json:"id"`
	Category    string   `json:"category"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Implies     []string `json:"implies"`
	Sensitive   bool     `json:"sensitive"`
}

// FromPermission maps a catalog entry to its JSON form.
func FromPermission(p access.Permission) Permission {
	return Permission{
		Key:         p.Key,
		ID:          p.ID,
		Category:    p.Category,
		Name:        p.Name,
		Description: p.Description,
		Implies:     nonNil(p.Implies),
		Sensitive:   p.Sensitive,
	}
}

// ToAccess maps the JSON form back to the domain type.
func (p Permission) ToAccess() access.Permission {
	return access.Permission{
		Key:         p.Key,
		ID:          p.ID,
		Category:    p.Category,
		Name:        p.Name,
		Description: p.Description,
		Implies:     p.Implies,
		Sensitive:   p.Sensitive,
	}
}

// WhoAmI describes the caller as the server sees it.
type WhoAmI struct {
	TokenName string   `json:"token_name"`
	Scopes    []string `json:"scopes"`
	ClientIP  string   `json:"client_ip"`
}

// FromCaller maps a caller to its JSON form.
func FromCaller(c access.Caller) WhoAmI {
	return WhoAmI{TokenName: c.TokenName, Scopes: nonNil(c.Scopes), ClientIP: c.ClientIP}
}

// ToAccess maps the JSON form back to the domain type.
func (w WhoAmI) ToAccess() access.Caller {
	return access.Caller{TokenName: w.TokenName, Scopes: w.Scopes, ClientIP: w.ClientIP}
}

// SessionsRevoked answers POST /v1/users/{id}/sessions:revoke: how many open
// sessions of the user the call ended.
type SessionsRevoked struct {
	Revoked int `json:"revoked"`
}

// List is the envelope of every collection response. NextPageToken is absent
// on the last page.
type List[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token,omitempty"`
}

// FromPage maps a page of domain objects to a list envelope with from.
func FromPage[A, W any](p access.Page[A], from func(A) W) List[W] {
	items := make([]W, 0, len(p.Items))
	for _, a := range p.Items {
		items = append(items, from(a))
	}
	return List[W]{Items: items, NextPageToken: p.NextPageToken}
}

// nonNil makes an absent list encode as [] rather than null: Terraform sets
// are never null, and clients should not need to tell the two apart.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// utc drops the local zone so that every timestamp is written with "Z".
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
