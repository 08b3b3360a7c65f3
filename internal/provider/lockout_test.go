package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
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

// The REST backend: the platform sees the test runner at 127.0.0.1, and
// enforces its allowlists as `serve` does (so it refuses a lockout too,
// unless the provider says it is deliberate).
func TestAccLockoutProtection_refusesAPlanThatLocksTheCallerOut(t *testing.T) {
	t.Parallel()
	b := acctest.RESTWith(t, acctest.RESTOptions{Server: func(o *apiserver.Options) { o.EnforceAllowlists = true }})
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
				// Switched off, the same change applies: the server, which
				// refuses lockouts by itself, is told it is deliberate. The
				// runner has locked itself out: the plan after the apply is
				// refused.
				Config: testAccLockoutConfig(false, "203.0.113.0/24"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("engage_ip_allowlist.test", plancheck.ResourceActionUpdate)},
				},
				ExpectError: regexp.MustCompile(`the address 127\.0\.0\.1 is not in any enabled\s+IP allowlist`),
			},
			{
				// The operator's recovery (admin allowlists disable-all), then
				// the runner's network back, so that the test can clean up.
				PreConfig: func() {
					lists, err := access.ListAll(context.Background(), b.Platform.ListIPAllowlists)
					if err != nil {
						t.Fatal(err)
					}
					if len(lists) != 1 || !lists[0].Enabled || len(lists[0].Entries) != 1 || lists[0].Entries[0].CIDR != "203.0.113.0/24" {
						t.Fatalf("the platform's lists: %+v; want the deliberate change applied (the office at 203.0.113.0/24)", lists)
					}
					if _, err := b.Platform.DisableAllIPAllowlists(context.Background()); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccLockoutConfig(true, "127.0.0.0/8"),
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
