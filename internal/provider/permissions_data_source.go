package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ datasource.DataSourceWithConfigure = (*permissionsDataSource)(nil)

// NewPermissionsDataSource is the engage_permissions data source.
func NewPermissionsDataSource() datasource.DataSource { return &permissionsDataSource{} }

type permissionsDataSource struct {
	data *providerData
}

type permissionsModel struct {
	Category    types.String `tfsdk:"category"`
	Sensitive   types.Bool   `tfsdk:"sensitive"`
	Keys        types.List   `tfsdk:"keys"`
	Permissions types.List   `tfsdk:"permissions"`
}

// permissionModel is one catalog entry, shared by engage_permissions'
// elements and the engage_permission data source.
type permissionModel struct {
	Key         types.String     `tfsdk:"key"`
	ID          wholeNumberValue `tfsdk:"id"`
	Category    types.String     `tfsdk:"category"`
	Name        types.String     `tfsdk:"name"`
	Description types.String     `tfsdk:"description"`
	Implies     types.List       `tfsdk:"implies"`
	Sensitive   types.Bool       `tfsdk:"sensitive"`
}

var permissionAttrTypes = map[string]attr.Type{
	"key":         types.StringType,
	"id":          wholeNumberType{},
	"category":    types.StringType,
	"name":        types.StringType,
	"description": types.StringType,
	"implies":     types.ListType{ElemType: types.StringType},
	"sensitive":   types.BoolType,
}

func (d *permissionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permissions"
}

func (d *permissionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The platform's permission catalog, optionally filtered by category or sensitivity.",
		Attributes: map[string]schema.Attribute{
			"category": schema.StringAttribute{
				MarkdownDescription: "Only permissions of this category (e.g. `campaign`, `data_space`, `import_export`).",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(catalogCategories()...)},
			},
			"sensitive": schema.BoolAttribute{
				MarkdownDescription: "Only sensitive (`true`) or only non-sensitive (`false`) permissions.",
				Optional:            true,
			},
			"keys": schema.ListAttribute{
				MarkdownDescription: "Keys of the matching permissions, sorted.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"permissions": schema.ListNestedAttribute{
				MarkdownDescription: "The matching permissions, in catalog order.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: permissionAttributes()},
			},
		},
	}
}

// permissionAttributes describes one catalog entry, all computed.
func permissionAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"key":         schema.StringAttribute{MarkdownDescription: "Stable key used in configuration, e.g. `campaign.publish`.", Computed: true},
		"id":          schema.Int64Attribute{MarkdownDescription: "The platform's numeric permission id.", Computed: true, CustomType: wholeNumberType{}},
		"category":    schema.StringAttribute{MarkdownDescription: "Category the permission belongs to.", Computed: true},
		"name":        schema.StringAttribute{MarkdownDescription: "Name shown in the console.", Computed: true},
		"description": schema.StringAttribute{MarkdownDescription: "What the permission allows.", Computed: true},
		"implies":     schema.ListAttribute{MarkdownDescription: "Keys enabled automatically with this permission (direct dependencies).", ElementType: types.StringType, Computed: true},
		"sensitive":   schema.BoolAttribute{MarkdownDescription: "Whether the permission grants access to personal data or bulk exports of it.", Computed: true},
	}
}

func (d *permissionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *permissionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m permissionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := d.data.service.ListPermissions(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read the permission catalog", err)
		return
	}
	var (
		keys  []string
		items []attr.Value
	)
	for _, p := range all {
		if !m.Category.IsNull() && p.Category != m.Category.ValueString() {
			continue
		}
		if !m.Sensitive.IsNull() && p.Sensitive != m.Sensitive.ValueBool() {
			continue
		}
		keys = append(keys, p.Key)
		items = append(items, permissionObject(p, &resp.Diagnostics))
	}
	sort.Strings(keys)
	m.Keys = stringList(keys, &resp.Diagnostics)
	list, diags := types.ListValue(types.ObjectType{AttrTypes: permissionAttrTypes}, items)
	resp.Diagnostics.Append(diags...)
	m.Permissions = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func permissionModelFrom(p access.Permission, diags *diag.Diagnostics) permissionModel {
	return permissionModel{
		Key:         types.StringValue(p.Key),
		ID:          wholeNumberValueOf(p.ID),
		Category:    types.StringValue(p.Category),
		Name:        types.StringValue(p.Name),
		Description: types.StringValue(p.Description),
		Implies:     stringList(p.Implies, diags),
		Sensitive:   types.BoolValue(p.Sensitive),
	}
}

func permissionObject(p access.Permission, diags *diag.Diagnostics) attr.Value {
	m := permissionModelFrom(p, diags)
	obj, d := types.ObjectValue(permissionAttrTypes, map[string]attr.Value{
		"key":         m.Key,
		"id":          m.ID,
		"category":    m.Category,
		"name":        m.Name,
		"description": m.Description,
		"implies":     m.Implies,
		"sensitive":   m.Sensitive,
	})
	diags.Append(d...)
	return obj
}

func stringList(values []string, diags *diag.Diagnostics) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	l, d := types.ListValue(types.StringType, elems)
	diags.Append(d...)
	return l
}

// catalogCategories lists the categories of the embedded catalog, for plan-
// time validation of filters.
func catalogCategories() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range access.DefaultCatalog().Permissions() {
		if !seen[p.Category] {
			seen[p.Category] = true
			out = append(out, p.Category)
		}
	}
	sort.Strings(out)
	return out
}
