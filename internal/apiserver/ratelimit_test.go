package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestRequestsBeyondTheRateLimitGet429WithRetryAfter(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{RateLimit: 2, RateBurst: 3})
	// The burst passes...
	for range 3 {
		srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil)
	}
	// ...the next request is refused, told when to come back.
	r := srv.expect(t, http.StatusTooManyRequests, "GET", "/v1/permissions", nil)
	if p := r.problem(t); p.Status != http.StatusTooManyRequests {
		t.Fatalf("problem = %+v", p)
	}
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 1 {
		t.Fatalf("Retry-After = %q, want 1 (a token every 0.5 s, rounded up)", r.header.Get("Retry-After"))
	}
	// Waiting as told is enough: the refused request took no token.
	time.Sleep(time.Duration(secs) * time.Second)
	srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil)
}

// tokenAuth accepts any token as a principal of that name, counting lookups.
func tokenAuth(lookups *atomic.Int64) Authenticator {
	return func(_ context.Context, token string) (Principal, error) {
		lookups.Add(1)
		if token == "unknown" {
			return Principal{}, fmt.Errorf("%w: unknown API token", access.ErrUnauthorized)
		}
		return Principal{Name: token, Scopes: []string{access.ScopeRead, access.ScopeWrite}}, nil
	}
}

// Probe finding: the limit was one bucket for everyone, so one token
// flooding the server made another token's requests fail with 429.
func TestOneTokensFloodDoesNotLimitAnother(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int64
	srv := newTestServer(t, Options{Authenticate: tokenAuth(&lookups), RateLimit: 1, RateBurst: 5})
	for range 5 {
		srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil, "Authorization", "Bearer flooder")
	}
	// The flood's refused requests cost no token lookup.
	before := lookups.Load()
	for range 20 {
		srv.expect(t, http.StatusTooManyRequests, "GET", "/v1/permissions", nil, "Authorization", "Bearer flooder")
	}
	if n := lookups.Load() - before; n != 0 {
		t.Errorf("%d token lookups for requests refused by the token's limit, want 0", n)
	}
	for range 5 {
		srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil, "Authorization", "Bearer quiet")
	}
}

// Probe finding: the limit ran after authentication, so tokenless floods
// were unlimited (and each one read every allowlist). Failed
// authentications spend their address's budget; once it is spent the
// address gets 429 before any token lookup.
func TestFailedAuthenticationsSpendTheAddresssBudget(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int64
	srv := newTestServer(t, Options{
		Authenticate: tokenAuth(&lookups), UnauthenticatedRateLimit: 0.5, UnauthenticatedBurst: 3,
		EnforceAllowlists: true,
	})
	for range 2 {
		srv.expect(t, http.StatusUnauthorized, "GET", "/v1/permissions", nil) // no token
	}
	srv.expect(t, http.StatusUnauthorized, "GET", "/v1/permissions", nil, "Authorization", "Bearer unknown")
	before := lookups.Load()
	for range 20 {
		r := srv.expect(t, http.StatusTooManyRequests, "GET", "/v1/permissions", nil, "Authorization", "Bearer unknown")
		if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 || secs > 2 {
			t.Fatalf("Retry-After = %q, want 1-2 s (a request every 2 s)", r.header.Get("Retry-After"))
		}
	}
	if n := lookups.Load() - before; n != 0 {
		t.Errorf("%d token lookups for an address past its budget, want 0", n)
	}
	// Successful requests spend nothing: with a fresh budget, a valid token
	// is served however often (here up to the per-token limit, which is off).
	other := newTestServer(t, Options{Authenticate: tokenAuth(&lookups), UnauthenticatedRateLimit: 0.5, UnauthenticatedBurst: 3})
	for range 10 {
		other.expect(t, http.StatusOK, "GET", "/v1/permissions", nil, "Authorization", "Bearer good")
	}
}

func TestTheLimiterKeepsABoundedNumberOfBuckets(t *testing.T) {
	t.Parallel()
	l := newKeyedLimiter(1, 1)
	for i := range maxLimiterKeys + 500 {
		l.take(fmt.Sprint("203.0.113.", i))
	}
	if n := len(l.buckets); n != maxLimiterKeys || l.lru.Len() != maxLimiterKeys {
		t.Errorf("%d buckets (%d in the LRU list), want %d", n, l.lru.Len(), maxLimiterKeys)
	}
}
