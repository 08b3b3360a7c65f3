package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// Plans a reviewer can read: what the change alters is known at plan time,
// drift shows as what differs, and a destroy that will fail says so.

// everyResourceConfig declares one object of every resource type; v picks
// one of two versions of every configurable attribute that a plan can
// show, the secret's version aside.
func everyResourceConfig(v int) string {
	pick := func(a, b string) string {
		if v == 1 {
			return a
		}
		return b
	}
	return fmt.Sprintf(`
resource "engage_role" "analyst" {
  name        = %[1]q
  description = %[2]q
  permissions = [%[3]s]
}

resource "engage_role" "publisher" {
  name        = "Publisher"
  permissions = ["campaign.publish"]
}

resource "engage_user" "ada" {
  email        = "ada@example.com"
  display_name = %[4]q
  role_id      = %[5]s
}

resource "engage_masking_column" "email" {
  table       = "contacts"
  column      = "email"
  mask        = %[6]q
  description = %[2]q
}

resource "engage_ip_allowlist" "office" {
  name        = %[7]q
  description = %[2]q
  entries     = [%[8]s]
}

resource "engage_transfer_credential" "sftp" {
  name              = "sftp_prod"
  username          = %[9]q
  secret_wo         = "s3cret-one"
  secret_wo_version = 1
}

resource "engage_export_destination" "sftp" {
  name         = %[10]q
  export_kinds = [%[11]s]
  sftp = {
    host          = "sftp.example.com"
    path          = %[12]q
    credential_id = engage_transfer_credential.sftp.id
  }
}

resource "engage_security_settings" "account" {
  require_two_factor      = %[13]s
  session_timeout_minutes = %[14]s
}
`,
		pick("Analyst", "Senior Analyst"), pick("first", "second"),
		pick(`"analytics.insights"`, `"analytics.insights", "data.export_data"`),
		pick("Ada", "Ada Lovelace"), pick("engage_role.analyst.id", "engage_role.publisher.id"),
		pick("full", "hash"), pick("Office", "Head Office"),
		pick(`{ cidr = "10.0.0.0/8" }`, `{ cidr = "10.0.0.0/8" }, { cidr = "192.0.2.0/24", description = "VPN" }`),
		pick("exporter", "exporter2"), pick("Warehouse", "Data Warehouse"),
		pick(`"raw_data_export"`, `"raw_data_export", "report"`), pick("/exports", "/exports/v2"),
		pick("false", "true"), pick("1440", "60"))
}

// expectKnownAfterApply fails when a planned update leaves any attribute
// "(known after apply)", except the allowed ones ("rotated_at").
type expectKnownAfterApply struct{ allowed []string }

func (c expectKnownAfterApply) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	updates := 0
	for _, rc := range req.Plan.ResourceChanges {
		if !rc.Change.Actions.Update() {
			continue
		}
		updates++
		for _, leaf := range unknownLeaves("", rc.Change.AfterUnknown) {
			if !allowedLeaf(leaf, c.allowed) {
				resp.Error = fmt.Errorf("%s plans %s as known only after apply", rc.Address, leaf)
				return
			}
		}
	}
	if updates == 0 {
		resp.Error = fmt.Errorf("the plan updates nothing: the check would pass vacuously")
	}
}

func allowedLeaf(leaf string, allowed []string) bool {
	for _, a := range allowed {
		if leaf == a || strings.HasPrefix(leaf, a+".") {
			return true
		}
	}
	return false
}

// unknownLeaves lists the paths after_unknown marks true.
func unknownLeaves(at string, v any) []string {
	switch v := v.(type) {
	case bool:
		if v {
			return []string{at}
		}
	case map[string]any:
		var out []string
		for k, e := range v {
			out = append(out, unknownLeaves(strings.TrimPrefix(at+"."+k, "."), e)...)
		}
		return out
	case []any:
		var out []string
		for i, e := range v {
			out = append(out, unknownLeaves(fmt.Sprintf("%s[%d]", at, i), e)...)
		}
		return out
	}
	return nil
}

func TestAccPlans_updatesKeepEveryComputedAttributeKnown(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{Config: everyResourceConfig(1)},
				{
					// Every configurable attribute changes; among them the
					// user moves to another role.
					Config: everyResourceConfig(2),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("engage_user.ada", plancheck.ResourceActionUpdate),
							expectKnownAfterApply{},
						},
					},
				},
				{
					// Rotating the secret is the one change whose result
					// is a time only the apply knows.
					Config: strings.Replace(everyResourceConfig(2), "secret_wo_version = 1", "secret_wo_version = 2", 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{expectKnownAfterApply{allowed: []string{"rotated_at"}}},
					},
				},
			},
		})
	})
}

// expectEntriesDiff checks the planned update of an allowlist's entries:
// before (the refreshed state) and after (the configuration) must be want
// apart, element by element.
type expectEntriesDiff struct {
	address      string
	before, want []string // CIDRs, in order
}

func (c expectEntriesDiff) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		before, after := entryCIDRs(rc.Change.Before), entryCIDRs(rc.Change.After)
		if !reflect.DeepEqual(before, c.before) || !reflect.DeepEqual(after, c.want) {
			resp.Error = fmt.Errorf("%s entries plan %v -> %v, want %v -> %v", c.address, before, after, c.before, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}

func entryCIDRs(values any) []string {
	object, _ := values.(map[string]any)
	raw, _ := json.Marshal(object["entries"])
	var entries []struct{ CIDR string }
	_ = json.Unmarshal(raw, &entries)
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.CIDR
	}
	return out
}

// An entry added in the console shows as that entry, after the ones state
// holds in their configured order; one removed shows as that one coming
// back. Before, refresh returned the platform's sorted order, and the plan
// rewrote most of the list.
func TestAccIPAllowlist_driftShowsExactlyTheEntryThatDiffers(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		configured := []string{"203.0.113.0/24", "10.0.0.0/8", "192.0.2.0/24"}
		config := testAccIPAllowlistConfig("Office", "", `{ cidr = "203.0.113.0/24" }`, `{ cidr = "10.0.0.0/8" }`, `{ cidr = "192.0.2.0/24" }`)
		editInConsole := func(edit func([]access.AllowlistEntry) []access.AllowlistEntry) func() {
			return func() {
				ctx := context.Background()
				l, err := allowlistByName(ctx, b, "Office")
				if err != nil {
					t.Fatal(err)
				}
				l.Entries = edit(l.Entries)
				if _, err := b.Service.UpdateIPAllowlist(ctx, l); err != nil {
					t.Fatal(err)
				}
			}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: editInConsole(func(e []access.AllowlistEntry) []access.AllowlistEntry {
						return append(e, access.AllowlistEntry{CIDR: "172.16.0.0/12", Description: "added in the console"})
					}),
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{expectEntriesDiff{
							address: allowlistAddr,
							before:  append(append([]string{}, configured...), "172.16.0.0/12"),
							want:    configured,
						}},
					},
				},
				{
					PreConfig: editInConsole(func(e []access.AllowlistEntry) []access.AllowlistEntry {
						var kept []access.AllowlistEntry
						for _, entry := range e {
							if entry.CIDR != "10.0.0.0/8" {
								kept = append(kept, entry)
							}
						}
						return kept
					}),
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{expectEntriesDiff{
							address: allowlistAddr,
							before:  []string{"203.0.113.0/24", "192.0.2.0/24"},
							want:    configured,
						}},
					},
				},
			},
		})
	})
}

func allowlistByName(ctx context.Context, b *acctest.Backend, name string) (access.IPAllowlist, error) {
	lists, err := access.ListAll(ctx, b.Service.ListIPAllowlists)
	if err != nil {
		return access.IPAllowlist{}, err
	}
	for _, l := range lists {
		if l.Name == name {
			return l, nil
		}
	}
	return access.IPAllowlist{}, fmt.Errorf("no allowlist named %q", name)
}

// roleWithHolders declares roles "Old" and "New" and the users given,
// holding the role named by their value; cbd sets create_before_destroy on
// "Old".
func roleWithHolders(withOld, cbd bool, holders map[string]string) string {
	var b strings.Builder
	if withOld {
		lifecycle := ""
		if cbd {
			lifecycle = "\n  lifecycle {\n    create_before_destroy = true\n  }"
		}
		fmt.Fprintf(&b, `
resource "engage_role" "old" {
  name        = "Old"
  permissions = ["campaign.view"]%s
}
`, lifecycle)
	}
	b.WriteString(`
resource "engage_role" "new" {
  name        = "New"
  permissions = ["campaign.view"]
}
`)
	for _, email := range []string{"a@example.com", "b@example.com"} {
		role, ok := holders[email]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, `
resource "engage_user" %[1]q {
  email        = %[2]q
  display_name = "Holder"
  role_id      = engage_role.%[3]s.id
}
`, strings.Split(email, "@")[0], email, role)
	}
	return b.String()
}

// Destroying a role its users still hold fails on the platform; the error
// names them. Moving them and removing the role in one apply works when the
// role has create_before_destroy (Terraform then updates the users before
// it destroys the role), as the role's documentation says; without it, two
// applies.
func TestAccRole_removingAHeldRole(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		onOld := map[string]string{"a@example.com": "old", "b@example.com": "old"}
		onNew := map[string]string{"a@example.com": "new", "b@example.com": "new"}
		t.Run("without create_before_destroy the holders are named", func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: b.Factories,
				Steps: []resource.TestStep{
					{Config: roleWithHolders(true, false, onOld)},
					{
						// The users go in one apply with the role: Terraform
						// destroys users before the role they reference.
						Config:      roleWithHolders(false, false, onNew),
						ExpectError: regexp.MustCompile(`(?s)held\s+by\s+2\s+users;\s+reassign\s+them\s+first:\s+a@example\.com,\s+b@example\.com\.\s+Set\s+their\s+role_id.*create_before_destroy`),
					},
					{
						// The documented way without it: move, then remove.
						Config: roleWithHolders(true, false, onNew),
					},
					{
						Config: roleWithHolders(false, false, onNew),
						Check:  checkRoleCount(b, "Old", 0),
					},
				},
			})
		})
		t.Run("with create_before_destroy one apply moves the users and removes the role", func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: b.Factories,
				Steps: []resource.TestStep{
					{Config: roleWithHolders(true, true, onOld)},
					{
						Config: roleWithHolders(false, false, onNew),
						Check: resource.ComposeAggregateTestCheckFunc(
							checkRoleCount(b, "Old", 0),
							func(s *terraform.State) error {
								newID := s.RootModule().Resources["engage_role.new"].Primary.ID
								for _, addr := range []string{"engage_user.a", "engage_user.b"} {
									if got := s.RootModule().Resources[addr].Primary.Attributes["role_id"]; got != newID {
										return fmt.Errorf("%s holds %s, want the new role %s", addr, got, newID)
									}
								}
								return nil
							},
						),
					},
				},
			})
		})
	})
}

// An import ID that is a name without its prefix says how to write it.
func TestAccImport_aBareNameSaysWhichIDToUse(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{Config: testAccRoleConfig("Base Role", "", "campaign.view")},
				{
					ResourceName:  roleAddr,
					ImportState:   true,
					ImportStateId: "Base Role",
					ExpectError:   regexp.MustCompile(`(?s)role\s+"Base Role"\s+not\s+found.*"Base Role"\s+is\s+not\s+an\s+id,\s+but\s+a\s+role\s+has\s+that\s+name:\s+import\s+it\s+with\s+the\s+ID\s+"name:Base Role"`),
				},
				{
					ResourceName:  roleAddr,
					ImportState:   true,
					ImportStateId: "Nobody",
					ExpectError:   regexp.MustCompile(`(?s)role\s+"Nobody"\s+not\s+found.\s+No\s+role\s+has\s+that\s+id\s+or\s+name\s+either.\s+Role\s+import\s+IDs\s+are\s+a\s+role\s+id,\s+or\s+name:<role\s+name>`),
				},
				{
					ResourceName:  userAddrForImport,
					ImportState:   true,
					ImportStateId: "Ada Lovelace",
					Config: testAccRoleConfig("Base Role", "", "campaign.view") + `
resource "engage_user" "imported" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
  role_id      = engage_role.test.id
}
`,
					ExpectError: regexp.MustCompile(`(?s)User\s+import\s+IDs\s+are\s+a\s+user\s+id,\s+or\s+the\s+user's\s+email\s+address`),
				},
			},
		})
	})
}

const userAddrForImport = "engage_user.imported"
