package provider

import (
	"context"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestWholeNumberTypeReportsWhatIsNotAWholeNumberAtTheAttribute(t *testing.T) {
	t.Parallel()
	number := func(f *big.Float) tftypes.Value { return tftypes.NewValue(tftypes.Number, f) }
	cases := []struct {
		name    string
		in      tftypes.Value
		want    wholeNumberValue // when wantErr is empty
		wantErr string
	}{
		{name: "a whole number is its int64", in: number(big.NewFloat(90)), want: wholeNumberValueOf(90)},
		{name: "negative zero is zero", in: number(big.NewFloat(math.Copysign(0, -1))), want: wholeNumberValueOf(0)},
		{name: "the largest int64 is accepted", in: number(new(big.Float).SetInt64(math.MaxInt64)), want: wholeNumberValueOf(math.MaxInt64)},
		{name: "unknown stays unknown", in: tftypes.NewValue(tftypes.Number, tftypes.UnknownValue), want: wholeNumberValue{Int64Value: types.Int64Unknown()}},
		{name: "null stays null", in: tftypes.NewValue(tftypes.Number, nil), want: wholeNumberValue{Int64Value: types.Int64Null()}},
		{name: "a fraction is an attribute error", in: number(big.NewFloat(90.5)),
			wantErr: "Attribute n must be a whole number, got 90.5"},
		{name: "a number beyond int64 is an attribute error", in: number(big.NewFloat(1e300)),
			wantErr: "Attribute n must be a whole number from -9223372036854775808 to 9223372036854775807, got 1e+300"},
		{name: "one past the largest int64 is an attribute error", in: number(new(big.Float).SetUint64(math.MaxInt64 + 1)),
			wantErr: "Attribute n must be a whole number from -9223372036854775808 to 9223372036854775807, got 9.223372036854775808e+18"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// Read the value the way the framework reads configuration in
			// ValidateProviderConfig and friends: convert, then validate.
			config := tfsdk.Config{
				Schema: schema.Schema{Attributes: map[string]schema.Attribute{
					"n": schema.Int64Attribute{CustomType: wholeNumberType{}, Optional: true},
				}},
				Raw: tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"n": tftypes.Number}},
					map[string]tftypes.Value{"n": tc.in}),
			}
			var got wholeNumberValue
			diags := config.GetAttribute(ctx, path.Root("n"), &got)

			if tc.wantErr == "" {
				if diags.HasError() {
					t.Fatalf("unexpected diagnostics: %v", diags)
				}
				if !got.Equal(tc.want) {
					t.Errorf("got %s, want %s", got, tc.want)
				}
				return
			}
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want one error, got %v", diags)
			}
			d := diags.Errors()[0]
			if d.Summary() != "Invalid Attribute Value" || d.Detail() != tc.wantErr {
				t.Errorf("got %q: %q, want %q", d.Summary(), d.Detail(), tc.wantErr)
			}
			if strings.Contains(d.Detail(), "provider") {
				t.Errorf("the error blames the provider: %q", d.Detail())
			}
			withPath, ok := d.(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(path.Root("n")) {
				t.Errorf("the error is not at attribute n: %#v", d)
			}
		})
	}
}

func TestWholeNumberValueIsAnInt64OnTheWire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if got := (wholeNumberType{}).TerraformType(ctx); !got.Equal(tftypes.Number) {
		t.Fatalf("TerraformType() = %s, want Number: state and plans would change type", got)
	}
	// State written while the attribute was a plain types.Int64Type reads
	// back as the same number, and is written out unchanged.
	written, err := types.Int64Value(90).ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	read, err := wholeNumberType{}.ValueFromTerraform(ctx, written)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := read.(wholeNumberValue); !ok || v.ValueInt64() != 90 {
		t.Errorf("read back %#v, want the whole number 90", read)
	}
	again, err := read.ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Equal(written) {
		t.Errorf("written back as %s, want %s", again, written)
	}
}

func TestWholeNumberValueThatIsNotWholeNeverPassesForAnInt64(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := tftypes.NewValue(tftypes.Number, big.NewFloat(1.5))
	v, err := wholeNumberType{}.ValueFromTerraform(ctx, in)
	if err != nil {
		t.Fatalf("ValueFromTerraform: %v", err)
	}
	whole, ok := v.(wholeNumberValue)
	if !ok {
		t.Fatalf("ValueFromTerraform gave %T, want wholeNumberValue", v)
	}
	if _, diags := whole.ToInt64Value(ctx); !diags.HasError() {
		t.Errorf("ToInt64Value of 1.5 gave no error")
	}
	if v.Equal(wholeNumberValueOf(1)) {
		t.Errorf("1.5 equals 1")
	}
	out, err := v.ToTerraformValue(ctx)
	if err != nil || !out.Equal(in) {
		t.Errorf("ToTerraformValue = %s, %v; want the configured 1.5 back", out, err)
	}
}
