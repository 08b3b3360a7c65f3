package policytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// policiesDir holds the policies under test, relative to this package.
const policiesDir = "../../examples/policies"

// denyQuery is what CI asks opa for: every deny message of package engage,
// the policies over the plan itself. (The access policies, package
// engage.access, read review-plan's report instead of the plan.)
const denyQuery = "data.engage.deny"

// opaPath returns the opa binary `make policy-test` builds, or skips the test.
func opaPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("OPA_PATH")
	if path == "" {
		t.Skip("OPA_PATH is not set; run `make policy-test`, which builds opa and sets it")
	}
	return path
}

// Resources that every policy allows, for configurations to build on.
const (
	ownedSensitiveRole = `
resource "engage_role" "stewards" {
  name        = "Data stewards"
  description = "Reads personal data. owner: data-team@example.com"
  permissions = ["data.personal_info"]
}
`
	credential = `
resource "engage_transfer_credential" "sftp" {
  name              = "sftp_prod"
  username          = "exporter"
  secret_wo         = "s3cret"
  secret_wo_version = 1
}
`
	hostKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
)

func userConfig(roleID string) string {
	return fmt.Sprintf(`
data "engage_role" "full_admin" {
  name = "Full Admin"
}

data "engage_role" "read_only" {
  name = "Read Only"
}

resource "engage_user" "ops" {
  email        = "ops@example.com"
  display_name = "Ops"
  role_id      = %s
}
`, roleID)
}

func allowlistConfig(cidrs ...string) string {
	var entries strings.Builder
	for _, c := range cidrs {
		fmt.Fprintf(&entries, "    { cidr = %q },\n", c)
	}
	return fmt.Sprintf(`
resource "engage_ip_allowlist" "offices" {
  name    = "offices"
  entries = [
%s  ]
}
`, entries.String())
}

func settingsConfig(requireTwoFactor bool) string {
	return fmt.Sprintf(`
resource "engage_security_settings" "account" {
  require_two_factor = %t
}
`, requireTwoFactor)
}

func destinationConfig(hostKeyLine string) string {
	return credential + fmt.Sprintf(`
resource "engage_export_destination" "warehouse" {
  name = "warehouse"
  sftp = {
    host          = "sftp.example.com"
    path          = "/exports"
    credential_id = engage_transfer_credential.sftp.id
    %s
  }
  export_kinds = ["raw_data_export"]
}
`, hostKeyLine)
}

// step is one configuration in a policy case and the deny messages its plan
// must get, exactly (none: the plan is allowed).
type step struct {
	config string
	denies []string
}

// TestAccPolicies_realPlans plans each configuration with the real terraform
// binary and asks opa for the deny messages of the plan JSON. Each policy has
// a violating plan, denied with its message, and the compliant account plans
// with no denial. Steps are applied, so later steps plan updates and deletes.
func TestAccPolicies_realPlans(t *testing.T) {
	opa := opaPath(t)
	tests := []struct {
		name  string
		steps []step
	}{
		{"a compliant account is allowed", []step{{
			config: ownedSensitiveRole + userConfig("engage_role.stewards.id") +
				allowlistConfig("192.0.2.0/24", "2001:db8::/32") + settingsConfig(true) +
				destinationConfig(fmt.Sprintf("host_key_sha256 = %q", hostKey)),
		}}},
		{"turning two-factor off is denied", []step{
			{config: settingsConfig(true)},
			{
				config: settingsConfig(false),
				denies: []string{`engage_security_settings.account: sets require_two_factor to false; set require_two_factor = true`},
			},
		}},
		{"destroying the settings that require two-factor is denied", []step{
			{config: settingsConfig(true)},
			{
				config: "# engage_security_settings removed from the configuration\n",
				denies: []string{`engage_security_settings.account: is destroyed, which resets require_two_factor to false; to stop managing the settings, use a removed block with lifecycle { destroy = false }`},
			},
		}},
		{"a sensitive role without an owner is denied", []step{{
			config: `
resource "engage_role" "exporters" {
  name        = "Exporters"
  description = "Raw data exports"
  permissions = ["import_export.raw_data_exports"]
}
`,
			denies: []string{`engage_role.exporters: grants sensitive permissions but its description names no owner; add "owner: <email or team>" to description`},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := acctest.Embedded(t)
			steps := make([]resource.TestStep, 0, len(tt.steps))
			for _, s := range tt.steps {
				steps = append(steps, resource.TestStep{
					Config: s.config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{opaDenies{opa: opa, dir: t.TempDir(), want: s.denies}},
					},
				})
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: b.Factories,
				// secret_wo, write-only, needs Terraform 1.11.
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				Steps:                  steps,
			})
		})
	}
}

// TestAccPolicies_quickstartIsCompliant plans examples/quickstart, the
// configuration newcomers copy, and expects no denial: the policies and the
// example teach the same conventions.
func TestAccPolicies_quickstartIsCompliant(t *testing.T) {
	opa := opaPath(t)
	quickstart, err := os.ReadFile("../../examples/quickstart/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	// The quickstart names the provider by its registry address, and takes
	// its secret from an ephemeral variable, which must be set for the plan
	// and again for the apply: both come from the environment, so this test
	// cannot run in parallel.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "engage-oss")
	t.Setenv("TF_VAR_sftp_secret", "s3cret")
	b := acctest.Embedded(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: string(quickstart),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{opaDenies{opa: opa, dir: t.TempDir()}},
			},
		}},
	})
}

// opaDenies writes the plan as `terraform show -json` prints it, runs
// `opa eval` on it with the policies, and compares the deny messages with
// want, as sets.
type opaDenies struct {
	opa, dir string
	want     []string
}

func (c opaDenies) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	planJSON, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = fmt.Errorf("encoding the plan: %w", err)
		return
	}
	if err := checkShowJSONShape(planJSON); err != nil {
		resp.Error = err
		return
	}
	planFile := filepath.Join(c.dir, "plan.json")
	if err := os.WriteFile(planFile, planJSON, 0o600); err != nil {
		resp.Error = err
		return
	}
	got, err := evalDeny(ctx, c.opa, planFile)
	if err != nil {
		resp.Error = err
		return
	}
	want := slices.Sorted(slices.Values(c.want))
	if !slices.Equal(got, want) {
		resp.Error = fmt.Errorf("deny messages:\n  got  %q\n  want %q\nplan: %s", got, want, planFile)
	}
}

// checkShowJSONShape makes sure the policies see what CI gives them: the
// JSON of `terraform show -json tfplan`, not some other rendering of a plan.
func checkShowJSONShape(planJSON []byte) error {
	var doc struct {
		FormatVersion    string            `json:"format_version"`
		TerraformVersion string            `json:"terraform_version"`
		ResourceChanges  []json.RawMessage `json:"resource_changes"`
		Configuration    json.RawMessage   `json:"configuration"`
	}
	if err := json.Unmarshal(planJSON, &doc); err != nil {
		return fmt.Errorf("decoding the plan JSON: %w", err)
	}
	if doc.FormatVersion == "" || doc.TerraformVersion == "" || doc.Configuration == nil {
		return fmt.Errorf("plan JSON lacks format_version, terraform_version or configuration: not `terraform show -json` output")
	}
	return nil
}

// evalDeny runs `opa eval` as CI would and returns the deny messages, sorted.
func evalDeny(ctx context.Context, opa, planFile string) ([]string, error) {
	return evalQuery(ctx, opa, denyQuery, planFile)
}

// evalQuery runs `opa eval` of query over the policies (and any more data
// files) with input, and returns the set it yields, sorted.
func evalQuery(ctx context.Context, opa, query, input string, data ...string) ([]string, error) {
	args := []string{"eval", "--format", "json", "--data", policiesDir}
	for _, d := range data {
		args = append(args, "--data", d)
	}
	cmd := exec.CommandContext(ctx, opa, append(args, "--input", input, query)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("opa eval: %w: %s", err, stderr.String())
	}
	var result struct {
		Result []struct {
			Expressions []struct {
				Value []string `json:"value"`
			} `json:"expressions"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &result); err != nil {
		return nil, fmt.Errorf("decoding opa's output %s: %w", out, err)
	}
	if len(result.Result) != 1 || len(result.Result[0].Expressions) != 1 {
		return nil, fmt.Errorf("opa eval: %s is undefined (is the package name right?): %s", query, out)
	}
	return slices.Sorted(slices.Values(result.Result[0].Expressions[0].Value)), nil
}
