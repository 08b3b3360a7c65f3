package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
)

// testAccManyObjectsConfig renders n roles and n users holding the first.
func testAccManyObjectsConfig(n int) string {
	return fmt.Sprintf(`
resource "engage_role" "many" {
  count       = %[1]d
  name        = "Role ${count.index}"
  permissions = ["campaign.view"]
}

resource "engage_user" "many" {
  count        = %[1]d
  email        = "user${count.index}@example.com"
  display_name = "User ${count.index}"
  role_id      = engage_role.many[0].id
}
`, n)
}

// On REST, refreshing N objects costs a few list pages per collection (the
// client's read cache), not one GET per object: at most N/100 + 20 requests
// per Terraform command, the target of the scale benchmarks.
func TestAccREST_refreshReadsListingsNotObjects(t *testing.T) {
	const perKind = 150
	const objects = 2 * perKind
	requests := &apiserver.RequestCounter{}
	b := acctest.RESTWith(t, acctest.RESTOptions{Server: func(o *apiserver.Options) { o.Requests = requests }})
	config := testAccManyObjectsConfig(perKind)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		CheckDestroy:             checkUsersDestroyed(b),
		Steps: []resource.TestStep{
			{Config: config},
			{
				// Two commands, each refreshing every object: `terraform
				// refresh`, then the plan that checks nothing changed.
				PreConfig:    requests.Reset,
				RefreshState: true,
			},
			{
				PreConfig: func() {
					counts := requests.Snapshot()
					const commands = 2
					limit := int64(commands * (objects/100 + 20))
					t.Logf("refreshing %d objects twice: %d requests %v", objects, counts.Total(), counts)
					if counts.Total() > limit {
						t.Errorf("refreshing %d objects twice made %d requests, want at most %d: %v", objects, counts.Total(), limit, counts)
					}
					if counts["GET /v1/roles"] == 0 || counts["GET /v1/users"] == 0 {
						t.Errorf("the refresh never listed roles or users: %v", counts)
					}
					for route, n := range counts {
						if strings.HasSuffix(route, "/{id}") {
							t.Errorf("%s: %d requests; a refresh must read listings, not objects one by one", route, n)
						}
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
