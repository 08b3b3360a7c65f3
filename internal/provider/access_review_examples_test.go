package provider_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// The examples of the access review and of the functions become the
// documentation; this test applies them as written, so they stay valid, and
// checks what the access review example says about when the review is read
// and what fails a run.
func TestAccExamples_accessReviewAndFunctions(t *testing.T) {
	functions := readExamples(t,
		"../../examples/functions/effective_permissions/function.tf",
		"../../examples/functions/canonical_cidr/function.tf")
	review := readExamples(t, "../../examples/data-sources/engage_access_review/data-source.tf")
	const dependsOn = "depends_on = [engage_role.support]"
	if !strings.Contains(review, dependsOn) {
		t.Fatalf("the access review example no longer has %q; update this test with it", dependsOn)
	}
	// The example without depends_on, and with a role it does not know of:
	// what the example warns against.
	reviewBeforeApply := strings.Replace(review, dependsOn, "", 1) + `
resource "engage_role" "auditor" {
  name        = "Auditor"
  permissions = ["campaign.view"]
}
`
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		ctx := context.Background()
		var admins []access.User
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
			Steps: []resource.TestStep{
				{
					Config: functions,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownOutputValue("office", knownvalue.StringExact("192.0.2.7/32")),
						statecheck.ExpectKnownOutputValue("analyst_effective_permissions",
							stringListExact("analytics.insights", "data.manage_segment", "data.view_segment_table")),
						statecheck.ExpectKnownValue("engage_ip_allowlist.vpn", tfjsonpath.New("entries"), knownvalue.SetExact([]knownvalue.Check{
							knownvalue.ObjectExact(map[string]knownvalue.Check{"cidr": knownvalue.StringExact("198.51.100.10/32"), "description": knownvalue.StringExact("VPN egress")}),
							knownvalue.ObjectExact(map[string]knownvalue.Check{"cidr": knownvalue.StringExact("2001:db8::/64"), "description": knownvalue.StringExact("VPN egress")}),
						})),
					},
				},
				{
					// The review's example creates the Support role it
					// depends on: the plan leaves the review to the apply,
					// which reads it after the role exists, so the outputs
					// show the role and the next plan is empty.
					Config: functions + review,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("engage_role.support", plancheck.ResourceActionCreate),
							plancheck.ExpectUnknownOutputValue("access_review_counts"),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownOutputValue("access_review_counts", knownvalue.MapPartial(map[string]knownvalue.Check{
							// A new account has SSO off: the check block warns, the run goes on.
							"sso_not_enforced":        knownvalue.Int64Exact(1),
							"unused_role":             knownvalue.Int64Exact(2),
							"no_enabled_ip_allowlist": knownvalue.Int64Exact(0),
							"full_admin_user":         knownvalue.Int64Exact(0),
						})),
						statecheck.ExpectKnownOutputValue("access_review", knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("warning sso_not_enforced security_settings account: single sign-on is off: users log in with platform passwords"),
							knownvalue.StringRegexp(regexp.MustCompile(`^info unused_role role Analyst: no user holds this role`)),
							knownvalue.StringRegexp(regexp.MustCompile(`^info unused_role role Support: no user holds this role`)),
						})),
					},
				},
				{
					// The check block's assertion fails (SSO is off), yet the
					// plan succeeds and is empty: with -detailed-exitcode it
					// would exit 0.
					Config:   functions + review,
					PlanOnly: true,
				},
				{
					// A precondition does fail the plan: two Full Admins
					// where max_admins is 1. Nothing the review depends on
					// changes, so it is read, and the condition checked,
					// while planning.
					PreConfig: func() {
						for _, email := range []string{"admin1@example.com", "admin2@example.com"} {
							u, err := b.Service.CreateUser(ctx, access.User{Email: email, DisplayName: email, RoleID: access.FullAdminRoleID})
							if err != nil {
								t.Fatalf("creating a Full Admin outside Terraform: %v", err)
							}
							admins = append(admins, u)
						}
					},
					Config:      functions + review,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Resource precondition failed.*More users hold Full Admin than max_admins\s+allows`),
				},
				{
					// Without depends_on, the review is read while planning,
					// before the Auditor role is created: the outputs miss
					// it, and the plan after the apply changes them.
					PreConfig: func() {
						for _, u := range admins {
							if err := b.Service.DeleteUser(ctx, u.ID, u.Version); err != nil {
								t.Fatalf("deleting %s: %v", u.Email, err)
							}
						}
					},
					Config:             functions + reviewBeforeApply,
					ExpectNonEmptyPlan: true,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownOutputValue("access_review_counts", knownvalue.MapPartial(map[string]knownvalue.Check{
							"unused_role": knownvalue.Int64Exact(2), // Analyst and Support, not Auditor
						})),
					},
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectNonEmptyPlan()},
					},
				},
			},
		})
	})
}

// readExamples concatenates example files into one configuration.
func readExamples(t *testing.T, files ...string) string {
	t.Helper()
	var config strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("reading the example: %v", err)
		}
		config.Write(b)
		config.WriteString("\n")
	}
	return config.String()
}
