package apiserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// Probe finding: an enabled list that excludes the client's own address
// was accepted (only the provider guarded against it), and the client, and
// everyone on its network, was locked out with no recovery but editing the
// database by hand.
func TestAnAllowlistWriteThatWouldLockTheCallerOutIsRefused(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{EnforceAllowlists: true})
	elsewhere := wire.IPAllowlist{Name: "elsewhere", Enabled: true, Entries: []wire.AllowlistEntry{{CIDR: "203.0.113.0/24"}}}

	p := srv.expect(t, http.StatusConflict, "POST", "/v1/ip-allowlists", elsewhere).problem(t)
	if p.Type != wire.ProblemLockout || !strings.Contains(p.Detail, "your address 127.0.0.1 would be outside every enabled IP allowlist") ||
		!strings.Contains(p.Detail, "127.0.0.1/32") || !strings.Contains(p.Detail, AllowLockoutHeader+": true") {
		t.Errorf("problem = %+v; want the lockout type, the address and both ways out", p)
	}
	page, err := srv.store.ListIPAllowlists(t.Context(), access.ListOptions{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("the refused list was stored: %v %v", page.Items, err)
	}

	// A disabled list, or one that holds the caller, is fine.
	disabled := elsewhere
	disabled.Enabled = false
	srv.expect(t, http.StatusCreated, "POST", "/v1/ip-allowlists", disabled)
	var home wire.IPAllowlist
	srv.expect(t, http.StatusCreated, "POST", "/v1/ip-allowlists", wire.IPAllowlist{
		Name: "home", Enabled: true, Entries: []wire.AllowlistEntry{{CIDR: "127.0.0.0/8"}},
	}).decode(t, &home)
	// With home enabled, another enabled list elsewhere locks no one out.
	var other wire.IPAllowlist
	other2 := elsewhere
	other2.Name = "branch"
	srv.expect(t, http.StatusCreated, "POST", "/v1/ip-allowlists", other2).decode(t, &other)

	// Replacing or deleting the list that holds the caller is refused...
	narrowed := home
	narrowed.Entries = []wire.AllowlistEntry{{CIDR: "198.51.100.0/24"}}
	srv.expect(t, http.StatusConflict, "PUT", "/v1/ip-allowlists/"+home.ID, narrowed, "If-Match", wire.ETag(access.Version(home.Version)))
	turnedOff := home
	turnedOff.Enabled = false
	srv.expect(t, http.StatusConflict, "PUT", "/v1/ip-allowlists/"+home.ID, turnedOff, "If-Match", wire.ETag(access.Version(home.Version)))
	srv.expect(t, http.StatusConflict, "DELETE", "/v1/ip-allowlists/"+home.ID, nil)
	// ...unless the caller says it is deliberate.
	srv.expect(t, http.StatusNoContent, "DELETE", "/v1/ip-allowlists/"+home.ID, nil, AllowLockoutHeader, "true")
	srv.expect(t, http.StatusForbidden, "GET", "/v1/roles", nil)
}

// Where the server does not enforce allowlists (local use, tests), nothing
// can lock anyone out and the guard stays out of the way.
func TestTheLockoutGuardOnlyRunsWhereAllowlistsAreEnforced(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{})
	srv.expect(t, http.StatusCreated, "POST", "/v1/ip-allowlists",
		wire.IPAllowlist{Name: "elsewhere", Enabled: true, Entries: []wire.AllowlistEntry{{CIDR: "203.0.113.0/24"}}})
}

// The override takes true or false: "1" or "yes" was read as no override,
// and refused as a lockout, without a word about the header (user trial).
func TestTheLockoutOverrideTakesTrueOrFalse(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{EnforceAllowlists: true})
	elsewhere := wire.IPAllowlist{Name: "elsewhere", Enabled: true, Entries: []wire.AllowlistEntry{{CIDR: "203.0.113.0/24"}}}
	for _, value := range []string{"yes", "1"} {
		p := srv.expect(t, http.StatusBadRequest, "POST", "/v1/ip-allowlists", elsewhere, AllowLockoutHeader, value).problem(t)
		if !strings.Contains(p.Detail, AllowLockoutHeader+" takes true or false") {
			t.Errorf("%s: %q: problem %+v; want the header named", AllowLockoutHeader, value, p)
		}
	}
	srv.expect(t, http.StatusConflict, "POST", "/v1/ip-allowlists", elsewhere, AllowLockoutHeader, "false")
}
