package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = platformCheck{}

// platformCheck runs one of the platform's own field checks (access.Check*)
// at plan time, so configuration is refused by exactly the rule the platform
// would apply at apply time, and the message is the platform's.
type platformCheck struct {
	description string
	check       func(string) string // "" when valid, else what is wrong
}

func (v platformCheck) Description(context.Context) string { return v.description }

func (v platformCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v platformCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.check(req.ConfigValue.ValueString()); msg != "" {
		// Terraform shows a nested attribute's error at its enclosing
		// block, so the text names the attribute, as the framework's own
		// validators do.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.description, req.Path.String()+": "+msg)
	}
}
