package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestPlatformCheck(t *testing.T) {
	t.Parallel()
	v := platformCheck{description: "S3 region", check: access.CheckS3Region}
	at := path.Root("s3").AtName("region")
	cases := map[string]struct {
		value     types.String
		wantError string
	}{
		"a valid value passes":              {value: types.StringValue("eu-central-1")},
		"null is left to Required/Optional": {value: types.StringNull()},
		"unknown is checked at apply":       {value: types.StringUnknown()},
		"an invalid value gets the platform's message at the attribute": {
			value: types.StringValue("Frankfurt"), wantError: `"Frankfurt" is not a region name such as eu-central-1`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp := &validator.StringResponse{}
			v.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: tc.value}, resp)
			if tc.wantError == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				return
			}
			if len(resp.Diagnostics) != 1 {
				t.Fatalf("got %v, want one error", resp.Diagnostics)
			}
			d := resp.Diagnostics[0]
			withPath, ok := d.(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(at) || !strings.Contains(d.Detail(), tc.wantError) || d.Summary() != "Invalid S3 region" {
				t.Errorf("got %q / %q at %v", d.Summary(), d.Detail(), d)
			}
		})
	}
}
