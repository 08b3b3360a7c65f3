package apiserver

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

func TestEnabledAllowlistsAreEnforcedOnEveryRequest(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	srv := newTestServerOver(t, st, st, Options{EnforceAllowlists: true})

	// No list at all: allowlisting is off.
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)

	// An enabled list without the test client's address (127.0.0.1) locks it out.
	office, err := st.CreateIPAllowlist(t.Context(), access.IPAllowlist{
		Name: "Office", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "203.0.113.0/24"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := srv.expect(t, http.StatusForbidden, "GET", "/v1/roles", nil).problem(t)
	if !strings.Contains(p.Detail, "the address 127.0.0.1 is not in any enabled IP allowlist") {
		t.Fatalf("detail = %q", p.Detail)
	}

	// A disabled list is ignored; an enabled one holding the address admits it.
	office.Enabled = false
	if _, err := st.UpdateIPAllowlist(t.Context(), office); err != nil {
		t.Fatal(err)
	}
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
	if _, err := st.CreateIPAllowlist(t.Context(), access.IPAllowlist{
		Name: "Loopback", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "127.0.0.0/8"}},
	}); err != nil {
		t.Fatal(err)
	}
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
}
