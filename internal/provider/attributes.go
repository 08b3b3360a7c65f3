package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The attributes most resources share, built once so that they read, plan
// and validate alike everywhere.

// idAttribute is the platform-assigned id, stable for the object's life.
func idAttribute(noun string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Identifier the platform assigned to the " + noun + ".",
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// nameRule describes the platform's rule for names, for descriptions.
var nameRule = fmt.Sprintf("1-%d characters, no leading or trailing white space and no control or format characters "+
	"(line breaks, zero-width or bidirectional marks)", access.MaxNameLength)

// nameCheck is the platform's rule for every name, at plan time.
var nameCheck = platformCheck{description: "name", check: access.CheckName}

// nameAttribute is a required name checked at plan time by rule, the
// platform's own (nameCheck or a stricter one), so the plan refuses exactly
// what the apply would. unique says whether the platform keeps it unique.
func nameAttribute(what string, unique bool, rule platformCheck) schema.StringAttribute {
	description := upperFirst(what) + ", " + nameRule + "."
	if unique {
		description = upperFirst(what) + ", " + nameRule + "; unique in the account regardless of letter case and " +
			"Unicode compatibility forms (`Ｆｕｌｌ` and `full` are the same name)."
	}
	return schema.StringAttribute{
		MarkdownDescription: description,
		Required:            true,
		Validators:          []validator.String{rule},
	}
}

// descriptionAttribute is an optional free-text description, empty by
// default.
func descriptionAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: fmt.Sprintf("%s, at most %d characters. Defaults to an empty string.", upperFirst(what), access.MaxDescriptionLength),
		Optional:            true,
		Computed:            true,
		Default:             stringdefault.StaticString(""),
		Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(access.MaxDescriptionLength)},
	}
}

// createdAtAttribute is the creation time, which never changes.
func createdAtAttribute(noun string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "When the " + noun + " was created (RFC 3339).",
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}
