package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// An object created by an apply that was interrupted before Terraform
// recorded it is, to the next apply, an object that exists and is not in
// state. These tests make one out of band, then apply a configuration
// describing it: identical, it is adopted (same id, nothing created, empty
// plan after); different in any configurable attribute, the create fails
// with the conflict and the import hint, and the object is left as it was.

// conflictWithImportHint is the error of a create refused because an
// object that differs from the configuration holds its natural key.
var conflictWithImportHint = regexp.MustCompile(`(?s)already\s+(used|masked).*differs\s+from\s+this\s+configuration.*terraform\s+import`)

func TestAccRole_adoptsAnIdenticalRoleAnInterruptedApplyLeftBehind(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var orphanID string
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{{
				PreConfig: func() {
					orphanID = createRoleOutOfBand(t, b, access.Role{Name: "Orphan", Description: "Left behind", Permissions: []string{"campaign.publish", "campaign.view"}})
				},
				Config: testAccRoleConfig("Orphan", "Left behind", "campaign.view", "campaign.publish"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(roleAddr, "id", &orphanID),
					checkRoleCount(b, "Orphan", 1),
				),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			}},
		})
	})
}

func TestAccRole_doesNotAdoptARoleThatDiffers(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var handMade access.Role
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy: func(*terraform.State) error {
				// Untouched by the failed create, and not destroyed.
				got, err := b.Service.GetRole(context.Background(), handMade.ID)
				if err != nil {
					return err
				}
				if got.Description != handMade.Description || got.Version != handMade.Version {
					return fmt.Errorf("the hand-made role changed: %+v, was %+v", got, handMade)
				}
				return nil
			},
			Steps: []resource.TestStep{{
				PreConfig: func() {
					id := createRoleOutOfBand(t, b, access.Role{Name: "Hand Made", Description: "By hand", Permissions: []string{"campaign.view"}})
					var err error
					if handMade, err = b.Service.GetRole(context.Background(), id); err != nil {
						t.Fatal(err)
					}
				},
				Config:      testAccRoleConfig("Hand Made", "By Terraform", "campaign.view"),
				ExpectError: conflictWithImportHint,
			}},
		})
	})
}

func TestAccUser_adoptsAnIdenticalUserAnInterruptedApplyLeftBehind(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var orphanID string
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{{
				PreConfig: func() {
					orphanID = createUserOutOfBand(t, b, access.User{Email: "orphan@example.com", DisplayName: "Orphan", RoleID: access.ReadOnlyRoleID, Disabled: true})
				},
				Config: testAccReadOnlyUserConfig("orphan@example.com", "Orphan", true),
				Check:  resource.TestCheckResourceAttrPtr(userAddr, "id", &orphanID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			}},
		})
	})
}

func TestAccUser_doesNotAdoptAUserThatDiffers(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var handMadeID string
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy: func(*terraform.State) error {
				got, err := b.Service.GetUser(context.Background(), handMadeID)
				if err != nil {
					return err
				}
				if got.Disabled {
					return fmt.Errorf("the hand-made user changed: %+v", got)
				}
				return nil
			},
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						handMadeID = createUserOutOfBand(t, b, access.User{Email: "hand@example.com", DisplayName: "Hand", RoleID: access.ReadOnlyRoleID})
					},
					// Only disabled differs.
					Config:      testAccReadOnlyUserConfig("hand@example.com", "Hand", true),
					ExpectError: conflictWithImportHint,
				},
				{
					// Another letter case is another configuration, too.
					Config:      testAccReadOnlyUserConfig("Hand@example.com", "Hand", false),
					ExpectError: conflictWithImportHint,
				},
			},
		})
	})
}

func TestAccIPAllowlist_adoptsAnIdenticalListWhateverTheSpellingOfItsNetworks(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var orphanID string
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{{
				PreConfig: func() {
					l, err := b.Service.CreateIPAllowlist(context.Background(), access.IPAllowlist{
						Name: "Orphan", Enabled: true,
						Entries: []access.AllowlistEntry{{CIDR: "198.51.100.7/32", Description: "VPN"}, {CIDR: "10.0.0.0/8"}},
					})
					if err != nil {
						t.Fatal(err)
					}
					orphanID = l.ID
				},
				// A bare address is the /32 the platform stores.
				Config: testAccIPAllowlistConfig("Orphan", "", testAccEntry("10.0.0.0/8", ""), testAccEntry("198.51.100.7", "VPN")),
				Check:  resource.TestCheckResourceAttrPtr(allowlistAddr, "id", &orphanID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			}},
		})
	})
}

// testAccReadOnlyUserConfig renders one engage_user holding the Read Only
// system role, so that the test needs no role of its own.
func testAccReadOnlyUserConfig(email, displayName string, disabled bool) string {
	return fmt.Sprintf(`
resource "engage_user" "test" {
  email        = %[1]q
  display_name = %[2]q
  role_id      = %[3]q
  disabled     = %[4]t
}
`, email, displayName, access.ReadOnlyRoleID, disabled)
}

func createRoleOutOfBand(t *testing.T, b *acctest.Backend, r access.Role) string {
	t.Helper()
	created, err := b.Service.CreateRole(context.Background(), r)
	if err != nil {
		t.Fatalf("creating role %q out of band: %v", r.Name, err)
	}
	return created.ID
}

func createUserOutOfBand(t *testing.T, b *acctest.Backend, u access.User) string {
	t.Helper()
	created, err := b.Service.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatalf("creating user %q out of band: %v", u.Email, err)
	}
	return created.ID
}

// checkRoleCount asserts how many roles hold name.
func checkRoleCount(b *acctest.Backend, name string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		page, err := b.Service.ListRoles(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		n := 0
		for _, r := range page.Items {
			if access.NameKey(r.Name) == access.NameKey(name) {
				n++
			}
		}
		if n != want {
			return fmt.Errorf("%d roles named %q, want %d", n, name, want)
		}
		return nil
	}
}

func TestAccMaskingColumn_adoptsAnIdenticalMaskingButNotAnother(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						for _, c := range []access.MaskingColumn{
							{Table: "contacts", Column: "email", Mask: access.MaskPartial},
							{Table: "contacts", Column: "phone", Mask: access.MaskHash},
						} {
							if _, err := b.Service.CreateMaskingColumn(context.Background(), c); err != nil {
								t.Fatal(err)
							}
						}
					},
					// The mask defaults to full: not the hand-made hash.
					Config:      testAccMaskingColumnConfig("contacts", "phone", ""),
					ExpectError: conflictWithImportHint,
				},
				{
					Config: testAccMaskingColumnConfig("contacts", "email", `mask = "partial"`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(maskingAddr, plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: resource.TestCheckResourceAttr(maskingAddr, "id", "contacts/email"),
				},
			},
		})
	})
}
