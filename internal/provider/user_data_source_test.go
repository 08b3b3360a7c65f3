package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

func TestAccUserDataSource_byEmailAndID(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		user := testAccUserConfig("Margaret@Example.com", "Margaret Hamilton", "engage_role.test.id", true)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{
				// Failing steps first: the post-test destroy uses the last configuration.
				{
					Config:      `data "engage_user" "none" {}`,
					ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly\s+one\s+of\s+these\s+attributes\s+must\s+be\s+configured:\s+\[id,email\]`),
				},
				{
					Config: `data "engage_user" "both" {
  id    = "usr_0000000000000000"
  email = "ada@example.com"
}`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly\s+one\s+of\s+these\s+attributes\s+must\s+be\s+configured:\s+\[id,email\]`),
				},
				{
					Config:      `data "engage_user" "bad" { email = "not-an-address" }`,
					ExpectError: regexp.MustCompile(`(?s)Invalid email address.*email\s+=.*"not-an-address" is not a\s+valid\s+email\s+address`),
				},
				{
					Config:      `data "engage_user" "missing" { email = "nobody@example.com" }`,
					ExpectError: regexp.MustCompile(`(?s)Unable to read user.*user\s+"nobody@example.com"\s+not\s+found`),
				},
				{
					Config: user + `
data "engage_user" "by_email" {
  email = "MARGARET@example.COM"
  depends_on = [engage_user.test]
}

data "engage_user" "by_id" {
  id = engage_user.test.id
}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.CompareValuePairs("data.engage_user.by_email", tfjsonpath.New("id"), userAddr, tfjsonpath.New("id"), compare.ValuesSame()),
						// The address as configured: the same address to the platform.
						statecheck.ExpectKnownValue("data.engage_user.by_email", tfjsonpath.New("email"), knownvalue.StringExact("MARGARET@example.COM")),
						statecheck.ExpectKnownValue("data.engage_user.by_id", tfjsonpath.New("email"), knownvalue.StringExact("Margaret@Example.com")),
						statecheck.ExpectKnownValue("data.engage_user.by_id", tfjsonpath.New("display_name"), knownvalue.StringExact("Margaret Hamilton")),
						statecheck.CompareValuePairs("data.engage_user.by_id", tfjsonpath.New("role_id"), roleAddr, tfjsonpath.New("id"), compare.ValuesSame()),
						statecheck.ExpectKnownValue("data.engage_user.by_id", tfjsonpath.New("disabled"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("data.engage_user.by_id", tfjsonpath.New("status"), knownvalue.StringExact("disabled")),
						statecheck.ExpectKnownValue("data.engage_user.by_id", tfjsonpath.New("two_factor_enabled"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue("data.engage_user.by_id", tfjsonpath.New("last_login_at"), knownvalue.Null()),
						statecheck.CompareValuePairs("data.engage_user.by_id", tfjsonpath.New("created_at"), userAddr, tfjsonpath.New("created_at"), compare.ValuesSame()),
					},
				},
			},
		})
	})
}
