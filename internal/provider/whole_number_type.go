package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Terraform has one number type, so `max_retries = 1.5` reaches the provider
// as a valid number. The framework's Int64Type refuses it while converting
// the configuration, before any validator runs, with an error that blames
// the provider ("This is always an error in the provider ... Value
// %!s(*big.Float=1.5) is not an integer."). wholeNumberType accepts any
// number at conversion and carries the ones an int64 cannot hold; the value
// then fails its own validation (xattr.ValidateableAttribute), which the
// framework runs right after converting an attribute of the configuration,
// in ValidateProviderConfig, ValidateResourceConfig and
// ValidateDataResourceConfig alike: the user gets an error at the attribute,
// and nothing past validation ever sees such a value. On the wire the type is
// still tftypes.Number, so state written with types.Int64Type reads back
// unchanged.

var (
	_ basetypes.Int64Typable      = wholeNumberType{}
	_ basetypes.Int64Valuable     = wholeNumberValue{}
	_ xattr.ValidateableAttribute = wholeNumberValue{}
)

// wholeNumberType is an Int64 attribute type that reports a fractional or
// out-of-range number as an attribute error instead of a conversion error.
type wholeNumberType struct {
	basetypes.Int64Type
}

func (t wholeNumberType) Equal(o attr.Type) bool {
	other, ok := o.(wholeNumberType)
	return ok && t.Int64Type.Equal(other.Int64Type)
}

func (wholeNumberType) String() string { return "wholeNumberType" }

func (wholeNumberType) ValueFromInt64(_ context.Context, in basetypes.Int64Value) (basetypes.Int64Valuable, diag.Diagnostics) {
	return wholeNumberValue{Int64Value: in}, nil
}

func (wholeNumberType) ValueFromTerraform(_ context.Context, in tftypes.Value) (attr.Value, error) {
	if !in.IsKnown() {
		return wholeNumberValue{Int64Value: basetypes.NewInt64Unknown()}, nil
	}
	if in.IsNull() {
		return wholeNumberValue{Int64Value: basetypes.NewInt64Null()}, nil
	}
	var f *big.Float
	if err := in.As(&f); err != nil {
		return nil, err
	}
	i, accuracy := f.Int64()
	if !f.IsInt() || accuracy != big.Exact {
		// i is f truncated toward zero and clamped to the int64 range; it is
		// never used, since validation rejects the value first.
		return wholeNumberValue{Int64Value: basetypes.NewInt64Value(i), notWhole: f}, nil
	}
	return wholeNumberValue{Int64Value: basetypes.NewInt64Value(i)}, nil
}

func (wholeNumberType) ValueType(context.Context) attr.Value { return wholeNumberValue{} }

// wholeNumberValue is the value of a wholeNumberType attribute: an Int64
// value, or a number from the configuration that is not one.
type wholeNumberValue struct {
	basetypes.Int64Value
	// notWhole is the configured number when it is fractional or beyond
	// the int64 range; nil for every valid, null or unknown value.
	notWhole *big.Float
}

func wholeNumberValueOf(i int64) wholeNumberValue {
	return wholeNumberValue{Int64Value: basetypes.NewInt64Value(i)}
}

func (wholeNumberValue) Type(context.Context) attr.Type { return wholeNumberType{} }

func (v wholeNumberValue) Equal(o attr.Value) bool {
	other, ok := o.(wholeNumberValue)
	if !ok || (v.notWhole == nil) != (other.notWhole == nil) {
		return false
	}
	if v.notWhole != nil {
		return v.notWhole.Cmp(other.notWhole) == 0
	}
	return v.Int64Value.Equal(other.Int64Value)
}

// ToTerraformValue gives back the configured number itself when it is not
// whole, so the value round-trips.
func (v wholeNumberValue) ToTerraformValue(ctx context.Context) (tftypes.Value, error) {
	if v.notWhole != nil {
		return tftypes.NewValue(tftypes.Number, v.notWhole), nil
	}
	return v.Int64Value.ToTerraformValue(ctx)
}

// ToInt64Value is what the framework's Int64 validators, defaults and plan
// modifiers read. Validation has rejected a number that is not whole before
// any of them runs; should a path ever skip it, this error keeps the
// truncated number from being used silently.
func (v wholeNumberValue) ToInt64Value(context.Context) (basetypes.Int64Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v.notWhole != nil {
		diags.AddError("Invalid Attribute Value", wholeNumberProblem("The value", v.notWhole))
	}
	return v.Int64Value, diags
}

func (v wholeNumberValue) String() string {
	if v.notWhole != nil {
		return v.notWhole.Text('g', -1)
	}
	return v.Int64Value.String()
}

// ValidateAttribute reports a number that is not whole, or too large for an
// int64, at the attribute that holds it.
func (v wholeNumberValue) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.notWhole == nil {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
		wholeNumberProblem("Attribute "+req.Path.String(), v.notWhole))
}

// wholeNumberProblem says what is wrong with f, which is either fractional
// or a whole number beyond the int64 range.
func wholeNumberProblem(subject string, f *big.Float) string {
	if !f.IsInt() {
		return fmt.Sprintf("%s must be a whole number, got %s", subject, f.Text('g', -1))
	}
	return fmt.Sprintf("%s must be a whole number from %d to %d, got %s",
		subject, int64(math.MinInt64), int64(math.MaxInt64), f.Text('g', -1))
}
