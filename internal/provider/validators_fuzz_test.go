package provider

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// platformRules maps each platformCheck's description to the platform rule
// it must apply, independently of the validator's own check field, so that a
// validator wired to the wrong rule is caught.
var platformRules = map[string]func(string) string{
	"CIDR": func(s string) string {
		if _, err := access.CanonicalCIDR(s); err != nil {
			return err.Error()
		}
		return ""
	},
	"SFTP host":            access.CheckHost,
	"SFTP path":            access.CheckSFTPPath,
	"host key fingerprint": access.CheckHostKeySHA256,
	"S3 bucket":            access.CheckS3Bucket,
	"S3 region":            access.CheckS3Region,
	"S3 prefix":            access.CheckS3Prefix,
	"identifier":           access.CheckIdentifier,
	"IdP SSO URL":          access.CheckHTTPSURL,
	"IdP certificate": func(s string) string {
		if _, err := access.ParseCertificatePEM(s); err != nil {
			return err.Error()
		}
		return ""
	},
	"credential name": access.CheckCredentialName,
	"name":            access.CheckName,
	"role name":       access.CheckRoleName,
	"email address":   access.CheckEmail,
}

// stringValidatorAt is one string validator of a schema, with where it sits.
type stringValidatorAt struct {
	at path.Path
	v  validator.String
}

// schemaStringValidators finds every string validator in the provider's,
// every resource's, data source's and action's schema, nested attributes
// included, so that a validator added later is fuzzed without anyone
// remembering to list it here.
func schemaStringValidators(t testing.TB) []stringValidatorAt {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var out []stringValidatorAt
	var pr provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &pr)
	collectStringValidators(path.Empty(), reflect.ValueOf(pr.Schema.GetAttributes()), &out)
	for _, newResource := range p.Resources(ctx) {
		var r resource.SchemaResponse
		newResource().Schema(ctx, resource.SchemaRequest{}, &r)
		collectStringValidators(path.Empty(), reflect.ValueOf(r.Schema.GetAttributes()), &out)
	}
	for _, newDataSource := range p.DataSources(ctx) {
		var r datasource.SchemaResponse
		newDataSource().Schema(ctx, datasource.SchemaRequest{}, &r)
		collectStringValidators(path.Empty(), reflect.ValueOf(r.Schema.GetAttributes()), &out)
	}
	if withActions, ok := p.(provider.ProviderWithActions); ok {
		for _, newAction := range withActions.Actions(ctx) {
			var r action.SchemaResponse
			newAction().Schema(ctx, action.SchemaRequest{}, &r)
			collectStringValidators(path.Empty(), reflect.ValueOf(r.Schema.GetAttributes()), &out)
		}
	}
	return out
}

// collectStringValidators walks a map of attributes. The schema packages
// (provider, resource, data source, action) have distinct attribute types
// with the same methods, reached here by name.
func collectStringValidators(at path.Path, attrs reflect.Value, out *[]stringValidatorAt) {
	iter := attrs.MapRange()
	for iter.Next() {
		name, a := iter.Key().String(), iter.Value()
		if a.Kind() == reflect.Interface {
			a = a.Elem() // the concrete attribute, whose methods are wanted
		}
		if sv, ok := a.Interface().(interface{ StringValidators() []validator.String }); ok {
			for _, v := range sv.StringValidators() {
				*out = append(*out, stringValidatorAt{at: at.AtName(name), v: v})
			}
		}
		if m := a.MethodByName("GetNestedObject"); m.IsValid() {
			nested := m.Call(nil)[0].MethodByName("GetAttributes").Call(nil)[0]
			collectStringValidators(at.AtName(name), nested, out)
		}
	}
}

// FuzzStringValidators runs every custom string validator of every schema on
// any value: none panics, each refuses exactly what the rule it wraps
// refuses (the platform's rule for platformCheck, time.ParseDuration for
// durations, the catalog for permission keys), and each refusal is one
// error at the attribute's own path whose detail names the attribute.
func FuzzStringValidators(f *testing.F) {
	for _, seed := range []string{
		"", "10.0.0.0/8", "10.1.2.3/24", "::ffff:1.2.3.4", "sftp.example.com", "/exports", "my-bucket",
		"eu-central-1", "prefix/", "customer_email", "https://idp.example.com/sso", "https://u:p@idp",
		"sftp_prod", "ada@example.com", "Ada <ada@example.com>", "30s", "-1s", "0", "1h2m", "campaign.view",
		"campaign.veiw", "SHA256:" + strings.Repeat("A", 43), "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
	} {
		f.Add(seed)
	}
	validators := schemaStringValidators(f)
	found := map[string]bool{}
	for _, sv := range validators {
		if pc, ok := sv.v.(platformCheck); ok {
			if platformRules[pc.description] == nil {
				f.Fatalf("%s: platformCheck %q has no rule in platformRules; add the access rule it must apply", sv.at, pc.description)
			}
			found[pc.description] = true
		}
		if _, ok := sv.v.(durationValidator); ok {
			found["duration"] = true
		}
	}
	for want := range platformRules {
		if !found[want] {
			f.Fatalf("no schema uses the platformCheck %q: the schema walk is broken, or the rule is stale", want)
		}
	}
	if !found["duration"] {
		f.Fatal("no schema uses durationValidator: the schema walk is broken")
	}
	// Permission keys sit inside setvalidator.ValueStringsAre, which the
	// walk does not open; fuzz the validator directly.
	validators = append(validators, stringValidatorAt{at: path.Root("permissions").AtSetValue(types.StringValue("x")), v: permissionKeyValidator{}})
	catalog := access.DefaultCatalog()

	f.Fuzz(func(t *testing.T, s string) {
		ctx := context.Background()
		for _, sv := range validators {
			var wantMessage string // "" means valid
			switch v := sv.v.(type) {
			case platformCheck:
				wantMessage = platformRules[v.description](s)
			case durationValidator:
				if d, err := time.ParseDuration(s); err != nil || d <= 0 {
					wantMessage = `got "` + s + `"`
				}
			case permissionKeyValidator:
				if _, ok := catalog.Lookup(s); !ok {
					wantMessage = catalog.UnknownKeyMessage(s)
				}
			default:
				continue // a framework validator, tested upstream
			}
			resp := &validator.StringResponse{}
			sv.v.ValidateString(ctx, validator.StringRequest{Path: sv.at, ConfigValue: types.StringValue(s)}, resp)
			if wantMessage == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("%s = %q: %T refuses what its rule accepts: %v", sv.at, s, sv.v, resp.Diagnostics)
				}
				continue
			}
			if len(resp.Diagnostics) != 1 || !resp.Diagnostics.HasError() {
				t.Fatalf("%s = %q: %T gave %v, want one error (the rule says %q)", sv.at, s, sv.v, resp.Diagnostics, wantMessage)
			}
			d := resp.Diagnostics[0]
			withPath, ok := d.(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(sv.at) {
				t.Fatalf("%s = %q: the error is not at the attribute: %v", sv.at, s, d)
			}
			if d.Summary() == "" || !strings.Contains(d.Detail(), wantMessage) {
				t.Fatalf("%s = %q: %q / %q does not carry the rule's message %q", sv.at, s, d.Summary(), d.Detail(), wantMessage)
			}
			if _, isKey := sv.v.(permissionKeyValidator); !isKey && !strings.Contains(d.Detail(), sv.at.String()) {
				t.Fatalf("%s = %q: the detail %q does not name the attribute", sv.at, s, d.Detail())
			}
		}
		// Null and unknown are never refused: Required and apply time deal
		// with them.
		for _, sv := range validators {
			for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
				resp := &validator.StringResponse{}
				sv.v.ValidateString(ctx, validator.StringRequest{Path: sv.at, ConfigValue: v}, resp)
				if _, custom := sv.v.(platformCheck); custom && resp.Diagnostics.HasError() {
					t.Fatalf("%s: %T refuses %v", sv.at, sv.v, v)
				}
			}
		}
	})
}

// FuzzEmailCasePlanModifier: a configured address that the platform treats
// as the one in state (same email key) plans the state's spelling; any other
// plans the configuration.
func FuzzEmailCasePlanModifier(f *testing.F) {
	f.Add("ada@example.com", "ADA@Example.com")
	f.Add("ada@example.com", "grace@example.com")
	f.Add("σ@example.gr", "ς@example.gr")
	f.Add("K@example.com", "\u212a@example.com")
	f.Fuzz(func(t *testing.T, state, config string) {
		req := planmodifier.StringRequest{
			Path: path.Root("email"), StateValue: types.StringValue(state),
			ConfigValue: types.StringValue(config), PlanValue: types.StringValue(config),
		}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		emailCasePlanModifier{}.PlanModifyString(context.Background(), req, resp)
		want := config
		if access.NameKey(state) == access.NameKey(config) {
			want = state
		}
		if resp.Diagnostics.HasError() || resp.PlanValue.ValueString() != want {
			t.Fatalf("state %q, config %q: planned %v (%v), want %q", state, config, resp.PlanValue, resp.Diagnostics, want)
		}
	})
}

// FuzzAllowlistEntries checks the rules on a list of entries against the
// platform's own, for two configured entries and one prior entry:
//   - distinctCIDRsValidator refuses exactly what ValidateIPAllowlist
//     refuses as one network listed twice;
//   - ListSemanticEquals is symmetric and agrees with what the platform
//     stores for each side;
//   - the plan modifier plans the prior entries exactly when the platform
//     stores them as it would store the configured ones, and otherwise the
//     configuration as written.
func FuzzAllowlistEntries(f *testing.F) {
	f.Add("10.0.0.1", "", "10.0.0.1/32", "", "10.0.0.1/32", "")
	f.Add("2001:db8::/32", "a", "2001:0db8::/32", "b", "2001:db8::/32", "a")
	f.Add("10.1.2.3/24", "x", "10.1.2.3/24", "x", "10.1.2.0/24", "x")
	f.Add("203.0.113.7", "Berlin", "192.0.2.0/24", "", "203.0.113.7/32", "Berlin")
	f.Add("office", "", "office", "", "::ffff:1.2.3.4", "")
	f.Fuzz(func(t *testing.T, cidr1, desc1, cidr2, desc2, priorCIDR, priorDesc string) {
		ctx := context.Background()
		e1, e2, prior := fuzzEntry(cidr1, desc1), fuzzEntry(cidr2, desc2), fuzzEntry(priorCIDR, priorDesc)
		config := fuzzEntries(e1, e2)
		platform := func(entries ...access.AllowlistEntry) ([]access.AllowlistEntry, error) {
			l, err := access.ValidateIPAllowlist(access.IPAllowlist{Name: "fuzz", Entries: entries})
			return l.Entries, err
		}
		c1, err1 := access.CanonicalCIDR(cidr1)
		c2, err2 := access.CanonicalCIDR(cidr2)

		vresp := &validator.ListResponse{}
		distinctCIDRsValidator{}.ValidateList(ctx, validator.ListRequest{Path: path.Root("entries"), ConfigValue: config}, vresp)
		if want := err1 == nil && err2 == nil && c1 == c2; vresp.Diagnostics.HasError() != want {
			t.Fatalf("%q, %q: distinct-networks check says %v, the platform says one network twice: %v", cidr1, cidr2, vresp.Diagnostics, want)
		}

		// Semantic equality of the configuration and {e1, prior}.
		priorList := fuzzEntries(e1, prior)
		ab, d1 := allowlistEntriesValue{ListValue: config}.ListSemanticEquals(ctx, allowlistEntriesValue{ListValue: priorList})
		ba, d2 := allowlistEntriesValue{ListValue: priorList}.ListSemanticEquals(ctx, allowlistEntriesValue{ListValue: config})
		if d1.HasError() || d2.HasError() || ab != ba {
			t.Fatalf("semantic equality not symmetric: %v / %v (%v %v)", ab, ba, d1, d2)
		}
		stored1, errA := platform(access.AllowlistEntry{CIDR: cidr1, Description: desc1}, access.AllowlistEntry{CIDR: cidr2, Description: desc2})
		stored2, errB := platform(access.AllowlistEntry{CIDR: cidr1, Description: desc1}, access.AllowlistEntry{CIDR: priorCIDR, Description: priorDesc})
		if errA == nil && errB == nil {
			if same := slices.Equal(stored1, stored2); ab != same {
				t.Fatalf("semantic equality says %v, but the platform stores %v and %v", ab, stored1, stored2)
			}
		}

		// The plan modifier, with {e1, prior} in state.
		mresp := &planmodifier.ListResponse{PlanValue: config}
		equivalentEntriesPlanModifier{}.PlanModifyList(ctx, planmodifier.ListRequest{
			Path: path.Root("entries"), StateValue: priorList, PlanValue: config, ConfigValue: config,
		}, mresp)
		if mresp.Diagnostics.HasError() {
			t.Fatalf("plan modifier: %v", mresp.Diagnostics)
		}
		want := config
		if ab {
			want = priorList
		}
		if !mresp.PlanValue.Equal(want) {
			t.Fatalf("planned %v for configuration %v and state %v; want %v", mresp.PlanValue, config, priorList, want)
		}
	})
}

// fuzzEntry is one element of entries.
func fuzzEntry(cidr, description string) attr.Value {
	return types.ObjectValueMust(allowlistEntryAttrTypes, map[string]attr.Value{
		"cidr":        cidrValueOf(cidr),
		"description": types.StringValue(description),
	})
}

func fuzzEntries(elems ...attr.Value) types.List {
	return types.ListValueMust(types.ObjectType{AttrTypes: allowlistEntryAttrTypes}, elems)
}
