package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// Canaries are unique strings set as secrets; a secret that leaks anywhere
// leaks its canary, which nothing else would print.
const (
	canaryCreate = "canary-create-5b0e8d41c7"
	canaryRotate = "canary-rotate-93a7f2e610"
	canaryFailed = "canary-failed-0c64be1d29"
)

var canaries = []string{canaryCreate, canaryRotate, canaryFailed}

// TestAccSecrets_neverLeak sets canary secrets through every path a secret
// takes (create, rotation, a failed create) with Terraform and the provider
// logging at TRACE, and asserts that no canary reaches the plan JSON, the
// state, the logs, an error message or the embedded database file.
func TestAccSecrets_neverLeak(t *testing.T) {
	logDir := t.TempDir()
	// Terraform CLI logs and the provider's own tflog output, per test.
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(logDir, "%s.log"))

	acctest.ForEachBackendSequentially(t, func(t *testing.T, b *acctest.Backend) {
		// Secrets come in as an ephemeral variable, as they should in real
		// use: a literal in a .tf file is configuration, and Terraform shows
		// configuration literals in the plan JSON whatever the provider does.
		configFor := func(version int, extra string) string {
			return fmt.Sprintf(`
variable "secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "other_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "engage_transfer_credential" "test" {
  name              = "sftp_prod"
  username          = "exporter"
  secret_wo         = var.secret
  secret_wo_version = %[1]d
}

resource "engage_export_destination" "test" {
  name         = "Warehouse"
  sftp = {
    host          = "sftp.example.com"
    path          = "/exports"
    credential_id = engage_transfer_credential.test.id
  }
  export_kinds = ["raw_data_export"]
}
%[2]s`, version, extra)
		}
		secrets := func(secret string) config.Variables {
			return config.Variables{"secret": config.StringVariable(secret), "other_secret": config.StringVariable(canaryFailed)}
		}
		noCanaryInPlan := []plancheck.PlanCheck{noCanary{}}
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{
					Config:          configFor(1, ""),
					ConfigVariables: secrets(canaryCreate),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: noCanaryInPlan, PostApplyPreRefresh: noCanaryInPlan, PostApplyPostRefresh: noCanaryInPlan,
					},
					ConfigStateChecks: []statecheck.StateCheck{noCanary{}},
					Check:             checkSecret(b, credAddr, canaryCreate),
				},
				{
					Config:          configFor(2, ""),
					ConfigVariables: secrets(canaryRotate),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: noCanaryInPlan, PostApplyPreRefresh: noCanaryInPlan, PostApplyPostRefresh: noCanaryInPlan,
					},
					ConfigStateChecks: []statecheck.StateCheck{noCanary{}},
					Check:             checkSecret(b, credAddr, canaryRotate),
				},
				{
					// A create the platform refuses (the name is taken) must not
					// echo the secret it was sent.
					Config: configFor(2, `
resource "engage_transfer_credential" "clash" {
  name      = "SFTP_PROD"
  username  = "other"
  secret_wo = var.other_secret
}`),
					ConfigVariables: secrets(canaryRotate),
					ExpectError:     regexp.MustCompile(`(?s)Transfer credential already exists`),
				},
				{
					Config:            configFor(2, ""),
					ConfigVariables:   secrets(canaryRotate),
					ConfigStateChecks: []statecheck.StateCheck{noCanary{}},
				},
			},
		})

		// The provider logs through the test's sink and Terraform through its
		// own log file; both must have logged the run (else this test would
		// prove nothing) and neither may hold a canary.
		logs, err := filepath.Glob(filepath.Join(logDir, "*.log"))
		if err != nil || len(logs) == 0 {
			t.Fatalf("no trace logs captured in %s (%v)", logDir, err)
		}
		var all []byte
		for _, f := range logs {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, raw...)
		}
		for _, want := range []string{"secret_wo_version", "engage_transfer_credential", "ApplyResourceChange"} {
			if !bytes.Contains(all, []byte(want)) {
				t.Fatalf("trace logs (%d bytes in %d files) do not mention %q: the capture is not working", len(all), len(logs), want)
			}
		}
		assertNoCanary(t, "trace logs", all)

		// At rest the secret is encrypted: not in the database nor its WAL.
		for _, f := range []string{b.EmbeddedPath, b.EmbeddedPath + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			assertNoCanary(t, f, raw)
		}
		if err := b.Platform.Close(); err != nil { // flush nothing in clear on close either
			t.Fatal(err)
		}
	})
}

func assertNoCanary(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, c := range canaries {
		if i := bytes.Index(data, []byte(c)); i >= 0 {
			start := max(0, i-200)
			t.Errorf("%s contains the secret %q: ...%s...", where, c, data[start:min(len(data), i+len(c)+50)])
		}
	}
}

// noCanary is a plan and state check: the JSON Terraform shows for the plan
// (`terraform show -json plan`) and the state holds no canary.
type noCanary struct{}

func (noCanary) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = canaryIn("plan JSON", req.Plan)
}

func (noCanary) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = canaryIn("state JSON", req.State)
}

func canaryIn(where string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(raw) < 100 {
		return fmt.Errorf("%s is suspiciously small (%d bytes): %s", where, len(raw), raw)
	}
	for _, c := range canaries {
		if i := bytes.Index(raw, []byte(c)); i >= 0 {
			return fmt.Errorf("%s contains the secret %q: ...%s...", where, c, raw[max(0, i-300):min(len(raw), i+60)])
		}
	}
	return nil
}
