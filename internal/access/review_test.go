package access

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// reviewNow is the fixed "now" of every review test.
var reviewNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func daysAgo(days float64) time.Time {
	return reviewNow.Add(-time.Duration(days * float64(24*time.Hour)))
}

func timePtr(t time.Time) *time.Time { return &t }

// cleanAccount triggers no check: enforced SSO, default session timeout,
// an enabled allowlist, one active user with a second factor on a narrow
// role, a pinned SFTP destination and a freshly rotated credential.
func cleanAccount() AccountSnapshot {
	c := DefaultCatalog()
	var roles []Role
	for _, sr := range c.SystemRoles() {
		roles = append(roles, c.DeriveRole(Role{ID: sr.ID, Name: sr.Name, Permissions: sr.Permissions, System: true}))
	}
	roles = append(roles, c.DeriveRole(Role{ID: "rol_editor", Name: "Campaign Editor", Permissions: []string{"campaign.edit"}}))
	return AccountSnapshot{
		Roles: roles,
		Users: []User{{
			ID: "usr_ada", Email: "ada@example.com", RoleID: "rol_editor", Status: UserActive,
			TwoFactorEnabled: true, LastLoginAt: timePtr(daysAgo(1)), CreatedAt: daysAgo(300),
		}},
		IPAllowlists: []IPAllowlist{{ID: "ipl_office", Name: "office", Enabled: true, Entries: []AllowlistEntry{{CIDR: "192.0.2.0/24"}}}},
		TransferCredentials: []TransferCredential{{
			ID: "trc_sftp", Name: "sftp_prod", CreatedAt: daysAgo(400), RotatedAt: daysAgo(10),
		}},
		ExportDestinations: []ExportDestination{{
			ID: "exd_sftp", Name: "warehouse", Type: DestinationSFTP,
			SFTP: &SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/in", HostKeySHA256: "SHA256:abc", CredentialID: "trc_sftp"},
		}},
		SecuritySettings: SecuritySettings{
			RequireTwoFactor: true, SessionTimeoutMinutes: DefaultSessionTimeoutMinutes,
			SSO: SSOSettings{Enabled: true, Enforce: true},
		},
	}
}

// testAdmin is an active Full Admin with a second factor; its email sorts
// like its id.
func testAdmin(id string) User {
	return User{ID: id, Email: strings.TrimPrefix(id, "usr_") + "@example.com", RoleID: FullAdminRoleID, Status: UserActive,
		TwoFactorEnabled: true, LastLoginAt: timePtr(daysAgo(2)), CreatedAt: daysAgo(100)}
}

// wantFinding is the part of a finding a case pins down; the message is
// checked for the words that make it useful.
type wantFinding struct {
	check, severity, objectType, objectID string
	messageHas                            []string
}

func TestReviewAccess(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	cases := map[string]struct {
		change func(a *AccountSnapshot, o *ReviewOptions)
		want   []wantFinding // in the review's order
	}{
		"a clean account has no findings": {change: func(*AccountSnapshot, *ReviewOptions) {}},
		"one Full Admin within max_admins is listed as info": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.Users = append(a.Users, testAdmin("usr_root")) },
			want: []wantFinding{
				{CheckFullAdminUser, SeverityInfo, ReviewObjectUser, "usr_root", []string{"Full Admin", "1 enabled user holds it", "max_admins is 1"}},
			},
		},
		"Full Admins beyond max_admins are warnings, disabled ones do not count": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				eve := testAdmin("usr_eve")
				eve.Disabled, eve.Status = true, UserDisabled
				a.Users = append(a.Users, testAdmin("usr_root"), testAdmin("usr_bob"), eve)
			},
			want: []wantFinding{
				{CheckDisabledUserWithSensitiveRole, SeverityWarning, ReviewObjectUser, "usr_eve", []string{`"Full Admin"`}},
				{CheckFullAdminUser, SeverityWarning, ReviewObjectUser, "usr_bob", []string{"2 enabled users hold it", "more than max_admins (1)"}},
				{CheckFullAdminUser, SeverityWarning, ReviewObjectUser, "usr_root", []string{"2 enabled users hold it"}},
			},
		},
		"max_admins zero makes a single admin a warning": {
			change: func(a *AccountSnapshot, o *ReviewOptions) {
				a.Users = append(a.Users, testAdmin("usr_root"))
				o.MaxAdmins = 0
			},
			want: []wantFinding{
				{CheckFullAdminUser, SeverityWarning, ReviewObjectUser, "usr_root", []string{"1 enabled user holds it", "more than max_admins (0)"}},
			},
		},
		"a user without 2FA is info while 2FA is required": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.Users[0].TwoFactorEnabled = false },
			want: []wantFinding{
				{CheckUserWithoutTwoFactor, SeverityInfo, ReviewObjectUser, "usr_ada", []string{"require_two_factor is on"}},
			},
		},
		"a user without 2FA is a warning when 2FA is not required": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				a.Users[0].TwoFactorEnabled = false
				a.SecuritySettings.RequireTwoFactor = false
			},
			want: []wantFinding{
				{CheckUserWithoutTwoFactor, SeverityWarning, ReviewObjectUser, "usr_ada", []string{"require_two_factor is off"}},
			},
		},
		"a user last seen beyond inactive_after_days is inactive": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.Users[0].LastLoginAt = timePtr(daysAgo(15)) },
			want: []wantFinding{
				{CheckInactiveUser, SeverityWarning, ReviewObjectUser, "usr_ada", []string{"15 days ago", "inactive_after_days, 14"}},
			},
		},
		"a user last seen exactly inactive_after_days ago is not inactive yet": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.Users[0].LastLoginAt = timePtr(daysAgo(14)) },
		},
		"inactive_after_days moves the threshold": {
			change: func(a *AccountSnapshot, o *ReviewOptions) {
				a.Users[0].LastLoginAt = timePtr(daysAgo(3))
				o.InactiveAfterDays = 2
			},
			want: []wantFinding{
				{CheckInactiveUser, SeverityWarning, ReviewObjectUser, "usr_ada", []string{"3 days ago", "inactive_after_days, 2"}},
			},
		},
		"a recent invitation is info, an old one a warning": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				a.Users = append(a.Users,
					User{ID: "usr_new", Email: "new@example.com", RoleID: "rol_editor", Status: UserInvited, CreatedAt: daysAgo(2)},
					User{ID: "usr_old", Email: "old@example.com", RoleID: "rol_editor", Status: UserInvited, CreatedAt: daysAgo(30)})
				a.SecuritySettings.RequireTwoFactor = true
			},
			want: []wantFinding{
				{CheckInvitedUserNotActivated, SeverityInfo, ReviewObjectUser, "usr_new", []string{"2 days ago", "not logged in yet"}},
				{CheckInvitedUserNotActivated, SeverityWarning, ReviewObjectUser, "usr_old", []string{"30 days ago", "never logged in"}},
				// Invited users have not enrolled a second factor either.
				{CheckUserWithoutTwoFactor, SeverityInfo, ReviewObjectUser, "usr_new", nil},
				{CheckUserWithoutTwoFactor, SeverityInfo, ReviewObjectUser, "usr_old", nil},
			},
		},
		"a disabled user on a sensitive role is named with the permissions": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				a.Roles = append(a.Roles, c.DeriveRole(Role{ID: "rol_export", Name: "Exporter", Permissions: []string{"import_export.export_sensitive_user_data"}}))
				a.Users = append(a.Users, User{ID: "usr_gone", Email: "gone@example.com", RoleID: "rol_export", Disabled: true, Status: UserDisabled, LastLoginAt: timePtr(daysAgo(200))})
			},
			want: []wantFinding{
				// Disabled users are not reviewed for 2FA or inactivity.
				{CheckDisabledUserWithSensitiveRole, SeverityWarning, ReviewObjectUser, "usr_gone",
					[]string{`"Exporter"`, "import_export.export_sensitive_user_data, import_export.raw_data_exports"}},
				{CheckSensitiveRole, SeverityInfo, ReviewObjectRole, "rol_export", []string{"import_export.export_sensitive_user_data, import_export.raw_data_exports"}},
			},
		},
		"a disabled user on a narrow role is not a finding": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				a.Users = append(a.Users, User{ID: "usr_gone", Email: "gone@example.com", RoleID: "rol_editor", Disabled: true, Status: UserDisabled})
			},
		},
		"a role granting a sensitive permission through a dependency names it": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				// Without EffectivePermissions: the review derives the closure itself.
				a.Roles = append(a.Roles, Role{ID: "rol_pii", Name: "PII", Permissions: []string{"data.personal_info", "campaign.view"}})
				a.Users = append(a.Users, User{ID: "usr_pii", Email: "pii@example.com", RoleID: "rol_pii", TwoFactorEnabled: true, LastLoginAt: timePtr(daysAgo(1))})
			},
			want: []wantFinding{
				{CheckSensitiveRole, SeverityInfo, ReviewObjectRole, "rol_pii", []string{"grants sensitive permissions: data.personal_info"}},
			},
		},
		"a custom role nobody holds is unused, system roles are not": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				a.Roles = append(a.Roles, c.DeriveRole(Role{ID: "rol_idle", Name: "Idle", Permissions: []string{"analytics.insights"}}))
			},
			want: []wantFinding{
				{CheckUnusedRole, SeverityInfo, ReviewObjectRole, "rol_idle", []string{"no user holds"}},
			},
		},
		"an SFTP destination without a host key is a warning, S3 needs none": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				a.ExportDestinations[0].SFTP.HostKeySHA256 = ""
				a.ExportDestinations = append(a.ExportDestinations, ExportDestination{ID: "exd_s3", Name: "lake", Type: DestinationS3,
					S3: &S3Target{Bucket: "lake", Region: "eu-west-1", CredentialID: "trc_sftp"}})
			},
			want: []wantFinding{
				{CheckSFTPDestinationWithoutHostKey, SeverityWarning, ReviewObjectExportDestination, "exd_sftp", []string{`"sftp.example.com"`, "host_key_sha256"}},
			},
		},
		"a credential rotated beyond credential_max_age_days is a warning": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.TransferCredentials[0].RotatedAt = daysAgo(91) },
			want: []wantFinding{
				{CheckCredentialNotRotated, SeverityWarning, ReviewObjectCredential, "trc_sftp", []string{"91 days ago", "credential_max_age_days, 90"}},
			},
		},
		"a credential never rotated counts from its creation": {
			change: func(a *AccountSnapshot, o *ReviewOptions) {
				a.TransferCredentials[0].RotatedAt = time.Time{}
				o.CredentialMaxAgeDays = 365
			},
			want: []wantFinding{
				{CheckCredentialNotRotated, SeverityWarning, ReviewObjectCredential, "trc_sftp", []string{"400 days ago"}},
			},
		},
		"SSO off is not enforced": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.SecuritySettings.SSO = SSOSettings{} },
			want: []wantFinding{
				{CheckSSONotEnforced, SeverityWarning, ReviewObjectSecuritySettings, SecuritySettingsID, []string{"single sign-on is off"}},
			},
		},
		"SSO on without enforcement is not enforced": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.SecuritySettings.SSO.Enforce = false },
			want: []wantFinding{
				{CheckSSONotEnforced, SeverityWarning, ReviewObjectSecuritySettings, SecuritySettingsID, []string{"not enforced"}},
			},
		},
		"a session timeout above the default is a warning, the default is not": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) {
				a.SecuritySettings.SessionTimeoutMinutes = DefaultSessionTimeoutMinutes + 1
			},
			want: []wantFinding{
				{CheckSessionTimeoutAboveDefault, SeverityWarning, ReviewObjectSecuritySettings, SecuritySettingsID, []string{"1441 minutes", "default of 1440"}},
			},
		},
		"only disabled allowlists count as none": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.IPAllowlists[0].Enabled = false },
			want: []wantFinding{
				{CheckNoEnabledIPAllowlist, SeverityWarning, ReviewObjectAccount, SecuritySettingsID, []string{"no IP allowlist is enabled"}},
			},
		},
		"no allowlist at all counts as none": {
			change: func(a *AccountSnapshot, _ *ReviewOptions) { a.IPAllowlists = nil },
			want: []wantFinding{
				{CheckNoEnabledIPAllowlist, SeverityWarning, ReviewObjectAccount, SecuritySettingsID, nil},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, opts := cleanAccount(), DefaultReviewOptions()
			tc.change(&a, &opts)
			got := c.ReviewAccess(a, opts, reviewNow)

			if len(got.Findings) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got.Findings), len(tc.want), formatFindings(got.Findings))
			}
			for i, w := range tc.want {
				f := got.Findings[i]
				if f.Check != w.check || f.Severity != w.severity || f.ObjectType != w.objectType || f.ObjectID != w.objectID {
					t.Errorf("finding %d = %s/%s/%s/%s, want %s/%s/%s/%s", i, f.Check, f.Severity, f.ObjectType, f.ObjectID,
						w.check, w.severity, w.objectType, w.objectID)
				}
				if f.ObjectName == "" {
					t.Errorf("finding %d (%s) has no object name", i, f.Check)
				}
				for _, s := range w.messageHas {
					if !strings.Contains(f.Message, s) {
						t.Errorf("finding %d (%s) message %q lacks %q", i, f.Check, f.Message, s)
					}
				}
			}
			wantCounts := map[string]int{}
			for _, check := range ReviewChecks {
				wantCounts[check.ID] = 0
			}
			for _, w := range tc.want {
				wantCounts[w.check]++
			}
			if !maps.Equal(got.Counts, wantCounts) {
				t.Errorf("Counts = %v, want %v", got.Counts, wantCounts)
			}
		})
	}
}

func TestReviewAccessEmptyAccountTriggersAccountChecksOnly(t *testing.T) {
	t.Parallel()
	got := DefaultCatalog().ReviewAccess(AccountSnapshot{SecuritySettings: DefaultSecuritySettings()}, DefaultReviewOptions(), reviewNow)
	var checks []string
	for _, f := range got.Findings {
		checks = append(checks, f.Check)
	}
	want := []string{CheckNoEnabledIPAllowlist, CheckSSONotEnforced}
	if !slices.Equal(checks, want) {
		t.Errorf("checks = %v, want %v", checks, want)
	}
}

func TestReviewAccessIsDeterministic(t *testing.T) {
	t.Parallel()
	a := cleanAccount()
	a.SecuritySettings = DefaultSecuritySettings()
	for i := range 20 {
		a.Users = append(a.Users, User{ID: fmt.Sprintf("usr_%02d", i), Email: fmt.Sprintf("u%02d@example.com", 20-i), RoleID: FullAdminRoleID, CreatedAt: daysAgo(float64(i))})
	}
	first := DefaultCatalog().ReviewAccess(a, DefaultReviewOptions(), reviewNow)
	slices.Reverse(a.Users)
	second := DefaultCatalog().ReviewAccess(a, DefaultReviewOptions(), reviewNow)
	if !slices.Equal(first.Findings, second.Findings) {
		t.Errorf("the order of the input changed the findings:\n%s\nvs\n%s", formatFindings(first.Findings), formatFindings(second.Findings))
	}
	if !slices.IsSortedFunc(first.Findings, func(x, y Finding) int {
		return strings.Compare(x.Check+"\x00"+x.ObjectType+"\x00"+x.ObjectName, y.Check+"\x00"+y.ObjectType+"\x00"+y.ObjectName)
	}) {
		t.Errorf("findings are not sorted by check, object type and name:\n%s", formatFindings(first.Findings))
	}
}

func TestReviewChecksHaveUniqueSnakeCaseIDs(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range ReviewChecks {
		if seen[c.ID] {
			t.Errorf("check %q listed twice", c.ID)
		}
		seen[c.ID] = true
		if c.ID != strings.ToLower(c.ID) || strings.ContainsAny(c.ID, " -.") || c.Description == "" {
			t.Errorf("check %q: want a snake_case id and a description", c.ID)
		}
	}
}

func formatFindings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s/%s (%s): %s\n", f.Check, f.Severity, f.ObjectType, f.ObjectID, f.ObjectName, f.Message)
	}
	return b.String()
}
