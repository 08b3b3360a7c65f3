package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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

var _ validator.List = distinctCIDRsValidator{}

// distinctCIDRsValidator refuses two entries for one network, however they
// are spelled ("10.0.0.1" and "10.0.0.1/32"), as the platform does: the
// same entry twice, or one network with two descriptions. Entries that are
// not valid CIDRs are left to the cidr attribute's own validator.
type distinctCIDRsValidator struct{}

func (distinctCIDRsValidator) Description(context.Context) string {
	return "each network must be listed once"
}

func (v distinctCIDRsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (distinctCIDRsValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
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
		// At the list, not at entries[i].cidr: Terraform shows the
		// configuration line of the list then, and the detail names the
		// network.
		resp.Diagnostics.AddAttributeError(req.Path, "Duplicate allowlist entry", detail)
	}
}

var _ planmodifier.List = equivalentEntriesPlanModifier{}

// equivalentEntriesPlanModifier plans the prior entries when the
// configuration holds the same entries as the platform sees them, only in
// another order or spelling ("203.0.113.7" for "203.0.113.7/32"). Terraform
// accepts the prior value as equivalent to the configuration
// (objchange.AssertPlanValid), and the plan is empty: entries behave as a
// set although they are a list (allowlist_entries_type.go).
//
// When entries really change, the configuration is planned, except that an
// entry the prior value holds at the same position, respelled, keeps the
// prior spelling: Terraform accepts, position by position, the configured or
// the prior value, so that only the real change shows. After apply,
// ListSemanticEquals keeps the planned value in state.
type equivalentEntriesPlanModifier struct{}

func (equivalentEntriesPlanModifier) Description(context.Context) string {
	return "reordering entries, or respelling a network (a bare address for its /32 or /128), is not a change"
}

func (m equivalentEntriesPlanModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (equivalentEntriesPlanModifier) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return // creating, or the entries are not known yet
	}
	planned, prior := req.PlanValue.Elements(), req.StateValue.Elements()
	if sameEntrySets(planned, prior) {
		resp.PlanValue = req.StateValue
		return
	}
	changed := false
	for i := range min(len(planned), len(prior)) {
		key, known := entryKey(planned[i])
		if priorKey, priorKnown := entryKey(prior[i]); known && priorKnown && key == priorKey && !planned[i].Equal(prior[i]) {
			planned[i] = prior[i]
			changed = true
		}
	}
	if !changed {
		return
	}
	v, diags := types.ListValue(req.PlanValue.ElementType(ctx), planned)
	resp.Diagnostics.Append(diags...)
	if !diags.HasError() {
		resp.PlanValue = v
	}
}

// entriesInPriorOrder returns the platform's entries as elements of
// entries, in the order prior holds them: an entry prior holds keeps its
// position, and its spelling when the platform holds the same network with
// the same description; entries prior lacks follow, in the platform's
// order. So a refresh after a change made in the console differs from state
// by exactly the entries that changed, and a plan shows only those.
func entriesInPriorOrder(prior allowlistEntriesValue, got []access.AllowlistEntry, diags *diag.Diagnostics) []attr.Value {
	elemOf := func(e access.AllowlistEntry) attr.Value {
		obj, d := types.ObjectValue(allowlistEntryAttrTypes, map[string]attr.Value{
			"cidr":        cidrValueOf(e.CIDR),
			"description": types.StringValue(e.Description),
		})
		diags.Append(d...)
		return obj
	}
	out := make([]attr.Value, 0, len(got))
	placed := make([]bool, len(got))
	if !prior.IsNull() && !prior.IsUnknown() {
		index := make(map[string]int, len(got)) // canonical network -> position in got
		for i, e := range got {
			index[canonicalOrSelf(e.CIDR)] = i
		}
		for _, elem := range prior.Elements() {
			cidr, known := entryField(elem, "cidr")
			if !known {
				continue
			}
			i, ok := index[canonicalOrSelf(cidr)]
			if !ok || placed[i] {
				continue // removed outside Terraform, or listed twice
			}
			placed[i] = true
			if key, _ := entryKey(elem); key == canonicalOrSelf(got[i].CIDR)+"\x00"+got[i].Description {
				out = append(out, elem)
			} else {
				out = append(out, elemOf(got[i]))
			}
		}
	}
	for i, e := range got {
		if !placed[i] {
			out = append(out, elemOf(e))
		}
	}
	return out
}
