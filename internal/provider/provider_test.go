package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/engage-oss/terraform-provider-engage/internal/provider"
	"github.com/engage-oss/terraform-provider-engage/internal/rpcsweep"
)

func TestAccProvider_misconfigurationIsAClearErrorAtTheAttribute(t *testing.T) {
	t.Parallel()
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"engage": rpcsweep.NewProtocol6WithError(provider.New("test", provider.WithDefaultEmbeddedPath(t.TempDir()+"/engage.db"))()),
	}
	cases := map[string]struct {
		provider string
		want     *regexp.Regexp
	}{
		"an endpoint without a token": {
			provider: `endpoint = "https://api.engage.example"`,
			want:     regexp.MustCompile(`(?s)Missing API token.*api_token.*ENGAGE_API_TOKEN`),
		},
		"an endpoint that is not a URL": {
			provider: "endpoint = \"api.engage.example\"\napi_token = \"eng_canary-secret-token\"",
			want:     regexp.MustCompile(`(?s)Invalid REST backend configuration.*endpoint: must be an absolute\s+http\(s\) URL`),
		},
		"an unreadable CA file": {
			provider: "endpoint = \"https://api.engage.example\"\napi_token = \"eng_canary-secret-token\"\nca_cert_file = \"/nonexistent/ca.pem\"",
			want:     regexp.MustCompile(`(?s)Invalid REST backend configuration.*ca_cert_file`),
		},
		"a request timeout that is not a duration": {
			provider: `request_timeout = "thirty seconds"`,
			want:     regexp.MustCompile(`(?s)Invalid duration.*request_timeout: value must be a positive duration`),
		},
		"a fractional number of retries": {
			provider: `max_retries = 1.5`,
			want:     regexp.MustCompile(`(?s)Invalid Attribute Value.*Attribute max_retries must be a whole number, got 1\.5`),
		},
		"too many retries": {
			provider: `max_retries = 100`,
			want:     regexp.MustCompile(`(?s)max_retries.*value must be between 1 and`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories,
				Steps: []resource.TestStep{{
					Config:      "provider \"engage\" {\n" + tc.provider + "\n}\ndata \"engage_permissions\" \"all\" {}\n",
					ExpectError: tc.want,
				}},
			})
		})
	}
}
