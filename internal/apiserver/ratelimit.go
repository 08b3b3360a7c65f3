package apiserver

import (
	"container/list"
	"context"
	"crypto/sha256"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Two limits, so that no caller can crowd out another:
//
//   - per token: each token has its own bucket (RateLimit, RateBurst), so
//     one tenant flooding the server gets 429s and the others do not. Each
//     server process keeps its own buckets: behind N replicas a token may
//     make N times the rate;
//   - per client address, before authentication: requests that fail it (no
//     token, an unknown, expired or revoked one) spend their address's
//     budget (UnauthenticatedRateLimit, UnauthenticatedBurst), and an
//     address that has spent it is refused with 429 before its token is
//     looked up or its allowlist checked. A tokenless flood costs the server
//     a map lookup per request, not a database query.
//
// Both answer 429 with Retry-After, and a refused request takes no token,
// so a client that waits as told gets in.

// maxLimiterKeys bounds the buckets kept per limit: a flood from many
// addresses (or many tokens) evicts the least recently used ones instead of
// growing the server. A bucket evicted is a full bucket when it comes back,
// which only ever errs towards letting a request in.
const maxLimiterKeys = 10000

// boundedLRU maps keys to values, the least recently used evicted beyond
// maxLimiterKeys. It is safe for concurrent use.
type boundedLRU[V any] struct {
	mu    sync.Mutex
	items map[string]*list.Element // of *lruItem[V]
	order *list.List               // most recently used first
}

type lruItem[V any] struct {
	key   string
	value V
}

func newBoundedLRU[V any]() *boundedLRU[V] {
	return &boundedLRU[V]{items: map[string]*list.Element{}, order: list.New()}
}

// getOrAdd returns key's value, adding newValue() as its value when it has none.
func (c *boundedLRU[V]) getOrAdd(key string, newValue func() V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*lruItem[V]).value //nolint:forcetypeassert // the list holds only *lruItem[V]
	}
	item := &lruItem[V]{key: key, value: newValue()}
	c.items[key] = c.order.PushFront(item)
	for c.order.Len() > maxLimiterKeys {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*lruItem[V]).key) //nolint:forcetypeassert // as above
	}
	return item.value
}

// has reports whether key is present, without making it recently used.
func (c *boundedLRU[V]) has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.items[key]
	return ok
}

func (c *boundedLRU[V]) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

func (c *boundedLRU[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// keyedLimiter is a token bucket per key, the least recently used evicted
// beyond maxLimiterKeys.
type keyedLimiter struct {
	rps     rate.Limit
	burst   int
	buckets *boundedLRU[*rate.Limiter]
}

func newKeyedLimiter(rps float64, burst int) *keyedLimiter {
	return &keyedLimiter{rps: rate.Limit(rps), burst: max(burst, 1), buckets: newBoundedLRU[*rate.Limiter]()}
}

func (l *keyedLimiter) bucket(key string) *rate.Limiter {
	return l.buckets.getOrAdd(key, func() *rate.Limiter { return rate.NewLimiter(l.rps, l.burst) })
}

// budgets is a budget per key (a client address), the least recently used
// evicted beyond maxLimiterKeys.
type budgets struct {
	rps, burst float64
	byKey      *boundedLRU[*budget]
	now        func() time.Time
}

func newBudgets(rps float64, burst int) *budgets {
	return &budgets{rps: rps, burst: float64(max(burst, 1)), byKey: newBoundedLRU[*budget](), now: time.Now}
}

// take spends one unit of key's budget and returns the budget (to refund
// it to, if the request turns out not to count), or, when it is spent,
// how long until a unit is back (rounded up to whole seconds, for
// Retry-After).
func (bs *budgets) take(key string) (*budget, time.Duration) {
	b := bs.byKey.getOrAdd(key, func() *budget { return &budget{tokens: bs.burst, at: bs.now()} })
	if wait := b.take(bs.rps, bs.burst, bs.now()); wait > 0 {
		return nil, roundUpToSeconds(wait)
	}
	return b, 0
}

// budget is a token bucket that takes a unit back: a request spends one up
// front, before anyone knows whether it will count, and refunds it when it
// does not. (x/time/rate cannot: a reservation that was due at once gives
// nothing back when cancelled.)
type budget struct {
	mu     sync.Mutex
	tokens float64
	at     time.Time // when tokens was computed
}

func (b *budget) take(rps, burst float64, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(burst, b.tokens+now.Sub(b.at).Seconds()*rps)
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / rps * float64(time.Second))
	}
	b.tokens--
	return 0
}

func (b *budget) refund(burst float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(burst, b.tokens+1)
}

func roundUpToSeconds(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(d.Seconds())) * time.Second
}

// limitPerToken holds each token to its bucket. It runs before the token is
// looked up or the allowlists checked, keyed by a hash of the presented
// token: no one can spend another tenant's bucket without its token, and a
// tenant over its rate costs the server a hash and a map lookup per
// request. Without authentication every request shares one bucket.
//
// A request that finds the bucket empty waits for its turn when at most
// queue requests of its token are ahead of it (a wait of queue/rps at
// most), and is answered 429 otherwise. The queue is what keeps a client
// that sends more in parallel than its rate allows (Terraform at
// -parallelism=50, a script's worker pool) from turning each refusal into
// an immediate retry: its requests are served at the token's rate, the
// refusals it would have spun on never happen, and the server's CPU stays
// with the other tenants.
func (s *server) limitPerToken(rps float64, burst, queue int) func(http.Handler) http.Handler {
	limiter := newKeyedLimiter(rps, burst)
	maxWait := time.Duration(float64(queue) / rps * float64(time.Second))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if delay := limiter.admit(r.Context(), presentedToken(r), maxWait); delay > 0 {
				s.refuseLimited(w, r, limitPerToken, delay)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// admit spends one token of key's bucket, waiting for it when it comes
// within maxWait. It returns zero when the request may go on, or how long
// until a token is there (rounded up to whole seconds, for Retry-After)
// when the request is refused, which spends nothing. A request whose client
// goes away while it waits gives its token back.
func (l *keyedLimiter) admit(ctx context.Context, key string, maxWait time.Duration) time.Duration {
	res := l.bucket(key).Reserve()
	delay := res.Delay()
	if delay <= 0 {
		return 0
	}
	if delay > maxWait {
		res.Cancel() // give the token back: this request is refused
		return roundUpToSeconds(delay)
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return 0
	case <-ctx.Done():
		res.Cancel()
		return roundUpToSeconds(delay) // no one reads it: the client is gone
	}
}

// refuseLimited answers 429 with Retry-After: retryAfter, after the
// server's refusal pause (Options.RefusalPause), or at once when the client
// goes away meanwhile; the refusal log counts it under limit.
func (s *server) refuseLimited(w http.ResponseWriter, r *http.Request, limit string, retryAfter time.Duration) {
	s.refusals.note(limit)
	if pause := min(s.refusalPause, retryAfter); pause > 0 {
		timer := time.NewTimer(pause)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
		}
	}
	s.writeError(w, r, &access.RateLimitedError{RetryAfter: retryAfter})
}

// presentedToken is the hash of the bearer token a request presents ("" for
// none), to key its bucket by without keeping the token itself.
func presentedToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return string(h[:])
}

// refuseSpentAddresses holds each client address to its budget of failed
// authentications, before anything else looks at the request: it spends
// one unit of the budget up front (authenticate gives it back when the
// token is accepted), so requests sent together cannot all pass a check
// that only one of them may pass; an address with nothing left gets 429
// before its token is looked up. A token the server accepted before
// (accepted) skips the budget: behind a shared address, one client's
// failures do not lock out the others. Its token is still looked up.
func (s *server) refuseSpentAddresses(failures *budgets, accepted *boundedLRU[struct{}]) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if accepted.has(presentedToken(r)) {
				next.ServeHTTP(w, r)
				return
			}
			spent, delay := failures.take(clientIP(r))
			if delay > 0 {
				s.refuseLimited(w, r, limitPerAddress, delay)
				return
			}
			refund := func() { spent.refund(failures.burst) }
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), budgetRefundKey{}, refund)))
		})
	}
}

// budgetRefundKey holds, in a request's context, the function that gives
// back the unit of its address's budget refuseSpentAddresses spent on it.
type budgetRefundKey struct{}
