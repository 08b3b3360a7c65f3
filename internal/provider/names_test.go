package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// Names the platform refuses are refused at plan time, by the platform's
// own rule (access.CheckName, access.CheckRoleName); names that differ
// only by letter case or Unicode compatibility form are one name.
func TestAccNames_refusedAtPlanAndComparedByCompatibilityForm(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		role := func(address, name string) string {
			return fmt.Sprintf(`
resource "engage_role" %[1]q {
  name        = %[2]q
  permissions = ["campaign.view"]
}
`, address, name)
		}
		plainError := func(attr, message string) *regexp.Regexp {
			return regexp.MustCompile(`(?s)Invalid (role )?name.*` + attr + `: ` + message)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{
					Config:      role("admin", "Full Admin"),
					PlanOnly:    true,
					ExpectError: plainError("name", `"Full Admin" is the name of a system role`),
				},
				{
					Config:      role("admin", "ｆｕｌｌ ａｄｍｉｎ"),
					PlanOnly:    true,
					ExpectError: plainError("name", `"Full Admin" is the name of a system role`),
				},
				{
					// A zero-width space looks like nothing in the console.
					Config:      role("analyst", "Ana\u200blyst"),
					PlanOnly:    true,
					ExpectError: plainError("name", `must not contain control or format characters \(U\+200B at position 4\)`),
				},
				{
					// A right-to-left override reorders what the console shows.
					Config: fmt.Sprintf(`
resource "engage_ip_allowlist" "office" {
  name    = %q
  entries = []
}
`, "Office\u202egpj.exe"),
					PlanOnly:    true,
					ExpectError: plainError("name", `must not contain control or format characters \(U\+202E at position 7\)`),
				},
				{
					Config: fmt.Sprintf(`
resource "engage_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada\nLovelace"
  role_id      = %q
}
`, access.ReadOnlyRoleID),
					PlanOnly:    true,
					ExpectError: plainError("display_name", `must not contain control or format characters \(U\+000A`),
				},
				{
					// A trailing no-break space passed the plan and failed
					// the apply before.
					Config:      role("analyst", "Analyst\u00a0"),
					PlanOnly:    true,
					ExpectError: plainError("name", `must not start or end with white space`),
				},
				{Config: role("analyst", "Analyst")},
				{
					// Fullwidth letters: the same name to the platform.
					Config:      role("analyst", "Analyst") + role("fullwidth", "Ａｎａｌｙｓｔ"),
					ExpectError: regexp.MustCompile(`(?s)Role already exists.*named "Analyst"`),
				},
			},
		})
	})
}
