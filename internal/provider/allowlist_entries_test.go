package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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

func testEntries(elems ...attr.Value) types.List {
	return types.ListValueMust(types.ObjectType{AttrTypes: allowlistEntryAttrTypes}, elems)
}

var entryElemType = types.ObjectType{AttrTypes: allowlistEntryAttrTypes}

func TestDistinctCIDRsValidator(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		entries   types.List
		wantError string // "" means valid
	}{
		{name: "distinct networks pass", entries: testEntries(testEntry("10.0.0.0/8", ""), testEntry("10.0.0.0/16", ""), testEntry("2001:db8::/32", ""))},
		{name: "a null list is left to Required", entries: types.ListNull(entryElemType)},
		{name: "an unknown list is checked at apply", entries: types.ListUnknown(entryElemType)},
		{name: "an unknown cidr is checked at apply", entries: testEntries(testUnknownCIDREntry("a"), testEntry("10.0.0.1", "b"))},
		{name: "two unknown cidrs are checked at apply", entries: testEntries(testUnknownCIDREntry(""), testUnknownCIDREntry(""))},
		{name: "invalid values are left to the cidr validator", entries: testEntries(testEntry("10.1.2.3/24", "a"), testEntry("10.1.2.3/24", "b"))},
		{
			name:      "a bare address and its host prefix",
			entries:   testEntries(testEntry("10.0.0.1", ""), testEntry("10.0.0.1/32", "")),
			wantError: `"10.0.0.1" and "10.0.0.1/32" are the same network, 10.0.0.1/32; list each network once.`,
		},
		{
			name:      "two IPv6 spellings",
			entries:   testEntries(testEntry("2001:db8::/32", ""), testEntry("2001:0db8:0000::/32", "")),
			wantError: `"2001:db8::/32" and "2001:0db8:0000::/32" are the same network, 2001:db8::/32`,
		},
		{
			name:      "one network with two descriptions",
			entries:   testEntries(testEntry("192.0.2.0/24", "a"), testEntry("10.0.0.0/8", ""), testEntry("192.0.2.0/24", "b")),
			wantError: "192.0.2.0/24 is listed more than once; list each network once, with one description.",
		},
		{
			// A set would have merged them silently; a list says so.
			name:      "the same entry twice",
			entries:   testEntries(testEntry("192.0.2.0/24", "a"), testEntry("192.0.2.0/24", "a")),
			wantError: "192.0.2.0/24 is listed more than once",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := validator.ListRequest{Path: path.Root("entries"), ConfigValue: tc.entries}
			resp := &validator.ListResponse{}
			distinctCIDRsValidator{}.ValidateList(context.Background(), req, resp)
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
			want := path.Root("entries")
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
		state types.List
		plan  types.List
		want  types.List
	}{
		{
			name:  "a create has no state to keep",
			state: types.ListNull(entryElemType),
			plan:  testEntries(testEntry("203.0.113.7", "")),
			want:  testEntries(testEntry("203.0.113.7", "")),
		},
		{
			name:  "another order plans the state",
			state: state,
			plan:  testEntries(testEntry("10.0.0.0/8", "VPN"), testEntry("2001:db8::/32", ""), testEntry("203.0.113.7/32", "Berlin")),
			want:  state,
		},
		{
			name:  "respelling every network, in another order, plans the state",
			state: state,
			plan:  testEntries(testEntry("10.0.0.0/8", "VPN"), testEntry("203.0.113.7", "Berlin"), testEntry("2001:0db8::/32", "")),
			want:  state,
		},
		{
			name:  "beside a real change, entries respelled in place keep the state's spelling",
			state: state,
			plan:  testEntries(testEntry("203.0.113.7", "Berlin"), testEntry("2001:0db8::/32", ""), testEntry("192.0.2.1", "new")),
			want:  testEntries(testEntry("203.0.113.7/32", "Berlin"), testEntry("2001:db8::/32", ""), testEntry("192.0.2.1", "new")),
		},
		{
			// Terraform accepts, position by position, the configured or the
			// prior value only.
			name:  "beside a real change, entries respelled elsewhere are planned as written",
			state: state,
			plan:  testEntries(testEntry("2001:0db8::/32", ""), testEntry("203.0.113.7", "Berlin"), testEntry("192.0.2.1", "new")),
			want:  testEntries(testEntry("2001:0db8::/32", ""), testEntry("203.0.113.7", "Berlin"), testEntry("192.0.2.1", "new")),
		},
		{
			name:  "a new description is a change",
			state: state,
			plan:  testEntries(testEntry("203.0.113.7", "Munich"), testEntry("2001:db8::/32", ""), testEntry("10.0.0.0/8", "VPN")),
			want:  testEntries(testEntry("203.0.113.7", "Munich"), testEntry("2001:db8::/32", ""), testEntry("10.0.0.0/8", "VPN")),
		},
		{
			name:  "an entry not known yet stays unknown",
			state: state,
			plan:  testEntries(testUnknownCIDREntry("Berlin"), testEntry("2001:0db8::/32", ""), testEntry("10.0.0.0/8", "VPN")),
			want:  testEntries(testUnknownCIDREntry("Berlin"), testEntry("2001:db8::/32", ""), testEntry("10.0.0.0/8", "VPN")),
		},
		{
			name:  "unknown entries stay unknown",
			state: state,
			plan:  types.ListUnknown(entryElemType),
			want:  types.ListUnknown(entryElemType),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := planmodifier.ListRequest{Path: path.Root("entries"), StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			resp := &planmodifier.ListResponse{PlanValue: tc.plan}
			equivalentEntriesPlanModifier{}.PlanModifyList(context.Background(), req, resp)
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
		proposed  types.List
		wantEqual bool
	}{
		{"the same entries are equal", prior, true},
		{"the same entries in another order are equal", testEntries(testEntry("2001:db8::/32", ""), testEntry("203.0.113.7", "Berlin")), true},
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
			got, diags := allowlistEntriesValue{ListValue: tc.proposed}.ListSemanticEquals(context.Background(), allowlistEntriesValue{ListValue: prior})
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if got != tc.wantEqual {
				t.Errorf("ListSemanticEquals = %v, want %v", got, tc.wantEqual)
			}
		})
	}

	t.Run("another value type is a provider bug, reported", func(t *testing.T) {
		t.Parallel()
		_, diags := allowlistEntriesValue{ListValue: prior}.ListSemanticEquals(context.Background(), prior)
		if !diags.HasError() {
			t.Errorf("got no error for a plain list value")
		}
	})
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
	if !ok || !got.ListValue.Equal(in) || !got.Type(ctx).Equal(typ) {
		t.Errorf("round trip gave %#v", v)
	}
	if null, ok := typ.ValueType(ctx).(allowlistEntriesValue); !ok || !null.IsNull() {
		t.Errorf("ValueType = %#v, want a null allowlistEntriesValue", typ.ValueType(ctx))
	}
}
