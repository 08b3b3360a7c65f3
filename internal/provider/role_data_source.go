package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ datasource.DataSourceWithConfigure        = (*roleDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*roleDataSource)(nil)
)

// NewRoleDataSource is the engage_role data source.
func NewRoleDataSource() datasource.DataSource { return &roleDataSource{} }

type roleDataSource struct {
	data *providerData
}

func (d *roleDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (d *roleDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Looks up one role by name or id, including the system roles %q and %q.",
			access.FullAdminRoleName, access.ReadOnlyRoleName),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the role. Exactly one of `id` and `name` must be set.",
				Optional:            true,
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the role, matched regardless of case. Exactly one of `id` and `name` must be set.",
				Optional:            true,
				Computed:            true,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the role is for.",
				Computed:            true,
			},
			"permissions": schema.SetAttribute{
				MarkdownDescription: "Keys of the permissions the role grants directly.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"effective_permissions": schema.SetAttribute{
				MarkdownDescription: "`permissions` plus every permission they imply, transitively.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"sensitive": schema.BoolAttribute{
				MarkdownDescription: "Whether any effective permission grants access to personal data or bulk exports of it.",
				Computed:            true,
			},
			"system": schema.BoolAttribute{
				MarkdownDescription: "Whether this is a predefined, read-only system role.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the role was created (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (d *roleDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *roleDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *roleDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m roleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		role access.Role
		err  error
	)
	if !m.Name.IsNull() {
		role, err = d.data.service.GetRoleByName(ctx, m.Name.ValueString())
	} else {
		role, err = d.data.service.GetRole(ctx, m.ID.ValueString())
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read role", err)
		return
	}
	roleKind{}.fromObject(ctx, &m, role, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
