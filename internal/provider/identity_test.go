package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// Resource identity needs Terraform (or OpenTofu) 1.12.
var identityVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// identityCase is one resource type in the identity tests: how to create
// and update one object, what its identity is, and how it imports.
type identityCase struct {
	addr string
	// config creates the object; update changes it in place.
	config, update string
	// identity checks each identity attribute; each is also a state
	// attribute of the same name.
	identity map[string]knownvalue.Check
	// importConfig is the configuration import blocks plan against, when
	// update's would plan a change after an import (a write-only version
	// the platform does not hold); empty means update.
	importConfig string
	verifyIgnore []string
	// importIDs are the import ID forms besides the id (name:, email).
	importIDs    []string
	checkDestroy func(*acctest.Backend) resource.TestCheckFunc
}

// platformIDRegexp checks a platform id with its type's prefix.
func platformIDRegexp(prefix string) knownvalue.Check {
	return knownvalue.StringRegexp(regexp.MustCompile(`^` + prefix + `_[0-9a-f]{16}$`))
}

// identityCases has one object of each resource type, each at its own
// address: the upgrade tests check them all in one configuration.
var identityCases = map[string]identityCase{
	"role": {
		addr:         roleAddr,
		config:       testAccRoleConfig("Identity Role", "", "campaign.view"),
		update:       testAccRoleConfig("Identity Role", "Reads campaigns", "campaign.view"),
		identity:     map[string]knownvalue.Check{"id": platformIDRegexp("rol")},
		importIDs:    []string{"name:identity role"},
		checkDestroy: checkRolesDestroyed,
	},
	"user": {
		addr:         userAddr,
		config:       testAccUserConfig("ada@example.com", "Ada", "engage_role.test.id", false),
		update:       testAccUserConfig("ada@example.com", "Ada Lovelace", "engage_role.test.id", true),
		identity:     map[string]knownvalue.Check{"id": platformIDRegexp("usr")},
		importIDs:    []string{"ADA@example.com"},
		checkDestroy: checkUsersDestroyed,
	},
	"ip_allowlist": {
		addr:         allowlistAddr,
		config:       testAccIPAllowlistConfig("Head office", "", testAccEntry("198.51.100.0/24", "")),
		update:       testAccIPAllowlistConfig("Head office", `description = "Berlin"`, testAccEntry("198.51.100.0/24", "")),
		identity:     map[string]knownvalue.Check{"id": platformIDRegexp("ipl")},
		importIDs:    []string{"name:head office"},
		checkDestroy: checkIPAllowlistsDestroyed,
	},
	"transfer_credential": {
		addr:     credAddr,
		config:   testAccCredentialConfig("sftp_eu", "exporter", "s3cret", 1),
		update:   testAccCredentialConfig("sftp_eu", "exporter2", "s3cret", 1),
		identity: map[string]knownvalue.Check{"id": platformIDRegexp("cred")},
		// The version is Terraform's own: an imported credential has
		// none, and a configured one would plan sending the secret.
		importConfig: testAccCredentialConfig("sftp_eu", "exporter2", "s3cret", 0),
		verifyIgnore: []string{"secret_wo", "secret_wo_version"},
		importIDs:    []string{"name:SFTP_EU"},
		checkDestroy: checkCredentialsDestroyed,
	},
	"export_destination": {
		addr:         destAddr,
		config:       testAccDestinationConfig("Warehouse", sftpTarget, `["raw_data_export"]`),
		update:       testAccDestinationConfig("Warehouse", sftpTarget, `["raw_data_export", "report"]`),
		identity:     map[string]knownvalue.Check{"id": platformIDRegexp("dst")},
		importIDs:    []string{"name:warehouse"},
		checkDestroy: checkDestinationsDestroyed,
	},
	"masking_column": {
		addr:   maskingAddr,
		config: testAccMaskingColumnConfig("contacts", "email", ""),
		update: testAccMaskingColumnConfig("contacts", "email", `mask = "hash"`),
		identity: map[string]knownvalue.Check{
			"table":  knownvalue.StringExact("contacts"),
			"column": knownvalue.StringExact("email"),
		},
		checkDestroy: checkMaskingColumnsDestroyed,
	},
	"security_settings": {
		addr:         settingsAddr,
		config:       testAccSecuritySettingsConfig("  require_two_factor = true\n"),
		update:       testAccSecuritySettingsConfig("  require_two_factor = true\n  session_timeout_minutes = 60\n"),
		identity:     map[string]knownvalue.Check{"id": knownvalue.StringExact(access.SecuritySettingsID)},
		checkDestroy: checkSecuritySettingsReset,
	},
}

// identityChecks asserts the identity in state, and that each identity
// attribute equals the state attribute of the same name.
func (c identityCase) identityChecks() []statecheck.StateCheck {
	checks := []statecheck.StateCheck{statecheck.ExpectIdentity(c.addr, c.identity)}
	for name := range c.identity {
		checks = append(checks, statecheck.ExpectIdentityValueMatchesState(c.addr, tfjsonpath.New(name)))
	}
	return checks
}

// TestAccIdentity_everyResource: every resource has an identity from its
// create on, keeps it through an update, and imports every way Terraform
// offers: `terraform import` and an import block by ID, in each ID form,
// and an import block by identity.
func TestAccIdentity_everyResource(t *testing.T) {
	for name, c := range identityCases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				sameID := statecheck.CompareValue(compare.ValuesSame())
				importConfig := c.importConfig
				if importConfig == "" {
					importConfig = c.update
				}
				steps := []resource.TestStep{
					{
						Config: c.config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(c.addr, plancheck.ResourceActionCreate)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: append(c.identityChecks(), sameID.AddStateValue(c.addr, tfjsonpath.New("id"))),
					},
					{
						Config: c.update,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(c.addr, plancheck.ResourceActionUpdate)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: append(c.identityChecks(), sameID.AddStateValue(c.addr, tfjsonpath.New("id"))),
					},
				}
				// The id is the import ID the steps use unless they name
				// another (ImportStateId).
				for _, id := range append([]string{""}, c.importIDs...) {
					steps = append(steps,
						resource.TestStep{
							ResourceName:            c.addr,
							ImportState:             true,
							ImportStateKind:         resource.ImportCommandWithID,
							ImportStateId:           id,
							ImportStateVerify:       true,
							ImportStateVerifyIgnore: c.verifyIgnore,
						},
						resource.TestStep{
							ResourceName:    c.addr,
							ImportState:     true,
							ImportStateKind: resource.ImportBlockWithID,
							ImportStateId:   id,
							Config:          importConfig,
							ImportPlanChecks: resource.ImportPlanChecks{
								PreApply: []plancheck.PlanCheck{expectImportedIdentity(c.addr, c.identity)},
							},
						})
				}
				// By identity, built by the test from the identity in state;
				// the test also checks the plan keeps that identity.
				steps = append(steps, resource.TestStep{
					ResourceName:    c.addr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithResourceIdentity,
					Config:          importConfig,
				})
				resource.Test(t, resource.TestCase{
					TerraformVersionChecks:   identityVersionChecks,
					ProtoV6ProviderFactories: b.Factories,
					CheckDestroy:             c.checkDestroy(b),
					Steps:                    steps,
				})
			})
		})
	}
}

// TestAccIdentity_importNamingNothingFails: an import block's identity names
// an object by id only, exactly; one that names nothing, or an object the
// resource cannot manage, fails at plan time with the platform's reason.
func TestAccIdentity_importNamingNothingFails(t *testing.T) {
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"an id naming nothing": {
			config: testAccRoleConfig("Imported", "", "campaign.view") +
				`import {
  to       = engage_role.test
  identity = { id = "rol_0000000000000000" }
}`,
			want: wrappedText(`Unable to import role .* role "rol_0000000000000000" not found`),
		},
		"a natural key is not an identity": {
			config: testAccRoleConfig("Imported", "", "campaign.view") +
				`import {
  to       = engage_role.test
  identity = { id = "name:Read Only" }
}`,
			want: wrappedText(`role "name:Read Only" not found`),
		},
		"a system role": {
			config: testAccRoleConfig("Imported", "", "campaign.view") + fmt.Sprintf(`import {
  to       = engage_role.test
  identity = { id = %q }
}`, access.FullAdminRoleID),
			want: wrappedText(`"Full Admin" is a system role and is read-only`),
		},
		"a column not masked": {
			config: testAccMaskingColumnConfig("contacts", "birthday", "") + `import {
  to       = engage_masking_column.test
  identity = { table = "contacts", column = "birthday" }
}`,
			want: wrappedText(`masking column "contacts/birthday" not found`),
		},
		"settings of another id": {
			config: testAccSecuritySettingsConfig("") + `import {
  to       = engage_security_settings.test
  identity = { id = "settings" }
}`,
			want: wrappedText(`import them with the ID "account", got "settings"`),
		},
		"an empty id": {
			config: testAccRoleConfig("Imported", "", "campaign.view") + `import {
  to       = engage_role.test
  identity = { id = "" }
}`,
			want: wrappedText(`Missing identity attribute .* Importing a role by identity needs "id"`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				resource.Test(t, resource.TestCase{
					TerraformVersionChecks:   identityVersionChecks,
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

// expectImportedIdentity checks that the plan imports addr with an identity
// matching checks: an import by ID yields the identity too.
func expectImportedIdentity(addr string, checks map[string]knownvalue.Check) plancheck.PlanCheck {
	return importedIdentityCheck{addr: addr, identity: knownvalue.ObjectExact(checks)}
}

type importedIdentityCheck struct {
	addr     string
	identity knownvalue.Check
}

func (c importedIdentityCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		if rc.Change == nil || rc.Change.Importing == nil {
			resp.Error = fmt.Errorf("%s: the plan does not import it", c.addr)
			return
		}
		if err := c.identity.CheckValue(rc.Change.AfterIdentity); err != nil {
			resp.Error = fmt.Errorf("%s: planned identity %v: %w", c.addr, rc.Change.AfterIdentity, err)
		}
		return
	}
	resp.Error = fmt.Errorf("%s: not in the plan", c.addr)
}
