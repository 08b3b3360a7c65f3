package provider_test

import (
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// Every request of the REST client names the provider's version and the
// Terraform that runs it (the acceptance suite's provider is version "test").
// The version comes from terraform itself, so a client that dropped or
// hard-coded it fails here on any Terraform version.
func TestAccREST_userAgentNamesProviderAndTerraformVersions(t *testing.T) {
	var mu sync.Mutex
	agents := map[string]int{}
	b := acctest.RESTWith(t, acctest.RESTOptions{Wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			agents[r.UserAgent()]++
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}})
	want := "terraform-provider-engage/test Terraform/" + acctest.NewCLI(t, b).Version(t).String()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		Steps: []resource.TestStep{{
			Config: `data "engage_role" "admin" { name = "Full Admin" }`,
		}},
	})
	mu.Lock()
	defer mu.Unlock()
	if acctest.OnOpenTofu() {
		// OpenTofu tells providers a Terraform-compatible version, not its
		// own (1.12.6 says 1.13.0): the agent carries what the CLI said.
		ok := len(agents) == 1
		for agent := range agents {
			ok = ok && openTofuAgent.MatchString(agent)
		}
		if !ok {
			t.Errorf("User-Agent of the requests (with counts) = %v, want only one matching %s", agents, openTofuAgent)
		}
		return
	}
	if len(agents) != 1 || agents[want] == 0 {
		t.Errorf("User-Agent of the requests (with counts) = %v, want only %q", agents, want)
	}
}

var openTofuAgent = regexp.MustCompile(`^terraform-provider-engage/test Terraform/\d+\.\d+\.\d+$`)
