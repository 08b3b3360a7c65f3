package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ resource.ResourceWithConfigure   = (*maskingColumnResource)(nil)
	_ resource.ResourceWithImportState = (*maskingColumnResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*maskingColumnResource)(nil)
)

// NewMaskingColumnResource is the engage_masking_column resource.
func NewMaskingColumnResource() resource.Resource { return &maskingColumnResource{} }

type maskingColumnResource struct {
	data *providerData
}

type maskingColumnModel struct {
	ID          types.String `tfsdk:"id"`
	Table       types.String `tfsdk:"table"`
	Column      types.String `tfsdk:"column"`
	Mask        types.String `tfsdk:"mask"`
	Description types.String `tfsdk:"description"`
}

// identifierValidator applies the platform's rule for table and column names.
var identifierValidator = platformCheck{description: "identifier", check: access.CheckIdentifier}

func (r *maskingColumnResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_masking_column"
}

func (r *maskingColumnResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	masks := make([]string, len(access.MaskKinds))
	for i, k := range access.MaskKinds {
		masks[i] = string(k)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Marks one column of a data-space table as personal data. Roles without the " +
			"`data.personal_info` permission see the column masked. A column is masked at most once; " +
			"changing `table` or `column` masks another column, so it replaces the resource." +
			adoptionNote("masking column", "table and column"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The column's identity, `<table>/<column>`; also the import ID. Known at plan time.",
				Computed:            true,
			},
			"table": schema.StringAttribute{
				MarkdownDescription: "Table holding the column: a letter or underscore, then letters, digits or underscores, " +
					"at most 128 characters, compared exactly. Changing it replaces the resource.",
				Required:      true,
				Validators:    []validator.String{identifierValidator},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"column": schema.StringAttribute{
				MarkdownDescription: "Column to mask: a letter or underscore, then letters, digits or underscores, " +
					"at most 128 characters, compared exactly. Changing it replaces the resource.",
				Required:      true,
				Validators:    []validator.String{identifierValidator},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"mask": schema.StringAttribute{
				MarkdownDescription: "How roles without `data.personal_info` see the column: " + quotedList(masks) +
					". Defaults to `full`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(string(access.MaskFull)),
				Validators: []validator.String{stringvalidator.OneOf(masks...)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Why the column is masked, at most %d characters. Defaults to an empty string.", access.MaxDescriptionLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(access.MaxDescriptionLength)},
			},
		},
	}
}

func (r *maskingColumnResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes id known at plan time: it follows from table and column.
func (r *maskingColumnResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan maskingColumnModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Table.IsUnknown() || plan.Column.IsUnknown() {
		return
	}
	id := maskingColumnID(plan.Table.ValueString(), plan.Column.ValueString())
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), id)...)
}

func (r *maskingColumnResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan maskingColumnModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := createOrAdopt(ctx, maskingColumnFromModel(plan), r.data.service.CreateMaskingColumn, maskingColumnAdoption(r.data.service), &resp.Diagnostics)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to create masking column", err)
		return
	}
	plan.setFrom(created)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, created.Version, &resp.Diagnostics)
}

func (r *maskingColumnResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state maskingColumnModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := r.data.service.GetMaskingColumn(ctx, state.Table.ValueString(), state.Column.ValueString())
	if errors.Is(err, access.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read masking column", err)
		return
	}
	state.setFrom(c)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	saveVersion(ctx, resp.Private, c.Version, &resp.Diagnostics)
}

func (r *maskingColumnResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan maskingColumnModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// table and column force replacement, so the plan names the same column
	// as the state.
	in := maskingColumnFromModel(plan)
	in.Version = lastVersion(ctx, req.Private, &resp.Diagnostics)
	updated, err := r.data.service.UpdateMaskingColumn(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update masking column", err)
		return
	}
	plan.setFrom(updated)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, updated.Version, &resp.Diagnostics)
}

func (r *maskingColumnResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state maskingColumnModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.service.DeleteMaskingColumn(ctx, state.Table.ValueString(), state.Column.ValueString(), 0)
	if err != nil && !errors.Is(err, access.ErrNotFound) {
		addServiceError(&resp.Diagnostics, "Unable to delete masking column", err)
	}
}

// ImportState accepts `<table>/<column>`.
func (r *maskingColumnResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	table, column, ok := strings.Cut(req.ID, "/")
	if !ok || access.CheckIdentifier(table) != "" || access.CheckIdentifier(column) != "" {
		resp.Diagnostics.AddError("Unable to import masking column",
			fmt.Sprintf("Expected an import ID of the form <table>/<column>, such as contacts/email, got %q.", req.ID))
		return
	}
	c, err := r.data.service.GetMaskingColumn(ctx, table, column)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to import masking column", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), maskingColumnID(c.Table, c.Column))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("table"), c.Table)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("column"), c.Column)...)
}

// maskingColumnID is the resource's id and import ID.
func maskingColumnID(table, column string) string { return table + "/" + column }

// maskingColumnFromModel maps the configured fields to the service's input.
func maskingColumnFromModel(m maskingColumnModel) access.MaskingColumn {
	return access.MaskingColumn{
		Table:       m.Table.ValueString(),
		Column:      m.Column.ValueString(),
		Mask:        access.MaskKind(m.Mask.ValueString()),
		Description: m.Description.ValueString(),
	}
}

// setFrom copies what the platform returned into the model.
func (m *maskingColumnModel) setFrom(c access.MaskingColumn) {
	m.ID = types.StringValue(maskingColumnID(c.Table, c.Column))
	m.Table = types.StringValue(c.Table)
	m.Column = types.StringValue(c.Column)
	m.Mask = types.StringValue(string(c.Mask))
	m.Description = types.StringValue(c.Description)
}
