package client

import (
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/faults"
)

// scripted answers the first len(script) requests with the script's statuses
// (0 lets the request through), then lets everything through.
func scripted(attempts *atomic.Int32, script ...int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := int(attempts.Add(1)) - 1
			if n < len(script) && script[n] != 0 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(script[n])
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestRateLimitedAttemptsDoNotUseUpMaxRetries(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	f := newFixture(t, fixtureOptions{
		wrap:   scripted(&attempts, 429, 429, 429, 429, 429, 429),
		config: func(c *Config) { c.MaxRetries = 2 },
	})
	if _, err := f.client.ListPermissions(t.Context()); err != nil {
		t.Fatalf("six 429s with max_retries 2: %v; want them waited out", err)
	}
	if got := attempts.Load(); got != 7 {
		t.Errorf("%d attempts, want 7", got)
	}
}

func TestFailuresBetweenRateLimitsStillCount(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	f := newFixture(t, fixtureOptions{
		wrap:   scripted(&attempts, 503, 429, 503, 429, 503, 429, 503),
		config: func(c *Config) { c.MaxRetries = 2 },
	})
	_, err := f.client.ListPermissions(t.Context())
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusServiceUnavailable {
		t.Fatalf("err = %v, want the third 503", err)
	}
	if got := attempts.Load(); got != 5 {
		t.Errorf("%d attempts, want 5: three 503s (one try, two retries) and the two 429s between them", got)
	}
}

func TestRateLimitedWaitEndsARequestThatNeverGetsIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{
		wrap: func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			})
		},
		config: func(c *Config) { c.RateLimitedWait = 200 * time.Millisecond },
	})
	start := time.Now()
	_, err := f.client.GetRole(t.Context(), "rol_1")
	if !errors.Is(err, access.ErrRateLimited) {
		t.Fatalf("err = %v, want rate limited", err)
	}
	if took := time.Since(start); took < 200*time.Millisecond || took > 5*time.Second {
		t.Errorf("gave up after %s, want soon after the 200 ms rate-limited wait", took)
	}
}

func TestALostAnswerToAWriteIsReplayedOnRetry(t *testing.T) {
	t.Parallel()
	// The first PUT and the first DELETE reach the server, which acts;
	// then the connection drops before the answer.
	var mu sync.Mutex
	lost := map[string]bool{}
	var keyless atomic.Int32
	inj, err := faults.New(faults.Config{Choose: func(r *http.Request) faults.Kind {
		if r.Method != http.MethodGet && r.Header.Get("Idempotency-Key") == "" {
			keyless.Add(1)
		}
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodGet || r.Method == http.MethodPost || lost[r.Method] {
			return faults.Pass
		}
		lost[r.Method] = true
		return faults.ResetAfter
	}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, fixtureOptions{wrap: inj.Wrap})
	ctx := t.Context()

	created, err := f.client.CreateRole(ctx, access.Role{Name: "Lost", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	created.Description = "changed once"
	updated, err := f.client.UpdateRole(ctx, created)
	if err != nil {
		t.Fatalf("a PUT retried after its answer was lost: %v; want the first answer replayed", err)
	}
	stored, err := f.store.GetRole(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Version != stored.Version || stored.Description != "changed once" || updated.Version <= created.Version {
		t.Errorf("update returned version %d, the store holds %d with %q; want the one change, once",
			updated.Version, stored.Version, stored.Description)
	}
	if err := f.client.DeleteRole(ctx, created.ID, updated.Version); err != nil {
		t.Fatalf("a DELETE retried after its answer was lost: %v", err)
	}
	if _, err := f.store.GetRole(ctx, created.ID); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("the role is still there: %v", err)
	}

	s := inj.Stats()
	if s.Total(faults.ResetAfter) != 2 || s.Replayed != 2 {
		t.Errorf("stats %s; want two answers lost and both replayed", s)
	}
	if n := keyless.Load(); n > 0 {
		t.Errorf("%d writes had no Idempotency-Key", n)
	}
}

func TestALostAnswerToAResetIsReplayedOnRetry(t *testing.T) {
	t.Parallel()
	// The first DELETE reaches the server, which resets; then the
	// connection drops before the answer.
	var lostOne atomic.Bool
	var keyless atomic.Int32
	inj, err := faults.New(faults.Config{Choose: func(r *http.Request) faults.Kind {
		if r.Method != http.MethodDelete {
			return faults.Pass
		}
		if r.Header.Get("Idempotency-Key") == "" {
			keyless.Add(1)
		}
		if lostOne.CompareAndSwap(false, true) {
			return faults.ResetAfter
		}
		return faults.Pass
	}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, fixtureOptions{wrap: inj.Wrap})
	ctx := t.Context()
	written, err := f.store.UpdateSecuritySettings(ctx, access.SecuritySettings{RequireTwoFactor: true, SessionTimeoutMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}

	reset, err := f.client.ResetSecuritySettings(ctx)
	if err != nil {
		t.Fatalf("a reset retried after its answer was lost: %v; want the first answer replayed", err)
	}
	stored, err := f.store.GetSecuritySettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if reset.Version != written.Version+1 || stored.Version != reset.Version || stored.Customized {
		t.Errorf("reset returned version %d, the store holds %+v; want one reset at version %d, not customized",
			reset.Version, stored, written.Version+1)
	}
	if s := inj.Stats(); s.Total(faults.ResetAfter) != 1 || s.Replayed != 1 {
		t.Errorf("stats %s; want one answer lost and replayed", s)
	}
	if n := keyless.Load(); n > 0 {
		t.Errorf("%d resets had no Idempotency-Key", n)
	}
}
