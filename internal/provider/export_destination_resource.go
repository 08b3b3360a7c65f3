package provider

import (
	"context"
	"time"

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
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ planAdjuster[exportDestinationModel] = exportDestinationKind{}
	_ configValidating                     = exportDestinationKind{}
)

// NewExportDestinationResource is the engage_export_destination resource.
func NewExportDestinationResource() resource.Resource { return newManaged(exportDestinationKind{}) }

type exportDestinationKind struct{}

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
	Host          types.String     `tfsdk:"host"`
	Port          wholeNumberValue `tfsdk:"port"`
	Path          types.String     `tfsdk:"path"`
	HostKeySHA256 types.String     `tfsdk:"host_key_sha256"`
	CredentialID  types.String     `tfsdk:"credential_id"`
}

var sftpTargetAttrTypes = map[string]attr.Type{
	"host":            types.StringType,
	"port":            wholeNumberType{},
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

func (exportDestinationKind) typeName() string { return "export_destination" }
func (exportDestinationKind) noun() string     { return "export destination" }

func (exportDestinationKind) schema() schema.Schema {
	credentialID := schema.StringAttribute{
		MarkdownDescription: "`id` of the `engage_transfer_credential` to log in with; it must exist.",
		Required:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	return schema.Schema{
		MarkdownDescription: "A place the platform may deliver data exports to: an SFTP server or an S3 bucket. " +
			"Exactly one of `sftp` and `s3` must be set.",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("destination"),
			"name": nameAttribute("name of the destination", true, nameCheck),
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
						CustomType:          wholeNumberType{},
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
			"created_at": createdAtAttribute("destination"),
		},
	}
}

func (exportDestinationKind) configValidators() []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("sftp"), path.MatchRoot("s3")),
	}
}

// adjustPlan makes type known at plan time.
func (exportDestinationKind) adjustPlan(_ context.Context, _ *providerData, _ tfsdk.Config, plan, _ *exportDestinationModel, _ *diag.Diagnostics) {
	switch {
	case plan == nil:
	case !plan.SFTP.IsNull() && !plan.SFTP.IsUnknown():
		plan.Type = types.StringValue(string(access.DestinationSFTP))
	case !plan.S3.IsNull() && !plan.S3.IsUnknown():
		plan.Type = types.StringValue(string(access.DestinationS3))
	}
}

func (exportDestinationKind) version(d access.ExportDestination) access.Version { return d.Version }

func (exportDestinationKind) identity() objectIdentity {
	return platformIDIdentity("export destination")
}

func (exportDestinationKind) read(ctx context.Context, svc access.Service, state exportDestinationModel) (access.ExportDestination, error) {
	return svc.GetExportDestination(ctx, state.ID.ValueString())
}

func (exportDestinationKind) create(ctx context.Context, w write[exportDestinationModel], d access.ExportDestination) (access.ExportDestination, error) {
	return w.data.service.CreateExportDestination(ctx, d)
}

func (exportDestinationKind) update(ctx context.Context, w write[exportDestinationModel], d access.ExportDestination) (access.ExportDestination, error) {
	d.ID, d.Version = w.state.ID.ValueString(), w.version
	return w.data.service.UpdateExportDestination(ctx, d)
}

func (exportDestinationKind) delete(ctx context.Context, data *providerData, state exportDestinationModel) error {
	return data.service.DeleteExportDestination(ctx, state.ID.ValueString(), 0)
}

func (exportDestinationKind) holder(ctx context.Context, svc access.Service, d access.ExportDestination) (keyHolder, error) {
	return destinationsByName.holder(ctx, svc, d.Name)
}

func (exportDestinationKind) importer() importForms[access.ExportDestination] {
	return destinationsByName.importer()
}

var destinationsByName = namedObjects[access.ExportDestination]{
	noun: "destination",
	byID: func(ctx context.Context, svc access.Service, id string) (access.ExportDestination, error) {
		return svc.GetExportDestination(ctx, id)
	},
	byName: func(ctx context.Context, svc access.Service, name string) (access.ExportDestination, error) {
		return findByName(ctx, "export destination", name, svc.ListExportDestinations,
			func(d access.ExportDestination) string { return d.Name })
	},
	facts: func(d access.ExportDestination) (string, string, time.Time) { return d.ID, d.Name, d.CreatedAt },
}

func (exportDestinationKind) toObject(ctx context.Context, m exportDestinationModel, diags *diag.Diagnostics) access.ExportDestination {
	d := access.ExportDestination{Name: m.Name.ValueString()}
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

func (exportDestinationKind) fromObject(ctx context.Context, m *exportDestinationModel, d access.ExportDestination, diags *diag.Diagnostics) {
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
			Port:          wholeNumberValueOf(int64(t.Port)),
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
