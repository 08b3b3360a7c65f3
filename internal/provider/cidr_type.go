package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// An allowlist entry may be written as a bare address ("203.0.113.7"), which
// the platform stores as its host prefix ("203.0.113.7/32"), and IPv6 has
// several spellings of one network. Terraform compares strings exactly, so
// the platform's rule reaches Terraform in two ways, one per direction:
//
//   - cidrType's semantic equality covers values coming from the platform
//     (Read, and the results of Create and Update): when the platform returns
//     another spelling of the network Terraform holds, Terraform keeps its
//     own, instead of failing with an inconsistent result after apply or
//     reporting drift.
//   - equivalentEntriesPlanModifier (allowlist_entries.go) covers values
//     coming from configuration, which the framework never compares
//     semantically while planning: a configuration that only respells a
//     network plans the entries in state, so the plan is empty.

// sameNetwork reports whether the platform treats a and b as one allowlist
// entry: both canonicalise to the same prefix. Values that do not
// canonicalise (validation refuses them) are compared exactly.
func sameNetwork(a, b string) bool {
	if a == b {
		return true
	}
	ca, errA := access.CanonicalCIDR(a)
	cb, errB := access.CanonicalCIDR(b)
	return errA == nil && errB == nil && ca == cb
}

// canonicalOrSelf is the form in which entries are matched: the canonical
// prefix, or the value itself when it is not a valid entry.
func canonicalOrSelf(s string) string {
	if c, err := access.CanonicalCIDR(s); err == nil {
		return c
	}
	return s
}

var (
	_ basetypes.StringTypable                    = cidrType{}
	_ basetypes.StringValuableWithSemanticEquals = cidrValue{}
)

// cidrType is a string attribute holding an IP address or CIDR prefix,
// compared as the network it denotes.
type cidrType struct {
	basetypes.StringType
}

func (t cidrType) Equal(o attr.Type) bool {
	other, ok := o.(cidrType)
	return ok && t.StringType.Equal(other.StringType)
}

func (cidrType) String() string { return "cidrType" }

func (cidrType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return cidrValue{StringValue: in}, nil
}

func (t cidrType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return cidrValue{StringValue: s}, nil
}

func (cidrType) ValueType(context.Context) attr.Value { return cidrValue{} }

// cidrValue is the value of a cidrType attribute.
type cidrValue struct {
	basetypes.StringValue
}

func cidrValueOf(s string) cidrValue { return cidrValue{StringValue: basetypes.NewStringValue(s)} }

func (v cidrValue) Equal(o attr.Value) bool {
	other, ok := o.(cidrValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (cidrValue) Type(context.Context) attr.Type { return cidrType{} }

// StringSemanticEquals reports whether both values denote the same network.
// The framework calls it with known values only.
func (v cidrValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(cidrValue)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected a CIDR value, got %T. This is a bug in the provider; please report it.", newValuable))
		return false, diags
	}
	return sameNetwork(v.ValueString(), other.ValueString()), diags
}
