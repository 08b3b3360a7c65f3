package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The platform treats email addresses case-insensitively: Ada@Example.com
// and ada@example.com are one user. Terraform compares strings exactly, so
// two framework mechanisms carry the platform's rule, one per direction:
//
//   - emailType's semantic equality covers values coming from the platform
//     (Read, and the result of Create and Update): when the platform returns
//     the address in another letter case than Terraform holds, Terraform
//     keeps its own spelling instead of reporting drift or an inconsistent
//     result after apply.
//   - emailCasePlanModifier covers values coming from configuration: the
//     framework runs semantic equality only after Read, Create and Update,
//     never while planning (terraform-plugin-framework issue #1074), so a
//     configuration that only changes the case of the address would still
//     plan an update. The modifier plans the prior state value instead,
//     which Terraform accepts for a non-computed attribute as "equivalent to
//     the configuration" (objchange.AssertPlanValid), and the plan is empty.
//
// Both compare with sameEmail, the platform's own uniqueness key
// (access.NameKey: compatibility forms and case folded), rather than
// strings.EqualFold, which folds case only: a fullwidth spelling is the same
// address to the platform, and an address the platform would treat as
// different must never be hidden.

// sameEmail reports whether the platform treats a and b as one address.
func sameEmail(a, b string) bool { return access.NameKey(a) == access.NameKey(b) }

var (
	_ basetypes.StringTypable                    = emailType{}
	_ basetypes.StringValuableWithSemanticEquals = emailValue{}
)

// emailType is a string attribute holding an email address, compared
// case-insensitively.
type emailType struct {
	basetypes.StringType
}

func (t emailType) Equal(o attr.Type) bool {
	other, ok := o.(emailType)
	return ok && t.StringType.Equal(other.StringType)
}

func (emailType) String() string { return "emailType" }

func (emailType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return emailValue{StringValue: in}, nil
}

func (t emailType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return emailValue{StringValue: s}, nil
}

func (emailType) ValueType(context.Context) attr.Value { return emailValue{} }

// emailValue is the value of an emailType attribute.
type emailValue struct {
	basetypes.StringValue
}

func emailValueOf(s string) emailValue { return emailValue{StringValue: basetypes.NewStringValue(s)} }

func (v emailValue) Equal(o attr.Value) bool {
	other, ok := o.(emailValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (emailValue) Type(context.Context) attr.Type { return emailType{} }

// StringSemanticEquals reports whether the platform treats both addresses as
// one. The framework calls it with known values only.
func (v emailValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(emailValue)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected an email value, got %T. This is a bug in the provider; please report it.", newValuable))
		return false, diags
	}
	return sameEmail(v.ValueString(), other.ValueString()), diags
}

var _ planmodifier.String = emailCasePlanModifier{}

// emailCasePlanModifier keeps the address in state when the configuration
// only changes its letter case (see the comment at the top of this file).
type emailCasePlanModifier struct{}

func (emailCasePlanModifier) Description(context.Context) string {
	return "a change of letter case alone is not a change of the address"
}

func (m emailCasePlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (emailCasePlanModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return // creating, or the configured address is not known yet
	}
	if sameEmail(req.ConfigValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
