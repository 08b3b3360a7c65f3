package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ planAdjuster[ipAllowlistModel] = ipAllowlistKind{}

// NewIPAllowlistResource is the engage_ip_allowlist resource.
func NewIPAllowlistResource() resource.Resource { return newManaged(ipAllowlistKind{}) }

type ipAllowlistKind struct{}

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

func (ipAllowlistKind) typeName() string { return "ip_allowlist" }
func (ipAllowlistKind) noun() string     { return "IP allowlist" }

func (ipAllowlistKind) schema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A named list of networks allowed to reach the console. While at least one list is " +
			"enabled, the console refuses requests from outside every enabled list; with none enabled, " +
			"allowlisting is off. IPv4 and IPv6 are supported; a bare address stands for its `/32` or `/128`. " +
			"Refresh keeps the entries in the order state holds them and puts entries added outside Terraform after them, " +
			"so an entry added in the console shows in a plan as that one entry. (One removed in the console shows as the " +
			"entries after it moving up a place: Terraform shows list changes by position.)",
		Attributes: map[string]schema.Attribute{
			"id":          idAttribute("list"),
			"name":        nameAttribute("name of the list", true, nameCheck),
			"description": descriptionAttribute("what the list is for"),
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

// adjustPlan shows a lockout at plan time when the planned list is known:
// the caller learns before apply that the change would shut it out.
func (k ipAllowlistKind) adjustPlan(ctx context.Context, data *providerData, _ tfsdk.Config, plan, state *ipAllowlistModel, diags *diag.Diagnostics) {
	if data == nil {
		return // not configured yet
	}
	var id string
	if state != nil {
		id = state.ID.ValueString()
	}
	var planned *access.IPAllowlist
	if plan != nil {
		entries, d := plan.Entries.ToListValue(ctx)
		diags.Append(d...)
		if plan.Enabled.IsUnknown() || entries.IsUnknown() {
			return // checked again at apply, when it is known
		}
		for _, e := range entries.Elements() {
			if _, known := entryField(e, "cidr"); !known {
				return
			}
		}
		in := k.toObject(ctx, *plan, diags)
		in.ID = id
		planned = canonicalAllowlist(in)
	}
	warning, err := data.lockout.checkPlan(ctx, id, planned)
	if warning.summary != "" {
		diags.AddWarning(warning.summary, warning.detail)
	}
	if err != nil {
		addServiceError(diags, "IP allowlist change refused", err)
	}
}

func (ipAllowlistKind) toObject(ctx context.Context, m ipAllowlistModel, diags *diag.Diagnostics) access.IPAllowlist {
	var entries []allowlistEntryModel
	diags.Append(m.Entries.ElementsAs(ctx, &entries, false)...)
	out := access.IPAllowlist{
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

// fromObject copies what the platform returned into the model. The
// platform returns entries sorted; they are put in the order m holds them
// (see entriesInPriorOrder), so drift shows as the entries that differ.
func (ipAllowlistKind) fromObject(_ context.Context, m *ipAllowlistModel, l access.IPAllowlist, diags *diag.Diagnostics) {
	m.ID = types.StringValue(l.ID)
	m.Name = types.StringValue(l.Name)
	m.Description = types.StringValue(l.Description)
	m.Enabled = types.BoolValue(l.Enabled)
	m.Entries = allowlistEntriesOf(entriesInPriorOrder(m.Entries, l.Entries, diags), diags)
}

func (ipAllowlistKind) version(l access.IPAllowlist) access.Version { return l.Version }

func (ipAllowlistKind) identity() objectIdentity { return platformIDIdentity("IP allowlist") }

func (ipAllowlistKind) read(ctx context.Context, svc access.Service, state ipAllowlistModel) (access.IPAllowlist, error) {
	return svc.GetIPAllowlist(ctx, state.ID.ValueString())
}

func (ipAllowlistKind) create(ctx context.Context, w write[ipAllowlistModel], l access.IPAllowlist) (access.IPAllowlist, error) {
	if err := w.data.lockout.check(ctx, "", canonicalAllowlist(l)); err != nil {
		return access.IPAllowlist{}, err
	}
	return w.data.service.CreateIPAllowlist(ctx, l)
}

func (ipAllowlistKind) update(ctx context.Context, w write[ipAllowlistModel], l access.IPAllowlist) (access.IPAllowlist, error) {
	l.ID, l.Version = w.state.ID.ValueString(), w.version
	if err := w.data.lockout.check(ctx, l.ID, canonicalAllowlist(l)); err != nil {
		return access.IPAllowlist{}, err
	}
	return w.data.service.UpdateIPAllowlist(ctx, l)
}

func (ipAllowlistKind) delete(ctx context.Context, data *providerData, state ipAllowlistModel) error {
	if err := data.lockout.check(ctx, state.ID.ValueString(), nil); err != nil {
		return err
	}
	return data.service.DeleteIPAllowlist(ctx, state.ID.ValueString(), 0)
}

func (ipAllowlistKind) holder(ctx context.Context, svc access.Service, l access.IPAllowlist) (keyHolder, error) {
	return allowlistsByName.holder(ctx, svc, l.Name)
}

func (ipAllowlistKind) importer() importForms[access.IPAllowlist] { return allowlistsByName.importer() }

var allowlistsByName = namedObjects[access.IPAllowlist]{
	noun: "list",
	byID: func(ctx context.Context, svc access.Service, id string) (access.IPAllowlist, error) {
		return svc.GetIPAllowlist(ctx, id)
	},
	byName: func(ctx context.Context, svc access.Service, name string) (access.IPAllowlist, error) {
		return findByName(ctx, "IP allowlist", name, svc.ListIPAllowlists, func(l access.IPAllowlist) string { return l.Name })
	},
	facts: func(l access.IPAllowlist) (string, string, time.Time) { return l.ID, l.Name, l.CreatedAt },
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
