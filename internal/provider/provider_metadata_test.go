package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/engage-oss/terraform-provider-engage/internal/provider"
)

// TestProviderMetadataAdvertisesThatTheSchemaIsOptional asks the provider
// server, over the plugin protocol as terraform does, for its metadata. It
// must advertise GetProviderSchemaOptional, so that terraform (1.6+) need not
// ask every provider process it starts for the whole schema (the provider
// has a dozen resources with large nested schemas): the scale benchmark
// starts several provider processes per command. The metadata must also list
// the resources and data sources, which is what lets terraform do without
// the schema call.
func TestProviderMetadataAdvertisesThatTheSchemaIsOptional(t *testing.T) {
	t.Parallel()
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetMetadata(t.Context(), &tfprotov6.GetMetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("GetMetadata diagnostic: %s: %s", d.Summary, d.Detail)
	}
	if resp.ServerCapabilities == nil || !resp.ServerCapabilities.GetProviderSchemaOptional {
		t.Fatalf("GetMetadata server capabilities = %+v, want GetProviderSchemaOptional", resp.ServerCapabilities)
	}

	resources := map[string]bool{}
	for _, r := range resp.Resources {
		resources[r.TypeName] = true
	}
	for _, want := range []string{"engage_role", "engage_user", "engage_ip_allowlist"} {
		if !resources[want] {
			t.Errorf("GetMetadata does not list resource %s; it lists %v", want, resources)
		}
	}
	dataSources := map[string]bool{}
	for _, d := range resp.DataSources {
		dataSources[d.TypeName] = true
	}
	if !dataSources["engage_role"] {
		t.Errorf("GetMetadata does not list data source engage_role; it lists %v", dataSources)
	}
}
