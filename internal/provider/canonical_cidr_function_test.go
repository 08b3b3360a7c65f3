package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

func TestCanonicalCIDRFunction(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		// No provider block anywhere: functions need no configuration.
		ProtoV6ProviderFactories: acctest.Embedded(t).Factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::engage::canonical_cidr("10.1.2.3/24") }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "cidr" parameter: cidr: "10.1.2.3/24" is not in\s+canonical\s+form.*use\s+"10.1.2.0/24"`),
			},
			{
				Config:      `output "x" { value = provider::engage::canonical_cidr("office-vpn") }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "cidr" parameter: cidr: "office-vpn" is not an IP\s+address\s+or\s+CIDR\s+prefix`),
			},
			{
				Config:      `output "x" { value = provider::engage::canonical_cidr("") }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "cidr" parameter: cidr: "" is not an IP\s+address`),
			},
			{
				Config: `
output "ipv4_address" {
  value = provider::engage::canonical_cidr("192.0.2.7")
}

output "ipv4_prefix" {
  value = provider::engage::canonical_cidr("10.0.0.0/8")
}

output "ipv6_address" {
  value = provider::engage::canonical_cidr("2001:DB8:0:0::1")
}

output "ipv6_prefix" {
  value = provider::engage::canonical_cidr("2001:db8:0000::/48")
}

output "in_a_for_expression" {
  value = [for a in ["198.51.100.1", "::1"] : provider::engage::canonical_cidr(a)]
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("ipv4_address", knownvalue.StringExact("192.0.2.7/32")),
					statecheck.ExpectKnownOutputValue("ipv4_prefix", knownvalue.StringExact("10.0.0.0/8")),
					statecheck.ExpectKnownOutputValue("ipv6_address", knownvalue.StringExact("2001:db8::1/128")),
					statecheck.ExpectKnownOutputValue("ipv6_prefix", knownvalue.StringExact("2001:db8::/48")),
					statecheck.ExpectKnownOutputValue("in_a_for_expression", knownvalue.TupleExact([]knownvalue.Check{
						knownvalue.StringExact("198.51.100.1/32"), knownvalue.StringExact("::1/128"),
					})),
				},
			},
		},
	})
}
