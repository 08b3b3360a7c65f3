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

// keyedLimiter is a token bucket per key, the least recently used evicted
// beyond maxLimiterKeys.
type keyedLimiter struct {
	rps   rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*list.Element // of *keyedBucket
	lru     *list.List               // most recently used first
}

type keyedBucket struct {
	key     string
	limiter *rate.Limiter
}

func newKeyedLimiter(rps float64, burst int) *keyedLimiter {
	return &keyedLimiter{rps: rate.Limit(rps), burst: max(burst, 1), buckets: map[string]*list.Element{}, lru: list.New()}
}

func (l *keyedLimiter) bucket(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.buckets[key]; ok {
		l.lru.MoveToFront(el)
		return el.Value.(*keyedBucket).limiter //nolint:forcetypeassert // the list holds only *keyedBucket
	}
	b := &keyedBucket{key: key, limiter: rate.NewLimiter(l.rps, l.burst)}
	l.buckets[key] = l.lru.PushFront(b)
	for l.lru.Len() > maxLimiterKeys {
		oldest := l.lru.Back()
		l.lru.Remove(oldest)
		delete(l.buckets, oldest.Value.(*keyedBucket).key) //nolint:forcetypeassert // as above
	}
	return b.limiter
}

// spend spends one token of key's bucket, if it has one.
func (l *keyedLimiter) spend(key string) {
	l.admit(context.Background(), key, 0)
}

// wait returns how long key must wait for a token, without spending one:
// zero when it has one.
func (l *keyedLimiter) wait(key string) time.Duration {
	lim := l.bucket(key)
	tokens := lim.Tokens()
	if tokens >= 1 {
		return 0
	}
	return roundUpToSeconds(time.Duration((1 - tokens) / float64(l.rps) * float64(time.Second)))
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

// refuseSpentAddresses answers 429 to a client address that has spent its
// budget of failed authentications, before anything else looks at the
// request. authenticate spends the budget.
func (s *server) refuseSpentAddresses(failures *keyedLimiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if delay := failures.wait(clientIP(r)); delay > 0 {
				s.refuseLimited(w, r, limitPerAddress, delay)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
