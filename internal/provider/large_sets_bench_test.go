package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// noOpPlanTarget is the target for a plan with nothing to change of
// a role with every permission and of an allowlist with 2,000 entries,
// Terraform included. The benchmark measures the provider's share, which
// must stay well below it: Terraform itself needs about a second for the
// rest (measured with `terraform plan` on the embedded backend).
const noOpPlanTarget = 2 * time.Second

// BenchmarkNoOpPlanOfLargeSets measures what the provider does for
// `terraform plan` of an existing object whose configuration has not
// changed: validate the configuration, refresh, plan. One op is one such
// plan, so ns/op reads directly against noOpPlanTarget; the benchmark
// fails when even the fastest op takes longer than the whole target on its
// own (the fastest, because a busy machine only ever slows ops down).
//
//	go test -run '^$' -bench BenchmarkNoOpPlanOfLargeSets ./internal/provider/
func BenchmarkNoOpPlanOfLargeSets(b *testing.B) {
	b.Run("allowlist with 2000 entries", func(b *testing.B) {
		p := newAllowlistProtocol(b)
		config := p.value(nil, benchAddresses(allowlistBenchEntries), nil)
		null := tftypes.NewValue(p.typ, nil)
		state := p.apply(b, null, config, p.plan(b, null, config, config))
		benchNoOpPlan(b, p.resourceProtocol, state, config)
	})
	b.Run("role with every permission", func(b *testing.B) {
		p := newResourceProtocol(b, "engage_role")
		var keys []tftypes.Value
		for _, key := range access.DefaultCatalog().Keys() {
			keys = append(keys, tftypes.NewValue(tftypes.String, key))
		}
		config := p.object(map[string]tftypes.Value{
			"name":        tftypes.NewValue(tftypes.String, "Everything"),
			"permissions": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, keys),
		})
		null := tftypes.NewValue(p.typ, nil)
		state := p.apply(b, null, config, p.plan(b, null, config, config))
		benchNoOpPlan(b, p, state, config)
	})
}

// benchNoOpPlan times refresh and plan of state under config, which must
// plan no change.
func benchNoOpPlan(b *testing.B, p resourceProtocol, state, config tftypes.Value) {
	b.Helper()
	fastest := time.Duration(1<<63 - 1)
	for b.Loop() {
		start := time.Now()
		refreshed := p.read(b, state)
		// Terraform proposes the prior state where the configuration leaves
		// attributes out.
		planned := p.plan(b, refreshed, config, refreshed)
		fastest = min(fastest, time.Since(start))
		b.StopTimer()
		if !planned.Equal(state) {
			b.Fatal("a plan without changes planned a change")
		}
		b.StartTimer()
	}
	b.ReportMetric(fastest.Seconds(), "fastest-s/plan")
	if fastest > noOpPlanTarget {
		b.Errorf("a no-op plan took %s in the provider alone; the target for the whole plan is %s", fastest, noOpPlanTarget)
	}
}
