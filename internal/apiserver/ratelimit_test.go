package apiserver

import (
	"net/http"
	"strconv"
	"testing"
	"time"
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
