package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The rules on an allowlist's entries as a whole. Both run once per plan over
// every entry with a map, in linear time: allowlists hold thousands of
// entries, and comparing each entry with each other one would not do.

// entryField returns the string attribute name of one element of entries,
// and false when the element or the attribute is null or not known yet.
func entryField(elem attr.Value, name string) (string, bool) {
	obj, ok := elem.(basetypes.ObjectValue)
	if !ok || obj.IsNull() || obj.IsUnknown() {
		return "", false
	}
	field, ok := obj.Attributes()[name].(basetypes.StringValuable)
	if !ok {
		return "", false
	}
	v, diags := field.ToStringValue(context.Background())
	if diags.HasError() || v.IsNull() || v.IsUnknown() {
		return "", false
	}
	return v.ValueString(), true
}

// entryKey identifies an element of entries as the platform does: by its
// network however spelled, and its description. False when either is not
// known yet.
func entryKey(elem attr.Value) (string, bool) {
	cidr, okC := entryField(elem, "cidr")
	description, okD := entryField(elem, "description")
	if !okC || !okD {
		return "", false
	}
	return canonicalOrSelf(cidr) + "\x00" + description, true
}

var _ validator.Set = distinctCIDRsValidator{}

// distinctCIDRsValidator refuses two entries for one network, however they
// are spelled ("10.0.0.1" and "10.0.0.1/32"), as the platform does. Two
// identical entries collapse into one in a set; these differ in spelling or
// in description. Entries that are not valid CIDRs are left to the cidr
// attribute's own validator.
type distinctCIDRsValidator struct{}

func (distinctCIDRsValidator) Description(context.Context) string {
	return "each network must be listed once"
}

func (v distinctCIDRsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (distinctCIDRsValidator) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	firstSpelling := make(map[string]string, len(elems)) // canonical form -> first spelling seen
	for _, elem := range elems {
		cidr, known := entryField(elem, "cidr")
		if !known {
			continue
		}
		canonical, err := access.CanonicalCIDR(cidr)
		if err != nil {
			continue
		}
		first, dup := firstSpelling[canonical]
		if !dup {
			firstSpelling[canonical] = cidr
			continue
		}
		detail := fmt.Sprintf("%s is listed more than once; list each network once, with one description.", canonical)
		if first != cidr {
			detail = fmt.Sprintf("%q and %q are the same network, %s; list each network once.", first, cidr, canonical)
		}
		resp.Diagnostics.AddAttributeError(req.Path.AtSetValue(elem).AtName("cidr"), "Duplicate allowlist entry", detail)
	}
}

var _ planmodifier.Set = equivalentEntriesPlanModifier{}

// equivalentEntriesPlanModifier plans, for every configured entry that the
// platform treats as an entry already in state (same network, however
// spelled, and same description), the entry as state has it. A configuration
// that only respells networks ("203.0.113.7" for "203.0.113.7/32") then plans
// exactly the prior value, which Terraform accepts as equivalent to the
// configuration (objchange.AssertPlanValid), and the plan is empty; see
// cidr_type.go for the other direction.
type equivalentEntriesPlanModifier struct{}

func (equivalentEntriesPlanModifier) Description(context.Context) string {
	return "respelling a network (a bare address for its /32 or /128) is not a change"
}

func (m equivalentEntriesPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (equivalentEntriesPlanModifier) PlanModifySet(ctx context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return // creating, or the entries are not known yet
	}
	inState := make(map[string]attr.Value, len(req.StateValue.Elements()))
	for _, elem := range req.StateValue.Elements() {
		if key, known := entryKey(elem); known {
			inState[key] = elem
		}
	}
	planned := req.PlanValue.Elements()
	changed := false
	for i, elem := range planned {
		key, known := entryKey(elem)
		if !known {
			continue
		}
		prior, ok := inState[key]
		if !ok {
			continue
		}
		delete(inState, key) // each state entry stands in for one planned entry
		if !prior.Equal(elem) {
			planned[i] = prior
			changed = true
		}
	}
	if !changed {
		return
	}
	v, diags := types.SetValue(req.PlanValue.ElementType(ctx), planned)
	resp.Diagnostics.Append(diags...)
	if !diags.HasError() {
		resp.PlanValue = v
	}
}
