package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// The lists here change in the database, as through another replica: the
// server enforces them within AllowlistMaxAge (the clock moves past it
// after each change).
func TestEnabledAllowlistsAreEnforcedOnEveryRequest(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clock := &fakeClock{now: time.Unix(0, 0)}
	srv := newTestServerOver(t, st, st, Options{EnforceAllowlists: true, Now: clock.Now})

	// No list at all: allowlisting is off.
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)

	// An enabled list without the test client's address (127.0.0.1) locks it out.
	office, err := st.CreateIPAllowlist(t.Context(), access.IPAllowlist{
		Name: "Office", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "203.0.113.0/24"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(AllowlistMaxAge)
	p := srv.expect(t, http.StatusForbidden, "GET", "/v1/roles", nil).problem(t)
	if !strings.Contains(p.Detail, "the address 127.0.0.1 is not in any enabled IP allowlist") {
		t.Fatalf("detail = %q", p.Detail)
	}

	// A disabled list is ignored; an enabled one holding the address admits it.
	office.Enabled = false
	if _, err := st.UpdateIPAllowlist(t.Context(), office); err != nil {
		t.Fatal(err)
	}
	clock.Advance(AllowlistMaxAge)
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
	if _, err := st.CreateIPAllowlist(t.Context(), access.IPAllowlist{
		Name: "Loopback", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "127.0.0.0/8"}},
	}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(AllowlistMaxAge)
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
}

// countingLists counts the reads of the allowlists.
type countingLists struct {
	access.Service
	reads atomic.Int64
}

func (c *countingLists) ListIPAllowlists(ctx context.Context, opts access.ListOptions) (access.Page[access.IPAllowlist], error) {
	c.reads.Add(1)
	return c.Service.ListIPAllowlists(ctx, opts)
}

// Probe finding: every request, tokenless ones included, read every
// allowlist with every entry (disabled lists too), so a 5,000-entry list
// slowed every answer. The lists are read once per AllowlistMaxAge.
func TestTheAllowlistsAreReadOncePerMaxAgeNotPerRequest(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	entries := make([]access.AllowlistEntry, 5000)
	for i := range entries {
		entries[i] = access.AllowlistEntry{CIDR: fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)}
	}
	if _, err := st.CreateIPAllowlist(t.Context(), access.IPAllowlist{Name: "big", Enabled: false, Entries: entries}); err != nil {
		t.Fatal(err)
	}
	svc := &countingLists{Service: st}
	clock := &fakeClock{now: time.Unix(0, 0)}
	var lookups atomic.Int64
	srv := newTestServerOver(t, svc, st, Options{EnforceAllowlists: true, Now: clock.Now, Authenticate: tokenAuth(&lookups)})
	for range 200 {
		srv.expect(t, http.StatusUnauthorized, "GET", "/v1/roles", nil)
	}
	if n := svc.reads.Load(); n != 1 {
		t.Errorf("200 requests read the allowlists %d times, want 1", n)
	}
	clock.Advance(AllowlistMaxAge)
	srv.expect(t, http.StatusUnauthorized, "GET", "/v1/roles", nil)
	if n := svc.reads.Load(); n != 2 {
		t.Errorf("a request after AllowlistMaxAge did not read the lists again (%d reads)", n)
	}
}

// A change made through this server is enforced at once, with no wait for
// AllowlistMaxAge.
func TestAnAllowlistWriteThroughTheServerIsEnforcedAtOnce(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Unix(0, 0)}
	srv := newTestServer(t, Options{EnforceAllowlists: true, Now: clock.Now})
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
	srv.expect(t, http.StatusCreated, "POST", "/v1/ip-allowlists", wire.IPAllowlist{
		Name: "elsewhere", Enabled: true, Entries: []wire.AllowlistEntry{{CIDR: "203.0.113.0/24"}},
	}, "Engage-Allow-Lockout", "true")
	srv.expect(t, http.StatusForbidden, "GET", "/v1/roles", nil)
}

// countingStore counts the reads of the allowlists of a store, whose
// generations it keeps.
type countingStore struct {
	*store.Store
	reads atomic.Int64
}

func (c *countingStore) ListIPAllowlists(ctx context.Context, opts access.ListOptions) (access.Page[access.IPAllowlist], error) {
	c.reads.Add(1)
	return c.Store.ListIPAllowlists(ctx, opts)
}

// Over a store, whose allowlist changes bump a generation (any server's,
// and `admin allowlists disable-all`), a change made elsewhere is enforced
// at the next request, and the lists are read only when the generation
// moved.
func TestAChangeOnAnotherReplicaIsEnforcedAtTheNextRequest(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc := &countingStore{Store: st}
	srv := newTestServerOver(t, svc, st, Options{EnforceAllowlists: true})
	for range 100 {
		srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
	}
	if n := svc.reads.Load(); n != 1 {
		t.Errorf("100 requests with unchanged lists read them %d times, want 1", n)
	}
	// Another replica (here: the database directly) locks 127.0.0.1 out.
	if _, err := st.CreateIPAllowlist(t.Context(), access.IPAllowlist{
		Name: "Elsewhere", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "203.0.113.0/24"}},
	}); err != nil {
		t.Fatal(err)
	}
	srv.expect(t, http.StatusForbidden, "GET", "/v1/roles", nil)
	if n := svc.reads.Load(); n != 2 {
		t.Errorf("the change was enforced after %d reads, want 2", n)
	}
}
