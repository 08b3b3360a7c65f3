package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ validator.String = permissionKeyValidator{}

// permissionKeyValidator checks that a string is a key of the embedded
// permission catalog, and suggests the closest key when it is not. The
// framework validators cannot express "one of these, or say which you meant".
type permissionKeyValidator struct{}

func (permissionKeyValidator) Description(context.Context) string {
	return "value must be a permission key of the platform's catalog"
}

func (v permissionKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (permissionKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	catalog := access.DefaultCatalog()
	if _, ok := catalog.Lookup(req.ConfigValue.ValueString()); !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Unknown permission key",
			catalog.UnknownKeyMessage(req.ConfigValue.ValueString())+
				" The engage_permissions data source lists every key.")
	}
}
