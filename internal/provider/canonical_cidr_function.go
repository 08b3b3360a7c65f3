package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ function.Function = (*canonicalCIDRFunction)(nil)

// NewCanonicalCIDRFunction is provider::engage::canonical_cidr.
func NewCanonicalCIDRFunction() function.Function { return &canonicalCIDRFunction{} }

// canonicalCIDRFunction gives configuration the form the platform stores an
// allowlist entry in, so values built from other sources (a bare address, an
// upper-case IPv6 prefix) compare equal to what state will hold.
type canonicalCIDRFunction struct{}

func (f *canonicalCIDRFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "canonical_cidr"
}

func (f *canonicalCIDRFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The canonical form of an IP address or CIDR prefix, as allowlists store it",
		MarkdownDescription: "Returns an IPv4 or IPv6 address or CIDR prefix in the canonical form `engage_ip_allowlist` " +
			"stores: a bare address becomes a `/32` or `/128` prefix and IPv6 is compressed and lower-case. A prefix " +
			"with bits set beyond its mask (`10.1.2.3/24`) is an error naming the canonical prefix, as the platform " +
			"refuses it rather than guess. No provider configuration or backend is needed.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "cidr",
				MarkdownDescription: "An IP address (`192.0.2.7`, `2001:db8::1`) or CIDR prefix (`10.0.0.0/8`).",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *canonicalCIDRFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var in string
	resp.Error = req.Arguments.Get(ctx, &in)
	if resp.Error != nil {
		return
	}
	canonical, err := access.CanonicalCIDR(in)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "cidr: "+err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, canonical)
}
