package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ datasource.DataSourceWithConfigure        = (*userDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*userDataSource)(nil)
)

// NewUserDataSource is the engage_user data source.
func NewUserDataSource() datasource.DataSource { return &userDataSource{} }

type userDataSource struct {
	data *providerData
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one console user by email or id, whether Terraform manages it or not.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the user. Exactly one of `id` and `email` must be set.",
				Optional:            true,
				Computed:            true,
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Email address of the user, matched regardless of case. Exactly one of `id` and `email` must be set.",
				CustomType:          emailType{},
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{platformCheck{description: "email address", check: access.CheckEmail}},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "Name the console shows for the user.",
				Computed:            true,
			},
			"role_id": schema.StringAttribute{
				MarkdownDescription: "Id of the role the user logs in with.",
				Computed:            true,
			},
			"disabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the user's access is revoked.",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`" + string(access.UserInvited) + "` until the user first logs in, then `" + string(access.UserActive) +
					"`; `" + string(access.UserDisabled) + "` while access is revoked.",
				Computed: true,
			},
			"two_factor_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the user has enrolled a second factor.",
				Computed:            true,
			},
			"last_login_at": schema.StringAttribute{
				MarkdownDescription: "When the user last logged in (RFC 3339); null until the first login.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the user was created (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (d *userDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("email")),
	}
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m userModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		user access.User
		err  error
	)
	if !m.Email.IsNull() {
		user, err = d.data.service.GetUserByEmail(ctx, m.Email.ValueString())
	} else {
		user, err = d.data.service.GetUser(ctx, m.ID.ValueString())
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read user", err)
		return
	}
	m.setFrom(user)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
