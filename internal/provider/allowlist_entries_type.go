package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// allowlistEntriesType is the type of an allowlist's entries: a set of
// {cidr, description} objects. It exists for speed, not meaning. The
// framework's set type works in quadratic time in two places that run on
// every plan, apply and refresh, and an allowlist holds thousands of entries
// (measured in ip_allowlist_bench_test.go: minutes for 2,000):
//
//   - SetType.Validate looks for duplicate elements by comparing every
//     element with every other one, each time the set is read or written.
//     A value that validates itself (xattr.ValidateableAttribute) replaces
//     that check; ours finds duplicates with a map.
//   - Semantic equality compares every new element with every prior element
//     unless the set's own SetSemanticEquals says the sets are equal, which
//     ours decides with a map of each entry's network and description.
//
// When the platform's entries really differ from the prior ones (drift found
// by a refresh), SetSemanticEquals says so and the framework still falls back
// to comparing element with element, so that cidrType can keep Terraform's
// spelling of the entries that did not change.
type allowlistEntriesType struct {
	basetypes.SetType
}

var (
	_ basetypes.SetTypable                    = allowlistEntriesType{}
	_ basetypes.SetValuableWithSemanticEquals = allowlistEntriesValue{}
	_ xattr.ValidateableAttribute             = allowlistEntriesValue{}
)

// newAllowlistEntriesType is the type of entries for the given element type.
func newAllowlistEntriesType() allowlistEntriesType {
	return allowlistEntriesType{SetType: basetypes.SetType{ElemType: types.ObjectType{AttrTypes: allowlistEntryAttrTypes}}}
}

func (t allowlistEntriesType) Equal(o attr.Type) bool {
	other, ok := o.(allowlistEntriesType)
	return ok && t.SetType.Equal(other.SetType)
}

func (allowlistEntriesType) String() string { return "allowlistEntriesType" }

func (allowlistEntriesType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return allowlistEntriesValue{SetValue: in}, nil
}

func (t allowlistEntriesType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return allowlistEntriesValue{SetValue: s}, nil
}

func (t allowlistEntriesType) ValueType(context.Context) attr.Value {
	return allowlistEntriesValue{SetValue: basetypes.NewSetNull(t.ElemType)}
}

// allowlistEntriesValue is the value of an allowlistEntriesType attribute.
type allowlistEntriesValue struct {
	basetypes.SetValue
}

func (v allowlistEntriesValue) Equal(o attr.Value) bool {
	other, ok := o.(allowlistEntriesValue)
	return ok && v.SetValue.Equal(other.SetValue)
}

func (v allowlistEntriesValue) Type(ctx context.Context) attr.Type {
	return allowlistEntriesType{SetType: basetypes.SetType{ElemType: v.ElementType(ctx)}}
}

// SetSemanticEquals reports whether both sets hold the same entries as the
// platform sees them: the same networks however spelled, with the same
// descriptions. The framework calls it with known sets only.
func (v allowlistEntriesValue) SetSemanticEquals(_ context.Context, priorValuable basetypes.SetValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	prior, ok := priorValuable.(allowlistEntriesValue)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected allowlist entries, got %T. This is a bug in the provider; please report it.", priorValuable))
		return false, diags
	}
	newElems, priorElems := v.Elements(), prior.Elements()
	if len(newElems) != len(priorElems) {
		return false, diags
	}
	remaining := make(map[string]int, len(priorElems))
	for _, elem := range priorElems {
		key, known := entryKey(elem)
		if !known {
			return false, diags
		}
		remaining[key]++
	}
	for _, elem := range newElems {
		key, known := entryKey(elem)
		if !known || remaining[key] == 0 {
			return false, diags
		}
		remaining[key]--
	}
	return true, diags
}

// ValidateAttribute refuses a set holding one element twice, as the
// framework's SetType.Validate does, in linear time.
func (v allowlistEntriesValue) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	seen := make(map[string]bool, len(v.Elements()))
	for _, elem := range v.Elements() {
		cidr, okC := entryField(elem, "cidr")
		description, okD := entryField(elem, "description")
		if !okC || !okD {
			continue // only fully known elements can be duplicates
		}
		key := cidr + "\x00" + description
		if seen[key] {
			resp.Diagnostics.AddAttributeError(req.Path, "Duplicate Set Element",
				fmt.Sprintf("This attribute contains duplicate values of: %s", elem))
			continue
		}
		seen[key] = true
	}
}

// allowlistEntriesOf builds entries from elements.
func allowlistEntriesOf(elems []attr.Value, diags *diag.Diagnostics) allowlistEntriesValue {
	s, d := types.SetValue(types.ObjectType{AttrTypes: allowlistEntryAttrTypes}, elems)
	diags.Append(d...)
	return allowlistEntriesValue{SetValue: s}
}
