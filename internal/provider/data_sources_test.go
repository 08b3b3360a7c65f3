package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

func TestAccPermissionsDataSource_filters(t *testing.T) {
	catalog := access.DefaultCatalog()
	var sensitiveKeys, campaignKeys []knownvalue.Check
	for _, key := range catalog.Keys() {
		p, _ := catalog.Lookup(key)
		if p.Sensitive {
			sensitiveKeys = append(sensitiveKeys, knownvalue.StringExact(key))
		}
		if p.Category == "campaign" {
			campaignKeys = append(campaignKeys, knownvalue.StringExact(key))
		}
	}
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				// Failing steps first: the post-test destroy uses the last configuration.
				{
					Config:      `data "engage_permissions" "bad" { category = "campaigns" }`,
					ExpectError: regexp.MustCompile(`(?s)category.*value must be one of`),
				},
				{
					Config: `
data "engage_permissions" "all" {}
data "engage_permissions" "sensitive" { sensitive = true }
data "engage_permissions" "campaign" { category = "campaign" }
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.engage_permissions.all", tfjsonpath.New("keys"), knownvalue.ListSizeExact(len(catalog.Keys()))),
						statecheck.ExpectKnownValue("data.engage_permissions.sensitive", tfjsonpath.New("keys"), knownvalue.ListExact(sensitiveKeys)),
						statecheck.ExpectKnownValue("data.engage_permissions.campaign", tfjsonpath.New("keys"), knownvalue.ListExact(campaignKeys)),
						statecheck.ExpectKnownValue("data.engage_permissions.campaign", tfjsonpath.New("permissions").AtSliceIndex(1),
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"key":         knownvalue.StringExact("campaign.edit"),
								"id":          knownvalue.Int64Exact(3002),
								"category":    knownvalue.StringExact("campaign"),
								"name":        knownvalue.StringExact("Campaign: Edit"),
								"description": knownvalue.StringExact("View and modify journeys and campaigns."),
								"implies":     knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("campaign.view")}),
								"sensitive":   knownvalue.Bool(false),
							})),
					},
				},
			},
		})
	})
}

func TestAccPermissionDataSource_byKeyAndID(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				// Failing steps first: the post-test destroy uses the last configuration.
				{
					Config:      `data "engage_permission" "typo" { key = "campaign.publsh" }`,
					ExpectError: regexp.MustCompile(`(?s)Permission not found.*did\s+you\s+mean\s+"campaign.publish"`),
				},
				{
					Config:      `data "engage_permission" "missing" { id = 1 }`,
					ExpectError: regexp.MustCompile(`No permission has id 1`),
				},
				{
					Config:      `data "engage_permission" "fraction" { id = 229.5 }`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value.*Attribute id must be a whole number, got 229\.5`),
				},
				{
					Config: `data "engage_permission" "both" {
  key = "campaign.view"
  id  = 3001
}`,
					ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
				},
				{
					Config: `
data "engage_permission" "by_key" { key = "import_export.export_user_data" }
data "engage_permission" "by_id"  { id = 255 }
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.engage_permission.by_key", tfjsonpath.New("id"), knownvalue.Int64Exact(229)),
						statecheck.ExpectKnownValue("data.engage_permission.by_key", tfjsonpath.New("sensitive"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("data.engage_permission.by_id", tfjsonpath.New("key"), knownvalue.StringExact("import_export.export_sensitive_user_data")),
						statecheck.ExpectKnownValue("data.engage_permission.by_id", tfjsonpath.New("implies"),
							knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("import_export.raw_data_exports")})),
					},
				},
			},
		})
	})
}

func TestAccRoleDataSource_findsSystemAndCustomRoles(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				// Failing steps first: the post-test destroy uses the last configuration.
				{
					Config:      `data "engage_role" "missing" { name = "Nobody" }`,
					ExpectError: regexp.MustCompile(`(?s)Unable to read role.*not found`),
				},
				{
					Config: `
data "engage_role" "admin"     { name = "full admin" }
data "engage_role" "read_only" { id = "rol_read_only" }

resource "engage_role" "custom" {
  name        = "Exporter"
  permissions = ["import_export.export_sensitive_user_data"]
}
data "engage_role" "custom" { id = engage_role.custom.id }
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.engage_role.admin", tfjsonpath.New("id"), knownvalue.StringExact(access.FullAdminRoleID)),
						statecheck.ExpectKnownValue("data.engage_role.admin", tfjsonpath.New("name"), knownvalue.StringExact("Full Admin")),
						statecheck.ExpectKnownValue("data.engage_role.admin", tfjsonpath.New("system"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("data.engage_role.admin", tfjsonpath.New("sensitive"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue("data.engage_role.admin", tfjsonpath.New("permissions"), knownvalue.SetSizeExact(len(access.DefaultCatalog().Keys()))),
						statecheck.ExpectKnownValue("data.engage_role.read_only", tfjsonpath.New("name"), knownvalue.StringExact("Read Only")),
						statecheck.ExpectKnownValue("data.engage_role.read_only", tfjsonpath.New("sensitive"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue("data.engage_role.custom", tfjsonpath.New("name"), knownvalue.StringExact("Exporter")),
						statecheck.ExpectKnownValue("data.engage_role.custom", tfjsonpath.New("effective_permissions"),
							stringSetExact("import_export.export_sensitive_user_data", "import_export.raw_data_exports")),
					},
				},
			},
		})
	})
}
