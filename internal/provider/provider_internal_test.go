package provider

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestTokenWithoutEndpointDetailSaysWhereTheTokenIsAndTheWayOut(t *testing.T) {
	t.Parallel()
	abs, err := filepath.Abs(DefaultEmbeddedPath)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name            string
		inConfig, inEnv bool
		want            string
	}{
		{"a token in the provider block", true, false,
			"api_token is set but endpoint is not (nor ENGAGE_ENDPOINT), so the provider would use the local embedded database at " + abs +
				" and ignore the token. Set endpoint (or ENGAGE_ENDPOINT) to use the REST backend, or remove api_token to use the embedded database."},
		{"a token in the environment", false, true,
			"ENGAGE_API_TOKEN is set but endpoint is not (nor ENGAGE_ENDPOINT), so the provider would use the local embedded database at " + abs +
				" and ignore the token. Set endpoint (or ENGAGE_ENDPOINT) to use the REST backend, or unset ENGAGE_API_TOKEN to use the embedded database."},
		{"a token in both", true, true,
			"api_token (and ENGAGE_API_TOKEN) is set but endpoint is not (nor ENGAGE_ENDPOINT), so the provider would use the local embedded database at " + abs +
				" and ignore the token. Set endpoint (or ENGAGE_ENDPOINT) to use the REST backend, or remove api_token and unset ENGAGE_API_TOKEN to use the embedded database."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tokenWithoutEndpointDetail(tc.inConfig, tc.inEnv, DefaultEmbeddedPath); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}

	t.Run("an absolute path is shown as it is", func(t *testing.T) {
		t.Parallel()
		if got := tokenWithoutEndpointDetail(true, false, "/srv/engage/sandbox.db"); !strings.Contains(got, " at /srv/engage/sandbox.db and ") {
			t.Errorf("the path is not in %q", got)
		}
	})
}

func TestUserAgentNamesTheTerraformVersionOnlyWhenTerraformSentOne(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, provider, terraform, want string }{
		{"a release under Terraform", "0.1.0", "1.16.4", "terraform-provider-engage/0.1.0 Terraform/1.16.4"},
		{"a snapshot under Terraform", "0.1.0-snapshot-1085c85", "1.11.4", "terraform-provider-engage/0.1.0-snapshot-1085c85 Terraform/1.11.4"},
		{"a client that sent no version", "0.1.0", "", "terraform-provider-engage/0.1.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := userAgent(tc.provider, tc.terraform); got != tc.want {
				t.Errorf("userAgent(%q, %q) = %q, want %q", tc.provider, tc.terraform, got, tc.want)
			}
		})
	}
}
