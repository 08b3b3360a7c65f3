package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestCIDRSemanticEquality(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		prior     string
		proposed  string
		wantEqual bool
	}{
		{"the same spelling is equal", "10.0.0.0/8", "10.0.0.0/8", true},
		{"a bare IPv4 address is its /32", "203.0.113.7", "203.0.113.7/32", true},
		{"a bare IPv6 address is its /128", "2001:db8::1", "2001:db8::1/128", true},
		{"IPv6 spellings of one prefix are equal", "2001:0db8:0000::/32", "2001:db8::/32", true},
		{"a bare address is not a wider prefix", "10.0.0.0", "10.0.0.0/8", false},
		{"another prefix length is another network", "10.0.0.0/8", "10.0.0.0/16", false},
		{"an IPv4-mapped IPv6 address is not the IPv4 address", "::ffff:10.0.0.1", "10.0.0.1", false},
		// Validation refuses these; equality must not hide them.
		{"a non-canonical prefix is not its canonical form", "10.1.2.3/24", "10.1.2.0/24", false},
		{"values that do not parse compare exactly", "office", "office", true},
		{"values that do not parse are not equal to others", "office", "10.0.0.1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, diags := cidrValueOf(tc.prior).StringSemanticEquals(context.Background(), cidrValueOf(tc.proposed))
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if got != tc.wantEqual {
				t.Errorf("StringSemanticEquals(%q, %q) = %v, want %v", tc.prior, tc.proposed, got, tc.wantEqual)
			}
		})
	}

	t.Run("another value type is a provider bug, reported", func(t *testing.T) {
		t.Parallel()
		_, diags := cidrValueOf("10.0.0.1").StringSemanticEquals(context.Background(), basetypes.NewStringValue("10.0.0.1"))
		if !diags.HasError() {
			t.Errorf("got no error for a plain string value")
		}
	})
}

// FuzzSameNetwork checks that the semantic equality is symmetric and agrees
// with the platform's canonical form for any pair of strings.
func FuzzSameNetwork(f *testing.F) {
	for _, seed := range [][2]string{
		{"203.0.113.7", "203.0.113.7/32"},
		{"2001:db8::1", "2001:0db8::1/128"},
		{"10.1.2.3/24", "10.1.2.0/24"},
		{"::ffff:1.2.3.4", "1.2.3.4"},
		{"fe80::1%eth0", "fe80::1"},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ctx := context.Background()
		ab, _ := cidrValueOf(a).StringSemanticEquals(ctx, cidrValueOf(b))
		ba, _ := cidrValueOf(b).StringSemanticEquals(ctx, cidrValueOf(a))
		if ab != ba {
			t.Errorf("not symmetric: (%q, %q) = %v, reversed %v", a, b, ab, ba)
		}
		ca, errA := access.CanonicalCIDR(a)
		cb, errB := access.CanonicalCIDR(b)
		want := a == b || (errA == nil && errB == nil && ca == cb)
		if ab != want {
			t.Errorf("(%q, %q) = %v, but the platform's canonical forms say %v", a, b, ab, want)
		}
	})
}

func TestCIDRTypeRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, in := range []tftypes.Value{
		tftypes.NewValue(tftypes.String, "203.0.113.7"),
		tftypes.NewValue(tftypes.String, nil),
		tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	} {
		v, err := cidrType{}.ValueFromTerraform(ctx, in)
		if err != nil {
			t.Fatalf("ValueFromTerraform(%v): %v", in, err)
		}
		cv, ok := v.(cidrValue)
		if !ok {
			t.Fatalf("ValueFromTerraform(%v) = %T, want cidrValue", in, v)
		}
		out, err := cv.ToTerraformValue(ctx)
		if err != nil || !out.Equal(in) {
			t.Errorf("round trip of %v gave %v, %v", in, out, err)
		}
		if !cv.Type(ctx).Equal(cidrType{}) {
			t.Errorf("Type() = %v, want cidrType", cv.Type(ctx))
		}
	}
}
