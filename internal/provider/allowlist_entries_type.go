package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// allowlistEntriesType is the type of an allowlist's entries: a list of
// {cidr, description} objects that behaves as a set. It is a list for
// speed, not meaning. An allowlist holds up to thousands of entries, and
// terraform-plugin-go addresses an element of a set by its value: finding
// one compares it with every element, and the framework finds every element
// that way several times per call (defaults, validation of each nested
// attribute, marking computed values unknown, comparing whole values), so a
// set costs quadratic time. A no-op plan of 2,000 entries took over 30 s as a
// set; as a list, whose elements are addressed by index, it is linear
// (ip_allowlist_bench_test.go).
//
// Set semantics are kept where users see them:
//   - order does not matter: ListSemanticEquals compares the entries as a
//     multiset, so the platform's order never shows as drift, and
//     equivalentEntriesPlanModifier plans the prior value when the
//     configuration only reorders (or respells) entries;
//   - each network is listed once: distinctCIDRsValidator refuses a network
//     listed twice, however spelled, naming it, where a set would have
//     silently merged two identical entries.
type allowlistEntriesType struct {
	basetypes.ListType
}

var (
	_ basetypes.ListTypable                    = allowlistEntriesType{}
	_ basetypes.ListValuableWithSemanticEquals = allowlistEntriesValue{}
)

// newAllowlistEntriesType is the type of entries.
func newAllowlistEntriesType() allowlistEntriesType {
	return allowlistEntriesType{ListType: basetypes.ListType{ElemType: types.ObjectType{AttrTypes: allowlistEntryAttrTypes}}}
}

func (t allowlistEntriesType) Equal(o attr.Type) bool {
	other, ok := o.(allowlistEntriesType)
	return ok && t.ListType.Equal(other.ListType)
}

func (allowlistEntriesType) String() string { return "allowlistEntriesType" }

func (allowlistEntriesType) ValueFromList(_ context.Context, in basetypes.ListValue) (basetypes.ListValuable, diag.Diagnostics) {
	return allowlistEntriesValue{ListValue: in}, nil
}

func (t allowlistEntriesType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.ListType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	l, ok := v.(basetypes.ListValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return allowlistEntriesValue{ListValue: l}, nil
}

func (t allowlistEntriesType) ValueType(context.Context) attr.Value {
	return allowlistEntriesValue{ListValue: basetypes.NewListNull(t.ElemType)}
}

// allowlistEntriesValue is the value of an allowlistEntriesType attribute.
type allowlistEntriesValue struct {
	basetypes.ListValue
}

func (v allowlistEntriesValue) Equal(o attr.Value) bool {
	other, ok := o.(allowlistEntriesValue)
	return ok && v.ListValue.Equal(other.ListValue)
}

func (v allowlistEntriesValue) Type(ctx context.Context) attr.Type {
	return allowlistEntriesType{ListType: basetypes.ListType{ElemType: v.ElementType(ctx)}}
}

// ListSemanticEquals reports whether both lists hold the same entries as the
// platform sees them, in any order: the same networks however spelled, with
// the same descriptions. Then the framework keeps the prior value, so
// Terraform's order and spelling stay in state. The framework calls it with
// known lists only.
func (v allowlistEntriesValue) ListSemanticEquals(_ context.Context, priorValuable basetypes.ListValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	prior, ok := priorValuable.(allowlistEntriesValue)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected allowlist entries, got %T. This is a bug in the provider; please report it.", priorValuable))
		return false, diags
	}
	return sameEntrySets(v.Elements(), prior.Elements()), diags
}

// sameEntrySets reports whether a and b hold the same entries, by entryKey,
// in any order; false when an entry is not known yet.
func sameEntrySets(a, b []attr.Value) bool {
	if len(a) != len(b) {
		return false
	}
	remaining := make(map[string]int, len(b))
	for _, elem := range b {
		key, known := entryKey(elem)
		if !known {
			return false
		}
		remaining[key]++
	}
	for _, elem := range a {
		key, known := entryKey(elem)
		if !known || remaining[key] == 0 {
			return false
		}
		remaining[key]--
	}
	return true
}

// allowlistEntriesOf builds entries from elements.
func allowlistEntriesOf(elems []attr.Value, diags *diag.Diagnostics) allowlistEntriesValue {
	l, d := types.ListValue(types.ObjectType{AttrTypes: allowlistEntryAttrTypes}, elems)
	diags.Append(d...)
	return allowlistEntriesValue{ListValue: l}
}
