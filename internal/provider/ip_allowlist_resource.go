package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	_ resource.ResourceWithConfigure   = (*ipAllowlistResource)(nil)
	_ resource.ResourceWithImportState = (*ipAllowlistResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*ipAllowlistResource)(nil)
)

// NewIPAllowlistResource is the engage_ip_allowlist resource.
func NewIPAllowlistResource() resource.Resource { return &ipAllowlistResource{} }

type ipAllowlistResource struct {
	data *providerData
}

type ipAllowlistModel struct {
	ID          types.String          `tfsdk:"id"`
	Name        types.String          `tfsdk:"name"`
	Description types.String          `tfsdk:"description"`
	Enabled     types.Bool            `tfsdk:"enabled"`
	Entries     allowlistEntriesValue `tfsdk:"entries"`
}

// allowlistEntryModel is one element of entries.
type allowlistEntryModel struct {
	CIDR        cidrValue    `tfsdk:"cidr"`
	Description types.String `tfsdk:"description"`
}

// allowlistEntryAttrTypes is the object type of one element of entries.
var allowlistEntryAttrTypes = map[string]attr.Type{
	"cidr":        cidrType{},
	"description": types.StringType,
}

func (r *ipAllowlistResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_allowlist"
}

func (r *ipAllowlistResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A named list of networks allowed to reach the console. While at least one list is " +
			"enabled, the console refuses requests from outside every enabled list; with none enabled, " +
			"allowlisting is off. IPv4 and IPv6 are supported; a bare address stands for its `/32` or `/128`." +
			adoptionNote("IP allowlist", "name"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier the platform assigned to the list.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the list, 1-%d characters, unique in the account regardless of case.", access.MaxNameLength),
				Required:            true,
				Validators: []validator.String{
					stringvalidator.UTF8LengthBetween(1, access.MaxNameLength),
					stringvalidator.RegexMatches(trimmedName, "must not start or end with white space"),
				},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("What the list is for, at most %d characters. Defaults to an empty string.", access.MaxDescriptionLength),
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(access.MaxDescriptionLength)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the console enforces the list. Defaults to `true`; set `false` to keep a list without enforcing it.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			// A list with set semantics, for speed: see allowlist_entries_type.go.
			"entries": schema.ListNestedAttribute{
				MarkdownDescription: fmt.Sprintf("The networks the list allows, at most %d, each listed once however it is spelled; "+
					"their order does not matter. Authoritative: entries not listed are removed. An enabled list with no entries "+
					"allows nothing on its own.",
					access.MaxAllowlistEntries),
				Required:   true,
				CustomType: newAllowlistEntriesType(),
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"cidr": schema.StringAttribute{
							MarkdownDescription: "An IPv4 or IPv6 prefix in canonical form (`10.1.2.0/24`, not `10.1.2.3/24`), " +
								"or a bare address, which stands for its `/32` or `/128`; spellings of one network are not a change.",
							CustomType: cidrType{},
							Required:   true,
							Validators: []validator.String{cidrValidator},
						},
						"description": schema.StringAttribute{
							MarkdownDescription: fmt.Sprintf("What the network is, at most %d characters. Defaults to an empty string.", access.MaxDescriptionLength),
							Optional:            true,
							Computed:            true,
							Default:             stringdefault.StaticString(""),
							Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(access.MaxDescriptionLength)},
						},
					},
				},
				Validators: []validator.List{
					listvalidator.SizeAtMost(access.MaxAllowlistEntries),
					distinctCIDRsValidator{},
				},
				PlanModifiers: []planmodifier.List{equivalentEntriesPlanModifier{}},
			},
		},
	}
}

func (r *ipAllowlistResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *ipAllowlistResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ipAllowlistModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := ipAllowlistFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.data.lockout.check(ctx, "", canonicalAllowlist(in)); err != nil {
		addServiceError(&resp.Diagnostics, "Unable to create IP allowlist", err)
		return
	}
	created, err := createOrAdopt(ctx, in, r.data.service.CreateIPAllowlist, ipAllowlistAdoption(r.data.service), &resp.Diagnostics)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to create IP allowlist", err)
		return
	}
	plan.setFrom(created, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, created.Version, &resp.Diagnostics)
}

func (r *ipAllowlistResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ipAllowlistModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := r.data.service.GetIPAllowlist(ctx, state.ID.ValueString())
	if errors.Is(err, access.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read IP allowlist", err)
		return
	}
	state.setFrom(list, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	saveVersion(ctx, resp.Private, list.Version, &resp.Diagnostics)
}

func (r *ipAllowlistResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state ipAllowlistModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := ipAllowlistFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in.ID = state.ID.ValueString()
	if err := r.data.lockout.check(ctx, in.ID, canonicalAllowlist(in)); err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update IP allowlist", err)
		return
	}
	in.Version = lastVersion(ctx, req.Private, &resp.Diagnostics)
	updated, err := r.data.service.UpdateIPAllowlist(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update IP allowlist", err)
		return
	}
	plan.setFrom(updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	saveVersion(ctx, resp.Private, updated.Version, &resp.Diagnostics)
}

func (r *ipAllowlistResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ipAllowlistModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.data.lockout.check(ctx, state.ID.ValueString(), nil); err != nil {
		addServiceError(&resp.Diagnostics, "Unable to delete IP allowlist", err)
		return
	}
	err := r.data.service.DeleteIPAllowlist(ctx, state.ID.ValueString(), 0)
	if err != nil && !errors.Is(err, access.ErrNotFound) {
		addServiceError(&resp.Diagnostics, "Unable to delete IP allowlist", err)
	}
}

// ModifyPlan shows a lockout at plan time when the planned list is known:
// the caller learns before apply that the change would shut it out.
func (r *ipAllowlistResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || plansNoChange(req) {
		return // not configured yet (validation), or nothing to write
	}
	var id string
	if !req.State.Raw.IsNull() {
		var state ipAllowlistModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		id = state.ID.ValueString()
	}
	var planned *access.IPAllowlist
	if !req.Plan.Raw.IsNull() {
		var plan ipAllowlistModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
		entries, diags := plan.Entries.ToListValue(ctx)
		resp.Diagnostics.Append(diags...)
		if plan.Enabled.IsUnknown() || entries.IsUnknown() {
			return // checked again at apply, when it is known
		}
		for _, e := range entries.Elements() {
			if _, known := entryField(e, "cidr"); !known {
				return
			}
		}
		in := ipAllowlistFromModel(ctx, plan, &resp.Diagnostics)
		in.ID = id
		planned = canonicalAllowlist(in)
	}
	if err := r.data.lockout.check(ctx, id, planned); err != nil {
		addServiceError(&resp.Diagnostics, "IP allowlist change refused", err)
	}
}

// canonicalAllowlist returns l as the platform will store it (entries in
// canonical form), or l itself when it does not validate: validation
// reports that elsewhere.
func canonicalAllowlist(l access.IPAllowlist) *access.IPAllowlist {
	if canon, err := access.ValidateIPAllowlist(l); err == nil {
		return &canon
	}
	return &l
}

// ImportState accepts a list id, or `name:<list name>`.
func (r *ipAllowlistResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var (
		list access.IPAllowlist
		err  error
	)
	if name, ok := strings.CutPrefix(req.ID, importNamePrefix); ok {
		list, err = findByName(ctx, "IP allowlist", name, r.data.service.ListIPAllowlists,
			func(l access.IPAllowlist) string { return l.Name })
	} else {
		list, err = r.data.service.GetIPAllowlist(ctx, req.ID)
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to import IP allowlist", err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), list.ID)...)
}

// ipAllowlistFromModel maps the configured fields to the service's input.
func ipAllowlistFromModel(ctx context.Context, m ipAllowlistModel, diags *diag.Diagnostics) access.IPAllowlist {
	var entries []allowlistEntryModel
	diags.Append(m.Entries.ElementsAs(ctx, &entries, false)...)
	out := access.IPAllowlist{
		ID:          m.ID.ValueString(),
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
		Enabled:     m.Enabled.ValueBool(),
		Entries:     make([]access.AllowlistEntry, len(entries)),
	}
	for i, e := range entries {
		out.Entries[i] = access.AllowlistEntry{CIDR: e.CIDR.ValueString(), Description: e.Description.ValueString()}
	}
	return out
}

// setFrom copies what the platform returned into the model. Entries come in
// canonical form; where Terraform holds another spelling of the same
// network, the framework keeps Terraform's (cidrType's semantic equality).
func (m *ipAllowlistModel) setFrom(l access.IPAllowlist, diags *diag.Diagnostics) {
	m.ID = types.StringValue(l.ID)
	m.Name = types.StringValue(l.Name)
	m.Description = types.StringValue(l.Description)
	m.Enabled = types.BoolValue(l.Enabled)
	elems := make([]attr.Value, len(l.Entries))
	for i, e := range l.Entries {
		obj, d := types.ObjectValue(allowlistEntryAttrTypes, map[string]attr.Value{
			"cidr":        cidrValueOf(e.CIDR),
			"description": types.StringValue(e.Description),
		})
		diags.Append(d...)
		elems[i] = obj
	}
	m.Entries = allowlistEntriesOf(elems, diags)
}
