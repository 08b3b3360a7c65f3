package access

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The access review is the platform's own best-practice advice (the security
// best practices and secure data exports documentation) turned into checks
// over a snapshot of an account, so that an audit every two weeks, an output
// or a CI policy can read the result as data.

// Check identifiers. They are part of the provider's interface (policies
// match on them), so they never change; new checks get new identifiers.
const (
	CheckFullAdminUser                 = "full_admin_user"
	CheckUserWithoutTwoFactor          = "user_without_two_factor"
	CheckInactiveUser                  = "inactive_user"
	CheckInvitedUserNotActivated       = "invited_user_not_activated"
	CheckDisabledUserWithSensitiveRole = "disabled_user_with_sensitive_role"
	CheckSensitiveRole                 = "sensitive_role"
	CheckUnusedRole                    = "unused_role"
	CheckSFTPDestinationWithoutHostKey = "sftp_destination_without_host_key"
	CheckCredentialNotRotated          = "credential_not_rotated"
	CheckSSONotEnforced                = "sso_not_enforced"
	CheckSessionTimeoutAboveDefault    = "session_timeout_above_default"
	CheckNoEnabledIPAllowlist          = "no_enabled_ip_allowlist"
)

// Severities of a finding: info is something to look at during the review,
// warning something to fix.
const (
	SeverityInfo    = "info"
	SeverityWarning = "warning"
)

// Object types a finding can be about. Account-wide findings (settings,
// allowlisting as a whole) name the account, whose id is SecuritySettingsID.
const (
	ReviewObjectUser              = "user"
	ReviewObjectRole              = "role"
	ReviewObjectExportDestination = "export_destination"
	ReviewObjectCredential        = "transfer_credential"
	ReviewObjectSecuritySettings  = "security_settings"
	ReviewObjectAccount           = "account"
)

// ReviewCheck describes one check for documentation.
type ReviewCheck struct {
	ID          string
	Description string
}

// ReviewChecks lists every check, in the order the documentation shows them.
var ReviewChecks = []ReviewCheck{
	{CheckFullAdminUser, "an enabled user holds Full Admin: `info` while at most `max_admins` users do, `warning` beyond"},
	{CheckUserWithoutTwoFactor, "an enabled user has no second factor: always listed, `info` when `require_two_factor` is on (enforced at the next login), `warning` when it is off"},
	{CheckInactiveUser, "an enabled user last logged in more than `inactive_after_days` ago (`warning`)"},
	{CheckInvitedUserNotActivated, "an enabled user never logged in: `info` while the invitation is at most `inactive_after_days` old, `warning` beyond"},
	{CheckDisabledUserWithSensitiveRole, "a disabled user still holds a role granting sensitive permissions (`warning`)"},
	{CheckSensitiveRole, "a custom role grants sensitive permissions, named in the message (`info`)"},
	{CheckUnusedRole, "no user holds a custom role (`info`)"},
	{CheckSFTPDestinationWithoutHostKey, "an SFTP export destination has no pinned `host_key_sha256` (`warning`)"},
	{CheckCredentialNotRotated, "a transfer credential's secret was last set more than `credential_max_age_days` ago (`warning`)"},
	{CheckSSONotEnforced, "single sign-on is off, or on but not enforced (`warning`)"},
	{CheckSessionTimeoutAboveDefault, "the session timeout is above the platform default of 1440 minutes (`warning`)"},
	{CheckNoEnabledIPAllowlist, "no IP allowlist is enabled, so the console is reachable from anywhere (`warning`)"},
}

// AccountSnapshot is what the review reads: every object of an account that
// a check looks at.
type AccountSnapshot struct {
	Roles               []Role
	Users               []User
	IPAllowlists        []IPAllowlist
	TransferCredentials []TransferCredential
	ExportDestinations  []ExportDestination
	SecuritySettings    SecuritySettings
}

// ReadAccountSnapshot takes the snapshot the reviews read (the account
// review here, and review-plan): one paginated list per
// collection, never a read per object, so a review costs the same handful of
// requests however large the account.
func ReadAccountSnapshot(ctx context.Context, svc Service) (AccountSnapshot, error) {
	var (
		a   AccountSnapshot
		err error
	)
	if a.Roles, err = ListAll(ctx, svc.ListRoles); err != nil {
		return a, fmt.Errorf("listing roles: %w", err)
	}
	if a.Users, err = ListAll(ctx, svc.ListUsers); err != nil {
		return a, fmt.Errorf("listing users: %w", err)
	}
	if a.IPAllowlists, err = ListAll(ctx, svc.ListIPAllowlists); err != nil {
		return a, fmt.Errorf("listing IP allowlists: %w", err)
	}
	if a.TransferCredentials, err = ListAll(ctx, svc.ListTransferCredentials); err != nil {
		return a, fmt.Errorf("listing transfer credentials: %w", err)
	}
	if a.ExportDestinations, err = ListAll(ctx, svc.ListExportDestinations); err != nil {
		return a, fmt.Errorf("listing export destinations: %w", err)
	}
	if a.SecuritySettings, err = svc.GetSecuritySettings(ctx); err != nil {
		return a, fmt.Errorf("reading security settings: %w", err)
	}
	return a, nil
}

// ReviewOptions are the thresholds of the checks. Start from
// DefaultReviewOptions: zero is a meaningful MaxAdmins.
type ReviewOptions struct {
	// MaxAdmins is how many enabled Full Admin users are acceptable.
	MaxAdmins int
	// InactiveAfterDays is how long a user may go without logging in, and
	// an invitation may stay unanswered.
	InactiveAfterDays int
	// CredentialMaxAgeDays is how long a transfer credential's secret may
	// go without rotation.
	CredentialMaxAgeDays int
}

// Defaults of the review: one admin per account and an audit every two
// weeks (the platform's security best practices), secrets rotated quarterly.
const (
	DefaultMaxAdmins            = 1
	DefaultInactiveAfterDays    = 14
	DefaultCredentialMaxAgeDays = 90
)

// DefaultReviewOptions returns the platform's recommended thresholds.
func DefaultReviewOptions() ReviewOptions {
	return ReviewOptions{
		MaxAdmins:            DefaultMaxAdmins,
		InactiveAfterDays:    DefaultInactiveAfterDays,
		CredentialMaxAgeDays: DefaultCredentialMaxAgeDays,
	}
}

// Finding is one thing the review asks a human to look at.
type Finding struct {
	Check      string
	Severity   string
	ObjectType string
	ObjectID   string
	ObjectName string
	Message    string
}

// AccessReview is the result of a review.
type AccessReview struct {
	// Findings are sorted by check, then object type, name and id.
	Findings []Finding
	// Counts has an entry for every check in ReviewChecks, zero included,
	// so a policy can read any check's count without a lookup failing.
	Counts map[string]int
}

// ReviewAccess runs every check over the account as of now. Disabled users
// cannot log in, so only the checks about disabled users look at them.
// System roles are left to the Full Admin check: they are the platform's, not
// the account's, to change.
func (c *Catalog) ReviewAccess(a AccountSnapshot, opts ReviewOptions, now time.Time) AccessReview {
	r := reviewer{cat: c, opts: opts, now: now, rolesByID: make(map[string]Role, len(a.Roles))}
	for _, role := range a.Roles {
		r.rolesByID[role.ID] = role
	}
	r.reviewUsers(a.Users, a.SecuritySettings)
	r.reviewRoles(a.Roles, a.Users)
	r.reviewTransfers(a.ExportDestinations, a.TransferCredentials)
	r.reviewAccountSettings(a.SecuritySettings, a.IPAllowlists)

	slices.SortFunc(r.findings, func(x, y Finding) int {
		return cmp.Or(cmp.Compare(x.Check, y.Check), cmp.Compare(x.ObjectType, y.ObjectType),
			cmp.Compare(x.ObjectName, y.ObjectName), cmp.Compare(x.ObjectID, y.ObjectID))
	})
	counts := make(map[string]int, len(ReviewChecks))
	for _, check := range ReviewChecks {
		counts[check.ID] = 0
	}
	for _, f := range r.findings {
		counts[f.Check]++
	}
	if r.findings == nil {
		r.findings = []Finding{}
	}
	return AccessReview{Findings: r.findings, Counts: counts}
}

type reviewer struct {
	cat       *Catalog
	opts      ReviewOptions
	now       time.Time
	rolesByID map[string]Role
	findings  []Finding
}

func (r *reviewer) add(check, severity, objectType, id, name, format string, args ...any) {
	r.findings = append(r.findings, Finding{
		Check: check, Severity: severity, ObjectType: objectType,
		ObjectID: id, ObjectName: name, Message: fmt.Sprintf(format, args...),
	})
}

// olderThan reports whether t lies more than days whole days before now,
// and how many whole days ago it was.
func (r *reviewer) olderThan(t time.Time, days int) (bool, int) {
	age := r.now.Sub(t)
	return age > time.Duration(days)*24*time.Hour, int(age / (24 * time.Hour))
}

// sensitiveGrants returns the sensitive permissions role grants, directly or
// through dependencies, sorted.
func (r *reviewer) sensitiveGrants(role Role) []string {
	var out []string
	for _, k := range r.cat.Closure(append(slices.Clone(role.Permissions), role.EffectivePermissions...)) {
		if p, ok := r.cat.Lookup(k); ok && p.Sensitive {
			out = append(out, k)
		}
	}
	return out
}

func (r *reviewer) roleName(id string) string {
	if role, ok := r.rolesByID[id]; ok {
		return role.Name
	}
	return id
}

func (r *reviewer) reviewUsers(users []User, settings SecuritySettings) {
	var admins []User
	for _, u := range users {
		if !u.Disabled && u.RoleID == FullAdminRoleID {
			admins = append(admins, u)
		}
	}
	holdIt := "1 enabled user holds it"
	if len(admins) != 1 {
		holdIt = fmt.Sprintf("%d enabled users hold it", len(admins))
	}
	for _, u := range admins {
		if len(admins) <= r.opts.MaxAdmins {
			r.add(CheckFullAdminUser, SeverityInfo, ReviewObjectUser, u.ID, u.Email,
				"holds %s; %s and max_admins is %d", FullAdminRoleName, holdIt, r.opts.MaxAdmins)
		} else {
			r.add(CheckFullAdminUser, SeverityWarning, ReviewObjectUser, u.ID, u.Email,
				"holds %s; %s, more than max_admins (%d): give all but the necessary ones a narrower role",
				FullAdminRoleName, holdIt, r.opts.MaxAdmins)
		}
	}

	for _, u := range users {
		if u.Disabled {
			if sensitive := r.sensitiveGrants(r.rolesByID[u.RoleID]); len(sensitive) > 0 {
				r.add(CheckDisabledUserWithSensitiveRole, SeverityWarning, ReviewObjectUser, u.ID, u.Email,
					"is disabled but still holds role %q, which grants sensitive permissions (%s): move the user to a narrower role or delete it",
					r.roleName(u.RoleID), strings.Join(sensitive, ", "))
			}
			continue
		}
		if !u.TwoFactorEnabled {
			if settings.RequireTwoFactor {
				r.add(CheckUserWithoutTwoFactor, SeverityInfo, ReviewObjectUser, u.ID, u.Email,
					"has no second factor; require_two_factor is on, so the platform asks for one at the next login")
			} else {
				r.add(CheckUserWithoutTwoFactor, SeverityWarning, ReviewObjectUser, u.ID, u.Email,
					"has no second factor and require_two_factor is off: the login relies on a password alone")
			}
		}
		if u.LastLoginAt == nil {
			if old, days := r.olderThan(u.CreatedAt, r.opts.InactiveAfterDays); old {
				r.add(CheckInvitedUserNotActivated, SeverityWarning, ReviewObjectUser, u.ID, u.Email,
					"was invited %d days ago (more than inactive_after_days, %d) and never logged in: delete the user or invite again",
					days, r.opts.InactiveAfterDays)
			} else {
				r.add(CheckInvitedUserNotActivated, SeverityInfo, ReviewObjectUser, u.ID, u.Email,
					"was invited %d days ago and has not logged in yet", days)
			}
			continue
		}
		if old, days := r.olderThan(*u.LastLoginAt, r.opts.InactiveAfterDays); old {
			r.add(CheckInactiveUser, SeverityWarning, ReviewObjectUser, u.ID, u.Email,
				"last logged in %d days ago (more than inactive_after_days, %d): disable or delete the user if the access is no longer needed",
				days, r.opts.InactiveAfterDays)
		}
	}
}

func (r *reviewer) reviewRoles(roles []Role, users []User) {
	holders := make(map[string]int, len(roles))
	for _, u := range users {
		holders[u.RoleID]++
	}
	for _, role := range roles {
		if role.System {
			continue
		}
		if sensitive := r.sensitiveGrants(role); len(sensitive) > 0 {
			r.add(CheckSensitiveRole, SeverityInfo, ReviewObjectRole, role.ID, role.Name,
				"grants sensitive permissions: %s", strings.Join(sensitive, ", "))
		}
		if holders[role.ID] == 0 {
			r.add(CheckUnusedRole, SeverityInfo, ReviewObjectRole, role.ID, role.Name,
				"no user holds this role: delete it if it is no longer needed")
		}
	}
}

func (r *reviewer) reviewTransfers(destinations []ExportDestination, credentials []TransferCredential) {
	for _, d := range destinations {
		if d.Type == DestinationSFTP && d.SFTP != nil && d.SFTP.HostKeySHA256 == "" {
			r.add(CheckSFTPDestinationWithoutHostKey, SeverityWarning, ReviewObjectExportDestination, d.ID, d.Name,
				"SFTP server %q has no pinned host key (host_key_sha256): exports would go to whichever server answers",
				d.SFTP.Host)
		}
	}
	for _, cred := range credentials {
		setAt := cred.RotatedAt
		if setAt.IsZero() {
			setAt = cred.CreatedAt
		}
		if old, days := r.olderThan(setAt, r.opts.CredentialMaxAgeDays); old {
			r.add(CheckCredentialNotRotated, SeverityWarning, ReviewObjectCredential, cred.ID, cred.Name,
				"secret last set %d days ago (more than credential_max_age_days, %d): rotate it", days, r.opts.CredentialMaxAgeDays)
		}
	}
}

func (r *reviewer) reviewAccountSettings(s SecuritySettings, lists []IPAllowlist) {
	switch {
	case !s.SSO.Enabled:
		r.add(CheckSSONotEnforced, SeverityWarning, ReviewObjectSecuritySettings, SecuritySettingsID, SecuritySettingsID,
			"single sign-on is off: users log in with platform passwords")
	case !s.SSO.Enforce:
		r.add(CheckSSONotEnforced, SeverityWarning, ReviewObjectSecuritySettings, SecuritySettingsID, SecuritySettingsID,
			"single sign-on is on but not enforced: password logins still work")
	}
	if s.SessionTimeoutMinutes > DefaultSessionTimeoutMinutes {
		r.add(CheckSessionTimeoutAboveDefault, SeverityWarning, ReviewObjectSecuritySettings, SecuritySettingsID, SecuritySettingsID,
			"session timeout is %d minutes, above the platform default of %d", s.SessionTimeoutMinutes, DefaultSessionTimeoutMinutes)
	}
	if !slices.ContainsFunc(lists, func(l IPAllowlist) bool { return l.Enabled }) {
		r.add(CheckNoEnabledIPAllowlist, SeverityWarning, ReviewObjectAccount, SecuritySettingsID, SecuritySettingsID,
			"no IP allowlist is enabled: the console accepts logins from any network")
	}
}
