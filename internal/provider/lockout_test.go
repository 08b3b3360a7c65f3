package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// testAccLockoutConfig renders one enabled allowlist holding cidr, with
// lockout protection set as given.
func testAccLockoutConfig(protection bool, cidr string) string {
	return fmt.Sprintf(`
provider "engage" {
  lockout_protection = %[1]t
}

resource "engage_ip_allowlist" "test" {
  name    = "Office"
  enabled = true
  entries = [{ cidr = %[2]q }]
}
`, protection, cidr)
}

// The REST backend: the platform sees the test runner at 127.0.0.1.
func TestAccLockoutProtection_refusesAPlanThatLocksTheCallerOut(t *testing.T) {
	t.Parallel()
	b := acctest.REST(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		Steps: []resource.TestStep{
			{
				// The caller's own network: allowed.
				Config: testAccLockoutConfig(true, "127.0.0.0/8"),
			},
			{
				// Swapping it for another network would lock the caller out:
				// refused at plan time, naming the address.
				Config: testAccLockoutConfig(true, "203.0.113.0/24"),
				ExpectError: regexp.MustCompile(`(?s)IP allowlist change refused.*lock\s+out\s+your\s+own\s+address\s+127\.0\.0\.1.*` +
					`in\s+this\s+apply\s+in\s+another\s+enabled\s+list.*depends_on.*lockout_protection\s+=\s+false`),
			},
			{
				// Nothing changed on the platform.
				Config: testAccLockoutConfig(true, "127.0.0.0/8"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Switched off, the same change applies.
				Config: testAccLockoutConfig(false, "203.0.113.0/24"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("engage_ip_allowlist.test", plancheck.ResourceActionUpdate)},
				},
			},
		},
	})
}

// The embedded backend has no network between caller and platform, so
// there is no address to lock out: the same change applies.
func TestAccLockoutProtection_hasNothingToProtectOnTheEmbeddedBackend(t *testing.T) {
	t.Parallel()
	b := acctest.Embedded(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		Steps: []resource.TestStep{
			{Config: testAccLockoutConfig(true, "127.0.0.0/8")},
			{Config: testAccLockoutConfig(true, "203.0.113.0/24")},
		},
	})
}

// The refusal's advice, followed: a new list covering the caller, which the
// changed list names in depends_on, is planned and written first, so the
// change is safe and applies in one go.
func TestAccLockoutProtection_aNewListTheChangeDependsOnMakesItSafe(t *testing.T) {
	t.Parallel()
	b := acctest.REST(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		Steps: []resource.TestStep{
			{Config: testAccLockoutConfig(true, "127.0.0.0/8")},
			{
				Config: `
provider "engage" {
  lockout_protection = true
}

resource "engage_ip_allowlist" "admins" {
  name    = "Admins"
  entries = [{ cidr = "127.0.0.1" }]
}

resource "engage_ip_allowlist" "test" {
  name       = "Office"
  enabled    = true
  entries    = [{ cidr = "203.0.113.0/24" }]
  depends_on = [engage_ip_allowlist.admins]
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("engage_ip_allowlist.admins", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("engage_ip_allowlist.test", plancheck.ResourceActionUpdate),
					},
				},
			},
		},
	})
}
