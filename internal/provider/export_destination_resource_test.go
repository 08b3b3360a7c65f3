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

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

const (
	destAddr    = "engage_export_destination.test"
	testHostKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
)

// testAccDestinationConfig renders a credential and a destination whose
// target block is target (an `sftp = {...}` or `s3 = {...}` line).
func testAccDestinationConfig(name, target, kinds string) string {
	return fmt.Sprintf(`
resource "engage_transfer_credential" "test" {
  name              = "sftp_prod"
  username          = "exporter"
  secret_wo         = "s3cret"
  secret_wo_version = 1
}

resource "engage_export_destination" "test" {
  name         = %[1]q
  %[2]s
  export_kinds = %[3]s
}
`, name, target, kinds)
}

const sftpTarget = `sftp = {
    host            = "sftp.example.com"
    path            = "/exports"
    host_key_sha256 = "` + testHostKey + `"
    credential_id   = engage_transfer_credential.test.id
  }`

func TestAccExportDestination_lifecycle(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkDestinationsDestroyed(b),
			Steps: []resource.TestStep{
				{
					Config: testAccDestinationConfig("Warehouse", sftpTarget, `["raw_data_export"]`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(destAddr, plancheck.ResourceActionCreate),
							plancheck.ExpectKnownValue(destAddr, tfjsonpath.New("type"), knownvalue.StringExact("sftp")),
							plancheck.ExpectKnownValue(destAddr, tfjsonpath.New("sftp").AtMapKey("port"), knownvalue.Int64Exact(22)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^dst_[0-9a-f]{16}$`))),
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("s3"), knownvalue.Null()),
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("sftp").AtMapKey("host_key_sha256"), knownvalue.StringExact(testHostKey)),
					},
				},
				{
					// In place: another port, path and set of export kinds; the
					// optional host key left out stays null, not "".
					Config: testAccDestinationConfig("Warehouse", `sftp = {
    host          = "sftp.example.com"
    port          = 2222
    path          = "/exports/engage"
    credential_id = engage_transfer_credential.test.id
  }`, `["raw_data_export", "report"]`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(destAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("sftp").AtMapKey("port"), knownvalue.Int64Exact(2222)),
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("sftp").AtMapKey("host_key_sha256"), knownvalue.Null()),
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("export_kinds"), stringSetExact("raw_data_export", "report")),
					},
				},
				{
					// Switching transport is an update too; type follows at plan time.
					Config: testAccDestinationConfig("Warehouse", `s3 = {
    bucket        = "engage-exports"
    region        = "eu-central-1"
    credential_id = engage_transfer_credential.test.id
  }`, `["cloud_export"]`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(destAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(destAddr, tfjsonpath.New("type"), knownvalue.StringExact("s3")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("sftp"), knownvalue.Null()),
						statecheck.ExpectKnownValue(destAddr, tfjsonpath.New("s3").AtMapKey("prefix"), knownvalue.Null()),
					},
				},
				{ResourceName: destAddr, ImportState: true, ImportStateVerify: true},
				{ResourceName: destAddr, ImportState: true, ImportStateVerify: true, ImportStateId: "name:warehouse"},
				{
					// An import {} block, planned: importing changes nothing.
					ResourceName:    destAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					Config: testAccDestinationConfig("Warehouse", `s3 = {
    bucket        = "engage-exports"
    region        = "eu-central-1"
    credential_id = engage_transfer_credential.test.id
  }`, `["cloud_export"]`),
				},
			},
		})
	})
}

func TestAccExportDestination_outOfBand(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccDestinationConfig("Warehouse", sftpTarget, `["report"]`)
		destination := func() access.ExportDestination {
			page, err := b.Service.ListExportDestinations(context.Background(), access.ListOptions{})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("listing destinations: %v, %v", page.Items, err)
			}
			return page.Items[0]
		}
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkDestinationsDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					// Someone unpins the host key in the console: the plan pins it again.
					PreConfig: func() {
						d := destination()
						d.SFTP.HostKeySHA256 = ""
						if _, err := b.Service.UpdateExportDestination(context.Background(), d); err != nil {
							t.Fatal(err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(destAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					PreConfig: func() {
						if err := b.Service.DeleteExportDestination(context.Background(), destination().ID, 0); err != nil {
							t.Fatal(err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(destAddr, plancheck.ResourceActionCreate)},
					},
				},
			},
		})
	})
}

func TestAccExportDestination_invalidConfigurationFailsAtPlan(t *testing.T) {
	cases := map[string]struct {
		target, kinds string
		want          *regexp.Regexp
	}{
		"neither sftp nor s3": {
			target: ``, kinds: `["report"]`,
			want: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured:\s+\[sftp,s3\]`),
		},
		"both sftp and s3": {
			target: sftpTarget + "\n  s3 = {\n    bucket = \"engage-exports\"\n    region = \"eu-central-1\"\n    credential_id = \"x\"\n  }", kinds: `["report"]`,
			want: regexp.MustCompile(`(?s)Invalid Attribute Combination.*sftp,s3`),
		},
		"a malformed host key": {
			target: `sftp = {
    host            = "sftp.example.com"
    path            = "/exports"
    host_key_sha256 = "MD5:aa:bb"
    credential_id   = "x"
  }`, kinds: `["report"]`,
			want: regexp.MustCompile(`(?s)Invalid host key fingerprint.*sftp.host_key_sha256: must be an OpenSSH\s+SHA256\s+fingerprint`),
		},
		"a relative path": {
			target: `sftp = {
    host          = "sftp.example.com"
    path          = "exports"
    credential_id = "x"
  }`, kinds: `["report"]`,
			want: regexp.MustCompile(`(?s)Invalid SFTP path.*sftp.path: must be an absolute path`),
		},
		"a port out of range": {
			target: `sftp = {
    host          = "sftp.example.com"
    port          = 0
    path          = "/"
    credential_id = "x"
  }`, kinds: `["report"]`,
			want: regexp.MustCompile(`(?s)port.*value must be between 1 and 65535`),
		},
		"a region that is not one": {
			target: `s3 = {
    bucket        = "engage-exports"
    region        = "Frankfurt"
    credential_id = "x"
  }`, kinds: `["report"]`,
			want: regexp.MustCompile(`(?s)Invalid S3 region.*s3.region: "Frankfurt" is not a region name`),
		},
		"an unknown export kind": {
			target: sftpTarget, kinds: `["csv_dump"]`,
			want: regexp.MustCompile(`(?s)export_kinds.*value must be one of`),
		},
		"no export kinds": {
			target: sftpTarget, kinds: `[]`,
			want: regexp.MustCompile(`(?s)export_kinds.*set must contain at least 1 elements`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				resource.Test(t, resource.TestCase{
					TerraformVersionChecks:   writeOnlyVersionChecks,
					ProtoV6ProviderFactories: b.Factories,
					Steps: []resource.TestStep{{
						Config:      testAccDestinationConfig("Warehouse", tc.target, tc.kinds),
						PlanOnly:    true,
						ExpectError: tc.want,
					}},
				})
			})
		})
	}
}

func TestAccExportDestination_credentialMustExist(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkDestinationsDestroyed(b),
			Steps: []resource.TestStep{{
				Config: testAccDestinationConfig("Warehouse", `sftp = {
    host          = "sftp.example.com"
    path          = "/exports"
    credential_id = "cred_0000000000000000"
  }`, `["report"]`),
				ExpectError: regexp.MustCompile(`(?s)Unable to create export destination.*sftp\.credential_id: transfer credential\s+"cred_0000000000000000" does\s+not\s+exist`),
			}},
		})
	})
}

func checkDestinationsDestroyed(b *acctest.Backend) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		page, err := b.Service.ListExportDestinations(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		if len(page.Items) != 0 {
			return fmt.Errorf("%d export destination(s) left after destroy", len(page.Items))
		}
		return checkCredentialsDestroyed(b)(s)
	}
}
