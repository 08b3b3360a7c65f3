package access

import "time"

// Version is an object's revision, bumped by every write. The REST API
// exposes it as the ETag; a write that names a Version other than the current
// one fails with PreconditionFailedError. Zero means "unconditional".
type Version int64

// Permission is one entry of the platform's permission catalog.
type Permission struct {
	Key         string   `json:"key"`
	ID          int64    `json:"id"`
	Category    string   `json:"category"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Implies     []string `json:"implies"`
	Sensitive   bool     `json:"sensitive"`
}

// Role is a named set of permissions that users log in with.
type Role struct {
	ID          string
	Name        string
	Description string
	// Permissions are the keys the role grants directly, sorted.
	Permissions []string
	// EffectivePermissions is the dependency closure of Permissions, sorted.
	EffectivePermissions []string
	// Sensitive is true when any effective permission is sensitive.
	Sensitive bool
	// System roles are predefined by the platform and read-only.
	System    bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   Version
}

// UserStatus is the lifecycle state of a console user.
type UserStatus string

// The statuses a user goes through: invited until the first login, then
// active; disabled while access is revoked.
const (
	UserInvited  UserStatus = "invited"
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// User is a console login.
type User struct {
	ID               string
	Email            string
	DisplayName      string
	RoleID           string
	Disabled         bool
	Status           UserStatus
	TwoFactorEnabled bool
	LastLoginAt      *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Version          Version
}

// MaskKind is how a masked personal-data column is shown to roles without
// data.personal_info.
type MaskKind string

// The masks the platform supports.
const (
	MaskFull    MaskKind = "full"
	MaskPartial MaskKind = "partial"
	MaskHash    MaskKind = "hash"
)

// MaskingColumn marks one column of a data-space table as personal data.
// Its identity is Table/Column.
type MaskingColumn struct {
	Table       string
	Column      string
	Mask        MaskKind
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     Version
}

// AllowlistEntry is one network allowed to reach the console.
type AllowlistEntry struct {
	// CIDR is in canonical form: masked address bits zero, a bare address
	// stored as /32 or /128.
	CIDR        string
	Description string
}

// IPAllowlist is a named list of networks; the console refuses requests from
// outside every enabled list (when at least one list is enabled).
type IPAllowlist struct {
	ID          string
	Name        string
	Description string
	Enabled     bool
	Entries     []AllowlistEntry
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     Version
}

// TransferCredential is a username and secret that export destinations use.
// The secret is write-only: backends accept it and never return it.
type TransferCredential struct {
	ID       string
	Name     string
	Username string
	// Secret is set only on writes; reads always leave it empty. An update
	// with an empty Secret keeps the stored one.
	Secret string
	// Reference is the placeholder the platform substitutes during a
	// transfer, e.g. {{credential.sftp_prod}}.
	Reference string
	CreatedAt time.Time
	RotatedAt time.Time
	UpdatedAt time.Time
	Version   Version
}

// DestinationType says which transport an export destination uses.
type DestinationType string

// The transports an export destination can use.
const (
	DestinationSFTP DestinationType = "sftp"
	DestinationS3   DestinationType = "s3"
)

// ExportKind is a kind of data export a destination accepts.
type ExportKind string

// The export kinds the platform produces.
const (
	ExportCloud          ExportKind = "cloud_export"
	ExportRawData        ExportKind = "raw_data_export"
	ExportSimplifiedData ExportKind = "simplified_data_export"
	ExportReport         ExportKind = "report"
)

// ExportKinds lists every ExportKind, for validation and documentation.
var ExportKinds = []ExportKind{ExportCloud, ExportRawData, ExportSimplifiedData, ExportReport}

// SFTPTarget is where an SFTP destination delivers.
type SFTPTarget struct {
	Host          string
	Port          int
	Path          string
	HostKeySHA256 string
	CredentialID  string
}

// S3Target is where an S3 destination delivers.
type S3Target struct {
	Bucket       string
	Region       string
	Prefix       string
	CredentialID string
}

// ExportDestination is a place data exports may be delivered to. Exactly one
// of SFTP and S3 is set, and Type says which.
type ExportDestination struct {
	ID          string
	Name        string
	Type        DestinationType
	SFTP        *SFTPTarget
	S3          *S3Target
	ExportKinds []ExportKind
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     Version
}

// SSOSettings configure SAML single sign-on.
type SSOSettings struct {
	Enabled           bool
	IdPEntityID       string
	IdPSSOURL         string
	IdPCertificatePEM string
	// IdPCertificateExpiresAt is derived from IdPCertificatePEM.
	IdPCertificateExpiresAt *time.Time
	Enforce                 bool
}

// SecuritySettingsID names the account-wide singleton wherever an object
// needs an identifier: the Terraform id and import ID, and error messages.
const SecuritySettingsID = "account"

// SecuritySettings is the account-wide singleton.
type SecuritySettings struct {
	RequireTwoFactor         bool
	SessionTimeoutMinutes    int
	SSO                      SSOSettings
	CampaignApprovalRequired bool
	// Customized is read-only: true once the settings have been written
	// (UpdateSecuritySettings) since the account was created or last reset
	// (ResetSecuritySettings), even with values equal to the defaults. It
	// tells whether someone already manages the singleton, which comparing
	// the values with the defaults cannot: writing the defaults claims it
	// too.
	Customized bool
	UpdatedAt  time.Time
	Version    Version
}

// Session timeout bounds and the platform default (one day).
const (
	MinSessionTimeoutMinutes     = 5
	MaxSessionTimeoutMinutes     = 10080
	DefaultSessionTimeoutMinutes = 1440
)

// DefaultSecuritySettings are what a new account has, and what
// ResetSecuritySettings restores.
func DefaultSecuritySettings() SecuritySettings {
	return SecuritySettings{SessionTimeoutMinutes: DefaultSessionTimeoutMinutes}
}

// Scopes an API token may carry: reads need ScopeRead, every other request
// ScopeWrite.
const (
	ScopeRead  = "access:read"
	ScopeWrite = "access:write"
)

// Caller describes who is calling the platform, as the platform sees it.
type Caller struct {
	TokenName string
	Scopes    []string
	// ClientIP is the caller's address; empty on the embedded backend, where
	// there is no network between caller and platform.
	ClientIP string
}
