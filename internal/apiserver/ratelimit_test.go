package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
	l := newBudgets(1, 1)
	for i := range maxLimiterKeys + 500 {
		l.take(fmt.Sprint("203.0.113.", i))
	}
	if n, listed := len(l.byKey.items), l.byKey.len(); n != maxLimiterKeys || listed != maxLimiterKeys {
		t.Errorf("%d buckets (%d in the LRU list), want %d", n, listed, maxLimiterKeys)
	}
}

// Probe finding (user trial): the address's budget was checked before the
// token lookup and spent after it, so failed authentications sent together
// all passed the check: 50 parallel requests with a bad token, past a
// budget of 20, all got 401. Each now spends its unit up front.
func TestParallelFailedAuthenticationsCannotOverspendTheBudget(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int64
	srv := newTestServer(t, Options{Authenticate: tokenAuth(&lookups), UnauthenticatedRateLimit: 0.001, UnauthenticatedBurst: 5})
	var unauthorized, limited atomic.Int64
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			switch r := srv.do(t, "GET", "/v1/permissions", nil, "Authorization", "Bearer unknown"); r.status {
			case http.StatusUnauthorized:
				unauthorized.Add(1)
			case http.StatusTooManyRequests:
				limited.Add(1)
			default:
				t.Errorf("status %d", r.status)
			}
		})
	}
	wg.Wait()
	if unauthorized.Load() > 5 || lookups.Load() > 5 {
		t.Errorf("40 bad tokens at once against a budget of 5: %d answered 401 after %d token lookups, %d refused with 429; want at most 5 lookups",
			unauthorized.Load(), lookups.Load(), limited.Load())
	}
}

// Probe finding (user trial): once an address had spent its budget, a
// valid token from it got 429 too, so behind a shared address one
// misconfigured client locked out the others. A token the server accepted
// before skips the budget (and is still looked up: a revoked one fails).
func TestAnAddressPastItsBudgetStillServesTokensAcceptedBefore(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int64
	srv := newTestServer(t, Options{Authenticate: tokenAuth(&lookups), UnauthenticatedRateLimit: 0.001, UnauthenticatedBurst: 3})
	srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil, "Authorization", "Bearer colleague")
	for range 3 {
		srv.expect(t, http.StatusUnauthorized, "GET", "/v1/permissions", nil, "Authorization", "Bearer unknown")
	}
	srv.expect(t, http.StatusTooManyRequests, "GET", "/v1/permissions", nil, "Authorization", "Bearer unknown")
	for range 5 {
		srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil, "Authorization", "Bearer colleague")
	}
	// A valid token the server has not seen yet cannot be told from a bad
	// one without a lookup, which is what the budget saves: it waits too.
	srv.expect(t, http.StatusTooManyRequests, "GET", "/v1/permissions", nil, "Authorization", "Bearer newcomer")
}

// A token sending more at once than its bucket holds has its requests
// served in turn, at its rate, instead of refused: the queue.
func TestATokensRequestsBeyondItsBucketWaitTheirTurn(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int64
	// A token every 50 ms, a bucket of 1, 4 requests may wait (200 ms).
	srv := newTestServer(t, Options{Authenticate: tokenAuth(&lookups), RateLimit: 20, RateBurst: 1, RateQueue: 4})
	statuses := func(n int) (ok, refused int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				r := srv.do(t, "GET", "/v1/permissions", nil, "Authorization", "Bearer busy")
				mu.Lock()
				defer mu.Unlock()
				switch r.status {
				case http.StatusOK:
					ok++
				case http.StatusTooManyRequests:
					if r.header.Get("Retry-After") == "" {
						t.Errorf("429 without Retry-After")
					}
					refused++
				default:
					t.Errorf("status %d", r.status)
				}
			})
		}
		wg.Wait()
		return ok, refused
	}
	start := time.Now()
	if ok, refused := statuses(5); ok != 5 || refused != 0 {
		t.Fatalf("5 requests at once with a bucket of 1 and a queue of 4: %d served, %d refused; want all served", ok, refused)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("5 requests served in %v: faster than the rate (20/s) allows, so they did not wait", took)
	}
	// Beyond the queue, requests are refused at once.
	if ok, refused := statuses(12); refused == 0 || ok < 4 {
		t.Errorf("12 requests at once: %d served, %d refused; want the queue's 4 or so served and the rest refused", ok, refused)
	}
	// Another token is not behind the busy one in line.
	srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil, "Authorization", "Bearer quiet")
}

// A request whose client goes away while it waits gives its turn back.
func TestAWaitingRequestWhoseClientLeavesGivesItsTurnBack(t *testing.T) {
	t.Parallel()
	l := newKeyedLimiter(10, 1) // a token every 100 ms
	if d := l.admit(context.Background(), "k", 0); d != 0 {
		t.Fatalf("the bucket's first token: refused (%v)", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if d := l.admit(ctx, "k", time.Second); d == 0 {
		t.Fatal("a request whose client is gone was admitted")
	}
	// Had the gone request kept its turn, the next one would be 200 ms away.
	if d := l.admit(context.Background(), "k", 150*time.Millisecond); d != 0 {
		t.Errorf("the next request was refused (retry after %v): the gone one kept its turn", d)
	}
}

// Requests refused by a rate limit are counted in one log record per
// RefusalLogInterval, not logged one by one (a flood would otherwise become
// a flood of log records), and none is left out: Close writes what is
// pending when the server stops.
func TestRefusedRequestsAreCountedNotLoggedOneByOne(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{RateLimit: 0.001, RateBurst: 1})
	srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil)
	for range 50 {
		srv.expect(t, http.StatusTooManyRequests, "GET", "/v1/permissions", nil)
	}
	srv.handler.Close()

	requests, summaries := logRecords(t, srv.log.String())
	if len(requests) != 1 || requests[0]["status"] != float64(http.StatusOK) {
		t.Errorf("request records: %v; want only the one served", requests)
	}
	// The first refusal at once, the other 49 when the server stops.
	if len(summaries) != 2 || summaries[0]["refused"] != float64(1) || summaries[1]["refused"] != float64(49) ||
		summaries[1]["by_token"] != float64(49) {
		t.Errorf("refusal records: %v; want refused=1, then refused=49 by_token=49", summaries)
	}
}

// A refusal after the first is logged when its interval ends, without
// waiting for another refusal to come.
func TestTheRefusalCountIsWrittenWhenItsIntervalEnds(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	l := &refusalLog{log: slog.New(slog.NewJSONHandler(logs, nil)), now: time.Now, interval: 50 * time.Millisecond}
	l.note(limitPerToken)
	l.note(limitPerAddress)
	l.note(limitPerAddress)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, summaries := logRecords(t, logs.String())
		if len(summaries) == 2 {
			if summaries[1]["refused"] != float64(2) || summaries[1]["by_address"] != float64(2) || summaries[1]["since_previous_s"] == nil {
				t.Errorf("the second record: %v; want refused=2 by_address=2 since_previous_s", summaries[1])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("refusal records after 5 s: %v; want the pending one written at the interval's end", summaries)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logRecords splits a JSON log into request records and refusal records.
func logRecords(t *testing.T, log string) (requests, refusals []map[string]any) {
	t.Helper()
	for line := range strings.Lines(log) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		switch rec["msg"] {
		case "request":
			requests = append(requests, rec)
		case "requests refused by rate limits (429)":
			refusals = append(refusals, rec)
		}
	}
	return requests, refusals
}

// A request refused by a rate limit is answered after the refusal pause: a
// client that retries at once, ignoring Retry-After, is slowed to one
// attempt per connection per pause.
func TestARefusedRequestIsAnsweredAfterThePause(t *testing.T) {
	t.Parallel()
	const pause = 300 * time.Millisecond
	srv := newTestServer(t, Options{RateLimit: 0.001, RateBurst: 1, RefusalPause: pause})
	start := time.Now()
	srv.expect(t, http.StatusOK, "GET", "/v1/permissions", nil)
	if took := time.Since(start); took >= pause {
		t.Fatalf("an admitted request took %v: it was paused too", took)
	}
	start = time.Now()
	r := srv.expect(t, http.StatusTooManyRequests, "GET", "/v1/permissions", nil)
	if took := time.Since(start); took < pause {
		t.Errorf("the refusal came after %v, before the %v pause", took, pause)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}
