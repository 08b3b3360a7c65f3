package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// The framework handles sets of nested objects in places in quadratic time
// (duplicate detection, semantic equality, defaults, locating an element by
// value), and allowlists hold thousands of entries. These benchmarks drive the
// provider through the plugin protocol, as Terraform does, with one
// allowlist of 2,000 entries, so that a regression in our types or in a
// framework upgrade shows up here rather than as a slow plan.

const allowlistBenchEntries = 2000

// allowlistProtocol is the provider served over the plugin protocol, with
// the engage_ip_allowlist schema type at hand.
type allowlistProtocol struct {
	resourceProtocol
	entry tftypes.Object
}

// resourceProtocol is the provider on the embedded backend, served over the
// plugin protocol, with one resource type's schema type at hand.
type resourceProtocol struct {
	server   tfprotov6.ProviderServer
	dbPath   string
	typeName string
	typ      tftypes.Object
}

func newAllowlistProtocol(tb testing.TB) allowlistProtocol {
	tb.Helper()
	p := newResourceProtocol(tb, "engage_ip_allowlist")
	list, ok := p.typ.AttributeTypes["entries"].(tftypes.List)
	if !ok {
		tb.Fatal("entries is not a list")
	}
	entry, ok := list.ElementType.(tftypes.Object)
	if !ok {
		tb.Fatal("entries does not hold objects")
	}
	return allowlistProtocol{resourceProtocol: p, entry: entry}
}

func newResourceProtocol(tb testing.TB, typeName string) resourceProtocol {
	tb.Helper()
	ctx := context.Background()
	dbPath := filepath.Join(tb.TempDir(), "engage.db")
	server := providerserver.NewProtocol6(New("bench", WithDefaultEmbeddedPath(dbPath))())()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		tb.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	// Every provider attribute null, as in a configuration without a
	// provider block.
	providerType, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		tb.Fatal("the provider schema has no object type")
	}
	nulls := make(map[string]tftypes.Value, len(providerType.AttributeTypes))
	for name, typ := range providerType.AttributeTypes {
		nulls[name] = tftypes.NewValue(typ, nil)
	}
	providerConfig := mustDynamicValue(tb, providerType, tftypes.NewValue(providerType, nulls))
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &providerConfig})
	if err != nil || len(configured.Diagnostics) > 0 {
		tb.Fatalf("ConfigureProvider: %v %v", err, configured.Diagnostics)
	}
	typ, ok := schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
	if !ok {
		tb.Fatalf("%s has no object type", typeName)
	}
	return resourceProtocol{server: server, dbPath: dbPath, typeName: typeName, typ: typ}
}

// object is a value of the resource type with attrs set and every other
// attribute null, as in a configuration that leaves them out.
func (p resourceProtocol) object(attrs map[string]tftypes.Value) tftypes.Value {
	all := make(map[string]tftypes.Value, len(p.typ.AttributeTypes))
	for name, typ := range p.typ.AttributeTypes {
		all[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range attrs {
		all[name] = v
	}
	return tftypes.NewValue(p.typ, all)
}

// value builds an engage_ip_allowlist value; id and description values of
// nil stand for null, as in a configuration that leaves them out.
func (p allowlistProtocol) value(id any, cidrs []string, entryDescription any) tftypes.Value {
	elems := make([]tftypes.Value, len(cidrs))
	for i, c := range cidrs {
		elems[i] = tftypes.NewValue(p.entry, map[string]tftypes.Value{
			"cidr":        tftypes.NewValue(tftypes.String, c),
			"description": tftypes.NewValue(tftypes.String, entryDescription),
		})
	}
	return tftypes.NewValue(p.typ, map[string]tftypes.Value{
		"id":          tftypes.NewValue(tftypes.String, id),
		"name":        tftypes.NewValue(tftypes.String, "Branches"),
		"description": tftypes.NewValue(tftypes.String, ""),
		"enabled":     tftypes.NewValue(tftypes.Bool, true),
		"entries":     tftypes.NewValue(tftypes.List{ElementType: p.entry}, elems),
	})
}

func (p resourceProtocol) plan(tb testing.TB, prior, config, proposed tftypes.Value) tftypes.Value {
	tb.Helper()
	ctx := context.Background()
	cfg := mustDynamicValue(tb, p.typ, config)
	validated, err := p.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: p.typeName, Config: &cfg})
	if err != nil || len(validated.Diagnostics) > 0 {
		tb.Fatalf("ValidateResourceConfig: %v %v", err, validated.Diagnostics)
	}
	priorDV, proposedDV := mustDynamicValue(tb, p.typ, prior), mustDynamicValue(tb, p.typ, proposed)
	planned, err := p.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: p.typeName, PriorState: &priorDV, ProposedNewState: &proposedDV, Config: &cfg,
	})
	if err != nil || len(planned.Diagnostics) > 0 {
		tb.Fatalf("PlanResourceChange: %v %v", err, planned.Diagnostics)
	}
	v, err := planned.PlannedState.Unmarshal(p.typ)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func (p resourceProtocol) apply(tb testing.TB, prior, config, planned tftypes.Value) tftypes.Value {
	tb.Helper()
	cfg, priorDV, plannedDV := mustDynamicValue(tb, p.typ, config), mustDynamicValue(tb, p.typ, prior), mustDynamicValue(tb, p.typ, planned)
	applied, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: p.typeName, PriorState: &priorDV, PlannedState: &plannedDV, Config: &cfg,
	})
	if err != nil || len(applied.Diagnostics) > 0 {
		tb.Fatalf("ApplyResourceChange: %v %v", err, applied.Diagnostics)
	}
	v, err := applied.NewState.Unmarshal(p.typ)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func (p resourceProtocol) read(tb testing.TB, state tftypes.Value) tftypes.Value {
	tb.Helper()
	current := mustDynamicValue(tb, p.typ, state)
	read, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: p.typeName, CurrentState: &current})
	if err != nil || len(read.Diagnostics) > 0 {
		tb.Fatalf("ReadResource: %v %v", err, read.Diagnostics)
	}
	v, err := read.NewState.Unmarshal(p.typ)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func mustDynamicValue(tb testing.TB, typ tftypes.Type, v tftypes.Value) tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		tb.Fatal(err)
	}
	return dv
}

// benchAddresses returns n distinct bare IPv4 addresses, as an author would
// write hosts.
func benchAddresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
	}
	return out
}

// BenchmarkIPAllowlistProtocol measures the provider's share of each call
// Terraform makes for a 2,000-entry allowlist configured as bare addresses:
// validating the configuration, planning and applying the create, refreshing,
// planning with nothing to change, and refreshing after the platform's list
// changed (drift: one entry removed, one added). A `terraform plan` of an
// existing list is validate + refresh + plan without changes.
func BenchmarkIPAllowlistProtocol(b *testing.B) {
	p := newAllowlistProtocol(b)
	cidrs := benchAddresses(allowlistBenchEntries)
	config := p.value(nil, cidrs, nil)
	null := tftypes.NewValue(p.typ, nil)
	ctx := context.Background()

	b.Run("validate", func(b *testing.B) {
		cfg := mustDynamicValue(b, p.typ, config)
		for b.Loop() {
			resp, err := p.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: p.typeName, Config: &cfg})
			if err != nil || len(resp.Diagnostics) > 0 {
				b.Fatalf("ValidateResourceConfig: %v %v", err, resp.Diagnostics)
			}
		}
	})
	// Terraform proposes the configuration for a create, with null for what
	// it leaves out.
	var planned tftypes.Value
	b.Run("plan create", func(b *testing.B) {
		for b.Loop() {
			planned = p.plan(b, null, config, config)
		}
	})
	var state tftypes.Value
	b.Run("apply create", func(b *testing.B) {
		for b.Loop() {
			state = p.apply(b, null, config, planned)
			b.StopTimer()
			p.destroy(b, state)
			b.StartTimer()
		}
	})
	state = p.apply(b, null, config, planned)
	b.Run("refresh", func(b *testing.B) {
		for b.Loop() {
			refreshed := p.read(b, state)
			b.StopTimer() // comparing 2,000-element sets is itself slow
			if !refreshed.Equal(state) {
				b.Fatal("a refresh without drift changed the state")
			}
			b.StartTimer()
		}
	})
	b.Run("plan without changes", func(b *testing.B) {
		for b.Loop() {
			// Terraform proposes the prior state where the configuration
			// leaves attributes out (the entries' descriptions).
			got := p.plan(b, state, config, state)
			b.StopTimer()
			if !got.Equal(state) {
				b.Fatal("a plan without changes planned a change")
			}
			b.StartTimer()
		}
	})
	b.Run("refresh after drift", func(b *testing.B) {
		svc := p.service(b)
		list, err := svc.GetIPAllowlist(ctx, p.id(b, state))
		if err != nil {
			b.Fatal(err)
		}
		list.Entries = append(list.Entries[1:], access.AllowlistEntry{CIDR: "192.0.2.0/24"})
		if _, err := svc.UpdateIPAllowlist(ctx, list); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			refreshed := p.read(b, state)
			b.StopTimer()
			if refreshed.Equal(state) {
				b.Fatal("a refresh missed the drift")
			}
			b.StartTimer()
		}
	})
}

// service opens the platform the provider talks to, for out-of-band
// changes: a second store on the same database file.
func (p resourceProtocol) service(tb testing.TB) access.Service {
	tb.Helper()
	svc, err := store.Open(context.Background(), p.dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = svc.Close() })
	return svc
}

// id reads the id attribute of an engage_ip_allowlist value.
func (p allowlistProtocol) id(tb testing.TB, v tftypes.Value) string {
	tb.Helper()
	var attrs map[string]tftypes.Value
	var id string
	if err := v.As(&attrs); err != nil {
		tb.Fatal(err)
	}
	if err := attrs["id"].As(&id); err != nil {
		tb.Fatal(err)
	}
	return id
}

func (p resourceProtocol) destroy(tb testing.TB, state tftypes.Value) {
	tb.Helper()
	null := tftypes.NewValue(p.typ, nil)
	p.apply(tb, state, null, null)
}
