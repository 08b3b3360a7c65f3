package planreview

// SchemaVersion is the version of the JSON report. Fields are only ever
// added within a version; renaming or removing one, or changing what it
// means, makes a new version, so a policy can pin the one it was written
// for (input.schema_version == 1).
const SchemaVersion = 1

// Severities of a finding, from the most to the least urgent. --fail-on
// takes the same words (and never).
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
)

// Check identifiers. They are part of the interface (policies and CI match
// on them): they never change meaning, and new checks get new identifiers.
const (
	CheckSensitiveAccessGained    = "sensitive_access_gained"
	CheckFullAdminGranted         = "full_admin_granted"
	CheckAdminCountExceeded       = "admin_count_exceeded"
	CheckNetworkOpenedToInternet  = "network_opened_to_internet"
	CheckNetworkWidened           = "network_widened"
	CheckColumnUnmasked           = "column_unmasked"
	CheckExportPathAdded          = "export_path_added"
	CheckHostKeyNotPinned         = "host_key_not_pinned"
	CheckTwoFactorDisabled        = "two_factor_disabled"
	CheckSSOEnforcementRemoved    = "sso_enforcement_removed"
	CheckSessionTimeoutRaised     = "session_timeout_raised"
	CheckCampaignApprovalDisabled = "campaign_approval_disabled"
	CheckAccessUnknownAtPlan      = "access_unknown_at_plan"
)

// Report is the access delta of one plan: what the JSON output holds, and
// what the Markdown output renders.
type Report struct {
	SchemaVersion    int    `json:"schema_version"`
	TerraformVersion string `json:"terraform_version"`
	// HighestSeverity is the most urgent severity among Findings, or
	// "none".
	HighestSeverity string `json:"highest_severity"`
	// Backend says where facts the plan lacks came from: "none" (the plan
	// alone), "embedded" or "rest".
	Backend    string       `json:"backend"`
	Principals []Principal  `json:"principals"`
	Roles      []RoleDelta  `json:"roles"`
	Network    Network      `json:"network"`
	Exports    []Export     `json:"exports"`
	Masking    []Masking    `json:"masking"`
	Settings   []Setting    `json:"settings"`
	Findings   []Finding    `json:"findings"`
	Unresolved []Unresolved `json:"unresolved"`
}

// Principal is a person (an engage_user) whose effective permissions the
// plan changes. Only people whose access changes are listed.
type Principal struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	// UserID is the platform id, empty for a user the plan creates.
	UserID string `json:"user_id"`
	// Address is the user's resource address; empty when the user is not
	// managed in this configuration (found through a backend).
	Address string `json:"address"`
	Managed bool   `json:"managed"`
	// Before and After are the effective permissions (dependency closure
	// included; none while disabled or not existing), sorted.
	Before []string `json:"before"`
	After  []string `json:"after"`
	Gained []string `json:"gained"`
	Lost   []string `json:"lost"`
	// SensitiveGained is the part of Gained the catalog marks sensitive.
	SensitiveGained []string `json:"sensitive_gained"`
	// FullAdminBefore/After: the person holds every permission (the Full
	// Admin system role, or a custom role equivalent to it).
	FullAdminBefore bool `json:"full_admin_before"`
	FullAdminAfter  bool `json:"full_admin_after"`
	// Reasons say why, in words: "created with role \"Exporters\"",
	// "role changed from \"Read Only\" to \"Exporters\"", ...
	Reasons []string `json:"reasons"`
	// Uncertain is true when the plan does not say which role the person
	// will hold (known only at apply); After is then the worst case.
	Uncertain bool `json:"uncertain"`
}

// RoleDelta is a role the plan creates, changes or deletes.
type RoleDelta struct {
	Name    string `json:"name"`
	RoleID  string `json:"role_id"`
	Address string `json:"address"`
	// Action is create, update, replace or delete.
	Action string `json:"action"`
	// Before and After are the effective permissions, sorted; null for a
	// role that does not exist on that side.
	Before []string `json:"before"`
	After  []string `json:"after"`
	Gained []string `json:"gained"`
	Lost   []string `json:"lost"`
	// SensitiveGained is the part of Gained the catalog marks sensitive.
	SensitiveGained []string `json:"sensitive_gained"`
	SensitiveBefore bool     `json:"sensitive_before"`
	SensitiveAfter  bool     `json:"sensitive_after"`
	// FullAdminEquivalent is true when After is every permission.
	FullAdminEquivalent bool `json:"full_admin_equivalent"`
	// Uncertain is true when Terraform learns the permissions only at
	// apply; After is then the worst case, every permission.
	Uncertain bool `json:"uncertain"`
	// HoldersManaged counts users of this configuration that hold the role
	// after the plan; HoldersAccount counts every holder on the account,
	// null without a backend.
	HoldersManaged int  `json:"holders_managed"`
	HoldersAccount *int `json:"holders_account"`
}

// Network is the union of enabled allowlist networks before and after.
type Network struct {
	// Managed is false when the plan touches no allowlist: the section is
	// then empty.
	Managed bool        `json:"managed"`
	Before  NetworkSide `json:"before"`
	After   NetworkSide `json:"after"`
	// Opened and Closed are the address ranges, as CIDR prefixes, that the
	// plan lets in and shuts out.
	Opened []string `json:"opened"`
	Closed []string `json:"closed"`
	// Lists are the allowlists the plan changes.
	Lists []AllowlistChange `json:"lists"`
}

// NetworkSide is who can reach the console on one side of the plan.
type NetworkSide struct {
	// Enforced is false when no allowlist is enabled: the console then
	// accepts every address.
	Enforced bool         `json:"enforced"`
	IPv4     FamilyAccess `json:"ipv4"`
	IPv6     FamilyAccess `json:"ipv6"`
}

// FamilyAccess is how much of one address family may reach the console.
type FamilyAccess struct {
	// Addresses is the exact count as a decimal string (an IPv6 count does
	// not fit a JSON number).
	Addresses string `json:"addresses"`
	// Internet is true when every address of the family is allowed,
	// however the lists split it.
	Internet bool `json:"internet"`
}

// AllowlistChange is one allowlist the plan writes or deletes.
type AllowlistChange struct {
	Name          string   `json:"name"`
	Address       string   `json:"address"`
	Action        string   `json:"action"`
	EnabledBefore bool     `json:"enabled_before"`
	EnabledAfter  bool     `json:"enabled_after"`
	Added         []string `json:"added"`
	Removed       []string `json:"removed"`
}

// Export is a destination or transfer credential the plan creates or
// changes: a way for data to leave the platform.
type Export struct {
	// Kind is export_destination or transfer_credential.
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Address string `json:"address"`
	Action  string `json:"action"`
	// Target says where data goes: "sftp://host:port/path" or
	// "s3://bucket/prefix (region)"; empty for a credential.
	Target       string   `json:"target"`
	TargetBefore string   `json:"target_before"`
	ExportKinds  []string `json:"export_kinds"`
	// HostKeyPinned is false for an SFTP destination without
	// host_key_sha256; true otherwise.
	HostKeyPinned bool `json:"host_key_pinned"`
}

// Masking is a masked column the plan changes.
type Masking struct {
	Table   string `json:"table"`
	Column  string `json:"column"`
	Address string `json:"address"`
	// MaskBefore and MaskAfter are full, hash or partial; empty when the
	// column is not masked on that side.
	MaskBefore string `json:"mask_before"`
	MaskAfter  string `json:"mask_after"`
	// Unmasked is true when the column ends up unmasked; Weakened when it
	// stays masked but shows more (full > hash > partial).
	Unmasked bool `json:"unmasked"`
	Weakened bool `json:"weakened"`
}

// Setting is one account security setting the plan changes. Before and
// After are JSON values (bool or number).
type Setting struct {
	Name   string `json:"name"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	// Weakened is true when the change lowers the account's protection.
	Weakened bool `json:"weakened"`
}

// Finding is one thing the reviewer should look at.
type Finding struct {
	Check    string `json:"check"`
	Severity string `json:"severity"`
	// Subject is who or what: an email, a role name, an address, a
	// table.column, "network" or "security settings".
	Subject string `json:"subject"`
	// Address is the resource address the finding is about, when there is
	// one.
	Address string `json:"address"`
	Message string `json:"message"`
}

// Unresolved is a fact the review could not establish.
type Unresolved struct {
	Subject string `json:"subject"`
	// Reason is unknown_at_plan (Terraform learns the value at apply),
	// needs_backend (the account knows it: give a backend) or
	// not_found (the backend does not know it either).
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Reasons of an Unresolved entry.
const (
	UnresolvedUnknownAtPlan = "unknown_at_plan"
	UnresolvedNeedsBackend  = "needs_backend"
	UnresolvedNotFound      = "not_found"
)
