package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// onboardedAccount is an account an operator built by hand in the console,
// one object of every resource type, before anyone wrote Terraform for it.
type onboardedAccount struct {
	// imports maps each resource address to its import ID.
	imports []onboardedImport
	// credentialSecret lets the test prove that onboarding leaves the
	// secret the platform holds alone.
	credentialSecret string
}

type onboardedImport struct{ address, id string }

// seedOnboardingAccount creates the objects through the service, outside
// Terraform: of each type one with every attribute away from its default (a
// generator that wrote a default instead of the real value shows as a
// diff), and one with only what is required, its optional strings empty
// (Terraform's generator writes an empty optional string as null).
func seedOnboardingAccount(t *testing.T, b *acctest.Backend) onboardedAccount {
	t.Helper()
	ctx := context.Background()
	svc := b.Service
	var imports []onboardedImport
	seeded := func(address, id string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seeding %s: %v", address, err)
		}
		imports = append(imports, onboardedImport{address, id})
	}

	role, err := svc.CreateRole(ctx, access.Role{
		Name:        "Data stewards",
		Description: "owner: data-team@example.com",
		Permissions: []string{"data.personal_info", "campaign.view"},
	})
	seeded("engage_role.stewards", role.ID, err)
	bareRole, err := svc.CreateRole(ctx, access.Role{Name: "Viewers", Permissions: []string{"campaign.view"}})
	seeded("engage_role.viewers", bareRole.ID, err)

	user, err := svc.CreateUser(ctx, access.User{
		Email: "Steward@Example.com", DisplayName: "Data Steward", RoleID: role.ID, Disabled: true,
	})
	seeded("engage_user.steward", user.ID, err)
	bareUser, err := svc.CreateUser(ctx, access.User{Email: "viewer@example.com", DisplayName: "Viewer", RoleID: access.ReadOnlyRoleID})
	seeded("engage_user.viewer", bareUser.ID, err)

	column, err := svc.CreateMaskingColumn(ctx, access.MaskingColumn{
		Table: "contacts", Column: "phone", Mask: access.MaskHash, Description: "Mobile number",
	})
	seeded("engage_masking_column.phone", column.Table+"/"+column.Column, err)
	bareColumn, err := svc.CreateMaskingColumn(ctx, access.MaskingColumn{Table: "contacts", Column: "email", Mask: access.MaskFull})
	seeded("engage_masking_column.email", bareColumn.Table+"/"+bareColumn.Column, err)

	list, err := svc.CreateIPAllowlist(ctx, access.IPAllowlist{
		Name: "offices", Description: "Office networks", Enabled: false,
		Entries: []access.AllowlistEntry{
			{CIDR: "192.0.2.0/24", Description: "Berlin"},
			{CIDR: "2001:db8::/32"},
		},
	})
	seeded("engage_ip_allowlist.offices", list.ID, err)
	bareList, err := svc.CreateIPAllowlist(ctx, access.IPAllowlist{
		Name: "vpn", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "198.51.100.7/32"}},
	})
	seeded("engage_ip_allowlist.vpn", bareList.ID, err)

	const secret = "seeded-by-hand-in-the-console"
	cred, err := svc.CreateTransferCredential(ctx, access.TransferCredential{
		Name: "sftp_prod", Username: "exporter", Secret: secret,
	})
	seeded("engage_transfer_credential.sftp_prod", cred.ID, err)

	dest, err := svc.CreateExportDestination(ctx, access.ExportDestination{
		Name: "warehouse",
		SFTP: &access.SFTPTarget{
			Host: "sftp.example.com", Port: 2222, Path: "/exports",
			HostKeySHA256: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", CredentialID: cred.ID,
		},
		ExportKinds: []access.ExportKind{access.ExportRawData, access.ExportReport},
	})
	seeded("engage_export_destination.warehouse", dest.ID, err)
	bareDest, err := svc.CreateExportDestination(ctx, access.ExportDestination{
		Name:        "bucket",
		S3:          &access.S3Target{Bucket: "exports", Region: "eu-west-1", CredentialID: cred.ID},
		ExportKinds: []access.ExportKind{access.ExportCloud},
	})
	seeded("engage_export_destination.bucket", bareDest.ID, err)

	_, err = svc.UpdateSecuritySettings(ctx, access.SecuritySettings{
		RequireTwoFactor:      true,
		SessionTimeoutMinutes: 60,
		SSO: access.SSOSettings{
			Enabled:           true,
			IdPEntityID:       "https://idp.example.com/entity",
			IdPSSOURL:         "https://idp.example.com/sso",
			IdPCertificatePEM: testAccIdPCertificate(t, idpCertNotAfter),
		},
		CampaignApprovalRequired: true,
	})
	seeded("engage_security_settings.account", access.SecuritySettingsID, err)

	return onboardedAccount{imports: imports, credentialSecret: secret}
}

// importBlocks renders one import block per object.
func (a onboardedAccount) importBlocks() string {
	var b strings.Builder
	for _, imp := range a.imports {
		fmt.Fprintf(&b, "import {\n  to = %s\n  id = %q\n}\n\n", imp.address, imp.id)
	}
	return b.String()
}

// TestAccOnboarding_generatedConfigAppliesWithNoChanges is how a team brings
// an account it built by hand under Terraform: import blocks for every
// object, `terraform plan -generate-config-out`, then apply the generated
// configuration as written. The import plan must be a pure import (the
// generated configuration says exactly what the platform holds), the apply
// must change nothing on the platform (the credential keeps the secret set
// in the console), and the next plan must be empty. Then the team tidies the
// configuration as a reviewer would (import blocks out, literal ids turned
// into references): still no change; and takes the credential's secret
// over by setting secret_wo and secret_wo_version: a rotation.
func TestAccOnboarding_generatedConfigAppliesWithNoChanges(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		account := seedOnboardingAccount(t, b)
		imports := account.importBlocks()

		// The generated configuration is only known once Terraform has
		// written it; the second step reads it from this file, so the file
		// must exist (with any content) before the test case starts.
		dir := t.TempDir()
		withImports := filepath.Join(dir, "onboarding.tf")
		referenced := filepath.Join(dir, "referenced.tf")
		rotated := filepath.Join(dir, "rotated.tf")
		for _, f := range []string{withImports, referenced, rotated} {
			if err := os.WriteFile(f, []byte("# filled in by the import step\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		keepGenerated := &generatedConfigCheck{
			imports: account.imports, importBlocks: imports,
			withImports: withImports, referenced: referenced, rotated: rotated,
		}

		noOpImports := make([]plancheck.PlanCheck, 0, len(account.imports))
		for _, imp := range account.imports {
			noOpImports = append(noOpImports, plancheck.ExpectResourceAction(imp.address, plancheck.ResourceActionNoop))
		}

		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			// Import blocks and -generate-config-out need 1.5; secret_wo,
			// write-only, needs 1.11.
			TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
			Steps: []resource.TestStep{
				{
					// terraform plan -generate-config-out=generated.tf, with
					// only the import blocks written by hand.
					Config:                 imports,
					ImportState:            true,
					ImportStateKind:        resource.ImportBlockWithID,
					ImportStateConfigExact: true,
					GenerateConfig:         true,
					ResourceName:           account.imports[0].address,
					ImportStateId:          account.imports[0].id,
					ImportPlanChecks: resource.ImportPlanChecks{
						PreApply: []plancheck.PlanCheck{keepGenerated},
					},
				},
				{
					// terraform apply with the import blocks and the
					// generated configuration as written; the framework then
					// plans again and fails on any change.
					ConfigFile: config.StaticFile(withImports),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: noOpImports,
					},
					Check: checkSecret(b, "engage_transfer_credential.sftp_prod", account.credentialSecret),
				},
				{
					// The import blocks have done their job and come out; the
					// ids the generator wrote as literals become references,
					// as a reviewer tidies generated configuration (and as
					// Terraform needs to order the final destroy: a role
					// before the users holding it, a credential before the
					// destinations using it, would be refused; the apply
					// records the dependencies in state). Still no change.
					ConfigFile: config.StaticFile(referenced),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					// The team takes the secret over: it sets secret_wo and
					// a secret_wo_version, and the apply sends the secret.
					ConfigFile: config.StaticFile(rotated),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("engage_transfer_credential.sftp_prod", plancheck.ResourceActionUpdate),
						},
					},
					Check: checkSecret(b, "engage_transfer_credential.sftp_prod", rotatedSecret),
				},
			},
		})
		if generated, err := os.ReadFile(withImports); err == nil {
			t.Logf("terraform plan -generate-config-out wrote:\n%s", generated)
		}
	})
}

// rotatedSecret is what the team sets once it manages the credential.
const rotatedSecret = "rotated-by-terraform"

// unsetSecret matches the line Terraform (`null # sensitive`) or OpenTofu
// (`null # sensitive write-only`) generates for secret_wo, and
// unsetSecretVersion the one for secret_wo_version, which import leaves
// null.
var (
	unsetSecret        = regexp.MustCompile(`(?m)^(\s*secret_wo\s*=\s*)null # sensitive( write-only)?$`)
	unsetSecretVersion = regexp.MustCompile(`(?m)^(\s*secret_wo_version\s*=\s*)null$`)
)

// generatedConfigCheck asserts that every object is imported with no
// change and with generated configuration, then writes the import blocks
// plus that configuration to withImports (the working directory after
// `terraform plan -generate-config-out`), and to referenced the
// configuration alone, with each literal id of an imported object replaced
// by a reference to it; and to rotated, that configuration with the
// credential's secret set.
type generatedConfigCheck struct {
	imports                          []onboardedImport
	importBlocks                     string
	withImports, referenced, rotated string
}

func (c *generatedConfigCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var generated strings.Builder
	var problems []string
	for _, imp := range c.imports {
		found := -1
		for i, rc := range req.Plan.ResourceChanges {
			if rc.Address == imp.address {
				found = i
			}
		}
		if found < 0 || req.Plan.ResourceChanges[found].Change == nil {
			problems = append(problems, imp.address+": not in the plan")
			continue
		}
		change := req.Plan.ResourceChanges[found].Change
		switch {
		case change.Importing == nil:
			problems = append(problems, imp.address+": not imported")
		case !change.Actions.NoOp():
			problems = append(problems, fmt.Sprintf("%s: planned %v, want only an import", imp.address, change.Actions))
		}
		if change.GeneratedConfig == "" {
			problems = append(problems, imp.address+": no generated configuration")
		}
		generated.WriteString(change.GeneratedConfig + "\n\n")
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("onboarding plan:\n  %s\ngenerated configuration:\n%s", strings.Join(problems, "\n  "), generated.String())
		return
	}
	if err := os.WriteFile(c.withImports, []byte(c.importBlocks+generated.String()), 0o600); err != nil {
		resp.Error = err
		return
	}
	withReferences := generated.String()
	for _, imp := range c.imports {
		withReferences = strings.ReplaceAll(withReferences, fmt.Sprintf("= %q\n", imp.id), "= "+imp.address+".id\n")
	}
	if err := os.WriteFile(c.referenced, []byte(withReferences), 0o600); err != nil {
		resp.Error = err
		return
	}
	if !unsetSecret.MatchString(withReferences) || !unsetSecretVersion.MatchString(withReferences) {
		resp.Error = fmt.Errorf("generated configuration lacks `secret_wo = null # sensitive` or `secret_wo_version = null`:\n%s", withReferences)
		return
	}
	withSecret := unsetSecret.ReplaceAllString(withReferences, fmt.Sprintf("${1}%q", rotatedSecret))
	withSecret = unsetSecretVersion.ReplaceAllString(withSecret, "${1}1")
	if err := os.WriteFile(c.rotated, []byte(withSecret), 0o600); err != nil {
		resp.Error = err
	}
}

// testAccCredentialWithoutSecret renders a credential with no secret_wo, as
// generated configuration has it; version 0 leaves secret_wo_version out.
func testAccCredentialWithoutSecret(version int) string {
	versionLine := ""
	if version != 0 {
		versionLine = fmt.Sprintf("secret_wo_version = %d", version)
	}
	return fmt.Sprintf(`
resource "engage_transfer_credential" "test" {
  name     = "sftp_prod"
  username = "exporter"
  %s
}
`, versionLine)
}

// TestAccTransferCredential_secretNeededOnlyWhenSent: secret_wo is optional
// so that the generated configuration of an imported credential, which
// cannot know the secret, applies; yet a plan that would send the secret
// (a create, or a changed secret_wo_version) without one fails at plan time.
func TestAccTransferCredential_secretNeededOnlyWhenSent(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   writeOnlyVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{
					Config:      testAccCredentialWithoutSecret(1),
					ExpectError: regexp.MustCompile(`(?s)Missing secret.*secret_wo\s+is\s+required\s+to\s+create\s+a\s+transfer\s+credential`),
				},
				{
					Config: testAccCredentialConfig("sftp_prod", "exporter", "first", 1),
					Check:  checkSecret(b, "engage_transfer_credential.test", "first"),
				},
				{
					// Leaving the secret out later changes nothing.
					Config: testAccCredentialWithoutSecret(1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkSecret(b, "engage_transfer_credential.test", "first"),
				},
				{
					Config:      testAccCredentialWithoutSecret(2),
					ExpectError: regexp.MustCompile(`(?s)Missing secret.*secret_wo_version\s+changed`),
				},
			},
		})
	})
}
