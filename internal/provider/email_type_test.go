package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestEmailSemanticEquality(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		prior     string
		proposed  string
		wantEqual bool
	}{
		{"the same spelling is equal", "ada@example.com", "ada@example.com", true},
		{"another letter case is equal", "ada@example.com", "Ada@EXAMPLE.com", true},
		{"non-ASCII letters compare case-insensitively too", "jürgen@example.de", "JÜRGEN@example.de", true},
		{"another address is not equal", "ada@example.com", "ada@example.org", false},
		{"a lookalike is not equal", "ada@example.com", "ada@example.com.", false},
		// The platform's email key folds case and compatibility forms
		// (access.NameKey): final sigma is sigma, fullwidth is ASCII.
		{"what the platform folds together is equal", "σ@example.gr", "ς@example.gr", true},
		{"a fullwidth spelling is equal", "ada@example.com", "ａｄａ@example.com", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, diags := emailValueOf(tc.prior).StringSemanticEquals(context.Background(), emailValueOf(tc.proposed))
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
		_, diags := emailValueOf("ada@example.com").StringSemanticEquals(context.Background(), basetypes.NewStringValue("ada@example.com"))
		if !diags.HasError() {
			t.Errorf("got no error for a plain string value")
		}
	})
}

// FuzzSameEmail checks that the semantic equality agrees with the store's
// uniqueness key for any pair of strings, and is symmetric.
func FuzzSameEmail(f *testing.F) {
	for _, seed := range [][2]string{
		{"ada@example.com", "ADA@example.com"},
		{"σ@example.gr", "ς@example.gr"},
		{"K@example.com", "\u212a@example.com"}, // Kelvin sign
		{"İ@example.tr", "i̇@example.tr"},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ctx := context.Background()
		ab, _ := emailValueOf(a).StringSemanticEquals(ctx, emailValueOf(b))
		ba, _ := emailValueOf(b).StringSemanticEquals(ctx, emailValueOf(a))
		if ab != ba {
			t.Errorf("not symmetric: (%q, %q) = %v, reversed %v", a, b, ab, ba)
		}
		if want := access.NameKey(a) == access.NameKey(b); ab != want {
			t.Errorf("(%q, %q) = %v, but the store's email keys say %v", a, b, ab, want)
		}
	})
}

func TestEmailTypeRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, in := range map[string]tftypes.Value{
		"a known address": tftypes.NewValue(tftypes.String, "ada@example.com"),
		"null":            tftypes.NewValue(tftypes.String, nil),
		"unknown":         tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v, err := emailType{}.ValueFromTerraform(ctx, in)
			if err != nil {
				t.Fatalf("ValueFromTerraform: %v", err)
			}
			ev, ok := v.(emailValue)
			if !ok {
				t.Fatalf("got %T, want emailValue", v)
			}
			if !ev.Type(ctx).Equal(emailType{}) {
				t.Errorf("Type = %v, want emailType", ev.Type(ctx))
			}
			out, err := ev.ToTerraformValue(ctx)
			if err != nil || !out.Equal(in) {
				t.Errorf("ToTerraformValue = %v, %v; want %v", out, err, in)
			}
		})
	}
	if (emailType{}).Equal(basetypes.StringType{}) {
		t.Errorf("emailType equals a plain string type; the framework would not use its semantic equality")
	}
	if emailValueOf("ada@example.com").Equal(emailValueOf("ADA@example.com")) {
		t.Errorf("Equal must stay exact: only semantic equality ignores case")
	}
}

func TestEmailCasePlanModifier(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		state  types.String
		config types.String
		want   types.String // the planned value
	}{
		{"a case-only change plans the address in state",
			types.StringValue("ada@example.com"), types.StringValue("ADA@Example.com"), types.StringValue("ada@example.com")},
		{"another address plans the configured one",
			types.StringValue("ada@example.com"), types.StringValue("grace@example.com"), types.StringValue("grace@example.com")},
		{"creating plans the configured address",
			types.StringNull(), types.StringValue("ADA@Example.com"), types.StringValue("ADA@Example.com")},
		{"an address unknown until apply stays unknown",
			types.StringValue("ada@example.com"), types.StringUnknown(), types.StringUnknown()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := planmodifier.StringRequest{
				Path:        path.Root("email"),
				StateValue:  tc.state,
				ConfigValue: tc.config,
				PlanValue:   tc.config,
			}
			resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
			emailCasePlanModifier{}.PlanModifyString(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
			}
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("planned %v, want %v", resp.PlanValue, tc.want)
			}
		})
	}
}
