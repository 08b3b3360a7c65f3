package planreview_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
	"github.com/engage-oss/terraform-provider-engage/internal/command"
	"github.com/engage-oss/terraform-provider-engage/internal/planreview"
)

// The real-plan tests: terraform plans each configuration with the provider,
// and review-plan (the command, as CI runs it) reads the JSON of that plan.
// Every check fires on a plan of its own; a compliant change fires none.

const hostKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"

func roleConfig(name, perms string) string {
	return fmt.Sprintf(`
resource "engage_role" "team" {
  name        = %q
  description = "owner: data-team@example.com"
  permissions = [%s]
}
`, name, perms)
}

func userConfig(email, roleExpr string) string {
	return fmt.Sprintf(`
resource "engage_user" "ana" {
  email        = %q
  display_name = "Ana Lytic"
  role_id      = %s
}
`, email, roleExpr)
}

const systemRoles = `
data "engage_role" "full_admin" {
  name = "Full Admin"
}
data "engage_role" "read_only" {
  name = "Read Only"
}
`

func allowlistConfig(cidrs ...string) string {
	quoted := make([]string, 0, len(cidrs))
	for _, c := range cidrs {
		quoted = append(quoted, fmt.Sprintf("{ cidr = %q }", c))
	}
	return fmt.Sprintf(`
resource "engage_ip_allowlist" "offices" {
  name    = "offices"
  entries = [%s]
}
`, strings.Join(quoted, ", "))
}

const credentialConfig = `
resource "engage_transfer_credential" "sftp" {
  name              = "sftp_prod"
  username          = "exporter"
  secret_wo         = "s3cret-never-shown"
  secret_wo_version = 1
}
`

func destinationConfig(hostKeyLine string) string {
	return credentialConfig + fmt.Sprintf(`
resource "engage_export_destination" "warehouse" {
  name = "warehouse"
  sftp = {
    host          = "sftp.example.com"
    path          = "/exports"
    credential_id = engage_transfer_credential.sftp.id
    %s
  }
  export_kinds = ["raw_data_export"]
}
`, hostKeyLine)
}

func settingsConfig(body string) string {
	return fmt.Sprintf("\nresource \"engage_security_settings\" \"account\" {\n%s\n}\n", body)
}

const maskingConfig = `
resource "engage_masking_column" "email" {
  table  = "customers"
  column = "email"
}
`

// expect is what review-plan must report for one planned step: exactly
// these findings (check/severity/subject) and these people.
type expect struct {
	findings   []string
	principals []string
}

type step struct {
	config string
	want   *expect // nil: the step is only applied, to set up the next
}

func TestAccReviewPlan_everyCheckOnARealPlan(t *testing.T) {
	cert := selfSignedPEM(t, time.Now().AddDate(2, 0, 0))
	sso := func(enforce bool) string {
		return fmt.Sprintf(`  sso = {
    enabled             = true
    enforce             = %t
    idp_entity_id       = "https://idp.example.com/entity"
    idp_sso_url         = "https://idp.example.com/sso"
    idp_certificate_pem = <<EOT
%sEOT
  }`, enforce, cert)
	}
	allPermissions := quoteAll(access.DefaultCatalog().Keys())
	tests := []struct {
		name  string
		steps []step
	}{
		{"a compliant change has no finding", []step{{
			config: roleConfig("Campaigns", `"campaign.publish"`) + userConfig("ana@example.com", "engage_role.team.id") +
				allowlistConfig("192.0.2.0/24", "2001:db8::/32") +
				settingsConfig("  require_two_factor = true") + maskingConfig,
			want: &expect{principals: []string{"ana@example.com"}},
		}}},
		{"sensitive_access_gained: a role gains data.export_data, owner line or not", []step{
			{config: roleConfig("Analysts", `"analytics.insights"`) + userConfig("ana@example.com", "engage_role.team.id")},
			{config: roleConfig("Analysts", `"analytics.insights", "data.export_data"`) + userConfig("ana@example.com", "engage_role.team.id"),
				want: &expect{findings: []string{"sensitive_access_gained/high/ana@example.com"}, principals: []string{"ana@example.com"}}},
		}},
		{"full_admin_granted: a custom role with every permission on a new user", []step{{
			config: roleConfig("Platform", allPermissions) + userConfig("ana@example.com", "engage_role.team.id"),
			want: &expect{findings: []string{
				"full_admin_granted/high/ana@example.com", "sensitive_access_gained/high/ana@example.com", "full_admin_granted/medium/Platform",
			}, principals: []string{"ana@example.com"}},
		}}},
		{"admin_count_exceeded: a second Full Admin", []step{
			{config: systemRoles + userConfig("ana@example.com", "data.engage_role.full_admin.id") + strings.ReplaceAll(
				userConfig("bob@example.com", "data.engage_role.read_only.id"), `"ana"`, `"bob"`)},
			{config: systemRoles + userConfig("ana@example.com", "data.engage_role.full_admin.id") + strings.ReplaceAll(
				userConfig("bob@example.com", "data.engage_role.full_admin.id"), `"ana"`, `"bob"`),
				want: &expect{findings: []string{
					"full_admin_granted/high/bob@example.com", "sensitive_access_gained/high/bob@example.com", "admin_count_exceeded/medium/Full Admin",
				}, principals: []string{"bob@example.com"}}},
		}},
		{"network_opened_to_internet: 0.0.0.0/1 and 128.0.0.0/1", []step{
			{config: allowlistConfig("192.0.2.0/24")},
			{config: allowlistConfig("192.0.2.0/24", "0.0.0.0/1", "128.0.0.0/1"),
				want: &expect{findings: []string{"network_opened_to_internet/high/network"}}},
		}},
		{"network_widened: one more network", []step{
			{config: allowlistConfig("192.0.2.0/24")},
			{config: allowlistConfig("192.0.2.0/24", "198.51.100.0/24"), want: &expect{findings: []string{"network_widened/medium/network"}}},
		}},
		{"column_unmasked: a masking column destroyed", []step{
			{config: maskingConfig},
			{config: "# the masking column is gone\n", want: &expect{findings: []string{"column_unmasked/high/customers.email"}}},
		}},
		{"export_path_added: a new destination", []step{{
			config: destinationConfig(fmt.Sprintf("host_key_sha256 = %q", hostKey)),
			want:   &expect{findings: []string{"export_path_added/medium/warehouse"}},
		}}},
		{"host_key_not_pinned: the host key removed", []step{
			{config: destinationConfig(fmt.Sprintf("host_key_sha256 = %q", hostKey))},
			{config: destinationConfig(""), want: &expect{findings: []string{"host_key_not_pinned/medium/warehouse"}}},
		}},
		{"two_factor_disabled", []step{
			{config: settingsConfig("  require_two_factor = true")},
			{config: settingsConfig("  require_two_factor = false"), want: &expect{findings: []string{"two_factor_disabled/high/security settings"}}},
		}},
		{"sso_enforcement_removed", []step{
			{config: settingsConfig(sso(true))},
			{config: settingsConfig(sso(false)), want: &expect{findings: []string{"sso_enforcement_removed/medium/security settings"}}},
		}},
		{"session_timeout_raised", []step{
			{config: settingsConfig("  session_timeout_minutes = 60")},
			{config: settingsConfig("  session_timeout_minutes = 600"), want: &expect{findings: []string{"session_timeout_raised/low/security settings"}}},
		}},
		{"campaign_approval_disabled", []step{
			{config: settingsConfig("  campaign_approval_required = true")},
			{config: settingsConfig("  campaign_approval_required = false"), want: &expect{findings: []string{"campaign_approval_disabled/low/security settings"}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := acctest.Embedded(t)
			steps := make([]resource.TestStep, 0, len(tt.steps))
			for _, s := range tt.steps {
				ts := resource.TestStep{Config: s.config}
				if s.want != nil {
					ts.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{reviewPlanCheck{
						dir: t.TempDir(), args: []string{"--embedded-path", b.EmbeddedPath}, want: *s.want,
					}}
				}
				steps = append(steps, ts)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: b.Factories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				Steps:                    steps,
			})
		})
	}
}

// TestAccReviewPlan_holdersOutsideTheConfiguration: a user created in the
// console holds a role the plan changes; only a backend can name her, on
// either backend.
func TestAccReviewPlan_holdersOutsideTheConfiguration(t *testing.T) {
	acctest.ForEachBackendSequentially(t, func(t *testing.T, b *acctest.Backend) {
		args := []string{"--embedded-path", b.EmbeddedPath}
		if b.URL != "" {
			args = []string{"--endpoint", b.URL}
			t.Setenv("ENGAGE_API_TOKEN", b.Token)
		}
		var consoleUserID string
		addConsoleUser := func(s *terraform.State) error {
			roleID := s.RootModule().Resources["engage_role.team"].Primary.ID
			u, err := b.Service.CreateUser(context.Background(), access.User{
				Email: "console@example.com", DisplayName: "Made In Console", RoleID: roleID,
			})
			consoleUserID = u.ID
			return err
		}
		// The platform refuses to delete a held role: the console user
		// goes before the test's destroy.
		removeConsoleUser := func() {
			if err := b.Service.DeleteUser(context.Background(), consoleUserID, 0); err != nil {
				t.Fatalf("deleting the console user: %v", err)
			}
		}
		config := func(perms string) string {
			return roleConfig("Analysts", perms) + userConfig("ana@example.com", "engage_role.team.id")
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{Config: config(`"analytics.insights"`), Check: addConsoleUser},
				{
					Config: config(`"analytics.insights", "data.personal_info"`),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						reviewPlanCheck{dir: t.TempDir(), args: args, want: expect{
							findings: []string{
								"sensitive_access_gained/high/ana@example.com", "sensitive_access_gained/high/console@example.com",
							},
							principals: []string{"ana@example.com", "console@example.com"},
						}},
						// Without a backend the review says what it could not see.
						reviewPlanCheck{dir: t.TempDir(), noBackend: true, want: expect{
							findings:   []string{"sensitive_access_gained/high/ana@example.com", "sensitive_access_gained/medium/Analysts"},
							principals: []string{"ana@example.com"},
						}},
					}},
				},
				{PreConfig: removeConsoleUser, Config: config(`"analytics.insights", "data.personal_info"`)},
			},
		})
	})
}

// reviewPlanCheck writes the plan as terraform show -json prints it, runs
// review-plan --format json on it, and compares the findings and people.
type reviewPlanCheck struct {
	dir       string
	args      []string
	noBackend bool
	want      expect
}

func (c reviewPlanCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	planJSON, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	planFile := filepath.Join(c.dir, "plan.json")
	if err := os.WriteFile(planFile, planJSON, 0o600); err != nil {
		resp.Error = err
		return
	}
	args := append([]string{"--format", "json"}, c.args...)
	if c.noBackend {
		// The suite's environment may name a backend; this review must not.
		args = append(args, "--endpoint", "", "--embedded-path", "")
	}
	var stdout, stderr bytes.Buffer
	if code := command.ReviewPlan(append(args, planFile), nil, &stdout, &stderr); code != 0 {
		resp.Error = fmt.Errorf("review-plan exited %d: %s", code, stderr.String())
		return
	}
	var rep planreview.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		resp.Error = fmt.Errorf("decoding the report: %w", err)
		return
	}
	var findings, principals []string
	for _, f := range rep.Findings {
		findings = append(findings, f.Check+"/"+f.Severity+"/"+f.Subject)
	}
	for _, p := range rep.Principals {
		principals = append(principals, p.Email)
	}
	if !sameSet(findings, c.want.findings) || !sameSet(principals, c.want.principals) {
		resp.Error = fmt.Errorf("review-plan reported\n  findings   %q\n  principals %q\nwant\n  findings   %q\n  principals %q\nplan: %s",
			findings, principals, c.want.findings, c.want.principals, planFile)
	}
	if bytes.Contains(stdout.Bytes(), []byte("s3cret-never-shown")) {
		resp.Error = fmt.Errorf("the report holds the credential's secret")
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func quoteAll(keys []string) string {
	quoted := make([]string, 0, len(keys))
	for _, k := range keys {
		quoted = append(quoted, fmt.Sprintf("%q", k))
	}
	return strings.Join(quoted, ", ")
}

// selfSignedPEM returns a self-signed ECDSA certificate expiring at notAfter.
func selfSignedPEM(t testing.TB, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.example.com"},
		NotBefore: notAfter.AddDate(-3, 0, 0), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
