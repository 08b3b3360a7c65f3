package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Every resource type is also a list resource (Terraform 1.14+): `list`
// blocks in a .tfquery.hcl file and `terraform query` find the objects an
// account already has, and `-generate-config-out` writes the import blocks
// and configuration that bring them under Terraform. Like the resources, the
// seven list resources run on one generic core, listed, over the same
// objectKind: a listed object's state is what an import of it writes
// (fromObject over an empty model), and its identity is copied out of that
// state, so the generated configuration plans no change and the generated
// import blocks name the very objects listed.

// listPageSize is the page the list resources ask for: the REST server's
// largest, so that an account of N objects costs N/500 requests.
const listPageSize = 500

// listable is what a kind adds to be listed.
type listable[O any] interface {
	// listPage reads one page of the kind's collection, without the objects
	// Terraform cannot manage (the platform's system roles).
	listPage(ctx context.Context, svc access.Service, opts access.ListOptions) (access.Page[O], error)
	// displayName names an object for a person reading `terraform query`.
	displayName(o O) string
	// listDescription is the list resource's description, in Markdown.
	listDescription() string
}

// listFiltering is implemented by kinds whose list block takes filters, in
// its `config` block.
type listFiltering[O any] interface {
	listFilterAttributes() map[string]listschema.Attribute
	// listFilter reads the filters from the list block's configuration.
	listFilter(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) func(O) bool
}

// listedKind is an objectKind that can be listed.
type listedKind[M, O any] interface {
	objectKind[M, O]
	listable[O]
}

var _ list.ListResourceWithConfigure = (*listed[roleModel, access.Role])(nil)

// listed is a terraform-plugin-framework list resource over one objectKind.
type listed[M, O any] struct {
	kind listedKind[M, O]
	data *providerData
}

func newListed[M, O any](kind listedKind[M, O]) list.ListResource {
	return &listed[M, O]{kind: kind}
}

func (l *listed[M, O]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + l.kind.typeName()
}

func (l *listed[M, O]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *listed[M, O]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{MarkdownDescription: l.kind.listDescription()}
	if f, ok := l.kind.(listFiltering[O]); ok {
		resp.Schema.Attributes = f.listFilterAttributes()
	}
}

// List streams the objects page by page: Terraform receives the first
// results while later pages are still to be read, and a `limit` reached
// ends the listing without reading further pages.
func (l *listed[M, O]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	if l.data == nil {
		diags.AddError("Provider not configured",
			"Listing "+l.kind.noun()+" objects needs a configured provider. This is a bug in the provider or in Terraform; please report it.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	keep := func(O) bool { return true }
	if f, ok := l.kind.(listFiltering[O]); ok {
		keep = f.listFilter(ctx, req.Config, &diags)
		if diags.HasError() {
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var pushed int64
		opts := access.ListOptions{Limit: listPageSize}
		for {
			page, err := l.kind.listPage(ctx, l.data.service, opts)
			if err != nil {
				var diags diag.Diagnostics
				addServiceError(&diags, "Unable to list engage_"+l.kind.typeName(), err)
				push(list.ListResult{Diagnostics: diags})
				return
			}
			for i, o := range page.Items {
				if !keep(o) {
					continue
				}
				last := req.Limit > 0 && pushed+1 >= req.Limit
				if last && (page.NextPageToken != "" || slices.ContainsFunc(page.Items[i+1:], keep)) {
					// Terraform stops reading at the limit, so the warning
					// goes before the last result.
					if !push(list.ListResult{Diagnostics: l.limitReached(req.Limit)}) {
						return
					}
				}
				if !push(l.result(ctx, req, o)) || last {
					return
				}
				pushed++
			}
			if page.NextPageToken == "" {
				return
			}
			opts.PageToken = page.NextPageToken
		}
	}
}

// limitReached warns that the list block's limit cut the listing short:
// Terraform's default limit is 100, and an onboarding that takes the first
// 100 users for all of them would leave the rest unmanaged without a word.
func (l *listed[M, O]) limitReached(limit int64) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.AddWarning("More "+l.kind.noun()+" objects than the list block's limit",
		fmt.Sprintf("The listing of engage_%s stopped at the list block's limit of %d (Terraform's default is 100); "+
			"the account has more that match. Set `limit` in the list block to list them all.", l.kind.typeName(), limit))
	return diags
}

// result is one listed object: its identity, display name and, when asked
// for, its state as an import would write it.
func (l *listed[M, O]) result(ctx context.Context, req list.ListRequest, o O) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = l.kind.displayName(o)
	var m M
	l.kind.fromObject(ctx, &m, o, &result.Diagnostics)
	result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	copyIdentity(ctx, l.kind.identity(), result.Resource, result.Identity, &result.Diagnostics)
	if !req.IncludeResource {
		result.Resource = nil
	}
	return result
}
