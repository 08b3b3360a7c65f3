package provider_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// meanwhile is a plan check with a side effect: it runs change after the
// plan (and its refresh) and before the apply of that saved plan, the window
// in which a colleague's out-of-band change makes the plan stale.
type meanwhile func(ctx context.Context) error

func (m meanwhile) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = m(ctx)
}

// changeRoleOutOfBand renames the description of the role called name,
// bypassing Terraform, which bumps its version.
func changeRoleOutOfBand(b *acctest.Backend, name string) meanwhile {
	return func(ctx context.Context) error {
		role, err := b.Service.GetRoleByName(ctx, name)
		if err != nil {
			return err
		}
		role.Description = "edited in the console"
		role.Version = 0
		_, err = b.Service.UpdateRole(ctx, role)
		return err
	}
}

var changedOutside = regexp.MustCompile(`role "rol_[0-9a-f]+" was changed outside Terraform since it was\s+last\s+read; refresh\s+and\s+plan\s+again`)

// An update planned before an out-of-band change is refused, not applied
// over the change; the next plan sees the change and the apply converges.
func TestAccStaleVersion_update(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkRolesDestroyed(b),
			Steps: []resource.TestStep{
				{Config: testAccRoleConfig("Stale", "first", "campaign.view")},
				{
					Config: testAccRoleConfig("Stale", "second", "campaign.view"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{changeRoleOutOfBand(b, "Stale")},
					},
					ExpectError: changedOutside,
				},
				{
					// Same configuration: the refresh reads the console's edit,
					// and the apply replaces it with the configured value.
					Config: testAccRoleConfig("Stale", "second", "campaign.view"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(roleAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(roleAddr, tfjsonpath.New("description"), knownvalue.StringExact("second")),
					},
				},
			},
		})
	})
}
