package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// testEntry is one element of entries.
func testEntry(cidr, description string) attr.Value {
	return types.ObjectValueMust(allowlistEntryAttrTypes, map[string]attr.Value{
		"cidr":        cidrValueOf(cidr),
		"description": types.StringValue(description),
	})
}

// testUnknownCIDREntry is an element whose cidr is known only after apply.
func testUnknownCIDREntry(description string) attr.Value {
	return types.ObjectValueMust(allowlistEntryAttrTypes, map[string]attr.Value{
		"cidr":        cidrValue{StringValue: basetypes.NewStringUnknown()},
		"description": types.StringValue(description),
	})
}

func testEntries(elems ...attr.Value) types.Set {
	return types.SetValueMust(types.ObjectType{AttrTypes: allowlistEntryAttrTypes}, elems)
}

var entryElemType = types.ObjectType{AttrTypes: allowlistEntryAttrTypes}

func TestDistinctCIDRsValidator(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		entries   types.Set
		wantAt    attr.Value // the element the error points into
		wantError string     // "" means valid
	}{
		{name: "distinct networks pass", entries: testEntries(testEntry("10.0.0.0/8", ""), testEntry("10.0.0.0/16", ""), testEntry("2001:db8::/32", ""))},
		{name: "a null set is left to Required", entries: types.SetNull(entryElemType)},
		{name: "an unknown set is checked at apply", entries: types.SetUnknown(entryElemType)},
		{name: "an unknown cidr is checked at apply", entries: testEntries(testUnknownCIDREntry("a"), testEntry("10.0.0.1", "b"))},
		{name: "invalid values are left to the cidr validator", entries: testEntries(testEntry("10.1.2.3/24", "a"), testEntry("10.1.2.3/24", "b"))},
		{
			name:      "a bare address and its host prefix",
			entries:   testEntries(testEntry("10.0.0.1", ""), testEntry("10.0.0.1/32", "")),
			wantAt:    testEntry("10.0.0.1/32", ""),
			wantError: `"10.0.0.1" and "10.0.0.1/32" are the same network, 10.0.0.1/32; list each network once.`,
		},
		{
			name:      "two IPv6 spellings",
			entries:   testEntries(testEntry("2001:db8::/32", ""), testEntry("2001:0db8:0000::/32", "")),
			wantAt:    testEntry("2001:0db8:0000::/32", ""),
			wantError: `"2001:db8::/32" and "2001:0db8:0000::/32" are the same network, 2001:db8::/32`,
		},
		{
			name:      "one network with two descriptions",
			entries:   testEntries(testEntry("192.0.2.0/24", "a"), testEntry("192.0.2.0/24", "b")),
			wantAt:    testEntry("192.0.2.0/24", "b"),
			wantError: "192.0.2.0/24 is listed more than once; list each network once, with one description.",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := validator.SetRequest{Path: path.Root("entries"), ConfigValue: tc.entries}
			resp := &validator.SetResponse{}
			distinctCIDRsValidator{}.ValidateSet(context.Background(), req, resp)
			if tc.wantError == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				return
			}
			if len(resp.Diagnostics) != 1 {
				t.Fatalf("got %v, want one error", resp.Diagnostics)
			}
			d := resp.Diagnostics[0]
			want := path.Root("entries").AtSetValue(tc.wantAt).AtName("cidr")
			withPath, ok := d.(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(want) {
				t.Errorf("diagnostic is not attached to %s", want)
			}
			if d.Summary() != "Duplicate allowlist entry" || !strings.Contains(d.Detail(), tc.wantError) {
				t.Errorf("got %q / %q, want Duplicate allowlist entry / %q", d.Summary(), d.Detail(), tc.wantError)
			}
		})
	}
}

func TestEquivalentEntriesPlanModifier(t *testing.T) {
	t.Parallel()
	state := testEntries(testEntry("203.0.113.7/32", "Berlin"), testEntry("2001:db8::/32", ""), testEntry("10.0.0.0/8", "VPN"))
	cases := []struct {
		name  string
		state types.Set
		plan  types.Set
		want  types.Set
	}{
		{
			name:  "a create has no state to keep",
			state: types.SetNull(entryElemType),
			plan:  testEntries(testEntry("203.0.113.7", "")),
			want:  testEntries(testEntry("203.0.113.7", "")),
		},
		{
			name:  "respelling every network plans the state",
			state: state,
			plan:  testEntries(testEntry("10.0.0.0/8", "VPN"), testEntry("203.0.113.7", "Berlin"), testEntry("2001:0db8::/32", "")),
			want:  state,
		},
		{
			name:  "beside a real change, respelled entries keep the state's spelling",
			state: state,
			plan:  testEntries(testEntry("203.0.113.7", "Berlin"), testEntry("2001:0db8::/32", ""), testEntry("192.0.2.1", "new")),
			want:  testEntries(testEntry("203.0.113.7/32", "Berlin"), testEntry("2001:db8::/32", ""), testEntry("192.0.2.1", "new")),
		},
		{
			name:  "a new description is a change of that entry",
			state: state,
			plan:  testEntries(testEntry("203.0.113.7", "Munich"), testEntry("2001:db8::/32", ""), testEntry("10.0.0.0/8", "VPN")),
			want:  testEntries(testEntry("203.0.113.7", "Munich"), testEntry("2001:db8::/32", ""), testEntry("10.0.0.0/8", "VPN")),
		},
		{
			name:  "an entry not known yet stays unknown",
			state: state,
			plan:  testEntries(testUnknownCIDREntry("Berlin"), testEntry("2001:0db8::/32", "")),
			want:  testEntries(testUnknownCIDREntry("Berlin"), testEntry("2001:db8::/32", "")),
		},
		{
			name:  "unknown entries stay unknown",
			state: state,
			plan:  types.SetUnknown(entryElemType),
			want:  types.SetUnknown(entryElemType),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := planmodifier.SetRequest{Path: path.Root("entries"), StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			resp := &planmodifier.SetResponse{PlanValue: tc.plan}
			equivalentEntriesPlanModifier{}.PlanModifySet(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
			}
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("planned %v\nwant %v", resp.PlanValue, tc.want)
			}
		})
	}
}

func TestAllowlistEntriesSemanticEquality(t *testing.T) {
	t.Parallel()
	prior := testEntries(testEntry("203.0.113.7", "Berlin"), testEntry("2001:db8::/32", ""))
	cases := []struct {
		name      string
		proposed  types.Set
		wantEqual bool
	}{
		{"the same entries are equal", prior, true},
		{"the platform's spelling of the same networks is equal", testEntries(testEntry("2001:db8::/32", ""), testEntry("203.0.113.7/32", "Berlin")), true},
		{"another description is not equal", testEntries(testEntry("203.0.113.7/32", "Munich"), testEntry("2001:db8::/32", "")), false},
		{"a missing entry is not equal", testEntries(testEntry("203.0.113.7/32", "Berlin")), false},
		{"an added entry is not equal", testEntries(testEntry("203.0.113.7/32", "Berlin"), testEntry("2001:db8::/32", ""), testEntry("192.0.2.1", "")), false},
		{"another network is not equal", testEntries(testEntry("203.0.113.8/32", "Berlin"), testEntry("2001:db8::/32", "")), false},
		{"two spellings of one entry do not stand for two entries", testEntries(testEntry("203.0.113.7/32", "Berlin"), testEntry("203.0.113.7", "Berlin")), false},
		{"an entry not known yet is not equal", testEntries(testUnknownCIDREntry("Berlin"), testEntry("2001:db8::/32", "")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, diags := allowlistEntriesValue{SetValue: tc.proposed}.SetSemanticEquals(context.Background(), allowlistEntriesValue{SetValue: prior})
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if got != tc.wantEqual {
				t.Errorf("SetSemanticEquals = %v, want %v", got, tc.wantEqual)
			}
		})
	}

	t.Run("another value type is a provider bug, reported", func(t *testing.T) {
		t.Parallel()
		_, diags := allowlistEntriesValue{SetValue: prior}.SetSemanticEquals(context.Background(), prior)
		if !diags.HasError() {
			t.Errorf("got no error for a plain set value")
		}
	})
}

func TestAllowlistEntriesValidateAttribute(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		entries   types.Set
		wantError bool
	}{
		{"distinct elements pass", testEntries(testEntry("10.0.0.1", ""), testEntry("10.0.0.1/32", "")), false},
		{"null passes", types.SetNull(entryElemType), false},
		{"unknown elements are not compared", testEntries(testUnknownCIDREntry(""), testUnknownCIDREntry("")), false},
		// Terraform never sends these; a provider bug could build one.
		{"an element held twice is refused", testEntries(testEntry("10.0.0.1", "a"), testEntry("10.0.0.1", "a")), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := &xattr.ValidateAttributeResponse{}
			allowlistEntriesValue{SetValue: tc.entries}.ValidateAttribute(context.Background(),
				xattr.ValidateAttributeRequest{Path: path.Root("entries")}, resp)
			if got := resp.Diagnostics.HasError(); got != tc.wantError {
				t.Errorf("HasError = %v, want %v (%v)", got, tc.wantError, resp.Diagnostics)
			}
		})
	}
}

func TestAllowlistEntriesTypeRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	typ := newAllowlistEntriesType()
	in := testEntries(testEntry("203.0.113.7", "Berlin"))
	tfv, err := in.ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := typ.ValueFromTerraform(ctx, tfv)
	if err != nil {
		t.Fatalf("ValueFromTerraform: %v", err)
	}
	got, ok := v.(allowlistEntriesValue)
	if !ok || !got.SetValue.Equal(in) || !got.Type(ctx).Equal(typ) {
		t.Errorf("round trip gave %#v", v)
	}
	if null, ok := typ.ValueType(ctx).(allowlistEntriesValue); !ok || !null.IsNull() {
		t.Errorf("ValueType = %#v, want a null allowlistEntriesValue", typ.ValueType(ctx))
	}
}
