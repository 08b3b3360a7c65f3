package provider_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/engage-oss/terraform-provider-engage/internal/provider"
	"github.com/engage-oss/terraform-provider-engage/internal/rpcsweep"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
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

// TestAccProvider_tokenWithoutEndpointIsAnError: a token with no endpoint
// used to select the embedded database silently, so a run meant for an
// account planned against a local file. Not parallel: one case sets
// ENGAGE_API_TOKEN, which the provider (in this process) reads.
func TestAccProvider_tokenWithoutEndpointIsAnError(t *testing.T) {
	const canary = "eng_canary-token-without-endpoint-7d1f"
	// Whatever the developer's shell holds, no endpoint and no token but the
	// ones each case sets.
	t.Setenv(provider.EnvEndpoint, "")
	t.Setenv(provider.EnvAPIToken, "")
	cases := map[string]struct {
		env  string // ENGAGE_API_TOKEN
		body string // the provider block's arguments
		want string // what the error says after its summary; a space matches where Terraform wraps lines
	}{
		"api_token in the provider block": {
			// Through a sensitive variable, so the canary is in no
			// configuration line Terraform quotes with the error.
			body: "api_token = var.token",
			want: `api_token = var\.token.*api_token is set but endpoint is not \(nor ENGAGE_ENDPOINT\), so the provider would use ` +
				`the local embedded database at DBPATH and ignore the token\. Set endpoint \(or ENGAGE_ENDPOINT\) to use the REST backend, ` +
				`or remove api_token to use the embedded database\.`,
		},
		"ENGAGE_API_TOKEN": {
			env: canary,
			want: `ENGAGE_API_TOKEN is set but endpoint is not \(nor ENGAGE_ENDPOINT\), so the provider would use ` +
				`the local embedded database at DBPATH and ignore the token\. Set endpoint \(or ENGAGE_ENDPOINT\) to use the REST backend, ` +
				`or unset ENGAGE_API_TOKEN to use the embedded database\.`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(provider.EnvAPIToken, tc.env)
			dbPath := filepath.Join(t.TempDir(), "engage.db")
			want := regexp.MustCompile(`(?s)Error: API token without an endpoint.*` +
				strings.ReplaceAll(strings.ReplaceAll(tc.want, " ", `\s+`), "DBPATH", regexp.QuoteMeta(dbPath)))
			var got error
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"engage": rpcsweep.NewProtocol6WithError(provider.New("test", provider.WithDefaultEmbeddedPath(dbPath))()),
				},
				// Not ExpectError: the whole error text is needed, to show
				// the token is not in it.
				ErrorCheck: func(err error) error { got = err; return nil },
				Steps: []resource.TestStep{{
					Config: `
variable "token" {
  type      = string
  sensitive = true
}
provider "engage" {
  ` + tc.body + `
}
data "engage_permissions" "all" {}
`,
					ConfigVariables: config.Variables{"token": config.StringVariable(canary)},
				}},
			})
			if got == nil {
				t.Fatal("the plan succeeded on the embedded database")
			}
			if !want.MatchString(got.Error()) {
				t.Errorf("the error does not match %s:\n%s", want, got)
			}
			if strings.Contains(got.Error(), canary) {
				t.Errorf("the error shows the token:\n%s", got)
			}
			if _, err := os.Stat(dbPath); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the embedded database was opened at %s (stat: %v)", dbPath, err)
			}
		})
	}
}

// TestAccProvider_embeddedPathInConfigWinsOverTheEnvironment: a module's
// `terraform test` sets embedded_path to run with no account; an
// ENGAGE_ENDPOINT and ENGAGE_API_TOKEN left in the shell or the CI job used
// to send those runs to the real account. Not parallel: it sets both.
func TestAccProvider_embeddedPathInConfigWinsOverTheEnvironment(t *testing.T) {
	var requests atomic.Int64
	account := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		http.Error(w, "the real account must not be reached", http.StatusTeapot)
	}))
	defer account.Close()
	t.Setenv(provider.EnvEndpoint, account.URL)
	t.Setenv(provider.EnvAPIToken, "eng_real-account-token")
	dbPath := filepath.Join(t.TempDir(), "tests.db")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"engage": rpcsweep.NewProtocol6WithError(provider.New("test")()),
		},
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "engage" {
  embedded_path = %q
}
resource "engage_role" "test" {
  name        = "Module test"
  permissions = ["campaign.view"]
}
`, dbPath),
				Check: func(*terraform.State) error {
					st, err := store.Open(context.Background(), dbPath)
					if err != nil {
						return err
					}
					defer st.Close()
					_, err = st.GetRoleByName(context.Background(), "Module test")
					return err
				},
			},
		},
	})
	// Both in the configuration is a contradiction, not a precedence.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"engage": rpcsweep.NewProtocol6WithError(provider.New("test")()),
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "engage" {
  embedded_path = %q
  endpoint      = "https://api.engage.example"
}
data "engage_permissions" "all" {}
`, dbPath),
			ExpectError: regexp.MustCompile(`(?s)Two backends configured.*endpoint selects the REST backend and\s+embedded_path the\s+embedded database`),
		}},
	})
	if n := requests.Load(); n != 0 {
		t.Errorf("the REST endpoint from the environment got %d requests", n)
	}
}
