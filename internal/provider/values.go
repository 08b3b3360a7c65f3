package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// objectAsOptions reads nested objects into models; the objects read are
// always known (plan and state after validation), so nothing is unhandled.
var objectAsOptions = basetypes.ObjectAsOptions{}

// optionalString maps the platform's "not set" (an empty string) to null, so
// an optional attribute left out of the configuration stays out of state.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// quotedList renders values as `a`, `b` or `c` for descriptions.
func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	switch len(quoted) {
	case 0:
		return ""
	case 1:
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// plansNoChange reports whether a plan keeps an existing object exactly as
// its prior state, as a no-op plan does for every unchanged object.
// ModifyPlan has nothing to add then, and returning before decoding the plan
// and state into models saves the framework's reflection on every object of
// every plan.
func plansNoChange(req resource.ModifyPlanRequest) bool {
	return !req.State.Raw.IsNull() && !req.Plan.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw)
}
