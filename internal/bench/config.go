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
