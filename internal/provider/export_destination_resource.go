package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ resource.ResourceWithConfigure        = (*exportDestinationResource)(nil)
	_ resource.ResourceWithImportState      = (*exportDestinationResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*exportDestinationResource)(nil)
	_ resource.ResourceWithConfigValidators = (*exportDestinationResource)(nil)
)

// NewExportDestinationResource is the engage_export_destination resource.
func NewExportDestinationResource() resource.Resource { return &exportDestinationResource{} }

type exportDestinationResource struct {
	data *providerData
}

type exportDestinationModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Type        types.String `tfsdk:"type"`
	SFTP        types.Object `tfsdk:"sftp"`
	S3          types.Object `tfsdk:"s3"`
	ExportKinds types.Set    `tfsdk:"export_kinds"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

type sftpTargetModel struct {
	Host          types.String `tfsdk:"host"`
	Port          types.Int64  `tfsdk:"port"`
	Path          types.String `tfsdk:"path"`
	HostKeySHA256 types.String `tfsdk:"host_key_sha256"`
	CredentialID  types.String `tfsdk:"credential_id"`
}

var sftpTargetAttrTypes = map[string]attr.Type{
	"host":            types.StringType,
	"port":            types.Int64Type,
	"path":            types.StringType,
	"host_key_sha256": types.StringType,
	"credential_id":   types.StringType,
}

type s3TargetModel struct {
	Bucket       types.String `tfsdk:"bucket"`
	Region       types.String `tfsdk:"region"`
	Prefix       types.String `tfsdk:"prefix"`
	CredentialID types.String `tfsdk:"credential_id"`
}

var s3TargetAttrTypes = map[string]attr.Type{
	"bucket":        types.StringType,
	"region":        types.StringType,
	"prefix":        types.StringType,
	"credential_id": types.StringType,
}

func exportKindNames() []string {
	names := make([]string, len(access.ExportKinds))
	for i, k := range access.ExportKinds {
		names[i] = string(k)
	}
	return names
}

func (r *exportDestinationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_export_destination"
}

func (r *exportDestinationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	credentialID := schema.StringAttribute{
		MarkdownDescription: "`id` of the `engage_transfer_credential` to log in with; it must exist.",
		Required:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A place the platform may deliver data exports to: an SFTP server or an S3 bucket. " +
			"Exactly one of `sftp` and `s3` must be set.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier the platform assigned to the destination.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the destination, 1-%d characters, unique regardless of case.", access.MaxNameLength),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, access.MaxNameLength),
					stringvalidator.RegexMatches(trimmedName, "must not start or end with white space"),
				},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`sftp` or `s3`, following which block is set. Known at plan time.",
				Computed:            true,
			},
			"sftp": schema.SingleNestedAttribute{
				MarkdownDescription: "Deliver to an SFTP server.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"host": schema.StringAttribute{
						MarkdownDescription: "Host name or IP address of the server.",
						Required:            true,
						Validators:          []validator.String{platformCheck{description: "SFTP host", check: access.CheckHost}},
					},
					"port": schema.Int64Attribute{
						MarkdownDescription: "TCP port, 1-65535. Defaults to `22`.",
						Optional:            true,
						Computed:            true,
						Default:             int64default.StaticInt64(22),
						Validators:          []validator.Int64{int64validator.Between(1, 65535)},
					},
					"path": schema.StringAttribute{
						MarkdownDescription: "Absolute path of the folder exports are written to.",
						Required:            true,
						Validators:          []validator.String{platformCheck{description: "SFTP path", check: access.CheckSFTPPath}},
					},
					"host_key_sha256": schema.StringAttribute{
						MarkdownDescription: "The server's host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:` and 43 base64 characters). " +
							"Set it: without a pinned key the platform trusts whichever key the server presents.",
						Optional:   true,
						Validators: []validator.String{platformCheck{description: "host key fingerprint", check: access.CheckHostKeySHA256}},
					},
					"credential_id": credentialID,
				},
			},
			"s3": schema.SingleNestedAttribute{
				MarkdownDescription: "Deliver to an S3 bucket.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"bucket": schema.StringAttribute{
						MarkdownDescription: "Bucket name.",
						Required:            true,
						Validators:          []validator.String{platformCheck{description: "S3 bucket", check: access.CheckS3Bucket}},
					},
					"region": schema.StringAttribute{
						MarkdownDescription: "Region of the bucket, e.g. `eu-central-1`.",
						Required:            true,
						Validators:          []validator.String{platformCheck{description: "S3 region", check: access.CheckS3Region}},
					},
					"prefix": schema.StringAttribute{
						MarkdownDescription: "Key prefix exports are written under, e.g. `engage/raw/`; must not start with `/`.",
						Optional:            true,
						Validators:          []validator.String{platformCheck{description: "S3 prefix", check: access.CheckS3Prefix}},
					},
					"credential_id": credentialID,
				},
			},
			"export_kinds": schema.SetAttribute{
				MarkdownDescription: "Kinds of export the destination accepts, at least one of " + quotedList(exportKindNames()) + ".",
				ElementType:         types.StringType,
				Required:            true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(exportKindNames()...)),
				},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the destination was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *exportDestinationResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("sftp"), path.MatchRoot("s3")),
	}
}

func (r *exportDestinationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes type known at plan time.
func (r *exportDestinationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan exportDestinationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case !plan.SFTP.IsNull() && !plan.SFTP.IsUnknown():
		plan.Type = types.StringValue(string(access.DestinationSFTP))
	case !plan.S3.IsNull() && !plan.S3.IsUnknown():
		plan.Type = types.StringValue(string(access.DestinationS3))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *exportDestinationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan exportDestinationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := destinationFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := r.data.service.CreateExportDestination(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to create export destination", err)
		return
	}
	plan.setFrom(ctx, created, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, created.Version, &resp.Diagnostics)
}

func (r *exportDestinationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state exportDestinationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d, err := r.data.service.GetExportDestination(ctx, state.ID.ValueString())
	if errors.Is(err, access.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read export destination", err)
		return
	}
	state.setFrom(ctx, d, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	saveVersion(ctx, resp.Private, d.Version, &resp.Diagnostics)
}

func (r *exportDestinationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state exportDestinationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := destinationFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in.ID = state.ID.ValueString()
	in.Version = lastVersion(ctx, req.Private, &resp.Diagnostics)
	updated, err := r.data.service.UpdateExportDestination(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update export destination", err)
		return
	}
	plan.setFrom(ctx, updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, updated.Version, &resp.Diagnostics)
}

func (r *exportDestinationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state exportDestinationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.service.DeleteExportDestination(ctx, state.ID.ValueString(), 0)
	if err != nil && !errors.Is(err, access.ErrNotFound) {
		addServiceError(&resp.Diagnostics, "Unable to delete export destination", err)
	}
}

// ImportState accepts a destination id, or `name:<destination name>`.
func (r *exportDestinationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if name, ok := strings.CutPrefix(req.ID, importNamePrefix); ok {
		d, err := findByName(ctx, "export destination", name, r.data.service.ListExportDestinations,
			func(d access.ExportDestination) string { return d.Name })
		if err != nil {
			addServiceError(&resp.Diagnostics, "Unable to import export destination", err)
			return
		}
		id = d.ID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

func destinationFromModel(ctx context.Context, m exportDestinationModel, diags *diag.Diagnostics) access.ExportDestination {
	d := access.ExportDestination{ID: m.ID.ValueString(), Name: m.Name.ValueString()}
	var kinds []string
	diags.Append(m.ExportKinds.ElementsAs(ctx, &kinds, false)...)
	for _, k := range kinds {
		d.ExportKinds = append(d.ExportKinds, access.ExportKind(k))
	}
	if !m.SFTP.IsNull() {
		var t sftpTargetModel
		diags.Append(m.SFTP.As(ctx, &t, objectAsOptions)...)
		d.SFTP = &access.SFTPTarget{
			Host:          t.Host.ValueString(),
			Port:          int(t.Port.ValueInt64()),
			Path:          t.Path.ValueString(),
			HostKeySHA256: t.HostKeySHA256.ValueString(),
			CredentialID:  t.CredentialID.ValueString(),
		}
	}
	if !m.S3.IsNull() {
		var t s3TargetModel
		diags.Append(m.S3.As(ctx, &t, objectAsOptions)...)
		d.S3 = &access.S3Target{
			Bucket:       t.Bucket.ValueString(),
			Region:       t.Region.ValueString(),
			Prefix:       t.Prefix.ValueString(),
			CredentialID: t.CredentialID.ValueString(),
		}
	}
	return d
}

func (m *exportDestinationModel) setFrom(ctx context.Context, d access.ExportDestination, diags *diag.Diagnostics) {
	m.ID = types.StringValue(d.ID)
	m.Name = types.StringValue(d.Name)
	m.Type = types.StringValue(string(d.Type))
	m.CreatedAt = types.StringValue(formatTime(d.CreatedAt))
	kinds := make([]string, len(d.ExportKinds))
	for i, k := range d.ExportKinds {
		kinds[i] = string(k)
	}
	m.ExportKinds = stringSet(kinds, diags)

	m.SFTP = types.ObjectNull(sftpTargetAttrTypes)
	if t := d.SFTP; t != nil {
		obj, od := types.ObjectValueFrom(ctx, sftpTargetAttrTypes, sftpTargetModel{
			Host:          types.StringValue(t.Host),
			Port:          types.Int64Value(int64(t.Port)),
			Path:          types.StringValue(t.Path),
			HostKeySHA256: optionalString(t.HostKeySHA256),
			CredentialID:  types.StringValue(t.CredentialID),
		})
		diags.Append(od...)
		m.SFTP = obj
	}
	m.S3 = types.ObjectNull(s3TargetAttrTypes)
	if t := d.S3; t != nil {
		obj, od := types.ObjectValueFrom(ctx, s3TargetAttrTypes, s3TargetModel{
			Bucket:       types.StringValue(t.Bucket),
			Region:       types.StringValue(t.Region),
			Prefix:       optionalString(t.Prefix),
			CredentialID: types.StringValue(t.CredentialID),
		})
		diags.Append(od...)
		m.S3 = obj
	}
}
