package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Every resource of this provider runs on one generic core, managed: the
// CRUD and import shapes, the private version, the no-op plan short cut and
// the create-conflict error and the resource identity are written once,
// here. A resource declares an objectKind (its schema, its two mappers, its
// service calls, its import forms and which attributes are its identity)
// and, through the optional interfaces below, only what is truly its own.

// objectKind describes one resource type to the core. M is its Terraform
// model, O the platform object it manages.
type objectKind[M, O any] interface {
	// typeName follows the provider's prefix: "role" for engage_role.
	typeName() string
	// noun names one object in messages: "role", "IP allowlist".
	noun() string
	schema() schema.Schema

	// toObject maps planned (or configured) values to the platform object.
	toObject(ctx context.Context, m M, diags *diag.Diagnostics) O
	// fromObject copies what the platform returned into m. m holds the
	// values before the call (state on Read, plan on Create and Update), for
	// attributes that only Terraform knows and orders it wants to keep.
	fromObject(ctx context.Context, m *M, o O, diags *diag.Diagnostics)
	version(o O) access.Version

	read(ctx context.Context, svc access.Service, state M) (O, error)
	create(ctx context.Context, w write[M], o O) (O, error)
	// update writes o over the object in w.state, conditional on w.version.
	update(ctx context.Context, w write[M], o O) (O, error)
	delete(ctx context.Context, data *providerData, state M) error

	// holder finds the object that holds o's natural key (name, email, the
	// masked column, the singleton) after the platform refused to create o
	// with a conflict: the object to import rather than to create again.
	holder(ctx context.Context, svc access.Service, o O) (keyHolder, error)
	// importer resolves an import ID to the object it names.
	importer() importForms[O]
	// identity names the state attributes that are the resource identity
	// (resource_identity.go).
	identity() objectIdentity
}

// write is what a create or an update may need besides the object: the
// provider's services, the configuration (where write-only values live),
// the plan, the prior state (nil on create) and the version the plan's
// refresh read.
type write[M any] struct {
	data    *providerData
	config  tfsdk.Config
	plan    M
	state   *M
	version access.Version
}

// planAdjuster is implemented by kinds that know planned values the
// framework would leave unknown, or check a plan against the platform.
// plan is nil on destroy and state nil on create; the core writes plan back
// when it is not nil. data is nil while the provider is not configured.
type planAdjuster[M any] interface {
	adjustPlan(ctx context.Context, data *providerData, config tfsdk.Config, plan, state *M, diags *diag.Diagnostics)
}

// configValidating is implemented by kinds with rules spanning attributes.
type configValidating interface {
	configValidators() []resource.ConfigValidator
}

// configChecking is implemented by kinds that check their configuration in
// code, with messages the platform's own.
type configChecking interface {
	validateConfig(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics)
}

var (
	_ resource.ResourceWithConfigure        = (*managed[roleModel, access.Role])(nil)
	_ resource.ResourceWithImportState      = (*managed[roleModel, access.Role])(nil)
	_ resource.ResourceWithIdentity         = (*managed[roleModel, access.Role])(nil)
	_ resource.ResourceWithModifyPlan       = (*managed[roleModel, access.Role])(nil)
	_ resource.ResourceWithConfigValidators = (*managed[roleModel, access.Role])(nil)
	_ resource.ResourceWithValidateConfig   = (*managed[roleModel, access.Role])(nil)
)

// managed is a terraform-plugin-framework resource over one objectKind.
type managed[M, O any] struct {
	kind objectKind[M, O]
	data *providerData
}

func newManaged[M, O any](kind objectKind[M, O]) resource.Resource {
	return &managed[M, O]{kind: kind}
}

func (r *managed[M, O]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeName()
}

func (r *managed[M, O]) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.kind.schema()
}

func (r *managed[M, O]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *managed[M, O]) ConfigValidators(context.Context) []resource.ConfigValidator {
	if v, ok := r.kind.(configValidating); ok {
		return v.configValidators()
	}
	return nil
}

func (r *managed[M, O]) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if v, ok := r.kind.(configChecking); ok {
		v.validateConfig(ctx, req.Config, &resp.Diagnostics)
	}
}

// ModifyPlan returns at once when the plan keeps the prior state: a no-op
// plan has nothing to add, and decoding every unchanged object into a model
// is most of a large no-op plan's cost.
func (r *managed[M, O]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	adjuster, ok := r.kind.(planAdjuster[M])
	if !ok || plansNoChange(req) {
		return
	}
	var plan, state *M
	if !req.Plan.Raw.IsNull() {
		plan = new(M)
		resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	}
	if !req.State.Raw.IsNull() {
		state = new(M)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	adjuster.adjustPlan(ctx, r.data, req.Config, plan, state, &resp.Diagnostics)
	if plan != nil && !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	}
}

func (r *managed[M, O]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := r.kind.toObject(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := r.kind.create(ctx, write[M]{data: r.data, config: req.Config, plan: plan}, in)
	if err != nil {
		r.addCreateError(ctx, in, err, &resp.Diagnostics)
		return
	}
	r.kind.fromObject(ctx, &plan, created, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.setIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
	saveVersion(ctx, resp.Private, r.kind.version(created), &resp.Diagnostics)
}

func (r *managed[M, O]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := r.kind.read(ctx, r.data.service, state)
	if errors.Is(err, access.ErrNotFound) {
		// Terraform wants an identity even for an object leaving state;
		// state written before identity existed has none yet.
		r.setIdentity(ctx, req.State, resp.Identity, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to read "+r.kind.noun(), err)
		return
	}
	r.kind.fromObject(ctx, &state, got, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	r.setIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
	saveVersion(ctx, resp.Private, r.kind.version(got), &resp.Diagnostics)
}

func (r *managed[M, O]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := r.kind.toObject(ctx, plan, &resp.Diagnostics)
	version := lastVersion(ctx, req.Private, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	w := write[M]{data: r.data, config: req.Config, plan: plan, state: &state, version: version}
	updated, err := r.kind.update(ctx, w, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to update "+r.kind.noun(), err)
		return
	}
	r.kind.fromObject(ctx, &plan, updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.setIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
	saveVersion(ctx, resp.Private, r.kind.version(updated), &resp.Diagnostics)
}

// Delete treats an object already gone as deleted.
func (r *managed[M, O]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.kind.delete(ctx, r.data, state); err != nil && !errors.Is(err, access.ErrNotFound) {
		addServiceError(&resp.Diagnostics, "Unable to delete "+r.kind.noun(), err)
	}
}

// ImportState finds the object the import ID or the import block's
// identity names, so an import naming nothing fails here, with the forms the
// resource accepts, rather than as an empty refresh, and writes its whole
// state and identity.
func (r *managed[M, O]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var (
		got O
		err error
	)
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		// import { identity = {...} }: the identity names the object by id,
		// never by a natural key.
		id, ok := r.identityImportID(ctx, req.Identity, &resp.Diagnostics)
		if !ok {
			return
		}
		got, err = r.kind.importer().resolveID(ctx, r.data.service, id)
	} else {
		got, err = r.kind.importer().resolve(ctx, r.data.service, r.kind.noun(), req.ID)
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "Unable to import "+r.kind.noun(), err)
		return
	}
	var m M
	r.kind.fromObject(ctx, &m, got, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	r.setIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
	saveVersion(ctx, resp.Private, r.kind.version(got), &resp.Diagnostics)
}
