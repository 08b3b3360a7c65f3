package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ datasource.DataSourceWithConfigure        = (*permissionDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*permissionDataSource)(nil)
)

// NewPermissionDataSource is the engage_permission data source.
func NewPermissionDataSource() datasource.DataSource { return &permissionDataSource{} }

type permissionDataSource struct {
	data *providerData
}

func (d *permissionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission"
}

func (d *permissionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := permissionAttributes()
	attrs["key"] = schema.StringAttribute{
		MarkdownDescription: "Key of the permission, e.g. `campaign.publish`. Exactly one of `key` and `id` must be set.",
		Optional:            true,
		Computed:            true,
	}
	attrs["id"] = schema.Int64Attribute{
		CustomType:          wholeNumberType{},
		MarkdownDescription: "The platform's numeric permission id, e.g. `229`. Exactly one of `key` and `id` must be set.",
		Optional:            true,
		Computed:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One permission of the platform's catalog, by key or by numeric id.",
		Attributes:          attrs,
	}
}

func (d *permissionDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("key"), path.MatchRoot("id")),
	}
}

func (d *permissionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *permissionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m permissionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := d.data.service.ListPermissions(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read the permission catalog", err)
		return
	}
	for _, p := range all {
		if (!m.Key.IsNull() && p.Key == m.Key.ValueString()) || (!m.ID.IsNull() && p.ID == m.ID.ValueInt64()) {
			found := permissionModelFrom(p, &resp.Diagnostics)
			resp.Diagnostics.Append(resp.State.Set(ctx, &found)...)
			return
		}
	}
	if !m.Key.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("key"), "Permission not found",
			access.DefaultCatalog().UnknownKeyMessage(m.Key.ValueString()))
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("id"), "Permission not found",
		fmt.Sprintf("No permission has id %d.", m.ID.ValueInt64()))
}
