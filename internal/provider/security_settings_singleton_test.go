package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// settingsConfigured is the refusal of a second engage_security_settings:
// the settings are taken, and the import takes them over.
var settingsConfigured = regexp.MustCompile(`(?s)already\s+configured.*declare\s+engage_security_settings\s+once\s+per\s+account.*` +
	`If\s+another\s+block\s+manages\s+them,\s+remove\s+this\s+one.*import\s+\{.*to\s+=\s+engage_security_settings\.NAME.*id\s+=\s+"account"`)

func settingsBlock(name string, twoFactor bool) string {
	return fmt.Sprintf(`
resource "engage_security_settings" %[1]q {
  require_two_factor = %[2]t
}
`, name, twoFactor)
}

// A second block never takes the singleton over, whichever of the two
// Terraform creates first, even when it asks for the defaults: the account
// keeps the first block's settings, and no apply flips 2FA off.
func TestAccSecuritySettings_aSecondBlockIsRefused(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		checkTwoFactor := func(want bool) resource.TestCheckFunc {
			return func(*terraform.State) error {
				s, err := b.Service.GetSecuritySettings(context.Background())
				if err != nil {
					return err
				}
				if s.RequireTwoFactor != want {
					return fmt.Errorf("require_two_factor = %t on the platform, want %t", s.RequireTwoFactor, want)
				}
				return nil
			}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkSecuritySettingsReset(b),
			Steps: []resource.TestStep{
				{
					Config: settingsBlock("strict", true),
					Check:  checkTwoFactor(true),
				},
				{
					// Added later, asking for the defaults: refused.
					Config:      settingsBlock("strict", true) + settingsBlock("copy", false),
					ExpectError: settingsConfigured,
				},
				{
					// Nothing was written: 2FA still on, the copy not in
					// state, and the first block has nothing to do.
					Config: settingsBlock("strict", true),
					Check:  checkTwoFactor(true),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					// Destroying the block resets the defaults...
					Config: `# no settings block`,
					Check:  checkTwoFactor(false),
				},
				{
					// ...after which another block's create works.
					Config: settingsBlock("other", true),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("engage_security_settings.other", tfjsonpath.New("require_two_factor"), knownvalue.Bool(true)),
					},
					Check: checkTwoFactor(true),
				},
			},
		})
	})
}

// Two blocks in one configuration: one create wins, the other is refused,
// even when both ask for the defaults.
func TestAccSecuritySettings_twoBlocksInOneConfigurationNeverBothApply(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkSecuritySettingsReset(b),
			Steps: []resource.TestStep{{
				Config:      settingsBlock("a", false) + settingsBlock("b", false),
				ExpectError: settingsConfigured,
			}},
		})
	})
}
