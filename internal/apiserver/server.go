package apiserver

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Options configure New. The zero value is usable.
type Options struct {
	// Logger receives one record per request and the real cause of every
	// 500; requests refused by a rate limit are counted in one record per
	// RefusalLogInterval instead. Nil discards logs.
	Logger *slog.Logger

	// Authenticate, when set, requires every request to carry a bearer
	// token it accepts, with the scope the request needs. Nil serves
	// without authentication (tests, local use).
	Authenticate Authenticator

	// RateLimit caps the requests the server accepts per second from each
	// token (from all callers together without Authenticate), answering 429
	// with Retry-After beyond it, before the token is looked up; zero means
	// no limit. RateBurst is the bucket size (1 when zero). Each server
	// process keeps its own buckets.
	RateLimit float64
	RateBurst int
	// RateQueue is how many requests of a token beyond its bucket wait for
	// their turn (at most RateQueue/RateLimit seconds) instead of getting
	// 429 at once; zero refuses them at once.
	RateQueue int
	// RefusalPause holds the 429 of a request refused by a rate limit for
	// this long (never longer than its Retry-After) before sending it:
	// a client that retries at once instead of waiting as told is slowed
	// to one attempt per connection per pause, and its attempts cost the
	// server a sleeping goroutine instead of its CPU. The connection was
	// open anyway, so nothing else is held. Zero answers at once.
	RefusalPause time.Duration
	// UnauthenticatedRateLimit caps, per client address, the requests per
	// second that fail authentication; an address beyond it gets 429 before
	// its token is looked up. Zero means no limit; UnauthenticatedBurst is
	// the bucket size (1 when zero). Only with Authenticate.
	UnauthenticatedRateLimit float64
	UnauthenticatedBurst     int

	// EnforceAllowlists refuses (403) requests from addresses outside
	// every enabled IP allowlist, before authentication.
	EnforceAllowlists bool

	// Middleware wraps the routes, inside request id, logging and panic
	// recovery and outside routing, in order (the first is outermost). This is
	// where authentication and rate limiting go: a middleware that answers
	// early still gets a request id and a log line.
	Middleware []func(http.Handler) http.Handler

	// IdempotencyTTL is how long a POST's first response is remembered under
	// its Idempotency-Key; 24 h when zero.
	IdempotencyTTL time.Duration
	// IdempotencyMaxEntries and IdempotencyMaxBytes bound the remembered
	// responses, in number and in bytes; the oldest go first when either is
	// reached. 10000 and 64 MiB when zero.
	IdempotencyMaxEntries int
	IdempotencyMaxBytes   int

	// Now is the clock of the idempotency store; time.Now when nil. Tests
	// inject one to expire entries without waiting.
	Now func() time.Time

	// Requests, when set, counts every request by route, and the server
	// serves the counts at GET /v1/debug/requests (read scope).
	Requests *RequestCounter
}

// Defaults for the zero Options.
const (
	DefaultIdempotencyTTL        = 24 * time.Hour
	DefaultIdempotencyMaxEntries = 10000
	DefaultIdempotencyMaxBytes   = 64 << 20
	// MaxBodyBytes caps every request body (1 MiB).
	MaxBodyBytes = 1 << 20
	// DefaultPageLimit and MaxPageLimit bound the limit query parameter.
	DefaultPageLimit = 100
	MaxPageLimit     = 500
)

type server struct {
	svc  access.Service
	log  *slog.Logger
	idem *idempotencyStore
	// answers records idempotent answers in the service's database, when it
	// keeps them (access.AnswerStore); idem serves otherwise.
	answers access.AnswerStore
	// network is the allowlists' verdict, enforced with EnforceAllowlists.
	network            *networkGate
	enforcesAllowlists bool
	mux                *http.ServeMux
	// requests counts requests by route; nil counts nothing.
	requests *RequestCounter
	// refusals counts the requests refused by a rate limit, which are
	// not logged one by one.
	refusals *refusalLog
	// refusalPause is Options.RefusalPause.
	refusalPause time.Duration
}

// New returns the REST API v1 over svc.
func New(svc access.Service, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if opts.IdempotencyMaxEntries <= 0 {
		opts.IdempotencyMaxEntries = DefaultIdempotencyMaxEntries
	}
	if opts.IdempotencyMaxBytes <= 0 {
		opts.IdempotencyMaxBytes = DefaultIdempotencyMaxBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &server{
		svc:     svc,
		log:     opts.Logger,
		idem:    newIdempotencyStore(opts.IdempotencyTTL, opts.IdempotencyMaxEntries, opts.IdempotencyMaxBytes, opts.Now),
		network: newNetworkGate(svc, opts.Now),

		enforcesAllowlists: opts.EnforceAllowlists,

		requests: opts.Requests,
		refusals: &refusalLog{log: opts.Logger, now: opts.Now, interval: RefusalLogInterval},

		refusalPause: opts.RefusalPause,
	}
	s.answers, _ = svc.(access.AnswerStore)
	s.mux = http.NewServeMux()
	s.routes(s.mux)
	if s.requests != nil {
		// Not in routes.go: a test hook, not part of API v1 or openapi.yaml.
		s.mux.HandleFunc("GET /v1/debug/requests", s.requestCounts)
	}

	h := s.problemsForUnmatched(s.mux)
	for i := len(opts.Middleware) - 1; i >= 0; i-- {
		h = opts.Middleware[i](h)
	}
	var failures *budgets
	var accepted *boundedLRU[struct{}] // tokens accepted before: they skip the failures budget
	if opts.Authenticate != nil && opts.UnauthenticatedRateLimit > 0 {
		failures = newBudgets(opts.UnauthenticatedRateLimit, opts.UnauthenticatedBurst)
		accepted = newBoundedLRU[struct{}]()
	}
	if opts.Authenticate != nil {
		// Outside the other middleware: nothing else runs for a stranger.
		h = s.authenticate(opts.Authenticate, accepted)(h)
	}
	if opts.EnforceAllowlists {
		// A request from outside the allowed networks is refused whatever
		// token it carries.
		h = s.enforceAllowlists(h)
	}
	if opts.RateLimit > 0 {
		// Before the allowlists and the token lookup: a flood costs a hash.
		h = s.limitPerToken(opts.RateLimit, opts.RateBurst, opts.RateQueue)(h)
	}
	if failures != nil {
		// Outermost: an address that keeps failing authentication costs
		// nothing more than this.
		h = s.refuseSpentAddresses(failures, accepted)(h)
	}
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return &Handler{Handler: withRequestID(h), refusals: s.refusals}
}

// Handler is the REST API v1: an http.Handler, and Close for when the
// server stops.
type Handler struct {
	http.Handler
	refusals *refusalLog
}

// Close writes the log record of the requests refused by rate limits since
// the last one, which would otherwise wait for its interval to end: call it
// once the server has stopped serving.
func (h *Handler) Close() { h.refusals.flush() }
