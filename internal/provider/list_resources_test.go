package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// listOnOpenTofu is why the list resource tests skip on OpenTofu.
const listOnOpenTofu = "list resources and terraform query are a Terraform 1.14 feature that OpenTofu does not have"

// List resources need Terraform 1.14 (terraform query).
var listVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// id is the platform id the onboarding seed gave the object at address.
func (a onboardedAccount) id(t *testing.T, address string) string {
	t.Helper()
	for _, imp := range a.imports {
		if imp.address == address {
			return imp.id
		}
	}
	t.Fatalf("the seed has no %s", address)
	return ""
}

// listBlocks renders one list block per name: "type.name" with its config
// body (may be empty) and extra arguments (include_resource, limit).
func listBlocks(blocks ...[3]string) string {
	var b strings.Builder
	b.WriteString("provider \"engage\" {}\n\n")
	for _, blk := range blocks {
		typ, name, _ := strings.Cut(blk[0], ".")
		fmt.Fprintf(&b, "list %q %q {\n  provider = engage\n%s", typ, name, blk[2])
		if blk[1] != "" {
			fmt.Fprintf(&b, "  config {\n    %s\n  }\n", blk[1])
		}
		b.WriteString("}\n\n")
	}
	return b.String()
}

// TestAccList_everyResource lists an account built outside Terraform (one
// object of every type with every attribute set, one with only what is
// required; the platform's two system roles besides) with one list block per
// type and the filters a person onboarding an account uses, and checks
// what `terraform query` shows: how many objects, their identities, display
// names and, with include_resource, their values.
func TestAccList_everyResource(t *testing.T) {
	acctest.SkipOnOpenTofu(t, listOnOpenTofu)
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		account := seedOnboardingAccount(t, b)
		stewards := account.id(t, "engage_role.stewards")
		steward := account.id(t, "engage_user.steward")
		const includeResource = "  include_resource = true\n"

		query := listBlocks(
			[3]string{"engage_role.all", "", includeResource},
			[3]string{"engage_role.sensitive", "sensitive = true", ""},
			[3]string{"engage_role.not_sensitive", "sensitive = false", ""},
			[3]string{"engage_role.prefixed", `name_prefix = "VIEW"`, ""},
			[3]string{"engage_user.all", "", includeResource},
			[3]string{"engage_user.stewards", fmt.Sprintf("role_id = %q", stewards), ""},
			[3]string{"engage_user.read_only", fmt.Sprintf("role_id = %q", access.ReadOnlyRoleID), ""},
			[3]string{"engage_user.invited", `status = "invited"`, ""},
			[3]string{"engage_user.active", `status = "active"`, ""},
			[3]string{"engage_user.disabled", "disabled = true", ""},
			[3]string{"engage_user.first", "", "  limit = 1\n"},
			[3]string{"engage_masking_column.all", "", ""},
			[3]string{"engage_masking_column.orders", `table = "orders"`, ""},
			[3]string{"engage_ip_allowlist.all", "", ""},
			[3]string{"engage_ip_allowlist.enabled", "enabled = true", ""},
			[3]string{"engage_transfer_credential.all", "", includeResource},
			[3]string{"engage_export_destination.all", "", ""},
			[3]string{"engage_security_settings.all", "", includeResource},
		)

		byID := func(id string) queryfilter.QueryFilter {
			return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
		}
		checks := []querycheck.QueryResultCheck{
			// The system roles are not listed: Terraform cannot manage them.
			querycheck.ExpectLength("engage_role.all", 2),
			querycheck.ExpectIdentity("engage_role.all", map[string]knownvalue.Check{"id": knownvalue.StringExact(stewards)}),
			querycheck.ExpectResourceDisplayName("engage_role.all", byID(stewards), knownvalue.StringExact("Data stewards")),
			querycheck.ExpectResourceKnownValues("engage_role.all", byID(stewards), []querycheck.KnownValueCheck{
				{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("Data stewards")},
				{Path: tfjsonpath.New("description"), KnownValue: knownvalue.StringExact("owner: data-team@example.com")},
				{Path: tfjsonpath.New("permissions"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("campaign.view"), knownvalue.StringExact("data.personal_info"),
				})},
				{Path: tfjsonpath.New("sensitive"), KnownValue: knownvalue.Bool(true)},
			}),
			querycheck.ExpectLength("engage_role.sensitive", 1),
			querycheck.ExpectIdentity("engage_role.sensitive", map[string]knownvalue.Check{"id": knownvalue.StringExact(stewards)}),
			querycheck.ExpectLength("engage_role.not_sensitive", 1),
			querycheck.ExpectResourceDisplayName("engage_role.not_sensitive", byID(account.id(t, "engage_role.viewers")), knownvalue.StringExact("Viewers")),
			querycheck.ExpectLength("engage_role.prefixed", 1),
			querycheck.ExpectIdentity("engage_role.prefixed", map[string]knownvalue.Check{"id": knownvalue.StringExact(account.id(t, "engage_role.viewers"))}),

			querycheck.ExpectLength("engage_user.all", 2),
			querycheck.ExpectResourceDisplayName("engage_user.all", byID(steward), knownvalue.StringExact("Steward@Example.com")),
			querycheck.ExpectResourceKnownValues("engage_user.all", byID(steward), []querycheck.KnownValueCheck{
				{Path: tfjsonpath.New("email"), KnownValue: knownvalue.StringExact("Steward@Example.com")},
				{Path: tfjsonpath.New("role_id"), KnownValue: knownvalue.StringExact(stewards)},
				{Path: tfjsonpath.New("disabled"), KnownValue: knownvalue.Bool(true)},
				{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("disabled")},
			}),
			querycheck.ExpectLength("engage_user.stewards", 1),
			querycheck.ExpectIdentity("engage_user.stewards", map[string]knownvalue.Check{"id": knownvalue.StringExact(steward)}),
			querycheck.ExpectLength("engage_user.read_only", 1),
			querycheck.ExpectIdentity("engage_user.read_only", map[string]knownvalue.Check{"id": knownvalue.StringExact(account.id(t, "engage_user.viewer"))}),
			querycheck.ExpectLength("engage_user.invited", 1),
			querycheck.ExpectLength("engage_user.active", 0),
			querycheck.ExpectLength("engage_user.disabled", 1),
			querycheck.ExpectIdentity("engage_user.disabled", map[string]knownvalue.Check{"id": knownvalue.StringExact(steward)}),
			querycheck.ExpectLength("engage_user.first", 1),

			querycheck.ExpectLength("engage_masking_column.all", 2),
			querycheck.ExpectIdentity("engage_masking_column.all", map[string]knownvalue.Check{
				"table": knownvalue.StringExact("contacts"), "column": knownvalue.StringExact("phone"),
			}),
			querycheck.ExpectResourceDisplayName("engage_masking_column.all",
				queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
					"table": knownvalue.StringExact("contacts"), "column": knownvalue.StringExact("email"),
				}),
				knownvalue.StringExact("contacts.email")),
			querycheck.ExpectLength("engage_masking_column.orders", 0),

			querycheck.ExpectLength("engage_ip_allowlist.all", 2),
			querycheck.ExpectLength("engage_ip_allowlist.enabled", 1),
			querycheck.ExpectResourceDisplayName("engage_ip_allowlist.enabled", byID(account.id(t, "engage_ip_allowlist.vpn")), knownvalue.StringExact("vpn")),

			querycheck.ExpectLength("engage_transfer_credential.all", 1),
			// The secret never comes back: listed with the resource, the
			// write-only attributes are null.
			querycheck.ExpectResourceKnownValues("engage_transfer_credential.all", byID(account.id(t, "engage_transfer_credential.sftp_prod")), []querycheck.KnownValueCheck{
				{Path: tfjsonpath.New("username"), KnownValue: knownvalue.StringExact("exporter")},
				{Path: tfjsonpath.New("secret_wo"), KnownValue: knownvalue.Null()},
				{Path: tfjsonpath.New("secret_wo_version"), KnownValue: knownvalue.Null()},
			}),

			querycheck.ExpectLength("engage_export_destination.all", 2),
			querycheck.ExpectResourceDisplayName("engage_export_destination.all", byID(account.id(t, "engage_export_destination.warehouse")),
				knownvalue.StringExact("warehouse (sftp sftp.example.com:2222)")),
			querycheck.ExpectResourceDisplayName("engage_export_destination.all", byID(account.id(t, "engage_export_destination.bucket")),
				knownvalue.StringExact("bucket (s3 exports)")),

			querycheck.ExpectLength("engage_security_settings.all", 1),
			querycheck.ExpectIdentity("engage_security_settings.all", map[string]knownvalue.Check{"id": knownvalue.StringExact("account")}),
			querycheck.ExpectResourceKnownValues("engage_security_settings.all", byID("account"), []querycheck.KnownValueCheck{
				{Path: tfjsonpath.New("require_two_factor"), KnownValue: knownvalue.Bool(true)},
				{Path: tfjsonpath.New("session_timeout_minutes"), KnownValue: knownvalue.Int64Exact(60)},
			}),
		}

		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			TerraformVersionChecks:   listVersionChecks,
			Steps: []resource.TestStep{
				{
					// terraform query needs a configuration that requires
					// the provider; this one creates nothing.
					Config: `data "engage_permissions" "all" {}`,
				},
				{
					Query:             true,
					Config:            query,
					QueryResultChecks: checks,
				},
			},
		})
	})
}

// TestAccList_badFilters: a filter that cannot match is refused before
// anything is listed, naming the attribute and the values it takes.
func TestAccList_badFilters(t *testing.T) {
	acctest.SkipOnOpenTofu(t, listOnOpenTofu)
	b := acctest.Embedded(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		TerraformVersionChecks:   listVersionChecks,
		Steps: []resource.TestStep{
			{Config: `data "engage_permissions" "all" {}`},
			{
				Query:       true,
				Config:      listBlocks([3]string{"engage_user.bad", `status = "suspended"`, ""}),
				ExpectError: regexp.MustCompile(`(?s)status.*value must be one of.*"invited".*"active".*"disabled"`),
			},
			{
				Query:       true,
				Config:      listBlocks([3]string{"engage_role.bad", `name_prefix = ""`, ""}),
				ExpectError: regexp.MustCompile(`(?s)name_prefix.*at least 1`),
			},
		},
	})
}

// TestAccList_examples runs each list resource's documented example with
// `terraform query` on an account holding one object of every type: the
// examples in the docs are valid and find what they say.
func TestAccList_examples(t *testing.T) {
	acctest.SkipOnOpenTofu(t, listOnOpenTofu)
	b := acctest.Embedded(t)
	tf := acctest.NewCLI(t, b)
	if v := tf.Version(t); v.LessThan(version.Must(version.NewVersion("1.14.0"))) {
		t.Skipf("Terraform %s: terraform query needs 1.14 or later", v)
	}
	seedOnboardingAccount(t, b)
	tf.WriteConfig(t, `provider "engage" {}`)
	tf.MustRun(t, "init")
	examples, err := filepath.Glob("../../examples/list-resources/*/list-resource.tfquery.hcl")
	if err != nil || len(examples) != 7 {
		t.Fatalf("found %d list resource examples (%v), want one per resource type", len(examples), err)
	}
	// What each example finds in the seeded account, by list block.
	want := map[string]string{
		"engage_role":                "list.engage_role.sensitive   id=rol_",
		"engage_user":                "list.engage_user.disabled   id=usr_",
		"engage_masking_column":      "list.engage_masking_column.contacts   column=email,table=contacts   contacts.email",
		"engage_ip_allowlist":        "list.engage_ip_allowlist.enabled   id=ipl_",
		"engage_transfer_credential": "sftp_prod",
		"engage_export_destination":  "warehouse (sftp sftp.example.com:2222)",
		"engage_security_settings":   "list.engage_security_settings.account   id=account   account",
	}
	for _, example := range examples {
		typ := filepath.Base(filepath.Dir(example))
		t.Run(typ, func(t *testing.T) {
			body, err := os.ReadFile(example)
			if err != nil {
				t.Fatal(err)
			}
			query := filepath.Join(tf.Dir, "example.tfquery.hcl")
			if err := os.WriteFile(query, body, 0o600); err != nil {
				t.Fatal(err)
			}
			out := tf.MustRun(t, "query").Stdout
			if !strings.Contains(out, want[typ]) {
				t.Errorf("the example found no %q:\n%s", want[typ], out)
			}
		})
	}
}
