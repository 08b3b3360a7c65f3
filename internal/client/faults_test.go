package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

type fault int

const (
	noFault     fault = iota
	tooMany           // 429 with Retry-After: 1
	unavailable       // 503
	resetBefore       // the connection drops before the server sees the request
	resetAfter        // the server acts, then the connection drops before the answer
	slowAfter         // the server acts, then answers later than the client waits
)

func (f fault) String() string {
	return [...]string{"none", "429", "503", "reset before", "reset after", "slow after"}[f]
}

// inject answers a request with f, in front of next.
func inject(t *testing.T, f fault, w http.ResponseWriter, r *http.Request, next http.Handler) {
	switch f {
	case tooMany:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"type":"urn:engage:problem:rate-limited","title":"Too many requests","status":429}`))
	case unavailable:
		w.WriteHeader(http.StatusServiceUnavailable)
	case resetBefore:
		hangUp(t, w)
	case resetAfter:
		next.ServeHTTP(httptest.NewRecorder(), r)
		hangUp(t, w)
	case slowAfter:
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		time.Sleep(300 * time.Millisecond) // the fixture's client gives up after 100 ms
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	default:
		next.ServeHTTP(w, r)
	}
}

func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // a reset, not a clean close
	}
	_ = conn.Close()
}

// faultyServer injects faults into the first attempts of every POST, chosen
// by the Idempotency-Key, so that each create meets one or two faults and
// then succeeds within the client's retries, however requests interleave.
type faultyServer struct {
	t        *testing.T
	mu       sync.Mutex
	keys     map[string]int // key -> index of first sight
	attempts map[string]int
	injected map[fault]int
	missing  int // POSTs without an Idempotency-Key
}

func (s *faultyServer) wrap(next http.Handler) http.Handler {
	faults := []fault{tooMany, unavailable, resetBefore, resetAfter, slowAfter}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		s.mu.Lock()
		if key == "" {
			s.missing++
		}
		k, seen := s.keys[key]
		if !seen {
			k = len(s.keys)
			s.keys[key] = k
		}
		attempt := s.attempts[key]
		s.attempts[key]++
		f := noFault
		switch {
		case attempt == 0:
			f = faults[k%len(faults)]
		case attempt == 1 && k%2 == 0:
			f = faults[(k+1)%len(faults)]
		}
		s.injected[f]++
		s.mu.Unlock()
		inject(s.t, f, w, r, next)
	})
}

func TestAnApplyOfFiftyCreatesSurvivesFaultsWithoutDuplicates(t *testing.T) {
	t.Parallel()
	faulty := &faultyServer{t: t, keys: map[string]int{}, attempts: map[string]int{}, injected: map[fault]int{}}
	f := newFixture(t, fixtureOptions{wrap: faulty.wrap, config: func(c *Config) {
		c.RequestTimeout = 100 * time.Millisecond
	}})
	ctx := t.Context()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(10) // Terraform's default parallelism
	const n = 50
	for i := range n {
		g.Go(func() error {
			_, err := f.client.CreateIPAllowlist(gctx, access.IPAllowlist{Name: fmt.Sprintf("list-%02d", i), Enabled: false,
				Entries: []access.AllowlistEntry{{CIDR: fmt.Sprintf("10.0.%d.0/24", i)}}})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("the apply failed: %v", err)
	}
	t.Logf("%d creates in %s; faults injected: %v", n, time.Since(start), faulty.injected)

	page, err := f.store.ListIPAllowlists(ctx, access.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, l := range page.Items {
		names[l.Name]++
	}
	if len(page.Items) != n || len(names) != n {
		t.Errorf("the store holds %d allowlists with %d names, want %d of each", len(page.Items), len(names), n)
	}
	for _, fl := range []fault{tooMany, unavailable, resetBefore, resetAfter, slowAfter} {
		if faulty.injected[fl] == 0 {
			t.Errorf("no %s fault was injected", fl)
		}
	}
	if faulty.missing > 0 {
		t.Errorf("%d POSTs had no Idempotency-Key", faulty.missing)
	}
	viaClient, err := f.client.ListIPAllowlists(ctx, access.ListOptions{})
	if err != nil || len(viaClient.Items) != n {
		t.Errorf("the client lists %d allowlists, %v; want %d", len(viaClient.Items), err, n)
	}
}

func TestRetriesAreBoundedAndOnlyForTransientFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		fault        func(w http.ResponseWriter)
		wantAttempts int
		check        func(t *testing.T, err error)
	}{
		{"a server that stays unavailable is tried four times", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, 4, func(t *testing.T, err error) {
			var se *StatusError
			if !errors.As(err, &se) || se.Status != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "after 4 attempts") {
				t.Errorf("err = %v", err)
			}
		}},
		// 429s do not use up max_retries; they are retried for the
		// rate-limited wait (500 ms here, 20 ms apart): more than 4 attempts.
		{"a server that keeps rate limiting gives a RateLimitedError with its Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}, -1, func(t *testing.T, err error) {
			var rl *access.RateLimitedError
			if !errors.As(err, &rl) || rl.RetryAfter != time.Second || !errors.Is(err, access.ErrRateLimited) {
				t.Errorf("err = %v", err)
			}
		}},
		{"a gateway timeout is retried", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusGatewayTimeout)
		}, 4, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "504") {
				t.Errorf("err = %v", err)
			}
		}},
		{"an internal server error is not retried", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"type":"urn:engage:problem:internal","title":"Internal server error","status":500,"detail":"quote request id 42"}`))
		}, 1, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "Internal server error: quote request id 42") {
				t.Errorf("err = %v", err)
			}
		}},
		{"a bad gateway that is not a problem body still gives the status", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>proxy error</html>"))
		}, 4, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "502 Bad Gateway") || strings.Contains(err.Error(), "html") {
				t.Errorf("err = %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var attempts atomic.Int32
			f := newFixture(t, fixtureOptions{
				wrap: func(http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
						attempts.Add(1)
						tc.fault(w)
					})
				},
				config: func(c *Config) { c.MaxRetries, c.RateLimitedWait = 3, 500*time.Millisecond },
			})
			_, err := f.client.GetRole(t.Context(), "rol_1")
			if err == nil {
				t.Fatal("no error")
			}
			got := int(attempts.Load())
			if tc.wantAttempts < 0 && got <= 4 {
				t.Errorf("%d attempts, want more than max_retries allows failures", got)
			}
			if tc.wantAttempts >= 0 && got != tc.wantAttempts {
				t.Errorf("%d attempts, want %d", got, tc.wantAttempts)
			}
			tc.check(t, err)
		})
	}
}

func TestConnectionResetsAreRetriedThenReported(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	f := newFixture(t, fixtureOptions{
		wrap: func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				attempts.Add(1)
				hangUp(t, w)
			})
		},
		config: func(c *Config) { c.MaxRetries = 2 },
	})
	_, err := f.client.ListRoles(t.Context(), access.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "giving up after 3 attempt(s)") {
		t.Fatalf("err = %v", err)
	}
	if got := attempts.Load(); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
}

func TestRetryAfterIsHonouredUpToTheCap(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	f := newFixture(t, fixtureOptions{
		wrap: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if attempts.Add(1) == 1 {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				next.ServeHTTP(w, r)
			})
		},
		config: func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = 10*time.Millisecond, 150*time.Millisecond },
	})
	start := time.Now()
	if _, err := f.client.ListPermissions(t.Context()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 150*time.Millisecond || took > 900*time.Millisecond {
		t.Errorf("the retry came after %s; want the 1 s Retry-After capped at 150 ms", took)
	}
}

func TestBackoffHonoursRetryAfterAndJitters(t *testing.T) {
	t.Parallel()
	resp := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	// Responses are made inside each subtest: an HTTP-date Retry-After is
	// relative to the clock when the subtest runs, which on a loaded
	// machine can be seconds after the table was built.
	cases := []struct {
		name     string
		attempt  int
		resp     func() *http.Response
		min, max time.Duration
	}{
		{"Retry-After in seconds is honoured", 0, func() *http.Response { return resp(429, "2") }, 2 * time.Second, 2 * time.Second},
		{"Retry-After beyond the cap is capped", 0, func() *http.Response { return resp(503, "3600") }, 30 * time.Second, 30 * time.Second},
		{"Retry-After as an HTTP date is honoured", 0, func() *http.Response {
			return resp(429, time.Now().Add(10*time.Second).UTC().Format(http.TimeFormat))
		}, 7 * time.Second, 10 * time.Second},
		{"a malformed Retry-After falls back to jittered backoff", 2, func() *http.Response { return resp(429, "soon") }, 0, 4 * time.Second},
		{"without Retry-After the wait stays under min·2^attempt", 3, func() *http.Response { return resp(502, "") }, 0, 8 * time.Second},
		{"a connection error backs off too", 1, func() *http.Response { return nil }, 0, 2 * time.Second},
		{"a large attempt number stays under the cap", 62, func() *http.Response { return nil }, 0, 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.resp()
			for range 50 {
				got := backoff(time.Second, 30*time.Second, tc.attempt, r)
				if got < tc.min || got > tc.max {
					t.Fatalf("backoff = %s, want %s..%s", got, tc.min, tc.max)
				}
			}
		})
	}
}

func TestContextCancellationStopsARequestAndItsRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"a slow response", func(http.Handler) http.Handler {
			return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			})
		}},
		{"a wait between retries", func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "10")
				w.WriteHeader(http.StatusTooManyRequests)
			})
		}},
	}
	for _, tc := range cases {
		t.Run("the caller's deadline interrupts "+tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{wrap: tc.wrap, config: func(c *Config) { c.RetryWaitMax = 10 * time.Second }})
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := f.client.GetRole(ctx, "rol_1")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want the deadline", err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("returned after %s", took)
			}
		})
	}
}
