package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestCIDRValidator(t *testing.T) {
	t.Parallel()
	at := path.Root("entries").AtSetValue(types.StringValue("x")).AtName("cidr")
	cases := []struct {
		name      string
		value     types.String
		wantError string // "" means valid
	}{
		{name: "an IPv4 prefix", value: types.StringValue("10.0.0.0/8")},
		{name: "a bare IPv4 address", value: types.StringValue("203.0.113.7")},
		{name: "a bare IPv6 address", value: types.StringValue("2001:db8::1")},
		{name: "an IPv6 prefix in a long spelling", value: types.StringValue("2001:0db8:0000::/32")},
		{name: "the whole internet", value: types.StringValue("0.0.0.0/0")},
		{name: "null is left to Required", value: types.StringNull()},
		{name: "unknown is checked at apply", value: types.StringUnknown()},
		{
			name: "host bits set name the canonical form", value: types.StringValue("10.1.2.3/24"),
			wantError: `"10.1.2.3/24" is not in canonical form: the address has bits set beyond the /24 mask; use "10.1.2.0/24"`,
		},
		{name: "IPv6 host bits too", value: types.StringValue("2001:db8::1/64"), wantError: `use "2001:db8::/64"`},
		{name: "a mask too long", value: types.StringValue("10.0.0.0/33"), wantError: `"10.0.0.0/33" is not a valid CIDR prefix`},
		{name: "a host name", value: types.StringValue("vpn.example.com"), wantError: "is not an IP address or CIDR prefix"},
		{name: "surrounding space", value: types.StringValue("10.0.0.1 "), wantError: "is not an IP address or CIDR prefix"},
		{name: "an IPv6 zone", value: types.StringValue("fe80::1%eth0"), wantError: "zone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := &validator.StringResponse{}
			cidrValidator.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: tc.value}, resp)
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
			if !ok || !withPath.Path().Equal(at) {
				t.Errorf("diagnostic is not attached to %s", at)
			}
			if d.Summary() != "Invalid CIDR" || !strings.Contains(d.Detail(), tc.wantError) {
				t.Errorf("got %q / %q, want Invalid CIDR / %q", d.Summary(), d.Detail(), tc.wantError)
			}
		})
	}
}
