package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

const allowlistAddr = "engage_ip_allowlist.test"

// testAccEntry renders one element of entries; an empty description is left
// out of the configuration.
func testAccEntry(cidr, description string) string {
	if description == "" {
		return fmt.Sprintf("{ cidr = %q }", cidr)
	}
	return fmt.Sprintf("{ cidr = %q, description = %q }", cidr, description)
}

// testAccIPAllowlistConfig renders one engage_ip_allowlist; attrs are extra
// attribute lines (description, enabled).
func testAccIPAllowlistConfig(name, attrs string, entries ...string) string {
	return fmt.Sprintf(`
resource "engage_ip_allowlist" "test" {
  name    = %[1]q
  %[2]s
  entries = [
    %[3]s
  ]
}
`, name, attrs, strings.Join(entries, ",\n    "))
}

// entriesExact checks a set of entries given as cidr, description pairs.
func entriesExact(pairs ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		checks = append(checks, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"cidr":        knownvalue.StringExact(pairs[i]),
			"description": knownvalue.StringExact(pairs[i+1]),
		}))
	}
	return knownvalue.SetExact(checks)
}

func TestAccIPAllowlist_lifecycle(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		bare := testAccIPAllowlistConfig("Office", "",
			testAccEntry("203.0.113.7", "Berlin"), testAccEntry("2001:db8::1", ""), testAccEntry("10.8.0.0/16", "VPN"))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkIPAllowlistsDestroyed(b),
			Steps: []resource.TestStep{
				{
					// Bare addresses stay as written in state, and the platform
					// stores their host prefixes: no diff either way.
					Config: bare,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^ipl_[0-9a-f]{16}$`))),
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("entries"), entriesExact(
							"203.0.113.7", "Berlin", "2001:db8::1", "", "10.8.0.0/16", "VPN")),
					},
					Check: checkStoredEntries(b, "Office", "10.8.0.0/16", "2001:db8::1/128", "203.0.113.7/32"),
				},
				{
					// Writing the host prefixes out is not a change either.
					Config: testAccIPAllowlistConfig("Office", "",
						testAccEntry("203.0.113.7/32", "Berlin"), testAccEntry("2001:db8::1/128", ""), testAccEntry("10.8.0.0/16", "VPN")),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					// One in-place update: rename, disable, describe, drop an
					// entry, add one and re-describe another. In the order the
					// platform lists them, which is what an import reads:
					// ImportStateVerify compares entries position by position
					// (the import block step below writes another order).
					Config: testAccIPAllowlistConfig("Head office", `description = "Berlin office"
  enabled     = false`,
						testAccEntry("198.51.100.0/24", ""), testAccEntry("203.0.113.7/32", "Berlin reception")),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("name"), knownvalue.StringExact("Head office")),
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("description"), knownvalue.StringExact("Berlin office")),
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("entries"), entriesExact(
							"203.0.113.7/32", "Berlin reception", "198.51.100.0/24", "")),
					},
					Check: checkStoredEntries(b, "Head office", "198.51.100.0/24", "203.0.113.7/32"),
				},
				{
					ResourceName:      allowlistAddr,
					ImportState:       true,
					ImportStateVerify: true,
				},
				{
					// By name, in any letter case.
					ResourceName:      allowlistAddr,
					ImportState:       true,
					ImportStateVerify: true,
					ImportStateId:     "name:HEAD OFFICE",
				},
				{
					// An import block plans no change, although the
					// configuration writes bare addresses and the platform
					// holds host prefixes.
					Config: testAccIPAllowlistConfig("Head office", `description = "Berlin office"
  enabled     = false`,
						testAccEntry("203.0.113.7", "Berlin reception"), testAccEntry("198.51.100.0/24", "")),
					ResourceName:    allowlistAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
				},
				{
					// Back to an enabled list, emptied: still one update.
					Config: testAccIPAllowlistConfig("Head office", ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("entries"), knownvalue.SetExact([]knownvalue.Check{})),
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					},
				},
			},
		})
	})
}

// A list imported from the platform holds host prefixes; a configuration that
// writes the same networks as bare addresses, in another IPv6 spelling, plans
// nothing.
func TestAccIPAllowlist_respellingANetworkIsNotAChange(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkIPAllowlistsDestroyed(b),
			Steps: []resource.TestStep{
				{
					Config: testAccIPAllowlistConfig("VPN", "", testAccEntry("203.0.113.7/32", ""), testAccEntry("2001:db8::/32", "v6")),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					Config: testAccIPAllowlistConfig("VPN", "", testAccEntry("203.0.113.7", ""), testAccEntry("2001:0db8:0000::/32", "v6")),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					// A respelling beside a real change: only the real change
					// is planned, and the state keeps the spelling it had.
					Config: testAccIPAllowlistConfig("VPN", "", testAccEntry("203.0.113.7", ""), testAccEntry("2001:0db8:0000::/32", "v6"),
						testAccEntry("192.0.2.1", "new")),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("entries"), entriesExact(
								"203.0.113.7/32", "", "2001:db8::/32", "v6", "192.0.2.1", "new")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkStoredEntries(b, "VPN", "192.0.2.1/32", "2001:db8::/32", "203.0.113.7/32"),
				},
			},
		})
	})
}

func TestAccIPAllowlist_deletedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccIPAllowlistConfig("Office", "", testAccEntry("192.0.2.0/24", ""))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkIPAllowlistsDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						l := ipAllowlistByName(t, b, "Office")
						if err := b.Service.DeleteIPAllowlist(context.Background(), l.ID, 0); err != nil {
							t.Fatalf("deleting the list out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkStoredEntries(b, "Office", "192.0.2.0/24"),
				},
			},
		})
	})
}

func TestAccIPAllowlist_changedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		config := testAccIPAllowlistConfig("Office", "", testAccEntry("203.0.113.7", "Berlin"), testAccEntry("192.0.2.0/24", ""))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkIPAllowlistsDestroyed(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					// Someone opens the console to the world and switches the
					// list off: the refresh sees it, and the plan puts it back.
					PreConfig: func() {
						l := ipAllowlistByName(t, b, "Office")
						l.Enabled = false
						l.Entries = append(l.Entries, access.AllowlistEntry{CIDR: "0.0.0.0/0", Description: "temporary"})
						if _, err := b.Service.UpdateIPAllowlist(context.Background(), l); err != nil {
							t.Fatalf("changing the list out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("entries"), entriesExact("203.0.113.7", "Berlin", "192.0.2.0/24", "")),
					},
					Check: checkStoredEntries(b, "Office", "192.0.2.0/24", "203.0.113.7/32"),
				},
			},
		})
	})
}

func TestAccIPAllowlist_invalidConfigurationFailsAtPlan(t *testing.T) {
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"a non-canonical IPv4 prefix names the canonical form": {
			config: testAccIPAllowlistConfig("Office", "", testAccEntry("10.1.2.3/24", "")),
			want:   regexp.MustCompile(`(?s)Invalid CIDR.*entries.*"10\.1\.2\.3/24" is not in canonical form.*use\s+"10\.1\.2\.0/24"`),
		},
		"a non-canonical IPv6 prefix names the canonical form": {
			config: testAccIPAllowlistConfig("Office", "", testAccEntry("2001:db8::1/64", "")),
			want:   regexp.MustCompile(`(?s)Invalid CIDR.*entries.*use\s+"2001:db8::/64"`),
		},
		"an entry that is not an address": {
			config: testAccIPAllowlistConfig("Office", "", testAccEntry("office.example.com", "")),
			want:   regexp.MustCompile(`(?s)Invalid CIDR.*entries.*"office\.example\.com" is not an IP address or CIDR\s+prefix`),
		},
		"a bare address and its host prefix": {
			config: testAccIPAllowlistConfig("Office", "", testAccEntry("10.0.0.1", ""), testAccEntry("10.0.0.1/32", "")),
			want:   regexp.MustCompile(`(?s)Duplicate allowlist entry.*entries.*"10\.0\.0\.1(/32)?" and\s+"10\.0\.0\.1(/32)?" are the same network, 10\.0\.0\.1/32`),
		},
		"one network with two descriptions": {
			config: testAccIPAllowlistConfig("Office", "", testAccEntry("192.0.2.0/24", "a"), testAccEntry("192.0.2.0/24", "b")),
			want:   regexp.MustCompile(`(?s)Duplicate allowlist entry.*entries.*192\.0\.2\.0/24 is listed more than\s+once`),
		},
		"an entry description over 1024 characters": {
			config: testAccIPAllowlistConfig("Office", "", testAccEntry("192.0.2.0/24", strings.Repeat("d", 1025))),
			want:   regexp.MustCompile(`(?s)entries.*description.*UTF-8 character count must be at most 1024,\s+got: 1025`),
		},
		"a name with trailing space": {
			config: testAccIPAllowlistConfig("Office ", "", testAccEntry("192.0.2.0/24", "")),
			want:   regexp.MustCompile(`(?s)name.*must not start or end with white space`),
		},
		"a name over 128 characters": {
			config: testAccIPAllowlistConfig(strings.Repeat("n", 129), "", testAccEntry("192.0.2.0/24", "")),
			want:   regexp.MustCompile(`(?s)name: must be at most 128 characters, got 129`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				resource.Test(t, resource.TestCase{
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

func TestAccIPAllowlist_duplicateNameIsAConflict(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkIPAllowlistsDestroyed(b),
			Steps: []resource.TestStep{{
				Config: `
resource "engage_ip_allowlist" "a" {
  name    = "Office"
  entries = [{ cidr = "192.0.2.0/24" }]
}
resource "engage_ip_allowlist" "b" {
  name       = "OFFICE"
  entries    = [{ cidr = "198.51.100.0/24" }]
  depends_on = [engage_ip_allowlist.a]
}`,
				ExpectError: regexp.MustCompile(`(?s)IP allowlist already exists.*An IP allowlist named "Office".*created moments ago, during this run`),
			}},
		})
	})
}

// TestAccIPAllowlist_largeList creates a list of many entries through
// Terraform and plans it again, logging how long each took. It uses 200
// entries; set ENGAGE_ACC_ALLOWLIST_ENTRIES=2000 to measure at the scale
// allowlists reach (BenchmarkIPAllowlistProtocol measures the provider's
// share without Terraform).
func TestAccIPAllowlist_largeList(t *testing.T) {
	n := 200
	if s := os.Getenv("ENGAGE_ACC_ALLOWLIST_ENTRIES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 || n > access.MaxAllowlistEntries {
			t.Fatalf("ENGAGE_ACC_ALLOWLIST_ENTRIES=%q: want a number of entries from 1 to %d", s, access.MaxAllowlistEntries)
		}
	}
	entries := make([]string, n)
	for i := range entries {
		entries[i] = testAccEntry(fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff), "")
	}
	config := testAccIPAllowlistConfig("Branches", "", entries...)
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var mark time.Time
		lap := func(what string) func() {
			return func() {
				if !mark.IsZero() {
					t.Logf("%d entries: %s took %s", n, what, time.Since(mark).Round(time.Millisecond))
				}
				mark = time.Now()
			}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkIPAllowlistsDestroyed(b),
			Steps: []resource.TestStep{
				{
					PreConfig: lap(""),
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: func(*terraform.State) error {
						l := ipAllowlistByName(t, b, "Branches")
						if len(l.Entries) != n {
							return fmt.Errorf("the platform holds %d entries, want %d", len(l.Entries), n)
						}
						return nil
					},
				},
				{
					// Plan only: refresh and plan, nothing to change.
					PreConfig: lap("create (plan, apply, refresh, plan twice)"),
					Config:    config,
					PlanOnly:  true,
				},
				{
					PreConfig: lap("a plan without changes (refresh, plan)"),
					Config:    config,
					PlanOnly:  true,
				},
			},
		})
		lap("a second plan without changes and destroy")()
	})
}

// checkStoredEntries asserts that the platform holds exactly cidrs, in
// canonical form and sorted, for the list named name.
func checkStoredEntries(b *acctest.Backend, name string, cidrs ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		l, err := findIPAllowlist(b, name)
		if err != nil {
			return err
		}
		got := make([]string, len(l.Entries))
		for i, e := range l.Entries {
			got[i] = e.CIDR
		}
		if strings.Join(got, " ") != strings.Join(cidrs, " ") {
			return fmt.Errorf("the platform holds entries %v, want %v", got, cidrs)
		}
		return nil
	}
}

func findIPAllowlist(b *acctest.Backend, name string) (access.IPAllowlist, error) {
	page, err := b.Service.ListIPAllowlists(context.Background(), access.ListOptions{})
	if err != nil {
		return access.IPAllowlist{}, err
	}
	for _, l := range page.Items {
		if access.NameKey(l.Name) == access.NameKey(name) {
			return l, nil
		}
	}
	return access.IPAllowlist{}, fmt.Errorf("no IP allowlist named %q on the platform", name)
}

func ipAllowlistByName(t *testing.T, b *acctest.Backend, name string) access.IPAllowlist {
	t.Helper()
	l, err := findIPAllowlist(b, name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkIPAllowlistsDestroyed asserts that no IP allowlist remains.
func checkIPAllowlistsDestroyed(b *acctest.Backend) resource.TestCheckFunc {
	return func(*terraform.State) error {
		page, err := b.Service.ListIPAllowlists(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		if len(page.Items) > 0 {
			l := page.Items[0]
			return fmt.Errorf("IP allowlist %q (%s) still exists after destroy", l.Name, l.ID)
		}
		return nil
	}
}
