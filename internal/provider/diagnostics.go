package provider

import (
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// addServiceError turns an error from access.Service into diagnostics: the
// one place where backend errors meet Terraform. summary names the action
// ("Unable to update role"). Each invalid field of an *access.ValidationError
// becomes an attribute error at that attribute, so Terraform underlines it.
func addServiceError(diags *diag.Diagnostics, summary string, err error) {
	var verr *access.ValidationError
	if errors.As(err, &verr) && len(verr.Fields) > 0 {
		for _, f := range verr.Fields {
			// The field leads the text because Terraform shows a nested
			// attribute's error at its enclosing block.
			diags.AddAttributeError(attributePath(f.Field), summary, f.Field+": "+f.Message)
		}
		return
	}
	diags.AddError(summary, err.Error())
}

// attributePath maps a field name as access spells it ("sso.idp_sso_url")
// to a Terraform attribute path.
func attributePath(field string) path.Path {
	parts := strings.Split(field, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p
}
