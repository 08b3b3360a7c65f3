package apiserver

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

func countRoles(t *testing.T, s *testServer, name string) int {
	t.Helper()
	page, err := s.store.ListRoles(t.Context(), access.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range page.Items {
		if r.Name == name {
			n++
		}
	}
	return n
}

func TestARetriedCreateReplaysTheFirstResponse(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	body := wire.Role{Name: "Once", Permissions: []string{"campaign.view"}}

	first := s.expect(t, http.StatusCreated, "POST", "/v1/roles", body, "Idempotency-Key", "key-1")
	again := s.expect(t, http.StatusCreated, "POST", "/v1/roles", body, "Idempotency-Key", "key-1")
	var a, b wire.Role
	first.decode(t, &a)
	again.decode(t, &b)
	if a.ID != b.ID || string(first.body) != string(again.body) {
		t.Errorf("replay = %s, want the first response %s", again.body, first.body)
	}
	for _, h := range []string{"ETag", "Location", "Content-Type"} {
		if first.header.Get(h) != again.header.Get(h) {
			t.Errorf("replayed %s = %q, first %q", h, again.header.Get(h), first.header.Get(h))
		}
	}
	if again.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("only the replay should be marked Idempotent-Replayed")
	}
	if n := countRoles(t, s, "Once"); n != 1 {
		t.Errorf("%d roles named Once, want 1", n)
	}

	// The same key on another route is another request.
	s.expect(t, http.StatusCreated, "POST", "/v1/transfer-credentials",
		map[string]any{"name": "c", "username": "u", "secret": "s"}, "Idempotency-Key", "key-1")
}

func TestAKeyReusedWithAnotherBodyIsRefused(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	s.expect(t, http.StatusCreated, "POST", "/v1/roles", wire.Role{Name: "A", Permissions: []string{"campaign.view"}}, "Idempotency-Key", "k")
	r := s.expect(t, http.StatusUnprocessableEntity, "POST", "/v1/roles", wire.Role{Name: "B", Permissions: []string{"campaign.view"}}, "Idempotency-Key", "k")
	if p := r.problem(t); p.Type != wire.ProblemIdempotencyReuse {
		t.Errorf("problem = %+v", p)
	}
	if n := countRoles(t, s, "B"); n != 0 {
		t.Errorf("the refused request created a role")
	}
}

func TestConcurrentRetriesWithOneKeyCreateOneObject(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	body := wire.Role{Name: "Concurrent", Permissions: []string{"campaign.view"}}
	const n = 10
	ids := make([]string, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := s.do(t, "POST", "/v1/roles", body, "Idempotency-Key", "same")
			statuses[i] = r.status
			var role wire.Role
			r.decode(t, &role)
			ids[i] = role.ID
		})
	}
	wg.Wait()
	for i := range n {
		if statuses[i] != http.StatusCreated || ids[i] != ids[0] || ids[i] == "" {
			t.Errorf("request %d: %d %q; want 201 with the id %q", i, statuses[i], ids[i], ids[0])
		}
	}
	if got := countRoles(t, s, "Concurrent"); got != 1 {
		t.Errorf("%d roles created, want 1", got)
	}
}

// memoryAnswers hides the store's access.AnswerStore, so the server
// remembers answers in memory, under Options.IdempotencyTTL and Now (the
// store's own expiry is tested in package store).
type memoryAnswers struct{ access.Service }

func TestARememberedResponseExpiresAfterTheTTL(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st, err := store.OpenMemory(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s := newTestServerOver(t, memoryAnswers{st}, st, Options{Now: clock.Now, IdempotencyTTL: time.Hour})
	body := wire.Role{Name: "Expiring", Permissions: []string{"campaign.view"}}
	var first wire.Role
	s.expect(t, http.StatusCreated, "POST", "/v1/roles", body, "Idempotency-Key", "k").decode(t, &first)

	clock.Advance(59 * time.Minute)
	s.expect(t, http.StatusCreated, "POST", "/v1/roles", body, "Idempotency-Key", "k")

	clock.Advance(2 * time.Minute)
	s.expect(t, http.StatusNoContent, "DELETE", "/v1/roles/"+first.ID, nil)
	var second wire.Role
	s.expect(t, http.StatusCreated, "POST", "/v1/roles", body, "Idempotency-Key", "k").decode(t, &second)
	if second.ID == first.ID {
		t.Errorf("after the TTL the key still replayed the first response")
	}
}

func TestAFailedAttemptIsNotRemembered(t *testing.T) {
	t.Parallel()
	s, failing := newFailingServer(t, &access.RateLimitedError{RetryAfter: 1500 * time.Millisecond})
	body := wire.Role{Name: "R", Permissions: []string{"campaign.view"}}
	r := s.expect(t, http.StatusTooManyRequests, "POST", "/v1/roles", body, "Idempotency-Key", "k")
	if r.header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q, want 2 (rounded up)", r.header.Get("Retry-After"))
	}
	failing.setErr(nil)
	s.expect(t, http.StatusCreated, "POST", "/v1/roles", body, "Idempotency-Key", "k")
}

func TestTheIdempotencyStoreStaysWithinItsBound(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Unix(0, 0)}
	st := newIdempotencyStore(time.Hour, 3, 1<<20, clock.Now)
	for i := range 10 {
		key := string(rune('a' + i))
		replay, finish, err := st.acquire(t.Context(), key, sha256.Sum256([]byte(key)))
		if replay != nil || err != nil {
			t.Fatalf("a new key replayed: %v %v", replay, err)
		}
		finish(&storedResponse{status: http.StatusCreated})
	}
	if n, _ := st.len(); n > 3 {
		t.Errorf("the store holds %d entries, bound 3", n)
	}
	// The newest key is still remembered.
	if replay, _, _ := st.acquire(t.Context(), "j", sha256.Sum256([]byte("j"))); replay == nil {
		t.Errorf("the newest key was evicted")
	}
}

// Probe finding: remembered answers were bounded in number only, and 150
// PUTs of a 1 MB allowlist kept 274 MB for a day. They are bounded in bytes.
func TestTheIdempotencyStoreStaysWithinItsBytes(t *testing.T) {
	t.Parallel()
	const maxBytes = 1 << 20
	st := newIdempotencyStore(time.Hour, 10000, maxBytes, time.Now)
	big := make([]byte, 100<<10)
	for i := range 150 {
		key := fmt.Sprint("put-", i)
		_, finish, err := st.acquire(t.Context(), key, sha256.Sum256([]byte(key)))
		if err != nil {
			t.Fatal(err)
		}
		finish(&storedResponse{status: http.StatusOK, body: big})
	}
	entries, bytes := st.len()
	if bytes > maxBytes || entries > maxBytes/len(big) {
		t.Errorf("the store holds %d entries of %d bytes in all, bound %d bytes", entries, bytes, maxBytes)
	}
	if replay, _, _ := st.acquire(t.Context(), "put-149", sha256.Sum256([]byte("put-149"))); replay == nil {
		t.Errorf("the newest answer was evicted")
	}
}

// Probe finding: keys were matched on the route pattern, so a DELETE of
// role Y with the key of an earlier DELETE of role X was answered 204
// Idempotent-Replayed and Y was not deleted; a PUT to role C with B's key
// returned B.
func TestAKeyIsScopedToThePathNotTheRoute(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	x, y := s.createRole(t, "X"), s.createRole(t, "Y")
	s.expect(t, http.StatusNoContent, "DELETE", "/v1/roles/"+x.ID, nil, "Idempotency-Key", "k-delete")
	resp := s.expect(t, http.StatusNoContent, "DELETE", "/v1/roles/"+y.ID, nil, "Idempotency-Key", "k-delete")
	if resp.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the delete of Y was answered with X's")
	}
	if n := countRoles(t, s, "Y"); n != 0 {
		t.Errorf("role Y is still there after its delete")
	}

	b, c := s.createRole(t, "B"), s.createRole(t, "C")
	put := func(r wire.Role) response {
		return s.expect(t, http.StatusOK, "PUT", "/v1/roles/"+r.ID,
			wire.Role{Name: r.Name, Description: "same body", Permissions: []string{"campaign.view"}},
			"Idempotency-Key", "k-put", "If-Match", wire.ETag(access.Version(r.Version)))
	}
	put(b)
	var got wire.Role
	put(c).decode(t, &got)
	if got.ID != c.ID {
		t.Errorf("the PUT to role C answered with role %s (%s)", got.ID, got.Name)
	}
}

// Two tokens sending the same key, path and body are two requests: neither
// sees the other's answer.
func TestAKeyIsScopedToTheToken(t *testing.T) {
	t.Parallel()
	auth := func(_ context.Context, token string) (Principal, error) {
		return Principal{Name: token, Scopes: []string{access.ScopeRead, access.ScopeWrite}}, nil
	}
	s := newTestServer(t, Options{Authenticate: auth})
	body := wire.Role{Name: "Shared", Permissions: []string{"campaign.view"}}
	s.expect(t, http.StatusCreated, "POST", "/v1/roles", body, "Idempotency-Key", "k", "Authorization", "Bearer alice")
	// Bob's request is his own: it reaches the service (a name conflict),
	// rather than replaying Alice's 201.
	resp := s.expect(t, http.StatusConflict, "POST", "/v1/roles", body, "Idempotency-Key", "k", "Authorization", "Bearer bob")
	if resp.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("bob got alice's answer")
	}
}
