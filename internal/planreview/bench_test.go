package planreview

import (
	"fmt"
	"testing"
)

// benchPlan is the plan that creates the bench configuration of n objects
// (internal/bench: roles and users in equal parts, each user given a role
// of the plan, known only at apply), the hardest shape for the review:
// every user's role is resolved through the configuration.
func benchPlan(tb testing.TB, n int) []byte {
	perms := []string{"campaign.view", "campaign.edit", "campaign.publish", "content.marketing.view",
		"analytics.insights", "data.view_data", "data.export_data", "general.invite_user"}
	roles := max(n/2, 1)
	doc := planDoc{}
	var configResources []obj
	for k := range roles {
		doc.changes = append(doc.changes, rc{address: fmt.Sprintf("engage_role.r%d", k), typ: "engage_role", name: fmt.Sprintf("r%d", k),
			actions: create, after: role("", fmt.Sprintf("bench role %d", k), perms[k%len(perms)], perms[(k+3)%len(perms)]), unknown: obj{"id": true}})
	}
	for k := range n - roles {
		name := fmt.Sprintf("u%d", k)
		doc.changes = append(doc.changes, rc{address: "engage_user." + name, typ: "engage_user", name: name, actions: create,
			after: with(user("", fmt.Sprintf("user%d@bench.example", k), ""), "role_id", nil), unknown: obj{"id": true, "role_id": true}})
		ref := fmt.Sprintf("engage_role.r%d", k%roles)
		configResources = append(configResources, obj{"address": "engage_user." + name, "mode": "managed",
			"expressions": obj{"role_id": obj{"references": []string{ref + ".id", ref}}}})
	}
	doc.config = obj{"resources": configResources}
	return doc.json(tb)
}

// BenchmarkReview5000 reviews the creation of 5,000 objects; `make bench`
// times the real command on a real plan of the same configuration (the
// target: under 2 s and 200 MiB).
func BenchmarkReview5000(b *testing.B) {
	data := benchPlan(b, 5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Review(data, Options{MaxAdmins: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Principals) != 2500 {
			b.Fatalf("%d principals, want 2500", len(rep.Principals))
		}
	}
}
