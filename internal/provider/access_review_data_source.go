package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ datasource.DataSourceWithConfigure = (*accessReviewDataSource)(nil)

// NewAccessReviewDataSource is the engage_access_review data source.
func NewAccessReviewDataSource() datasource.DataSource { return &accessReviewDataSource{} }

type accessReviewDataSource struct {
	data *providerData
}

// Upper bounds of the review's thresholds: generous, and small enough that
// days convert to a time.Duration without overflow.
const (
	maxReviewAdmins = 1000
	maxReviewDays   = 3650
)

type accessReviewModel struct {
	MaxAdmins            wholeNumberValue `tfsdk:"max_admins"`
	InactiveAfterDays    wholeNumberValue `tfsdk:"inactive_after_days"`
	CredentialMaxAgeDays wholeNumberValue `tfsdk:"credential_max_age_days"`
	Findings             types.List       `tfsdk:"findings"`
	Counts               types.Map        `tfsdk:"counts"`
	Total                wholeNumberValue `tfsdk:"total"`
}

type findingModel struct {
	Check      types.String `tfsdk:"check"`
	Severity   types.String `tfsdk:"severity"`
	ObjectType types.String `tfsdk:"object_type"`
	ObjectID   types.String `tfsdk:"object_id"`
	ObjectName types.String `tfsdk:"object_name"`
	Message    types.String `tfsdk:"message"`
}

var findingAttrTypes = map[string]attr.Type{
	"check":       types.StringType,
	"severity":    types.StringType,
	"object_type": types.StringType,
	"object_id":   types.StringType,
	"object_name": types.StringType,
	"message":     types.StringType,
}

func (d *accessReviewDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_review"
}

func (d *accessReviewDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reviews the whole account against the platform's security best practices and returns " +
			"the findings as data, for an output, a `check` block or a policy. Reading it lists each kind of object " +
			"once (one paginated list call per collection on the REST backend).\n\n" + reviewChecksMarkdown(),
		Attributes: map[string]schema.Attribute{
			"max_admins": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many enabled users may hold Full Admin before `%s` findings become warnings, 0-%d. Defaults to %d.",
					access.CheckFullAdminUser, maxReviewAdmins, access.DefaultMaxAdmins),
				CustomType: wholeNumberType{},
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.Between(0, maxReviewAdmins)},
			},
			"inactive_after_days": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Days without a login after which a user is inactive, and an unanswered invitation stale, 1-%d. Defaults to %d.",
					maxReviewDays, access.DefaultInactiveAfterDays),
				CustomType: wholeNumberType{},
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxReviewDays)},
			},
			"credential_max_age_days": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Days after which a transfer credential's secret is due for rotation, 1-%d. Defaults to %d.",
					maxReviewDays, access.DefaultCredentialMaxAgeDays),
				CustomType: wholeNumberType{},
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxReviewDays)},
			},
			"findings": schema.ListNestedAttribute{
				MarkdownDescription: "What the review found, sorted by check, object type, object name and object id.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"check":       schema.StringAttribute{MarkdownDescription: "Identifier of the check (see the list above); stable across releases.", Computed: true},
					"severity":    schema.StringAttribute{MarkdownDescription: "`" + access.SeverityInfo + "` (to look at) or `" + access.SeverityWarning + "` (to fix).", Computed: true},
					"object_type": schema.StringAttribute{MarkdownDescription: "Kind of object the finding is about: `user`, `role`, `export_destination`, `transfer_credential`, `security_settings` or `account`.", Computed: true},
					"object_id":   schema.StringAttribute{MarkdownDescription: "Identifier of the object; `account` for account-wide findings.", Computed: true},
					"object_name": schema.StringAttribute{MarkdownDescription: "Name of the object: a user's email, a role's, destination's or credential's name; `account` for account-wide findings.", Computed: true},
					"message":     schema.StringAttribute{MarkdownDescription: "What is wrong and what to do about it.", Computed: true},
				}},
			},
			"counts": schema.MapAttribute{
				MarkdownDescription: "Number of findings by check identifier; every check is present, with 0 when it found nothing.",
				ElementType:         wholeNumberType{},
				Computed:            true,
			},
			"total": schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				MarkdownDescription: "Number of findings of every check and severity.",
				Computed:            true,
			},
		},
	}
}

// reviewChecksMarkdown documents the check identifiers for the data
// source's page, from the list the review itself runs.
func reviewChecksMarkdown() string {
	var b strings.Builder
	b.WriteString("Checks (`check` identifiers):\n")
	for _, c := range access.ReviewChecks {
		fmt.Fprintf(&b, "\n- `%s`: %s.", c.ID, c.Description)
	}
	return b.String()
}

func (d *accessReviewDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *accessReviewDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m accessReviewModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := access.DefaultReviewOptions()
	m.MaxAdmins = intOrDefault(m.MaxAdmins, &opts.MaxAdmins)
	m.InactiveAfterDays = intOrDefault(m.InactiveAfterDays, &opts.InactiveAfterDays)
	m.CredentialMaxAgeDays = intOrDefault(m.CredentialMaxAgeDays, &opts.CredentialMaxAgeDays)

	account, err := access.ReadAccountSnapshot(ctx, d.data.service)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to review access", err)
		return
	}
	review := access.DefaultCatalog().ReviewAccess(account, opts, time.Now())

	m.Findings = findingsList(ctx, review.Findings, &resp.Diagnostics)
	counts := make(map[string]attr.Value, len(review.Counts))
	for check, n := range review.Counts {
		counts[check] = wholeNumberValueOf(int64(n))
	}
	var diags diag.Diagnostics
	m.Counts, diags = types.MapValue(wholeNumberType{}, counts)
	resp.Diagnostics.Append(diags...)
	m.Total = wholeNumberValueOf(int64(len(review.Findings)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// intOrDefault reads a configured threshold into *opt, or reports the
// default *opt already holds, so state shows the value the review used.
func intOrDefault(v wholeNumberValue, opt *int) wholeNumberValue {
	if v.IsNull() || v.IsUnknown() {
		return wholeNumberValueOf(int64(*opt))
	}
	*opt = int(v.ValueInt64()) // bounded by the validators
	return v
}

func findingsList(ctx context.Context, findings []access.Finding, diags *diag.Diagnostics) types.List {
	elems := make([]attr.Value, 0, len(findings))
	for _, f := range findings {
		obj, d := types.ObjectValueFrom(ctx, findingAttrTypes, findingModel{
			Check:      types.StringValue(f.Check),
			Severity:   types.StringValue(f.Severity),
			ObjectType: types.StringValue(f.ObjectType),
			ObjectID:   types.StringValue(f.ObjectID),
			ObjectName: types.StringValue(f.ObjectName),
			Message:    types.StringValue(f.Message),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	l, d := types.ListValue(types.ObjectType{AttrTypes: findingAttrTypes}, elems)
	diags.Append(d...)
	return l
}
