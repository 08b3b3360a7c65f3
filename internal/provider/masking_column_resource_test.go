package provider_test

import (
	"context"
	"errors"
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

const maskingAddr = "engage_masking_column.test"

// testAccMaskingColumnConfig renders one engage_masking_column; attrs are
// extra attribute lines (mask, description).
func testAccMaskingColumnConfig(table, column, attrs string) string {
	return fmt.Sprintf(`
resource "engage_masking_column" "test" {
  table  = %[1]q
  column = %[2]q
  %[3]s
}
`, table, column, attrs)
}

func TestAccMaskingColumn_lifecycle(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkMaskingColumnsDestroyed(b),
			Steps: []resource.TestStep{
				{
					Config: testAccMaskingColumnConfig("contacts", "email", ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(maskingAddr, plancheck.ResourceActionCreate),
							// The id follows from table and column: known at plan time.
							plancheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("id"), knownvalue.StringExact("contacts/email")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("mask"), knownvalue.StringExact("full")),
						statecheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					},
					Check: checkMask(b, "contacts", "email", access.MaskFull),
				},
				{
					Config: testAccMaskingColumnConfig("contacts", "email", `mask        = "partial"
  description = "Support sees a***@example.com"`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(maskingAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("id"), knownvalue.StringExact("contacts/email")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("description"), knownvalue.StringExact("Support sees a***@example.com")),
					},
					Check: checkMask(b, "contacts", "email", access.MaskPartial),
				},
				{
					ResourceName:      maskingAddr,
					ImportState:       true,
					ImportStateVerify: true,
				},
				{
					// The natural key is the id: table/column.
					ResourceName:      maskingAddr,
					ImportState:       true,
					ImportStateVerify: true,
					ImportStateId:     "contacts/email",
				},
				{
					ResourceName:    maskingAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
				},
				{
					// Another column is another masking: replaced, and the
					// old column is unmasked first.
					Config: testAccMaskingColumnConfig("contacts", "phone", `mask = "partial"`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(maskingAddr, plancheck.ResourceActionDestroyBeforeCreate),
							plancheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("id"), knownvalue.StringExact("contacts/phone")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: resource.ComposeTestCheckFunc(
						checkMask(b, "contacts", "phone", access.MaskPartial),
						checkNotMasked(b, "contacts", "email"),
					),
				},
				{
					// So is another table.
					Config: testAccMaskingColumnConfig("leads", "phone", `mask = "hash"`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(maskingAddr, plancheck.ResourceActionDestroyBeforeCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("id"), knownvalue.StringExact("leads/phone")),
					},
					Check: resource.ComposeTestCheckFunc(
						checkMask(b, "leads", "phone", access.MaskHash),
						checkNotMasked(b, "contacts", "phone"),
					),
				},
			},
		})
	})
}

func TestAccMaskingColumn_importIDNamesTableAndColumn(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccMaskingColumnConfig("contacts", "email", "")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkMaskingColumnsDestroyed(b),
			Steps: []resource.TestStep{
				{
					Config:        config,
					ResourceName:  maskingAddr,
					ImportState:   true,
					ImportStateId: "contacts.email",
					ExpectError:   regexp.MustCompile(`expected an import ID of the form <table>/<column>, such\s+as\s+contacts/email,\s+got\s+"contacts\.email"`),
				},
				{
					Config:        config,
					ResourceName:  maskingAddr,
					ImportState:   true,
					ImportStateId: "contacts/birthday",
					ExpectError:   regexp.MustCompile(`masking column "contacts/birthday" not found`),
				},
			},
		})
	})
}

func TestAccMaskingColumn_deletedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccMaskingColumnConfig("contacts", "email", `mask = "hash"`)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkMaskingColumnsDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						if err := b.Service.DeleteMaskingColumn(context.Background(), "contacts", "email", 0); err != nil {
							t.Fatalf("unmasking the column out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(maskingAddr, plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkMask(b, "contacts", "email", access.MaskHash),
				},
			},
		})
	})
}

func TestAccMaskingColumn_changedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccMaskingColumnConfig("contacts", "email", `description = "GDPR Art. 9"`)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkMaskingColumnsDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					// Someone weakens the mask in the console: the refresh
					// sees it and the plan puts it back.
					PreConfig: func() {
						ctx := context.Background()
						c, err := b.Service.GetMaskingColumn(ctx, "contacts", "email")
						if err != nil {
							t.Fatalf("reading the column: %v", err)
						}
						c.Mask = access.MaskPartial
						c.Description = "edited in the console"
						if _, err := b.Service.UpdateMaskingColumn(ctx, c); err != nil {
							t.Fatalf("changing the column out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(maskingAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("mask"), knownvalue.StringExact("full")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(maskingAddr, tfjsonpath.New("description"), knownvalue.StringExact("GDPR Art. 9")),
					},
					Check: checkMask(b, "contacts", "email", access.MaskFull),
				},
			},
		})
	})
}

func TestAccMaskingColumn_invalidConfigurationFailsAtPlan(t *testing.T) {
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"a table starting with a digit": {
			config: testAccMaskingColumnConfig("2024_contacts", "email", ""),
			want:   regexp.MustCompile(`(?s)Invalid identifier.*table.*"2024_contacts" is not an identifier: start\s+with\s+a\s+letter\s+or\s+underscore`),
		},
		"a column with a hyphen": {
			config: testAccMaskingColumnConfig("contacts", "e-mail", ""),
			want:   regexp.MustCompile(`(?s)Invalid identifier.*column.*"e-mail" is not an identifier`),
		},
		"a column of 129 characters": {
			config: testAccMaskingColumnConfig("contacts", strings.Repeat("c", 129), ""),
			want:   regexp.MustCompile(`(?s)Invalid identifier.*column.*at most 128\s+characters`),
		},
		"an unknown mask": {
			config: testAccMaskingColumnConfig("contacts", "email", `mask = "blur"`),
			want:   regexp.MustCompile(`(?s)mask.*value must be one of: \["full" "partial" "hash"\], got: "blur"`),
		},
		"a description over 1024 characters": {
			config: testAccMaskingColumnConfig("contacts", "email", fmt.Sprintf("description = %q", strings.Repeat("d", 1025))),
			want:   regexp.MustCompile(`(?s)description.*UTF-8 character count must be at most 1024, got: 1025`),
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

func TestAccMaskingColumn_maskingAColumnTwiceIsAConflict(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkMaskingColumnsDestroyed(b),
			Steps: []resource.TestStep{{
				Config: `
resource "engage_masking_column" "a" {
  table  = "contacts"
  column = "email"
}
resource "engage_masking_column" "b" {
  table      = "contacts"
  column     = "email"
  mask       = "hash"
  depends_on = [engage_masking_column.a]
}`,
				ExpectError: regexp.MustCompile(`(?s)Masking column already exists.*for the column contacts/email.*created moments ago, during this run`),
			}},
		})
	})
}

// checkMask asserts that the platform masks table.column with mask.
func checkMask(b *acctest.Backend, table, column string, mask access.MaskKind) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := b.Service.GetMaskingColumn(context.Background(), table, column)
		if err != nil {
			return err
		}
		if c.Mask != mask {
			return fmt.Errorf("the platform masks %s/%s with %q, want %q", table, column, c.Mask, mask)
		}
		return nil
	}
}

// checkNotMasked asserts that the platform does not mask table.column.
func checkNotMasked(b *acctest.Backend, table, column string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := b.Service.GetMaskingColumn(context.Background(), table, column)
		switch {
		case err == nil:
			return fmt.Errorf("%s/%s is still masked (%q), want it unmasked", table, column, c.Mask)
		case !errors.Is(err, access.ErrNotFound):
			return fmt.Errorf("reading %s/%s: %w", table, column, err)
		}
		return nil
	}
}

// checkMaskingColumnsDestroyed asserts that no column is masked.
func checkMaskingColumnsDestroyed(b *acctest.Backend) resource.TestCheckFunc {
	return func(*terraform.State) error {
		page, err := b.Service.ListMaskingColumns(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		if len(page.Items) > 0 {
			c := page.Items[0]
			return fmt.Errorf("masking column %s/%s still exists after destroy", c.Table, c.Column)
		}
		return nil
	}
}
