package provider_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	_ "modernc.org/sqlite" // simulateLogin writes to the embedded database directly

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

const userAddr = "engage_user.test"

// testAccUserConfig renders a custom role and one engage_user. roleID is an
// HCL expression, such as engage_role.test.id or a quoted system role id.
func testAccUserConfig(email, displayName, roleID string, disabled bool) string {
	return fmt.Sprintf(`
resource "engage_role" "test" {
  name        = "User Test Role"
  permissions = ["campaign.view"]
}

resource "engage_user" "test" {
  email        = %[1]q
  display_name = %[2]q
  role_id      = %[3]s
  disabled     = %[4]t
}
`, email, displayName, roleID, disabled)
}

var (
	userIDRegexp    = regexp.MustCompile(`^usr_[0-9a-f]{16}$`)
	timestampRegexp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

func TestAccUser_lifecycle(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{
				{
					Config: testAccUserConfig("ada@example.com", "Ada Lovelace", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionCreate),
							// A new user is certain to be invited, with no login and no second factor.
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("invited")),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("two_factor_enabled"), knownvalue.Bool(false)),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_login_at"), knownvalue.Null()),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(userIDRegexp)),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("email"), knownvalue.StringExact("ada@example.com")),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Ada Lovelace")),
						statecheck.CompareValuePairs(userAddr, tfjsonpath.New("role_id"), roleAddr, tfjsonpath.New("id"), compare.ValuesSame()),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("invited")),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("two_factor_enabled"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_login_at"), knownvalue.Null()),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(timestampRegexp)),
					},
				},
				{
					// Changing only the letter case of the address is no change.
					Config: testAccUserConfig("ADA@Example.COM", "Ada Lovelace", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("email"), knownvalue.StringExact("ada@example.com")),
					},
				},
				{
					ResourceName:      userAddr,
					ImportState:       true,
					ImportStateVerify: true,
				},
				{
					// By email, in any letter case.
					ResourceName:      userAddr,
					ImportState:       true,
					ImportStateVerify: true,
					ImportStateId:     "Ada@EXAMPLE.com",
				},
				{
					// An import block plans no change, although the configuration
					// spells the address in another case than the platform.
					ResourceName:    userAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   "ada@example.com",
				},
				{
					// Revoking access, renaming and changing the role: one
					// in-place update, every computed value known: status
					// follows disabled, and what the user did in the console
					// (none yet) is what the refresh read.
					Config: testAccUserConfig("ada@example.com", "Countess of Lovelace", `"`+access.ReadOnlyRoleID+`"`, true),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("disabled")),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("two_factor_enabled"), knownvalue.Bool(false)),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_login_at"), knownvalue.Null()),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(timestampRegexp)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Countess of Lovelace")),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role_id"), knownvalue.StringExact(access.ReadOnlyRoleID)),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("disabled"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("disabled")),
					},
				},
				{
					// Restoring access to a user who never logged in: invited.
					Config: testAccUserConfig("ada@example.com", "Countess of Lovelace", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("invited")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("invited")),
						statecheck.CompareValuePairs(userAddr, tfjsonpath.New("role_id"), roleAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					},
				},
				{
					// A new address is an update in place, not a new user.
					Config: testAccUserConfig("ada.lovelace@example.com", "Countess of Lovelace", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("email"), knownvalue.StringExact("ada.lovelace@example.com")),
					},
				},
				{
					// The console changes the address's case: no drift either.
					PreConfig: func() {
						u := userByEmail(t, b, "ada.lovelace@example.com")
						u.Email = "Ada.Lovelace@EXAMPLE.com"
						if _, err := b.Service.UpdateUser(context.Background(), u); err != nil {
							t.Fatalf("changing the email's case out of band: %v", err)
						}
					},
					Config: testAccUserConfig("ada.lovelace@example.com", "Countess of Lovelace", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						// The refresh keeps Terraform's spelling of the same address.
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("email"), knownvalue.StringExact("ada.lovelace@example.com")),
					},
				},
			},
		})
	})
}

func TestAccUser_disabledDefaultsToFalse(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{{
				Config: `resource "engage_user" "test" {
  email        = "grace@example.com"
  display_name = "Grace Hopper"
  role_id      = "` + access.ReadOnlyRoleID + `"
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
						plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("invited")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
				},
			}},
		})
	})
}

// TestAccUser_loginIsNotDrift shows that what the user does in the console
// (logging in, enrolling a second factor) shows up in state without a diff,
// and what an update of such a user plans.
func TestAccUser_loginIsNotDrift(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		if b.EmbeddedPath == "" {
			t.Skip("simulating a login needs the embedded database")
		}
		loginAt := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{
				{Config: testAccUserConfig("linus@example.com", "Linus", "engage_role.test.id", false)},
				{
					PreConfig: func() { simulateLogin(t, b, "linus@example.com", loginAt) },
					Config:    testAccUserConfig("linus@example.com", "Linus", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("two_factor_enabled"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_login_at"), knownvalue.StringExact("2025-03-01T09:30:00Z")),
					},
				},
				{
					// A login is never undone, so the user stays active; the
					// login time and second factor are planned as refreshed.
					Config: testAccUserConfig("linus@example.com", "Linus Torvalds", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("two_factor_enabled"), knownvalue.Bool(true)),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_login_at"), knownvalue.StringExact("2025-03-01T09:30:00Z")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("two_factor_enabled"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("last_login_at"), knownvalue.StringExact("2025-03-01T09:30:00Z")),
					},
				},
				{
					Config: testAccUserConfig("linus@example.com", "Linus Torvalds", "engage_role.test.id", true),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("disabled")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					Config: testAccUserConfig("linus@example.com", "Linus Torvalds", "engage_role.test.id", false),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
	})
}

func TestAccUser_deletedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccUserConfig("ken@example.com", "Ken Thompson", "engage_role.test.id", false)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						u := userByEmail(t, b, "ken@example.com")
						if err := b.Service.DeleteUser(context.Background(), u.ID, 0); err != nil {
							t.Fatalf("deleting user out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("email"), knownvalue.StringExact("ken@example.com")),
					},
				},
			},
		})
	})
}

func TestAccUser_changedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccUserConfig("barbara@example.com", "Barbara Liskov", "engage_role.test.id", false)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					// Someone renames the user, makes it Read Only and disables
					// it in the console: the refresh sees it, the plan puts it back.
					PreConfig: func() {
						u := userByEmail(t, b, "barbara@example.com")
						u.DisplayName = "edited in the console"
						u.RoleID = access.ReadOnlyRoleID
						u.Disabled = true
						if _, err := b.Service.UpdateUser(context.Background(), u); err != nil {
							t.Fatalf("updating user out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(userAddr, tfjsonpath.New("disabled"), knownvalue.Bool(false)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Barbara Liskov")),
						statecheck.CompareValuePairs(userAddr, tfjsonpath.New("role_id"), roleAddr, tfjsonpath.New("id"), compare.ValuesSame()),
						statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("status"), knownvalue.StringExact("invited")),
					},
				},
			},
		})
	})
}

func TestAccUser_invalidConfigurationFailsAtPlan(t *testing.T) {
	readOnly := `"` + access.ReadOnlyRoleID + `"`
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"not an email address": {
			config: testAccUserConfig("ada.example.com", "Ada", readOnly, false),
			want:   regexp.MustCompile(`(?s)Invalid email address.*email\s+=.*"ada.example.com" is not a\s+valid\s+email\s+address`),
		},
		"an address with a display name": {
			config: testAccUserConfig("Ada <ada@example.com>", "Ada", readOnly, false),
			want:   regexp.MustCompile(`(?s)Invalid email address.*email\s+=.*is not a\s+valid\s+email\s+address\s+\(a\s+bare\s+address`),
		},
		"an address over 254 characters": {
			config: testAccUserConfig(strings.Repeat("a", 243)+"@example.com", "Ada", readOnly, false),
			want:   regexp.MustCompile(`(?s)Invalid email address.*email\s+=.*must be at most 254 characters`),
		},
		"an empty display name": {
			config: testAccUserConfig("ada@example.com", "", readOnly, false),
			want:   regexp.MustCompile(`(?s)display_name: must not be empty`),
		},
		"a display name too long": {
			config: testAccUserConfig("ada@example.com", strings.Repeat("x", 129), readOnly, false),
			want:   regexp.MustCompile(`(?s)display_name: must be at most 128 characters, got 129`),
		},
		"a display name with trailing space": {
			config: testAccUserConfig("ada@example.com", "Ada ", readOnly, false),
			want:   regexp.MustCompile(`(?s)display_name.*must not start or end with white space`),
		},
		"an empty role id": {
			config: testAccUserConfig("ada@example.com", "Ada", `""`, false),
			want:   regexp.MustCompile(`(?s)role_id.*string length must be at least 1`),
		},
		"a role that does not exist": {
			config: testAccUserConfig("ada@example.com", "Ada", `"rol_0000000000000000"`, false),
			want:   regexp.MustCompile(`(?s)Role not found.*role_id\s+=.*No role has the id\s+"rol_0000000000000000"`),
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

// TestAccUser_fullAdminCanBeAssigned shows that the Full Admin warning does
// not stop the apply. Terraform's warnings do not reach the plan JSON that
// plan checks see, so TestUserModifyPlan asserts the warning itself.
func TestAccUser_fullAdminCanBeAssigned(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{{
				Config: `
data "engage_role" "full_admin" {
  name = "Full Admin"
}

resource "engage_user" "test" {
  email        = "root@example.com"
  display_name = "Break-glass admin"
  role_id      = data.engage_role.full_admin.id
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddr, tfjsonpath.New("role_id"), knownvalue.StringExact(access.FullAdminRoleID)),
				},
			}},
		})
	})
}

func TestAccUser_duplicateEmailIsAConflict(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{{
				Config: `
resource "engage_user" "a" {
  email        = "support@example.com"
  display_name = "Support"
  role_id      = "` + access.ReadOnlyRoleID + `"
}
resource "engage_user" "b" {
  email        = "SUPPORT@example.com"
  display_name = "Support again"
  role_id      = "` + access.ReadOnlyRoleID + `"
  depends_on   = [engage_user.a]
}`,
				ExpectError: regexp.MustCompile(`(?s)User already exists.*with the email\s+"support@example.com".*import`),
			}},
		})
	})
}

// TestAccUser_roleHeldByAUserCannotBeDeleted removes a role from the
// configuration while a user created outside Terraform still holds it: the
// platform refuses, naming how many users hold it, and the role is left as
// it was.
func TestAccUser_roleHeldByAUserCannotBeDeleted(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		ctx := context.Background()
		roleConfig := testAccRoleConfig("Held Role", "", "campaign.view")
		var before access.Role
		var holder access.User
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkUsersDestroyed(b),
			Steps: []resource.TestStep{
				{Config: roleConfig},
				{
					PreConfig: func() {
						var err error
						if before, err = b.Service.GetRoleByName(ctx, "Held Role"); err != nil {
							t.Fatalf("reading role: %v", err)
						}
						holder, err = b.Service.CreateUser(ctx, access.User{Email: "holder@example.com", DisplayName: "Holder", RoleID: before.ID})
						if err != nil {
							t.Fatalf("creating a user out of band: %v", err)
						}
					},
					// The role's resource is gone from the configuration.
					Config:      `data "engage_role" "held" { name = "Held Role" }`,
					ExpectError: regexp.MustCompile(`(?s)Unable to delete role.*held\s+by\s+1\s+user`),
				},
				{
					PreConfig: func() {
						after, err := b.Service.GetRole(ctx, before.ID)
						if err != nil {
							t.Fatalf("the role is gone after a refused delete: %v", err)
						}
						if !reflect.DeepEqual(after, before) {
							t.Fatalf("the role changed after a refused delete:\n%+v\nwant %+v", after, before)
						}
						// Let the post-test destroy delete the role.
						if err := b.Service.DeleteUser(ctx, holder.ID, 0); err != nil {
							t.Fatalf("deleting the out-of-band user: %v", err)
						}
					},
					Config: roleConfig,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
	})
}

// checkUsersDestroyed asserts that no user and no custom role remain.
func checkUsersDestroyed(b *acctest.Backend) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		page, err := b.Service.ListUsers(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		var left []error
		for _, u := range page.Items {
			left = append(left, fmt.Errorf("user %q (%s) still exists after destroy", u.Email, u.ID))
		}
		left = append(left, checkRolesDestroyed(b)(s))
		return errors.Join(left...)
	}
}

func userByEmail(t *testing.T, b *acctest.Backend, email string) access.User {
	t.Helper()
	u, err := b.Service.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("reading user %q: %v", email, err)
	}
	return u
}

// storedTimeLayout is how the store writes timestamps (nine fractional
// digits, so they sort as text).
const storedTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// simulateLogin stands in for the console, which no Service method serves:
// the user enrols a second factor and logs in at loginAt. It writes to the
// embedded database beside the store, as another process would.
func simulateLogin(t *testing.T, b *acctest.Backend, email string, loginAt time.Time) {
	t.Helper()
	dsn := url.URL{Scheme: "file", Path: b.EmbeddedPath, RawQuery: "_pragma=busy_timeout(5000)"}
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		t.Fatalf("opening the embedded database: %v", err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE users SET last_login_at = ?, two_factor_enabled = 1 WHERE email_key = ?`,
		loginAt.UTC().Format(storedTimeLayout), access.NameKey(email))
	if err != nil {
		t.Fatalf("simulating a login of %s: %v", email, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("simulating a login of %s: %d users updated, want 1", email, n)
	}
}
