package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// TestAccResources_fractionalNumbersAreAttributeErrors: Terraform has one
// number type, so a fraction where a resource wants a whole number is the
// user's mistake, said at the attribute; the framework's own conversion
// error would tell them to report a provider bug.
func TestAccResources_fractionalNumbersAreAttributeErrors(t *testing.T) {
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"session_timeout_minutes": {
			config: testAccSecuritySettingsConfig("  session_timeout_minutes = 90.5\n"),
			want:   wrappedText("Invalid Attribute Value .* Attribute session_timeout_minutes must be a whole number, got 90.5"),
		},
		"secret_wo_version": {
			config: `
resource "engage_transfer_credential" "test" {
  name              = "sftp_prod"
  username          = "exporter"
  secret_wo         = "s3cret"
  secret_wo_version = 1.5
}
`,
			want: wrappedText("Invalid Attribute Value .* Attribute secret_wo_version must be a whole number, got 1.5"),
		},
		"sftp.port": {
			config: testAccDestinationConfig("Warehouse", strings.Replace(sftpTarget, `path `, "port            = 22.5\n    path ", 1), `["report"]`),
			want:   wrappedText("Invalid Attribute Value .* Attribute sftp.port must be a whole number, got 22.5"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				resource.Test(t, resource.TestCase{
					TerraformVersionChecks:   writeOnlyVersionChecks,
					ProtoV6ProviderFactories: b.Factories,
					Steps:                    []resource.TestStep{{Config: tc.config, PlanOnly: true, ExpectError: tc.want}},
				})
			})
		})
	}
}
