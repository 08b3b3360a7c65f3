package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

func stringListExact(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

func TestEffectivePermissionsFunction(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		// No provider block anywhere: functions need no configuration.
		ProtoV6ProviderFactories: acctest.Embedded(t).Factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::engage::effective_permissions(["campaign.publish", "campaign.veiw"]) }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "permissions" parameter: permissions\[1\]: unknown\s+permission\s+key\s+"campaign.veiw";\s+did\s+you\s+mean\s+"campaign.view"\?`),
			},
			{
				Config:      `output "x" { value = provider::engage::effective_permissions(["campaign.view", null]) }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "permissions" parameter: permissions\[1\] is\s+null`),
			},
			{
				Config:      `output "x" { value = provider::engage::effective_permissions(null) }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid function argument.*argument must not be null`),
			},
			{
				Config: `
output "publish" {
  value = provider::engage::effective_permissions(["campaign.publish"])
}

output "transitive_and_deduplicated" {
  value = provider::engage::effective_permissions(["data.export_data", "campaign.view", "data.export_data"])
}

output "through_a_sensitive_dependency" {
  value = provider::engage::effective_permissions(["import_export.export_sensitive_user_data"])
}

output "none" {
  value = provider::engage::effective_permissions([])
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("publish", stringListExact("campaign.edit", "campaign.publish", "campaign.view")),
					statecheck.ExpectKnownOutputValue("transitive_and_deduplicated",
						stringListExact("campaign.view", "data.export_data", "data.view_data", "data.view_segment_table")),
					statecheck.ExpectKnownOutputValue("through_a_sensitive_dependency",
						stringListExact("import_export.export_sensitive_user_data", "import_export.raw_data_exports")),
					statecheck.ExpectKnownOutputValue("none", knownvalue.ListSizeExact(0)),
				},
			},
			{
				// The function predicts what a role will grant.
				Config: `
locals {
  permissions = ["data.manage_table_relations", "content.marketing.send_test"]
}

resource "engage_role" "test" {
  name        = "Data Modeller"
  permissions = local.permissions
}

output "predicted" {
  value = provider::engage::effective_permissions(local.permissions)
}

output "matches_the_role" {
  value = toset(provider::engage::effective_permissions(local.permissions)) == engage_role.test.effective_permissions
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("predicted", stringListExact("content.marketing.send_test", "content.marketing.view",
						"data.manage_table", "data.manage_table_relations", "data.view_segment_table")),
					statecheck.ExpectKnownOutputValue("matches_the_role", knownvalue.Bool(true)),
				},
			},
		},
	})
}
