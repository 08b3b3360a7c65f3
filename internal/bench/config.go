package bench

import (
	"fmt"
	"strings"
)

// benchPermissions are the catalog keys the roles draw from, two each.
var benchPermissions = []string{
	"campaign.view", "campaign.edit", "campaign.publish", "content.marketing.view",
	"analytics.insights", "data.view_data", "data.export_data", "general.invite_user",
}

// split is how n objects divide: roles and users in equal parts (the odd
// one is a user), each user referencing a role, round robin.
func split(n int) (roles, users int) {
	roles = max(n/2, 1)
	return roles, n - roles
}

// EngageConfig is a configuration of n engage objects: roles and users in
// equal parts, every user referencing a role, so the graph has the
// dependencies real configurations have.
func EngageConfig(n int) string {
	roles, users := split(n)
	var b strings.Builder
	b.Grow(n * 200)
	for k := range roles {
		fmt.Fprintf(&b, "resource \"engage_role\" \"r%d\" {\n  name        = \"bench role %d\"\n  description = \"benchmark role %d\"\n  permissions = [%q, %q]\n}\n\n",
			k, k, k, benchPermissions[k%len(benchPermissions)], benchPermissions[(k+3)%len(benchPermissions)])
	}
	for k := range users {
		fmt.Fprintf(&b, "resource \"engage_user\" \"u%d\" {\n  email        = \"user%d@bench.example\"\n  display_name = \"Bench user %d\"\n  role_id      = engage_role.r%d.id\n}\n\n",
			k, k, k, k%roles)
	}
	return b.String()
}

// FloorConfig is the floor of EngageConfig(n): n terraform_data resources
// holding the same values, in the same graph (the "users" reference the
// "roles"), with no provider to start. Its timings are what Terraform costs
// at that size, whatever the provider does.
func FloorConfig(n int) string {
	roles, users := split(n)
	var b strings.Builder
	b.Grow(n * 200)
	for k := range roles {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" {\n  input = {\n    name        = \"bench role %d\"\n    description = \"benchmark role %d\"\n    permissions = [%q, %q]\n  }\n}\n\n",
			k, k, k, benchPermissions[k%len(benchPermissions)], benchPermissions[(k+3)%len(benchPermissions)])
	}
	for k := range users {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"u%d\" {\n  input = {\n    email        = \"user%d@bench.example\"\n    display_name = \"Bench user %d\"\n    role_id      = terraform_data.r%d.id\n  }\n}\n\n",
			k, k, k, k%roles)
	}
	return b.String()
}

// PeerConfig is EngageConfig(n) for the peer: n time_static resources
// holding the same values in triggers (a map of strings, so the permissions
// are joined), in the same graph, with the terraform block that pins the
// peer's version. Each time_static only records the time it was created.
func PeerConfig(n int) string {
	roles, users := split(n)
	var b strings.Builder
	b.Grow(n*200 + 200)
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    time = {\n      source  = %q\n      version = %q\n    }\n  }\n}\n\n",
		strings.TrimPrefix(PeerSource, "registry.terraform.io/"), PeerVersion)
	for k := range roles {
		fmt.Fprintf(&b, "resource \"time_static\" \"r%d\" {\n  triggers = {\n    name        = \"bench role %d\"\n    description = \"benchmark role %d\"\n    permissions = \"%s,%s\"\n  }\n}\n\n",
			k, k, k, benchPermissions[k%len(benchPermissions)], benchPermissions[(k+3)%len(benchPermissions)])
	}
	for k := range users {
		fmt.Fprintf(&b, "resource \"time_static\" \"u%d\" {\n  triggers = {\n    email        = \"user%d@bench.example\"\n    display_name = \"Bench user %d\"\n    role_id      = time_static.r%d.id\n  }\n}\n\n",
			k, k, k, k%roles)
	}
	return b.String()
}

// LargeObjectOpPrefix starts the operation name of every large-object row.
const LargeObjectOpPrefix = "plan: 1 "

// LargeAllowlistEntries is the size of the large allowlist the issue names.
const LargeAllowlistEntries = 2000

// LargeObject is one object whose configuration holds a large collection,
// planned on its own: such a plan must take under MaxLargeObjectPlanSeconds,
// Terraform included.
type LargeObject struct {
	// Operation names the timed plan in rows.
	Operation string
	// Config is the engage configuration; Floor holds the same values in
	// one terraform_data.
	Config, Floor string
}

// LargeObjects are a role with every permission of the catalog (keys) and
// an allowlist of LargeAllowlistEntries entries.
func LargeObjects(keys []string) []LargeObject {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	permissions := "[\n    " + strings.Join(quoted, ",\n    ") + ",\n  ]"

	// The first entry is loopback: the REST server sees the runner there,
	// and the provider refuses a list that would lock its caller out.
	var entries strings.Builder
	entries.WriteString("[\n    { cidr = \"127.0.0.0/8\", description = \"loopback\" },\n")
	for i := 1; i < LargeAllowlistEntries; i++ {
		fmt.Fprintf(&entries, "    { cidr = \"10.%d.%d.0/24\", description = \"site %d\" },\n", i>>8&0xff, i&0xff, i)
	}
	entries.WriteString("  ]")

	return []LargeObject{
		{
			Operation: fmt.Sprintf("%srole, %d permissions", LargeObjectOpPrefix, len(keys)),
			Config:    fmt.Sprintf("resource \"engage_role\" \"everything\" {\n  name        = \"Everything\"\n  permissions = %s\n}\n", permissions),
			Floor:     fmt.Sprintf("resource \"terraform_data\" \"everything\" {\n  input = {\n    name        = \"Everything\"\n    permissions = %s\n  }\n}\n", permissions),
		},
		{
			Operation: fmt.Sprintf("%sallowlist, %d entries", LargeObjectOpPrefix, LargeAllowlistEntries),
			Config:    fmt.Sprintf("resource \"engage_ip_allowlist\" \"sites\" {\n  name    = \"Sites\"\n  entries = %s\n}\n", entries.String()),
			Floor:     fmt.Sprintf("resource \"terraform_data\" \"sites\" {\n  input = {\n    name    = \"Sites\"\n    entries = %s\n  }\n}\n", entries.String()),
		},
	}
}
