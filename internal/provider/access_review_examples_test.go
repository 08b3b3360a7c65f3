package provider_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// The examples of the access review and of the functions become the
// documentation; this test applies them as written, so they stay valid.
func TestAccExamples_accessReviewAndFunctions(t *testing.T) {
	functions := readExamples(t,
		"../../examples/functions/effective_permissions/function.tf",
		"../../examples/functions/canonical_cidr/function.tf")
	review := readExamples(t, "../../examples/data-sources/engage_access_review/data-source.tf")
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
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
					// Added once the objects exist: a data source reads the
					// account as it is before the apply of its own run.
					Config: functions + review,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownOutputValue("access_review_counts", knownvalue.MapPartial(map[string]knownvalue.Check{
							// A new account has SSO off: the check block warns, the run goes on.
							"sso_not_enforced":        knownvalue.Int64Exact(1),
							"unused_role":             knownvalue.Int64Exact(1),
							"no_enabled_ip_allowlist": knownvalue.Int64Exact(0),
							"full_admin_user":         knownvalue.Int64Exact(0),
						})),
						statecheck.ExpectKnownOutputValue("access_review", knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("warning sso_not_enforced security_settings account: single sign-on is off: users log in with platform passwords"),
							knownvalue.StringRegexp(regexp.MustCompile(`^info unused_role role Analyst: no user holds this role`)),
						})),
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
