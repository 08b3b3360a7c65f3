package policytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
	"github.com/engage-oss/terraform-provider-engage/internal/command"
)

// accessDenyQuery is what CI asks opa for over the access delta.
const accessDenyQuery = "data.engage.access.deny"

// The four ways around the plan-only policies, each caught by review-plan
// and the access policies on a real plan: terraform plans, the command
// reviews the plan's JSON (reading the embedded account), opa judges the
// review.
func TestAccPolicies_accessDeltaCatchesTheBypasses(t *testing.T) {
	opa := opaPath(t)
	var everything []string
	for _, k := range access.DefaultCatalog().Keys() {
		everything = append(everything, fmt.Sprintf("%q", k))
	}
	newUser := func(roleExpr string) string {
		return fmt.Sprintf(`
resource "engage_user" "ana" {
  email        = "ana@example.com"
  display_name = "Ana"
  role_id      = %s
}
`, roleExpr)
	}
	ownedRole := func(perms string) string {
		return fmt.Sprintf(`
resource "engage_role" "analysts" {
  name        = "Analysts"
  description = "Reporting. owner: data-team@example.com"
  permissions = [%s]
}
`, perms)
	}
	approval := `{"engage_approvals": {"grants": [{"email": "Ana@Example.com", "permissions": ["data.export_data"], "ticket": "SEC-1"}]}}`
	tests := []struct {
		name      string
		steps     []string
		approvals string
		// denies are fragments, one per expected message, in sorted
		// message order.
		denies []string
	}{
		{name: "a compliant change is allowed", steps: []string{
			ownedRole(`"campaign.view"`) + newUser("engage_role.analysts.id") + allowlistConfig("192.0.2.0/24"),
		}},
		{name: "a custom role with every permission on a new user", steps: []string{
			`resource "engage_role" "platform" {
  name        = "Platform"
  permissions = [` + strings.Join(everything, ", ") + `]
}` + newUser("engage_role.platform.id"),
		}, denies: []string{
			`Platform: role "Platform" grants every permission, the same as the Full Admin system role`,
			"ana@example.com: gains sensitive permissions cms.export_landing_page_tracking_data, data.export_data",
			"ana@example.com: gets every permission, the same as Full Admin",
		}},
		{name: "0.0.0.0/1 and 128.0.0.0/1", steps: []string{
			allowlistConfig("192.0.2.0/24"),
			allowlistConfig("192.0.2.0/24", "0.0.0.0/1", "128.0.0.0/1"),
		}, denies: []string{"engage_ip_allowlist.offices: the enabled allowlists together let every IPv4 address reach the console"}},
		{name: "a role with an owner line gaining data.export_data", steps: []string{
			ownedRole(`"analytics.insights"`) + newUser("engage_role.analysts.id"),
			ownedRole(`"analytics.insights", "data.export_data"`) + newUser("engage_role.analysts.id"),
		}, denies: []string{"ana@example.com: gains sensitive permissions data.export_data (role \"Analysts\" changed) without an approval"}},
		{name: "the same gain, approved by the security team", steps: []string{
			ownedRole(`"analytics.insights"`) + newUser("engage_role.analysts.id"),
			ownedRole(`"analytics.insights", "data.export_data"`) + newUser("engage_role.analysts.id"),
		}, approvals: approval},
		{name: "a masking column destroyed", steps: []string{
			maskingColumnConfig,
			"# the masking column is gone\n",
		}, denies: []string{"engage_masking_column.email: unmasks column customers.email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := acctest.Embedded(t)
			dir := t.TempDir()
			var data []string
			if tt.approvals != "" {
				path := filepath.Join(dir, "approvals.json")
				if err := os.WriteFile(path, []byte(tt.approvals), 0o600); err != nil {
					t.Fatal(err)
				}
				data = append(data, path)
			}
			steps := make([]resource.TestStep, 0, len(tt.steps))
			for i, config := range tt.steps {
				s := resource.TestStep{Config: config}
				if i == len(tt.steps)-1 {
					s.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{accessDenies{
						opa: opa, dir: dir, embeddedPath: b.EmbeddedPath, data: data, want: tt.denies,
					}}
				}
				steps = append(steps, s)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: b.Factories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				Steps:                    steps,
			})
		})
	}
}

const maskingColumnConfig = `
resource "engage_masking_column" "email" {
  table  = "customers"
  column = "email"
}
`

// accessDenies reviews the plan with review-plan --format json and asks
// opa for the access policies' deny messages; each wanted fragment must
// start one message, and there must be no other.
type accessDenies struct {
	opa, dir, embeddedPath string
	data                   []string
	want                   []string
}

func (c accessDenies) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	planJSON, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	planFile, reviewFile := filepath.Join(c.dir, "plan.json"), filepath.Join(c.dir, "review.json")
	if err := os.WriteFile(planFile, planJSON, 0o600); err != nil {
		resp.Error = err
		return
	}
	var review, stderr bytes.Buffer
	args := []string{"--format", "json", "--embedded-path", c.embeddedPath, "--endpoint", "", planFile}
	if code := command.ReviewPlan(args, nil, &review, &stderr); code != 0 {
		resp.Error = fmt.Errorf("review-plan exited %d: %s", code, stderr.String())
		return
	}
	if err := os.WriteFile(reviewFile, review.Bytes(), 0o600); err != nil {
		resp.Error = err
		return
	}
	got, err := evalQuery(ctx, c.opa, accessDenyQuery, reviewFile, c.data...)
	if err != nil {
		resp.Error = err
		return
	}
	if len(got) != len(c.want) {
		resp.Error = fmt.Errorf("deny messages:\n  got  %q\n  want %d starting %q\nreview: %s", got, len(c.want), c.want, reviewFile)
		return
	}
	for i, fragment := range c.want {
		if !strings.HasPrefix(got[i], fragment) {
			resp.Error = fmt.Errorf("deny message %d = %q, want it to start %q\nreview: %s", i, got[i], fragment, reviewFile)
		}
	}
}
