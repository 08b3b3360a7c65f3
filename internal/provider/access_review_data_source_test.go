package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

const accessReviewAddr = "data.engage_access_review.test"

// reviewSeed holds the ids of an account seeded out of band, for findings
// to name.
type reviewSeed struct {
	exporterRole, idleRole                    access.Role
	root1, root2, noTwoFactor, stale, invited access.User
	gone                                      access.User
	oldCredential                             access.TransferCredential
	unpinned                                  access.ExportDestination
}

// seedAccountTriggeringEveryCheck builds, through the platform and not
// through Terraform, an account where every check of the review finds
// something: two Full Admins, a user without a second factor while it is not
// required, a user last seen 30 days ago, an unanswered invitation, a
// disabled user on a sensitive role, an unused role, an SFTP destination
// without a host key on a credential last rotated 120 days ago, SSO off, a
// two-day session timeout and only a disabled allowlist.
func seedAccountTriggeringEveryCheck(t *testing.T, b *acctest.Backend) reviewSeed {
	t.Helper()
	ctx := context.Background()
	svc := b.Service
	var s reviewSeed
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("seeding %s: %v", what, err)
		}
	}
	var err error
	editor, err := svc.CreateRole(ctx, access.Role{Name: "Campaign Editor", Permissions: []string{"campaign.edit"}})
	must(err, "the editor role")
	s.exporterRole, err = svc.CreateRole(ctx, access.Role{Name: "Exporter", Permissions: []string{"import_export.export_user_data"}})
	must(err, "the exporter role")
	s.idleRole, err = svc.CreateRole(ctx, access.Role{Name: "Idle", Permissions: []string{"analytics.insights"}})
	must(err, "the idle role")

	user := func(email, roleID string) access.User {
		t.Helper()
		u, err := svc.CreateUser(ctx, access.User{Email: email, DisplayName: email, RoleID: roleID})
		must(err, email)
		return u
	}
	login := func(u access.User, ago time.Duration, twoFactor bool) {
		t.Helper()
		must(b.Platform.RecordLogin(ctx, u.ID, time.Now().Add(-ago), twoFactor), "a login of "+u.Email)
	}
	s.root1 = user("root1@example.com", access.FullAdminRoleID)
	login(s.root1, time.Hour, true)
	s.root2 = user("root2@example.com", access.FullAdminRoleID)
	login(s.root2, time.Hour, true)
	s.noTwoFactor = user("nofa@example.com", editor.ID)
	login(s.noTwoFactor, time.Hour, false)
	s.stale = user("stale@example.com", editor.ID)
	login(s.stale, 30*24*time.Hour, true)
	s.invited = user("invited@example.com", editor.ID)
	s.gone = user("gone@example.com", s.exporterRole.ID)
	s.gone.Disabled = true
	s.gone, err = svc.UpdateUser(ctx, s.gone)
	must(err, "disabling gone@example.com")

	s.oldCredential, err = svc.CreateTransferCredential(ctx, access.TransferCredential{Name: "sftp_old", Username: "exporter", Secret: "not-a-real-secret"})
	must(err, "the credential")
	must(b.Platform.SetCredentialRotatedAt(ctx, s.oldCredential.ID, time.Now().Add(-120*24*time.Hour)), "the credential's rotation time")
	s.unpinned, err = svc.CreateExportDestination(ctx, access.ExportDestination{
		Name: "warehouse", Type: access.DestinationSFTP,
		SFTP:        &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/exports", CredentialID: s.oldCredential.ID},
		ExportKinds: []access.ExportKind{access.ExportRawData},
	})
	must(err, "the destination")

	settings := access.DefaultSecuritySettings()
	settings.SessionTimeoutMinutes = 2880
	_, err = svc.UpdateSecuritySettings(ctx, settings)
	must(err, "the security settings")
	_, err = svc.CreateIPAllowlist(ctx, access.IPAllowlist{Name: "office", Enabled: false, Entries: []access.AllowlistEntry{{CIDR: "192.0.2.0/24"}}})
	must(err, "the allowlist")
	return s
}

// findingCheck matches one finding: its message by the words that make it
// useful.
func findingCheck(check, severity, objectType, objectID, objectName, messageRE string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"check":       knownvalue.StringExact(check),
		"severity":    knownvalue.StringExact(severity),
		"object_type": knownvalue.StringExact(objectType),
		"object_id":   knownvalue.StringExact(objectID),
		"object_name": knownvalue.StringExact(objectName),
		"message":     knownvalue.StringRegexp(regexp.MustCompile(messageRE)),
	})
}

// countsCheck expects every check's count: those named in nonZero, and 0
// for the others.
func countsCheck(nonZero map[string]int64) knownvalue.Check {
	want := map[string]knownvalue.Check{}
	for _, c := range access.ReviewChecks {
		want[c.ID] = knownvalue.Int64Exact(nonZero[c.ID])
	}
	return knownvalue.MapExact(want)
}

func TestAccAccessReview_everyCheck(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		s := seedAccountTriggeringEveryCheck(t, b)
		const (
			info, warning = access.SeverityInfo, access.SeverityWarning
			user, role    = access.ReviewObjectUser, access.ReviewObjectRole
			account       = access.SecuritySettingsID
		)
		fullAdminSeverity := func(sev string) []knownvalue.Check {
			return []knownvalue.Check{
				findingCheck("full_admin_user", sev, user, s.root1.ID, "root1@example.com", `holds Full Admin; 2 enabled users hold it`),
				findingCheck("full_admin_user", sev, user, s.root2.ID, "root2@example.com", `holds Full Admin; 2 enabled users hold it`),
			}
		}
		findings := func(adminSeverity string) knownvalue.Check {
			var all []knownvalue.Check
			all = append(all,
				findingCheck("credential_not_rotated", warning, access.ReviewObjectCredential, s.oldCredential.ID, "sftp_old", `last set 120 days ago.*credential_max_age_days, 90`),
				findingCheck("disabled_user_with_sensitive_role", warning, user, s.gone.ID, "gone@example.com", `disabled but still holds role "Exporter".*import_export\.export_user_data`),
			)
			all = append(all, fullAdminSeverity(adminSeverity)...)
			all = append(all,
				findingCheck("inactive_user", warning, user, s.stale.ID, "stale@example.com", `last logged in 30 days ago.*inactive_after_days, 14`),
				findingCheck("invited_user_not_activated", info, user, s.invited.ID, "invited@example.com", `invited 0 days ago and has not logged in yet`),
				findingCheck("no_enabled_ip_allowlist", warning, access.ReviewObjectAccount, account, account, `no IP allowlist is enabled`),
				findingCheck("sensitive_role", info, role, s.exporterRole.ID, "Exporter", `^grants sensitive permissions: import_export\.export_user_data$`),
				findingCheck("session_timeout_above_default", warning, access.ReviewObjectSecuritySettings, account, account, `2880 minutes, above the platform default of 1440`),
				findingCheck("sftp_destination_without_host_key", warning, access.ReviewObjectExportDestination, s.unpinned.ID, "warehouse", `"sftp\.example\.com" has no pinned host key`),
				findingCheck("sso_not_enforced", warning, access.ReviewObjectSecuritySettings, account, account, `single sign-on is off`),
				findingCheck("unused_role", info, role, s.idleRole.ID, "Idle", `no user holds this role`),
				findingCheck("user_without_two_factor", warning, user, s.invited.ID, "invited@example.com", `require_two_factor is off`),
				findingCheck("user_without_two_factor", warning, user, s.noTwoFactor.ID, "nofa@example.com", `require_two_factor is off`),
			)
			return knownvalue.ListExact(all)
		}
		everyCheckOnce := map[string]int64{}
		for _, c := range access.ReviewChecks {
			everyCheckOnce[c.ID] = 1
		}
		everyCheckOnce["full_admin_user"], everyCheckOnce["user_without_two_factor"] = 2, 2

		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{
					Config:      `data "engage_access_review" "test" { max_admins = -1 }`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value.*max_admins.*value must be between 0 and 1000, got: -1`),
				},
				{
					// Terraform has one number type; a fraction or a number
					// beyond int64 is the user's mistake, said at the attribute.
					Config:      `data "engage_access_review" "test" { max_admins = 2.5 }`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value.*Attribute max_admins must be a whole number, got 2\.5`),
				},
				{
					Config:      `data "engage_access_review" "test" { credential_max_age_days = 1e300 }`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value.*Attribute\s+credential_max_age_days\s+must\s+be\s+a\s+whole\s+number\s+from\s+-9223372036854775808\s+to\s+9223372036854775807,\s+got\s+1e\+300`),
				},
				{
					Config:      `data "engage_access_review" "test" { inactive_after_days = 0 }`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value.*inactive_after_days.*value must be between 1 and 3650, got: 0`),
				},
				{
					Config:      `data "engage_access_review" "test" { credential_max_age_days = 3651 }`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value.*credential_max_age_days.*value must be between 1 and 3650, got: 3651`),
				},
				{
					// Defaults: one admin is the most, two weeks without a login is inactive.
					Config: `data "engage_access_review" "test" {}`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("max_admins"), knownvalue.Int64Exact(1)),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("inactive_after_days"), knownvalue.Int64Exact(14)),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("credential_max_age_days"), knownvalue.Int64Exact(90)),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("findings"), findings(warning)),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("counts"), countsCheck(everyCheckOnce)),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(14)),
					},
				},
				{
					// Thresholds move findings: two admins are allowed, a month
					// without a login is fine, and the credential is young enough.
					Config: `data "engage_access_review" "test" {
  max_admins              = 2
  inactive_after_days     = 31
  credential_max_age_days = 121
}

output "warnings" {
  value = length([for f in data.engage_access_review.test.findings : f if f.severity == "warning"])
}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("findings").AtSliceIndex(1), fullAdminSeverity(info)[0]),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("findings").AtSliceIndex(2), fullAdminSeverity(info)[1]),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("counts").AtMapKey("inactive_user"), knownvalue.Int64Exact(0)),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("counts").AtMapKey("credential_not_rotated"), knownvalue.Int64Exact(0)),
						statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(12)),
						// disabled user, unpinned SFTP, allowlist, timeout, SSO, two users without 2FA.
						statecheck.ExpectKnownOutputValue("warnings", knownvalue.Int64Exact(7)),
					},
				},
			},
		})
	})
}

func TestAccAccessReview_cleanAccount(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		ctx := context.Background()
		svc := b.Service
		must := func(err error, what string) {
			t.Helper()
			if err != nil {
				t.Fatalf("seeding %s: %v", what, err)
			}
		}
		editor, err := svc.CreateRole(ctx, access.Role{Name: "Campaign Editor", Permissions: []string{"campaign.edit"}})
		must(err, "the role")
		ada, err := svc.CreateUser(ctx, access.User{Email: "ada@example.com", DisplayName: "Ada", RoleID: editor.ID})
		must(err, "the user")
		must(b.Platform.RecordLogin(ctx, ada.ID, time.Now().Add(-time.Hour), true), "a login")
		cred, err := svc.CreateTransferCredential(ctx, access.TransferCredential{Name: "sftp_prod", Username: "exporter", Secret: "not-a-real-secret"})
		must(err, "the credential")
		_, err = svc.CreateExportDestination(ctx, access.ExportDestination{
			Name: "warehouse", Type: access.DestinationSFTP,
			SFTP: &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/exports", CredentialID: cred.ID,
				HostKeySHA256: "SHA256:" + strings.Repeat("A", 43)},
			ExportKinds: []access.ExportKind{access.ExportReport},
		})
		must(err, "the destination")
		_, err = svc.CreateIPAllowlist(ctx, access.IPAllowlist{Name: "office", Enabled: true,
			Entries: []access.AllowlistEntry{{CIDR: "127.0.0.1/32"}, {CIDR: "::1/128"}, {CIDR: "192.0.2.0/24"}}})
		must(err, "the allowlist")
		settings := access.DefaultSecuritySettings()
		settings.RequireTwoFactor = true
		settings.SSO = access.SSOSettings{Enabled: true, Enforce: true, IdPEntityID: "https://idp.example.com/entity",
			IdPSSOURL: "https://idp.example.com/sso", IdPCertificatePEM: testAccIdPCertificate(t, idpCertNotAfter)}
		_, err = svc.UpdateSecuritySettings(ctx, settings)
		must(err, "the security settings")

		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{{
				Config: `data "engage_access_review" "test" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("counts"), countsCheck(nil)),
					statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(0)),
				},
			}},
		})
	})
}

// requestCounter counts the requests a server receives by method and path.
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *requestCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.counts[r.Method+" "+r.URL.Path]++
		c.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// On REST the review reads each collection with one request however many
// objects it holds (here more users than the server's default page), and
// never an object by id.
func TestAccAccessReview_restReadsEachCollectionOnce(t *testing.T) {
	counter := &requestCounter{counts: map[string]int{}}
	b := acctest.RESTWith(t, acctest.RESTOptions{Wrap: counter.wrap})
	ctx := context.Background()
	role, err := b.Service.CreateRole(ctx, access.Role{Name: "Viewer", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatalf("seeding the role: %v", err)
	}
	const users = 150
	for i := range users {
		if _, err := b.Service.CreateUser(ctx, access.User{Email: fmt.Sprintf("user%03d@example.com", i), DisplayName: "User", RoleID: role.ID}); err != nil {
			t.Fatalf("seeding user %d: %v", i, err)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		Steps: []resource.TestStep{{
			Config: `data "engage_access_review" "test" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(accessReviewAddr, tfjsonpath.New("counts").AtMapKey("invited_user_not_activated"), knownvalue.Int64Exact(users)),
			},
		}},
	})

	counter.mu.Lock()
	defer counter.mu.Unlock()
	collections := []string{
		"GET /v1/roles", "GET /v1/users", "GET /v1/ip-allowlists", "GET /v1/transfer-credentials",
		"GET /v1/export-destinations", "GET /v1/settings/security",
	}
	reads := counter.counts["GET /v1/roles"]
	if reads == 0 {
		t.Fatalf("the data source never listed roles; requests: %v", counter.counts)
	}
	t.Logf("%d reads of the data source; requests: %v", reads, counter.counts)
	for _, c := range collections {
		if got := counter.counts[c]; got != reads {
			t.Errorf("%s: %d requests, want %d (one per read, like GET /v1/roles)", c, got, reads)
		}
	}
	for key, n := range counter.counts {
		switch {
		case key == "GET /v1/whoami" || key == "GET /v1/permissions":
		case !strings.HasPrefix(key, "GET "):
			t.Errorf("%s: %d requests; a review only reads", key, n)
		default:
			known := false
			for _, c := range collections {
				known = known || key == c
			}
			if !known {
				t.Errorf("%s: %d requests; the review must not read objects one by one", key, n)
			}
		}
	}
}
