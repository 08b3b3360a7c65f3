package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestPermissionKeyValidator(t *testing.T) {
	t.Parallel()
	at := path.Root("permissions").AtSetValue(types.StringValue("x"))
	cases := map[string]struct {
		value       types.String
		wantError   bool
		wantMessage string
	}{
		"a catalog key is accepted":              {value: types.StringValue("campaign.view")},
		"a null value is left to Required":       {value: types.StringNull()},
		"an unknown value is checked later":      {value: types.StringUnknown()},
		"a typo is refused with the closest key": {value: types.StringValue("campaign.veiw"), wantError: true, wantMessage: `did you mean "campaign.view"?`},
		"a permission id is not a key":           {value: types.StringValue("229"), wantError: true, wantMessage: `unknown permission key "229"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp := &validator.StringResponse{}
			permissionKeyValidator{}.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: tc.value}, resp)
			if got := resp.Diagnostics.HasError(); got != tc.wantError {
				t.Fatalf("HasError = %v, want %v (%v)", got, tc.wantError, resp.Diagnostics)
			}
			if !tc.wantError {
				return
			}
			d := resp.Diagnostics.Errors()[0]
			if !strings.Contains(d.Detail(), tc.wantMessage) {
				t.Errorf("detail %q does not contain %q", d.Detail(), tc.wantMessage)
			}
			withPath, ok := d.(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(at) {
				t.Errorf("diagnostic is not attached to %s", at)
			}
		})
	}
}
