package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/client"
)

// Environment variables the provider reads when an attribute is not set.
const (
	EnvEndpoint     = "ENGAGE_ENDPOINT"
	EnvAPIToken     = "ENGAGE_API_TOKEN"
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
	_ provider.Provider                  = (*engageProvider)(nil)
	_ provider.ProviderWithFunctions     = (*engageProvider)(nil)
	_ provider.ProviderWithActions       = (*engageProvider)(nil)
	_ provider.ProviderWithListResources = (*engageProvider)(nil)
)

// Option adjusts a provider built by New; tests use it to point the provider
// at their own database without a provider block in every configuration.
type Option func(*engageProvider)

// WithDefaultEndpoint makes the provider use the REST backend at endpoint
// with token when the configuration and the environment name none; the
// acceptance tests use it to point each test at its own server.
func WithDefaultEndpoint(endpoint, token string) Option {
	return func(ep *engageProvider) { ep.defaultEndpoint, ep.defaultToken = endpoint, token }
}

// WithoutLockoutProtectionByDefault turns lockout protection off unless the
// configuration sets it: for acceptance tests of allowlists that have
// nothing to do with the test runner's own address.
func WithoutLockoutProtectionByDefault() Option {
	return func(ep *engageProvider) { ep.lockoutOffByDefault = true }
}

// WithDefaultEmbeddedPath replaces DefaultEmbeddedPath. The attribute and the
// environment variable still win over it.
func WithDefaultEmbeddedPath(p string) Option {
	return func(ep *engageProvider) { ep.defaultEmbeddedPath = p }
}

// WithClientConfig adjusts the REST client's configuration after the
// provider block has set it: the fault tests shorten the waits between
// retries, which no attribute sets, so that hundreds of retries take seconds.
func WithClientConfig(adjust func(*client.Config)) Option {
	return func(ep *engageProvider) { ep.adjustClient = adjust }
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
	version                       string
	defaultEmbeddedPath           string
	defaultEndpoint, defaultToken string
	lockoutOffByDefault           bool
	adjustClient                  func(*client.Config)
}

func (p *engageProvider) lockoutProtection(cfg providerModel) bool {
	if cfg.LockoutProtection.IsNull() || cfg.LockoutProtection.IsUnknown() {
		return !p.lockoutOffByDefault
	}
	return cfg.LockoutProtection.ValueBool()
}

type providerModel struct {
	Endpoint             types.String     `tfsdk:"endpoint"`
	APIToken             types.String     `tfsdk:"api_token"`
	CACertFile           types.String     `tfsdk:"ca_cert_file"`
	RequestTimeout       types.String     `tfsdk:"request_timeout"`
	MaxRetries           wholeNumberValue `tfsdk:"max_retries"`
	MaxRequestsPerSecond types.Float64    `tfsdk:"max_requests_per_second"`
	LockoutProtection    types.Bool       `tfsdk:"lockout_protection"`
	EmbeddedPath         types.String     `tfsdk:"embedded_path"`
}

// providerData is what Configure hands every resource and data source.
type providerData struct {
	service access.Service
	lockout *lockoutGuard
	// configuredAt is when this Terraform run configured the provider: an
	// object created after it was created by this run.
	configuredAt time.Time
}

func newProviderData(svc access.Service, lockoutProtection bool) *providerData {
	return &providerData{service: svc, lockout: &lockoutGuard{enabled: lockoutProtection, svc: svc}, configuredAt: time.Now()}
}

// handTo gives every resource, data source and action the same data: one
// backend client per provider process.
func (d *providerData) handTo(resp *provider.ConfigureResponse) {
	resp.ResourceData = d
	resp.DataSourceData = d
	resp.ActionData = d
	resp.ListResourceData = d
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
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Engage REST API, e.g. `https://api.engage.example`. Setting it selects the REST " +
					"backend; unset, the provider uses the embedded database. Can also be set with `" + EnvEndpoint + "`.",
				Optional: true,
			},
			"api_token": schema.StringAttribute{
				MarkdownDescription: "API token for the REST backend, sent as a bearer token and never logged. Required with `endpoint`; " +
					"set (here or in `" + EnvAPIToken + "`) with no endpoint, it is an error rather than a silent switch to the embedded database. " +
					"Can also be set with `" + EnvAPIToken + "` (preferred: keeps it out of configuration).",
				Optional:  true,
				Sensitive: true,
			},
			"ca_cert_file": schema.StringAttribute{
				MarkdownDescription: "PEM file of CA certificates to trust for the REST endpoint instead of the system's.",
				Optional:            true,
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Time limit of one REST request attempt, as a Go duration such as `30s` (the default).",
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Retries after a failed REST attempt (connection errors, 502, 503, 504), 1-%d. Defaults to %d. "+
					"A 429 is not a failure and does not count: it is retried as its Retry-After says, for up to %s per request.",
					client.MaxMaxRetries, client.DefaultMaxRetries, client.DefaultRateLimitedWait),
				CustomType: wholeNumberType{},
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, client.MaxMaxRetries)},
			},
			"max_requests_per_second": schema.Float64Attribute{
				MarkdownDescription: "Client-side limit of REST requests per second (retries count). Unset: no limit.",
				Optional:            true,
				Validators:          []validator.Float64{float64validator.AtLeast(0.1)},
			},
			"lockout_protection": schema.BoolAttribute{
				MarkdownDescription: "Refuse IP allowlist changes that would leave your own address (as the platform sees it) " +
					"outside every enabled allowlist, at plan time where the planned lists are known. Defaults to `true`; " +
					"has no effect on the embedded backend, which has no network. The reference server refuses such a " +
					"change too; set `false` to make one deliberately (the provider then tells the server so, with the " +
					"`Engage-Allow-Lockout: true` header).",
				Optional: true,
			},
			"embedded_path": schema.StringAttribute{
				MarkdownDescription: "Path of the embedded database file, created (with its folder) on first use. " +
					"Relative paths are relative to Terraform's working directory. Can also be set with the `" +
					EnvEmbeddedPath + "` environment variable. Defaults to `" + DefaultEmbeddedPath + "`. Set here, it selects " +
					"the embedded database even when `" + EnvEndpoint + "` is set (which is then ignored, with a warning): what a " +
					"module's `terraform test` needs. Conflicts with `endpoint`.",
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
	for attr, v := range map[string]attr.Value{
		"endpoint": cfg.Endpoint, "api_token": cfg.APIToken, "ca_cert_file": cfg.CACertFile,
		"request_timeout": cfg.RequestTimeout, "max_retries": cfg.MaxRetries, "max_requests_per_second": cfg.MaxRequestsPerSecond,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown provider setting",
				"The provider's "+attr+" depends on a value known only after apply. Set it to a literal, a variable or a local.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.EmbeddedPath.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("embedded_path"), "Unknown embedded database path",
			"The provider's embedded_path depends on a value known only after apply. Set it to a literal, a variable or a local.")
		return
	}
	// embedded_path in the configuration selects the embedded database
	// whatever the environment holds: a module's `terraform test` sets it to
	// run with no account, and ENGAGE_ENDPOINT and ENGAGE_API_TOKEN left in a
	// shell or a CI job must not turn those runs into creates and deletes on a
	// real account.
	embeddedInConfig := cfg.EmbeddedPath.ValueString() != ""
	if embeddedInConfig {
		if cfg.Endpoint.ValueString() != "" {
			resp.Diagnostics.AddAttributeError(path.Root("embedded_path"), "Two backends configured",
				"endpoint selects the REST backend and embedded_path the embedded database. Remove one of them.")
			return
		}
		for _, env := range []string{EnvEndpoint, EnvAPIToken} {
			if os.Getenv(env) != "" {
				resp.Diagnostics.AddAttributeWarning(path.Root("embedded_path"), env+" ignored",
					fmt.Sprintf("embedded_path is set in the provider configuration, so the provider uses the embedded database at %s "+
						"and ignores %s from the environment. Remove embedded_path to use the REST backend.", cfg.EmbeddedPath.ValueString(), env))
			}
		}
	}
	endpoint := ""
	if !embeddedInConfig {
		endpoint = firstNonEmpty(cfg.Endpoint.ValueString(), os.Getenv(EnvEndpoint), p.defaultEndpoint)
	}
	if endpoint != "" {
		token := firstNonEmpty(cfg.APIToken.ValueString(), os.Getenv(EnvAPIToken), p.defaultToken)
		protect := p.lockoutProtection(cfg)
		svc := restService(ctx, endpoint, token, userAgent(p.version, req.TerraformVersion), cfg, protect, p.adjustClient, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		newProviderData(svc, protect).handTo(resp)
		return
	}

	dbPath := firstNonEmpty(cfg.EmbeddedPath.ValueString(), os.Getenv(EnvEmbeddedPath), p.defaultEmbeddedPath)

	// A token means the user meant to reach an account over REST: using the
	// embedded database instead would plan against an empty local file and
	// apply nothing to the account, and nothing would say so. Checked before the
	// database is opened, so the mistake leaves no file behind.
	tokenInConfig, tokenInEnv := cfg.APIToken.ValueString() != "", os.Getenv(EnvAPIToken) != "" && !embeddedInConfig
	if tokenInConfig || tokenInEnv {
		detail := tokenWithoutEndpointDetail(tokenInConfig, tokenInEnv, dbPath)
		if tokenInConfig {
			resp.Diagnostics.AddAttributeError(path.Root("api_token"), "API token without an endpoint", detail)
		} else {
			resp.Diagnostics.AddError("API token without an endpoint", detail)
		}
		return
	}

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
	newProviderData(svc, p.lockoutProtection(cfg)).handTo(resp)
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
		NewAccessReviewDataSource,
	}
}

func (p *engageProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewEffectivePermissionsFunction,
		NewCanonicalCIDRFunction,
	}
}

// List resources are Terraform 1.14+ (terraform query); older versions and
// OpenTofu never ask for them.
func (p *engageProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewRoleListResource,
		NewUserListResource,
		NewMaskingColumnListResource,
		NewIPAllowlistListResource,
		NewTransferCredentialListResource,
		NewExportDestinationListResource,
		NewSecuritySettingsListResource,
	}
}

// Actions are Terraform 1.14+; older versions and OpenTofu never ask for them.
func (p *engageProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewRevokeSessionsAction,
	}
}

// restService builds the REST client from the provider configuration.
// Misconfiguration becomes an error at the attribute it concerns. Without
// lockout protection the client tells the server that allowlist changes
// which shut the caller out are deliberate: the server refuses them
// otherwise, and the user turned the protection off to make one.
func restService(ctx context.Context, endpoint, token, agent string, cfg providerModel, lockoutProtection bool,
	adjust func(*client.Config), diags *diag.Diagnostics) access.Service {
	if token == "" {
		diags.AddAttributeError(path.Root("api_token"), "Missing API token",
			"The REST backend (endpoint is set) needs api_token or the "+EnvAPIToken+" environment variable.")
		return nil
	}
	var timeout time.Duration
	if s := cfg.RequestTimeout.ValueString(); s != "" {
		timeout, _ = time.ParseDuration(s) // validated at plan time
	}
	clientCfg := client.Config{
		Endpoint:             endpoint,
		Token:                token,
		CACertFile:           cfg.CACertFile.ValueString(),
		RequestTimeout:       timeout,
		MaxRetries:           int(cfg.MaxRetries.ValueInt64()),
		MaxRequestsPerSecond: cfg.MaxRequestsPerSecond.ValueFloat64(),
		UserAgent:            agent,
		AllowLockout:         !lockoutProtection,
		Logger:               client.TFLogLogger(ctx),
	}
	if adjust != nil {
		adjust(&clientCfg)
	}
	c, err := client.New(clientCfg)
	var cerr *client.ConfigError
	switch {
	case errors.As(err, &cerr):
		diags.AddAttributeError(path.Root(cerr.Field), "Invalid REST backend configuration", err.Error())
		return nil
	case err != nil:
		diags.AddError("Unable to configure the REST backend", err.Error())
		return nil
	}
	return c
}

// userAgent names the provider release and the Terraform that runs it, as
// product tokens (RFC 9110): the API's operators can tell which releases and
// CLI versions call them, and whom a fix or a deprecation concerns. Terraform
// sends its version in ConfigureRequest (OpenTofu sends its own there);
// without one the provider's token stands alone.
func userAgent(providerVersion, terraformVersion string) string {
	if terraformVersion == "" {
		return "terraform-provider-engage/" + providerVersion
	}
	return "terraform-provider-engage/" + providerVersion + " Terraform/" + terraformVersion
}

// tokenWithoutEndpointDetail explains a token set with no endpoint (in the
// provider block, in EnvAPIToken, or both) and the two ways out. It names
// where the token is, never its value.
func tokenWithoutEndpointDetail(inConfig, inEnv bool, dbPath string) string {
	if abs, err := filepath.Abs(dbPath); err == nil {
		dbPath = abs
	}
	var where, unset string
	switch {
	case inConfig && inEnv:
		where, unset = "api_token (and "+EnvAPIToken+") is", "remove api_token and unset "+EnvAPIToken
	case inConfig:
		where, unset = "api_token is", "remove api_token"
	default:
		where, unset = EnvAPIToken+" is", "unset "+EnvAPIToken
	}
	return fmt.Sprintf("%s set but endpoint is not (nor %s), so the provider would use the local embedded database at %s "+
		"and ignore the token. Set endpoint (or %s) to use the REST backend, or %s to use the embedded database.",
		where, EnvEndpoint, dbPath, EnvEndpoint, unset)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
