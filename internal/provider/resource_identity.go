package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every resource has a resource identity (Terraform and OpenTofu 1.12+):
// what names its object on the platform for the object's whole life, kept by
// Terraform beside the state and accepted by `import { identity = {...} }`.
// An engage identity is always some of the resource's own state attributes,
// under the same names: the platform id where the platform assigns one,
// `table` and `column` for a masked column, `id` ("account") for the
// singleton settings. So the core copies the identity out of the state it
// has just written, and a resource only names the attributes: one place
// keeps identity and state from ever disagreeing.

// objectIdentity declares a resource's identity.
type objectIdentity struct {
	// attrs are the identity's attributes, each a string state attribute of
	// the same name, in the order importID takes their values.
	attrs []identityAttr
	// importID writes an identity's values as the import ID that names the
	// object by id; nil when the identity has one attribute, its own value.
	importID func(values []string) string
}

type identityAttr struct {
	name        string
	description string
}

// platformIDIdentity is the identity of an object the platform gives an id:
// that id, the attribute `id` of its state.
func platformIDIdentity(noun string) objectIdentity {
	return objectIdentity{attrs: []identityAttr{{
		name:        "id",
		description: fmt.Sprintf("Identifier the platform assigned to the %s, the resource's `id`.", noun),
	}}}
}

// IdentitySchema has every attribute required for import: each is part of
// the name of the object.
func (r *managed[M, O]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	identity := r.kind.identity()
	attrs := make(map[string]identityschema.Attribute, len(identity.attrs))
	for _, a := range identity.attrs {
		attrs[a.name] = identityschema.StringAttribute{Description: a.description, RequiredForImport: true}
	}
	resp.IdentitySchema = identityschema.Schema{Attributes: attrs}
}

// setIdentity copies the identity's attributes from state. The framework
// hands every operation of a resource with an identity schema an identity to
// fill, null when the state predates identity: writing it on every Read is
// what backfills such state.
func (r *managed[M, O]) setIdentity(ctx context.Context, state tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	copyIdentity(ctx, r.kind.identity(), state, identity, diags)
}

// attributeSource is a state or a listed resource: what an identity is
// copied from.
type attributeSource interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// copyIdentity sets identity's attributes from the state attributes of the
// same names.
func copyIdentity(ctx context.Context, spec objectIdentity, state attributeSource, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	for _, a := range spec.attrs {
		var v types.String
		diags.Append(state.GetAttribute(ctx, path.Root(a.name), &v)...)
		diags.Append(identity.SetAttribute(ctx, path.Root(a.name), v)...)
	}
}

// identityImportID is the import ID naming by id the object an import
// block's identity names, or false (with an error) when an attribute is
// missing.
func (r *managed[M, O]) identityImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) (string, bool) {
	spec := r.kind.identity()
	values := make([]string, len(spec.attrs))
	for i, a := range spec.attrs {
		var v types.String
		diags.Append(identity.GetAttribute(ctx, path.Root(a.name), &v)...)
		if diags.HasError() {
			return "", false
		}
		if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
			diags.AddError("Missing identity attribute", fmt.Sprintf("Importing %s %s by identity needs %q: %s",
				article(r.kind.noun()), r.kind.noun(), a.name, a.description))
			return "", false
		}
		values[i] = v.ValueString()
	}
	if spec.importID == nil {
		return values[0], true
	}
	return spec.importID(values), true
}
