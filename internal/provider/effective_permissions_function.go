package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ function.Function = (*effectivePermissionsFunction)(nil)

// NewEffectivePermissionsFunction is provider::engage::effective_permissions.
func NewEffectivePermissionsFunction() function.Function { return &effectivePermissionsFunction{} }

// effectivePermissionsFunction computes what a role would grant from the
// embedded catalog, so a local or a policy can reason about a role before it
// exists. It needs no backend, hence no provider configuration.
type effectivePermissionsFunction struct{}

func (f *effectivePermissionsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "effective_permissions"
}

func (f *effectivePermissionsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The permissions a role with these permissions grants, dependencies included",
		MarkdownDescription: "Returns the dependency closure of a list of permission keys: every key plus every key it " +
			"enables automatically, transitively, sorted and without duplicates. This is what `engage_role`'s " +
			"`effective_permissions` will be for the same `permissions`. Computed from the catalog built into " +
			"the provider; no provider configuration or backend is needed.",
		Parameters: []function.Parameter{
			function.ListParameter{
				Name:                "permissions",
				ElementType:         types.StringType,
				MarkdownDescription: "Permission keys, e.g. `[\"campaign.publish\"]`. Every key must be in the catalog (see the `engage_permissions` data source).",
			},
		},
		Return: function.ListReturn{ElementType: types.StringType},
	}
}

func (f *effectivePermissionsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var keys []types.String
	resp.Error = req.Arguments.Get(ctx, &keys)
	if resp.Error != nil {
		return
	}
	catalog := access.DefaultCatalog()
	plain := make([]string, len(keys))
	for i, k := range keys {
		if k.IsNull() {
			resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("permissions[%d] is null; every element must be a permission key", i))
			return
		}
		if _, ok := catalog.Lookup(k.ValueString()); !ok {
			resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("permissions[%d]: %s", i, catalog.UnknownKeyMessage(k.ValueString())))
			return
		}
		plain[i] = k.ValueString()
	}
	closure, diags := types.ListValueFrom(ctx, types.StringType, catalog.Closure(plain))
	resp.Error = function.FuncErrorFromDiags(ctx, diags)
	if resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, closure)
}
