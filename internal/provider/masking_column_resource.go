package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

var _ planAdjuster[maskingColumnModel] = maskingColumnKind{}

// NewMaskingColumnResource is the engage_masking_column resource.
func NewMaskingColumnResource() resource.Resource { return newManaged(maskingColumnKind{}) }

type maskingColumnKind struct{}

type maskingColumnModel struct {
	ID          types.String `tfsdk:"id"`
	Table       types.String `tfsdk:"table"`
	Column      types.String `tfsdk:"column"`
	Mask        types.String `tfsdk:"mask"`
	Description types.String `tfsdk:"description"`
}

// identifierValidator applies the platform's rule for table and column names.
var identifierValidator = platformCheck{description: "identifier", check: access.CheckIdentifier}

func (maskingColumnKind) typeName() string { return "masking_column" }
func (maskingColumnKind) noun() string     { return "masking column" }

func (maskingColumnKind) schema() schema.Schema {
	masks := make([]string, len(access.MaskKinds))
	for i, k := range access.MaskKinds {
		masks[i] = string(k)
	}
	return schema.Schema{
		MarkdownDescription: "Marks one column of a data-space table as personal data. Roles without the " +
			"`data.personal_info` permission see the column masked. A column is masked at most once; " +
			"changing `table` or `column` masks another column, so it replaces the resource.",
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
			"description": descriptionAttribute("why the column is masked"),
		},
	}
}

// adjustPlan makes id known at plan time: it follows from table and column.
func (maskingColumnKind) adjustPlan(_ context.Context, _ *providerData, _ tfsdk.Config, plan, _ *maskingColumnModel, _ *diag.Diagnostics) {
	if plan == nil || plan.Table.IsUnknown() || plan.Column.IsUnknown() {
		return
	}
	plan.ID = types.StringValue(wire.MaskingColumnID(plan.Table.ValueString(), plan.Column.ValueString()))
}

func (maskingColumnKind) toObject(_ context.Context, m maskingColumnModel, _ *diag.Diagnostics) access.MaskingColumn {
	return access.MaskingColumn{
		Table:       m.Table.ValueString(),
		Column:      m.Column.ValueString(),
		Mask:        access.MaskKind(m.Mask.ValueString()),
		Description: m.Description.ValueString(),
	}
}

func (maskingColumnKind) fromObject(_ context.Context, m *maskingColumnModel, c access.MaskingColumn, _ *diag.Diagnostics) {
	m.ID = types.StringValue(wire.MaskingColumnID(c.Table, c.Column))
	m.Table = types.StringValue(c.Table)
	m.Column = types.StringValue(c.Column)
	m.Mask = types.StringValue(string(c.Mask))
	m.Description = types.StringValue(c.Description)
}

func (maskingColumnKind) version(c access.MaskingColumn) access.Version { return c.Version }

// identity is the column itself, which names it on the platform for as
// long as it is masked: another table or column is another masking.
func (maskingColumnKind) identity() objectIdentity {
	return objectIdentity{
		attrs: []identityAttr{
			{name: "table", description: "Table holding the masked column, the resource's `table`."},
			{name: "column", description: "The masked column, the resource's `column`."},
		},
		importID: func(values []string) string { return wire.MaskingColumnID(values[0], values[1]) },
	}
}

func (maskingColumnKind) read(ctx context.Context, svc access.Service, state maskingColumnModel) (access.MaskingColumn, error) {
	return svc.GetMaskingColumn(ctx, state.Table.ValueString(), state.Column.ValueString())
}

func (maskingColumnKind) create(ctx context.Context, w write[maskingColumnModel], c access.MaskingColumn) (access.MaskingColumn, error) {
	return w.data.service.CreateMaskingColumn(ctx, c)
}

// update writes the column the state names: table and column force
// replacement, so the plan names the same one.
func (maskingColumnKind) update(ctx context.Context, w write[maskingColumnModel], c access.MaskingColumn) (access.MaskingColumn, error) {
	c.Version = w.version
	return w.data.service.UpdateMaskingColumn(ctx, c)
}

func (maskingColumnKind) delete(ctx context.Context, data *providerData, state maskingColumnModel) error {
	return data.service.DeleteMaskingColumn(ctx, state.Table.ValueString(), state.Column.ValueString(), 0)
}

func (maskingColumnKind) holder(ctx context.Context, svc access.Service, c access.MaskingColumn) (keyHolder, error) {
	got, err := svc.GetMaskingColumn(ctx, c.Table, c.Column)
	if err != nil {
		return keyHolder{}, err
	}
	id := wire.MaskingColumnID(got.Table, got.Column)
	return keyHolder{attr: path.Root("column"), key: fmt.Sprintf("for the column %s", id), id: id, createdAt: got.CreatedAt}, nil
}

// importer accepts `<table>/<column>`, the only way to name a masked
// column.
func (maskingColumnKind) importer() importForms[access.MaskingColumn] {
	return importForms[access.MaskingColumn]{
		byID: func(ctx context.Context, svc access.Service, id string) (access.MaskingColumn, error) {
			table, column, ok := strings.Cut(id, "/")
			if !ok || access.CheckIdentifier(table) != "" || access.CheckIdentifier(column) != "" {
				return access.MaskingColumn{}, fmt.Errorf("expected an import ID of the form <table>/<column>, such as contacts/email, got %q", id)
			}
			return svc.GetMaskingColumn(ctx, table, column)
		},
		forms: "<table>/<column>, such as contacts/email",
	}
}
