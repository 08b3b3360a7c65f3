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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

const credAddr = "engage_transfer_credential.test"

// Write-only attributes need Terraform 1.11.
var writeOnlyVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

// testAccCredentialConfig renders one credential; version 0 leaves
// secret_wo_version out.
func testAccCredentialConfig(name, username, secret string, version int) string {
	versionLine := ""
	if version != 0 {
		versionLine = fmt.Sprintf("secret_wo_version = %d", version)
	}
	return fmt.Sprintf(`
resource "engage_transfer_credential" "test" {
  name      = %[1]q
  username  = %[2]q
  secret_wo = %[3]q
  %[4]s
}
`, name, username, secret, versionLine)
}

func TestAccTransferCredential_lifecycle(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var createdRotatedAt string
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkCredentialsDestroyed(b),
			Steps: []resource.TestStep{
				{
					Config: testAccCredentialConfig("sftp_prod", "exporter", "first-secret", 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(credAddr, plancheck.ResourceActionCreate),
							plancheck.ExpectKnownValue(credAddr, tfjsonpath.New("reference"), knownvalue.StringExact("{{credential.sftp_prod}}")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(credAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^cred_[0-9a-f]{16}$`))),
						statecheck.ExpectKnownValue(credAddr, tfjsonpath.New("secret_wo"), knownvalue.Null()),
						statecheck.ExpectKnownValue(credAddr, tfjsonpath.New("reference"), knownvalue.StringExact("{{credential.sftp_prod}}")),
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						checkSecret(b, credAddr, "first-secret"),
						func(s *terraform.State) error {
							createdRotatedAt = s.RootModule().Resources[credAddr].Primary.Attributes["rotated_at"]
							return nil
						},
					),
				},
				{
					// A new secret without a new version is invisible to
					// Terraform: nothing is planned and the old secret stays.
					Config: testAccCredentialConfig("sftp_prod", "exporter", "ignored-secret", 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkSecret(b, credAddr, "first-secret"),
				},
				{
					// An in-place change of the username keeps the secret.
					Config: testAccCredentialConfig("sftp_prod", "exporter2", "ignored-secret", 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(credAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(credAddr, tfjsonpath.New("rotated_at"), knownvalue.NotNull()),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: resource.ComposeAggregateTestCheckFunc(
						checkSecret(b, credAddr, "first-secret"),
						func(s *terraform.State) error {
							if got := s.RootModule().Resources[credAddr].Primary.Attributes["rotated_at"]; got != createdRotatedAt {
								return fmt.Errorf("rotated_at changed without a rotation: %s -> %s", createdRotatedAt, got)
							}
							return nil
						},
					),
				},
				{
					// Bumping the version rotates the secret.
					Config: testAccCredentialConfig("sftp_prod", "exporter2", "second-secret", 2),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(credAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectUnknownValue(credAddr, tfjsonpath.New("rotated_at")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkSecret(b, credAddr, "second-secret"),
				},
				{
					// A rename is in place and moves the placeholder, at plan time.
					Config: testAccCredentialConfig("sftp_eu", "exporter2", "second-secret", 2),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(credAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(credAddr, tfjsonpath.New("reference"), knownvalue.StringExact("{{credential.sftp_eu}}")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkSecret(b, credAddr, "second-secret"),
				},
				{
					ResourceName:      credAddr,
					ImportState:       true,
					ImportStateVerify: true,
					// Neither exists on the platform: the secret is write-only
					// and the version is Terraform's own bookkeeping.
					ImportStateVerifyIgnore: []string{"secret_wo", "secret_wo_version"},
				},
				{
					ResourceName:            credAddr,
					ImportState:             true,
					ImportStateId:           "name:SFTP_EU",
					ImportStateVerify:       true,
					ImportStateVerifyIgnore: []string{"secret_wo", "secret_wo_version"},
				},
				{
					// An import {} block, planned, changes nothing when the
					// configuration leaves secret_wo_version out. (Setting it
					// would plan an update that sends the configured secret:
					// Terraform cannot know the platform already holds it.)
					ResourceName:    credAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   "name:sftp_eu",
					Config:          testAccCredentialConfig("sftp_eu", "exporter2", "second-secret", 0),
				},
			},
		})
	})
}

func TestAccTransferCredential_outOfBand(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccCredentialConfig("sftp_prod", "exporter", "s3cret", 1)
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkCredentialsDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						c := credentialByName(t, b, "sftp_prod")
						c.Username = "changed-in-console"
						if _, err := b.Service.UpdateTransferCredential(context.Background(), c); err != nil {
							t.Fatal(err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(credAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(credAddr, tfjsonpath.New("username"), knownvalue.StringExact("exporter")),
					},
				},
				{
					PreConfig: func() {
						if err := b.Service.DeleteTransferCredential(context.Background(), credentialByName(t, b, "sftp_prod").ID, 0); err != nil {
							t.Fatal(err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(credAddr, plancheck.ResourceActionCreate)},
					},
					// Re-created from configuration, secret included.
					Check: checkSecret(b, credAddr, "s3cret"),
				},
			},
		})
	})
}

func TestAccTransferCredential_invalidConfigurationFailsAtPlan(t *testing.T) {
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"a name that cannot form a placeholder": {
			config: testAccCredentialConfig("sftp prod", "u", "s", 1),
			want:   regexp.MustCompile(`(?s)Invalid credential name.*name.*"sftp prod" must be 1-64 letters`),
		},
		"an empty secret": {
			config: testAccCredentialConfig("sftp_prod", "u", "", 1),
			want:   regexp.MustCompile(`(?s)secret_wo.*string length must be between 1`),
		},
		"an empty username": {
			config: testAccCredentialConfig("sftp_prod", "", "s", 1),
			want:   regexp.MustCompile(`(?s)username: must not be empty`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				resource.Test(t, resource.TestCase{
					TerraformVersionChecks:   writeOnlyVersionChecks,
					ProtoV6ProviderFactories: b.Factories,
					Steps:                    []resource.TestStep{{Config: tc.config, PlanOnly: true, ExpectError: tc.want}},
				})
			})
		})
	}
}

func TestAccTransferCredential_inUseCannotBeDeleted(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var outOfBand access.ExportDestination
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkCredentialsDestroyed(b),
			Steps: []resource.TestStep{
				{Config: testAccCredentialConfig("sftp_prod", "exporter", "s3cret", 1)},
				{
					// A destination made in the console uses the credential...
					PreConfig: func() {
						var err error
						outOfBand, err = b.Service.CreateExportDestination(context.Background(), access.ExportDestination{
							Name:        "Console Archive",
							SFTP:        &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/in", CredentialID: credentialByName(t, b, "sftp_prod").ID},
							ExportKinds: []access.ExportKind{access.ExportReport},
						})
						if err != nil {
							t.Fatal(err)
						}
					},
					// ...so removing the credential fails, naming it.
					Config:      `# the credential is removed`,
					ExpectError: regexp.MustCompile(`(?s)Unable to delete transfer credential.*used by export\s+destination\(s\)\s+"Console Archive"`),
				},
				{
					// Nothing changed: the credential is still there and in state.
					PreConfig: func() {
						credentialByName(t, b, "sftp_prod")
						if err := b.Service.DeleteExportDestination(context.Background(), outOfBand.ID, 0); err != nil {
							t.Fatal(err)
						}
					},
					Config: testAccCredentialConfig("sftp_prod", "exporter", "s3cret", 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkSecret(b, credAddr, "s3cret"),
				},
			},
		})
	})
}

// checkSecret asserts that the platform holds secret for the credential at
// addr, without the secret leaving the platform's store.
func checkSecret(b *acctest.Backend, addr, secret string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		ok, err := b.Platform.TransferSecretMatches(context.Background(), rs.Primary.ID, secret)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s: the platform holds another secret than the one configured", addr)
		}
		return nil
	}
}

func credentialByName(t *testing.T, b *acctest.Backend, name string) access.TransferCredential {
	t.Helper()
	page, err := b.Service.ListTransferCredentials(context.Background(), access.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("transfer credential %q not found", name)
	return access.TransferCredential{}
}

func checkCredentialsDestroyed(b *acctest.Backend) resource.TestCheckFunc {
	return func(*terraform.State) error {
		page, err := b.Service.ListTransferCredentials(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		if len(page.Items) != 0 {
			return fmt.Errorf("%d transfer credential(s) left after destroy", len(page.Items))
		}
		return nil
	}
}
