package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

const roleAddr = "engage_role.test"

// testAccRoleConfig renders one engage_role with the given permissions.
func testAccRoleConfig(name, description string, perms ...string) string {
	quoted := make([]string, len(perms))
	for i, p := range perms {
		quoted[i] = fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf(`
resource "engage_role" "test" {
  name        = %[1]q
  description = %[2]q
  permissions = [%[3]s]
}
`, name, description, strings.Join(quoted, ", "))
}

func stringSetExact(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

func TestAccRole_lifecycle(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{
				{
					Config: testAccRoleConfig("Campaign Publisher", "Publishes journeys", "campaign.publish"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(roleAddr, plancheck.ResourceActionCreate),
							// Known at plan time, so a plan review sees what the role grants.
							plancheck.ExpectKnownValue(roleAddr, tfjsonpath.New("effective_permissions"),
								stringSetExact("campaign.edit", "campaign.publish", "campaign.view")),
							plancheck.ExpectKnownValue(roleAddr, tfjsonpath.New("sensitive"), knownvalue.Bool(false)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^rol_[0-9a-f]{16}$`))),
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("name"), knownvalue.StringExact("Campaign Publisher")),
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("permissions"), stringSetExact("campaign.publish")),
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("system"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
					},
				},
				{
					// In-place update of description and permissions; a sensitive
					// permission makes the role sensitive at plan time.
					Config: testAccRoleConfig("Campaign Publisher", "Publishes journeys and exports data", "campaign.publish", "data.export_data"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(roleAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(roleAddr, tfjsonpath.New("sensitive"), knownvalue.Bool(true)),
							plancheck.ExpectKnownValue(roleAddr, tfjsonpath.New("effective_permissions"),
								stringSetExact("campaign.edit", "campaign.publish", "campaign.view",
									"data.export_data", "data.view_data", "data.view_segment_table")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("description"), knownvalue.StringExact("Publishes journeys and exports data")),
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("sensitive"), knownvalue.Bool(true)),
					},
				},
				{
					// A rename is an update in place, not a replacement.
					Config: testAccRoleConfig("Journey Publisher", "Publishes journeys and exports data", "campaign.publish", "data.export_data"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(roleAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("name"), knownvalue.StringExact("Journey Publisher")),
					},
				},
				{
					ResourceName:      roleAddr,
					ImportState:       true,
					ImportStateVerify: true,
				},
				{
					ResourceName:      roleAddr,
					ImportState:       true,
					ImportStateVerify: true,
					ImportStateId:     "name:journey publisher", // names match regardless of case
				},
			},
		})
	})
}

func TestAccRole_descriptionDefaultsToEmpty(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{{
				Config: `resource "engage_role" "test" {
  name        = "Viewer"
  permissions = ["campaign.view", "campaign.view"]
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("permissions"), stringSetExact("campaign.view")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			}},
		})
	})
}

func TestAccRole_deletedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccRoleConfig("Analyst", "", "analytics.insights")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() { deleteRoleByName(t, b, "Analyst") },
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(roleAddr, plancheck.ResourceActionCreate)},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("name"), knownvalue.StringExact("Analyst")),
					},
				},
			},
		})
	})
}

func TestAccRole_changedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccRoleConfig("Analyst", "Reads insights", "analytics.insights")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					// Someone edits the role in the console: the refresh sees it
					// and the plan puts it back.
					PreConfig: func() {
						ctx := context.Background()
						role, err := b.Service.GetRoleByName(ctx, "Analyst")
						if err != nil {
							t.Fatalf("reading role: %v", err)
						}
						role.Description = "edited in the console"
						role.Permissions = append(role.Permissions, "data.personal_info")
						if _, err := b.Service.UpdateRole(ctx, role); err != nil {
							t.Fatalf("updating role out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(roleAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(roleAddr, tfjsonpath.New("sensitive"), knownvalue.Bool(false)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("description"), knownvalue.StringExact("Reads insights")),
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("permissions"), stringSetExact("analytics.insights")),
					},
				},
			},
		})
	})
}

func TestAccRole_invalidConfigurationFailsAtPlan(t *testing.T) {
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"unknown permission key names the closest key": {
			config: testAccRoleConfig("Typo", "", "campaign.veiw"),
			want:   regexp.MustCompile(`(?s)Unknown permission key.*permissions.*unknown permission key "campaign.veiw"; did\s+you\s+mean\s+"campaign.view"\?`),
		},
		"empty permissions": {
			config: testAccRoleConfig("Empty", ""),
			want:   regexp.MustCompile(`(?s)permissions.*set must contain at least 1 elements`),
		},
		"name too long": {
			config: testAccRoleConfig(strings.Repeat("x", 129), "", "campaign.view"),
			want:   regexp.MustCompile(`(?s)name: must be at most 128 characters, got 129`),
		},
		"name with trailing space": {
			config: testAccRoleConfig("Viewer ", "", "campaign.view"),
			want:   regexp.MustCompile(`(?s)name.*must not start or end with white space`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: b.Factories,
					Steps: []resource.TestStep{{
						Config:      tc.config,
						PlanOnly:    true,
						ExpectError: tc.want,
					}},
				})
			})
		})
	}
}

func TestAccRole_systemRolesAreReadOnly(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccRoleConfig("Managed", "", "campaign.view")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{
				{
					// A system role cannot be taken under management...
					Config:        config,
					ResourceName:  roleAddr,
					ImportState:   true,
					ImportStateId: access.FullAdminRoleID,
					ExpectError:   regexp.MustCompile(`"Full Admin" is a system role and is read-only`),
				},
				{
					Config:        config,
					ResourceName:  roleAddr,
					ImportState:   true,
					ImportStateId: "name:Read Only",
					ExpectError:   regexp.MustCompile(`"Read Only" is a system role and is read-only`),
				},
				{
					// ...nor shadowed by a custom role of the same name,
					// refused at plan time.
					Config:      testAccRoleConfig("full admin", "", "campaign.view"),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Invalid role name.*"Full Admin" is the name of a system role`),
				},
			},
		})
		// And the platform refuses writes to system roles whoever asks.
		ctx := context.Background()
		admin, err := b.Service.GetRole(ctx, access.FullAdminRoleID)
		if err != nil {
			t.Fatalf("reading Full Admin: %v", err)
		}
		admin.Description = "changed"
		if _, err := b.Service.UpdateRole(ctx, admin); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("updating a system role: got %v, want a read-only conflict", err)
		}
	})
}

func TestAccRole_duplicateNameIsAConflict(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{{
				Config: `
resource "engage_role" "a" {
  name        = "Support"
  permissions = ["campaign.view"]
}
resource "engage_role" "b" {
  name        = "SUPPORT"
  permissions = ["campaign.view"]
  depends_on  = [engage_role.a]
}`,
				ExpectError: regexp.MustCompile(`(?s)Role already exists.*import`),
			}},
		})
	})
}

// checkRolesDestroyed asserts that only the system roles remain.
func checkRolesDestroyed(b *acctest.Backend) resource.TestCheckFunc {
	return func(*terraform.State) error {
		page, err := b.Service.ListRoles(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		for _, r := range page.Items {
			if !r.System {
				return fmt.Errorf("role %q (%s) still exists after destroy", r.Name, r.ID)
			}
		}
		return nil
	}
}

func deleteRoleByName(t *testing.T, b *acctest.Backend, name string) {
	t.Helper()
	ctx := context.Background()
	role, err := b.Service.GetRoleByName(ctx, name)
	if err != nil {
		t.Fatalf("reading role %q: %v", name, err)
	}
	if err := b.Service.DeleteRole(ctx, role.ID, 0); err != nil {
		t.Fatalf("deleting role %q out of band: %v", name, err)
	}
}
