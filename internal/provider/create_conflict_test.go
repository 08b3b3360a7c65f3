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

// A create never takes over an object that already holds its natural key:
// it fails at the attribute, naming the object's id and the import block
// that takes it over on purpose. Two resource addresses on one object would
// let either delete it under the other.

// existsWithImport is the error of a create whose natural key is taken by
// an object made before this run: its id, the advice about another block,
// and a ready-to-paste import block.
func existsWithImport(noun, idPrefix, importID string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + noun + ` already exists.*with\s+the\s+id\s+"` + regexp.QuoteMeta(idPrefix) +
		`.*another resource block.*import \{.*to = engage_\w+\.NAME.*id = ` + regexp.QuoteMeta(fmt.Sprintf("%q", importID)))
}

func TestAccRole_createFailsWhenTheNameIsTakenAndImportTakesItOver(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var existing string
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{
				{
					// Identical to the configuration, as an interrupted
					// apply leaves an object: still not adopted.
					PreConfig: func() {
						existing = createRoleOutOfBand(t, b, access.Role{Name: "Orphan", Description: "Left behind", Permissions: []string{"campaign.view"}})
					},
					Config:      testAccRoleConfig("Orphan", "Left behind", "campaign.view"),
					ExpectError: existsWithImport("Role", "rol_", "name:Orphan"),
				},
				{
					// The advice, followed: the import block it prints.
					Config: testAccRoleConfig("Orphan", "Left behind", "campaign.view") + `
import {
  to = engage_role.test
  id = "name:Orphan"
}
`,
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttrPtr(roleAddr, "id", &existing),
						checkRoleCount(b, "Orphan", 1),
					),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(roleAddr, plancheck.ResourceActionNoop)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
	})
}

func TestAccUser_twoIdenticalBlocksNeverShareOneUser(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		block := func(name, email string) string {
			return fmt.Sprintf(`
resource "engage_user" %[1]q {
  email        = %[2]q
  display_name = "Ada"
  role_id      = %[3]q
}
`, name, email, access.ReadOnlyRoleID)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUserCount(b, "grace@example.com", 0),
			Steps: []resource.TestStep{
				{
					// A copied block: one create wins, the other fails
					// saying the user was created during this run.
					Config:      block("first", "ada@example.com") + block("copy", "ada@example.com"),
					ExpectError: regexp.MustCompile(`(?s)User already exists.*created moments ago, during this run, so another\s+resource\s+block\s+in\s+this\s+configuration.*Do\s+not\s+import`),
				},
				{
					// The block that won keeps the user, the other creates
					// its own: two users, two ids, nothing shared.
					Config: block("first", "ada.lovelace@example.com") + block("copy", "grace@example.com"),
					Check: resource.ComposeAggregateTestCheckFunc(
						checkUserCount(b, "ada@example.com", 0),
						checkUserCount(b, "ada.lovelace@example.com", 1),
						checkUserCount(b, "grace@example.com", 1),
						checkDistinctIDs("engage_user.first", "engage_user.copy"),
					),
				},
			},
		})
	})
}

// The old address cannot go while a user outside Terraform holds the role,
// and the new one cannot be created: whichever runs first, both fail, and
// the role keeps exactly one address. The `moved` block the error suggests
// then renames it with nothing to apply.
func TestAccRole_addressRenamedWithoutMovedNeverSharesTheRole(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var roleID string
		config := func(address string) string {
			return fmt.Sprintf(`
resource "engage_role" %[1]q {
  name        = "Renamed"
  permissions = ["campaign.view"]
}
`, address)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{
					Config: config("old"),
					Check: func(s *terraform.State) error {
						roleID = s.RootModule().Resources["engage_role.old"].Primary.ID
						createUserOutOfBand(t, b, access.User{Email: "holder@example.com", DisplayName: "Holder", RoleID: roleID})
						return nil
					},
				},
				{
					Config:      config("new"),
					ExpectError: regexp.MustCompile(`(?s)Role already exists.*moved`),
				},
				{
					Config: config("new") + `
moved {
  from = engage_role.old
  to   = engage_role.new
}
`,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("engage_role.new", plancheck.ResourceActionNoop)},
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttrPtr("engage_role.new", "id", &roleID),
						checkRoleCount(b, "Renamed", 1),
						func(*terraform.State) error {
							// Let the destroy at the end of the test go.
							u, err := b.Service.GetUserByEmail(context.Background(), "holder@example.com")
							if err != nil {
								return err
							}
							return b.Service.DeleteUser(context.Background(), u.ID, 0)
						},
					),
				},
			},
		})
	})
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
	return checkKeyCount(b.Service.ListRoles, func(r access.Role) string { return r.Name }, "roles named", name, want)
}

// checkUserCount asserts how many users hold email.
func checkUserCount(b *acctest.Backend, email string, want int) resource.TestCheckFunc {
	return checkKeyCount(b.Service.ListUsers, func(u access.User) string { return u.Email }, "users with the email", email, want)
}

// checkKeyCount asserts how many objects of a collection hold key, as the
// platform compares keys (access.NameKey).
func checkKeyCount[T any](list func(context.Context, access.ListOptions) (access.Page[T], error),
	keyOf func(T) string, what, key string, want int,
) resource.TestCheckFunc {
	return func(*terraform.State) error {
		all, err := access.ListAll(context.Background(), list)
		if err != nil {
			return err
		}
		n := 0
		for _, o := range all {
			if access.NameKey(keyOf(o)) == access.NameKey(key) {
				n++
			}
		}
		if n != want {
			return fmt.Errorf("%d %s %q, want %d", n, what, key, want)
		}
		return nil
	}
}

// checkDistinctIDs asserts that no two of the addresses hold one id.
func checkDistinctIDs(addresses ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		seen := map[string]string{}
		for _, addr := range addresses {
			rs, ok := s.RootModule().Resources[addr]
			if !ok {
				return fmt.Errorf("%s is not in state", addr)
			}
			if other, dup := seen[rs.Primary.ID]; dup {
				return fmt.Errorf("%s and %s both hold %s", other, addr, rs.Primary.ID)
			}
			seen[rs.Primary.ID] = addr
		}
		return nil
	}
}
