package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Environment variables the provider reads when an attribute is not set.
const (
	EnvEmbeddedPath = "ENGAGE_EMBEDDED_PATH"
	// EnvEmbeddedKey holds the base64 AES-256 key that encrypts transfer
	// credential secrets in the embedded database. Unset, the key lives in a
	// file beside the database (created with mode 0600).
	EnvEmbeddedKey = "ENGAGE_EMBEDDED_KEY"
)

// DefaultEmbeddedPath is where the embedded database lives when nothing is
// configured: relative to Terraform's working directory, like .terraform/.
const DefaultEmbeddedPath = ".engage/engage.db"

var (
	_ provider.Provider              = (*engageProvider)(nil)
	_ provider.ProviderWithFunctions = (*engageProvider)(nil)
)

// Option adjusts a provider built by New; tests use it to point the provider
// at their own database without a provider block in every configuration.
type Option func(*engageProvider)

// WithDefaultEmbeddedPath replaces DefaultEmbeddedPath. The attribute and the
// environment variable still win over it.
func WithDefaultEmbeddedPath(p string) Option {
	return func(ep *engageProvider) { ep.defaultEmbeddedPath = p }
}

// New returns a constructor for the provider, as providerserver expects.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &engageProvider{version: version, defaultEmbeddedPath: DefaultEmbeddedPath}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

type engageProvider struct {
	version             string
	defaultEmbeddedPath string
}

type providerModel struct {
	EmbeddedPath types.String `tfsdk:"embedded_path"`
}

// providerData is what Configure hands every resource and data source.
type providerData struct {
	service access.Service
}

func (p *engageProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "engage"
	resp.Version = p.version
}

func (p *engageProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the access configuration of an Engage account: roles and their " +
			"permissions, users, masked personal-data columns, IP allowlists, transfer credentials, " +
			"export destinations and security settings. With no arguments the provider uses an " +
			"embedded database file, so it works with no account and no server.",
		Attributes: map[string]schema.Attribute{
			"embedded_path": schema.StringAttribute{
				MarkdownDescription: "Path of the embedded database file, created (with its folder) on first use. " +
					"Relative paths are relative to Terraform's working directory. Can also be set with the `" +
					EnvEmbeddedPath + "` environment variable. Defaults to `" + DefaultEmbeddedPath + "`.",
				Optional: true,
			},
		},
	}
}

func (p *engageProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.EmbeddedPath.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("embedded_path"), "Unknown embedded database path",
			"The provider's embedded_path depends on a value known only after apply. Set it to a literal, a variable or a local.")
		return
	}
	dbPath := firstNonEmpty(cfg.EmbeddedPath.ValueString(), os.Getenv(EnvEmbeddedPath), p.defaultEmbeddedPath)

	key, err := embeddedKeyFromEnv()
	if err != nil {
		resp.Diagnostics.AddError("Invalid "+EnvEmbeddedKey, err.Error())
		return
	}
	svc, err := openEmbedded(ctx, dbPath, key)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("embedded_path"), "Unable to open the embedded database", err.Error())
		return
	}
	data := &providerData{service: svc}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *engageProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewRoleResource,
		NewUserResource,
		NewMaskingColumnResource,
		NewIPAllowlistResource,
		NewTransferCredentialResource,
		NewExportDestinationResource,
		NewSecuritySettingsResource,
	}
}

func (p *engageProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewPermissionsDataSource,
		NewPermissionDataSource,
		NewRoleDataSource,
		NewUserDataSource,
	}
}

func (p *engageProvider) Functions(_ context.Context) []func() function.Function {
	return nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
