package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

var _ access.Service = (*Client)(nil)

// maxResponseBytes bounds the body read from any response.
const maxResponseBytes = 16 << 20

// Client is access.Service over the REST API. It is safe for concurrent use;
// build one per provider process and share it.
type Client struct {
	base  *url.URL
	token string
	agent string
	http  *retryablehttp.Client
	// allowLockout is Config.AllowLockout.
	allowLockout bool

	// etags remembers the last ETag seen per object path, so that a write
	// with Version 0 is still conditional on what this process last read.
	mu    sync.Mutex
	etags map[string]access.Version

	// cache serves reads from listings of whole collections (cache.go).
	cache caches
}

// New validates cfg and builds the client's one retrying HTTP client.
func New(cfg Config) (*Client, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	hc, err := cfg.httpClient()
	if err != nil {
		return nil, err
	}
	if cfg.MaxRequestsPerSecond > 0 {
		next := hc.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		// Burst 1: N requests take at least (N-1)/rate, retries included.
		hc.Transport = &limitedTransport{next: next, limiter: rate.NewLimiter(rate.Limit(cfg.MaxRequestsPerSecond), 1)}
	}
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		// retryPolicy bounds the attempts: MaxRetries failures, and 429s
		// for RateLimitedWait.
		RetryMax:       math.MaxInt32,
		CheckRetry:     retryPolicy{maxRetries: cfg.MaxRetries, rateLimitedWait: cfg.RateLimitedWait}.check,
		Backoff:        backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: countAttempt,
	}
	if cfg.Logger != nil {
		rc.Logger = leveled{redactingLogger{next: cfg.Logger, token: cfg.Token}}
	}
	return &Client{base: base, token: cfg.Token, agent: cfg.UserAgent, http: rc, allowLockout: cfg.AllowLockout,
		etags: map[string]access.Version{}, cache: newCaches()}, nil
}

// retryPolicy retries connection errors and 502/503/504 up to maxRetries
// times, and 429s for as long as rateLimitedWait from the first attempt;
// nothing else, and never once the caller's context is done.
//
// A 429 is the server pacing the client, not a failure, so it does not use
// up maxRetries: with many requests in parallel against one rate limit
// (terraform -parallelism=30 against 10 requests per second), a request can
// lose the race for a token many times in a row, and counting those would
// fail an apply that only had to wait.
type retryPolicy struct {
	maxRetries      int
	rateLimitedWait time.Duration
}

func (p retryPolicy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	st, ok := ctx.Value(callStateKey{}).(*callState)
	if !ok {
		st = &callState{start: time.Now()}
	}
	if err != nil {
		var unknownCA x509.UnknownAuthorityError
		var invalidCert x509.CertificateInvalidError
		var hostname x509.HostnameError
		if errors.As(err, &unknownCA) || errors.As(err, &invalidCert) || errors.As(err, &hostname) {
			return false, err // retrying cannot fix the certificate
		}
		st.failures++
		return st.failures <= p.maxRetries, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return time.Since(st.start) < p.rateLimitedWait, nil
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		st.failures++
		return st.failures <= p.maxRetries, nil
	}
	return false, nil
}

// backoff waits as long as Retry-After says (capped at maxWait) when the
// server says, and otherwise a random time up to minWait·2^attempt (full
// jitter, capped at maxWait), so that parallel clients do not retry in step.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header, time.Now()); ok {
			return min(d, maxWait)
		}
	}
	ceiling := maxWait
	if attempt < 30 && minWait<<attempt < maxWait && minWait<<attempt > 0 {
		ceiling = minWait << attempt
	}
	if ceiling <= 0 {
		return 0
	}
	return mathrand.N(ceiling + 1) // jitter needs no cryptographic randomness
}

// retryAfter reads Retry-After as seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// callState is what the attempts of one logical request share, through
// its context.
type callState struct {
	start time.Time
	// attempts counts the attempts, so that an error after the last retry
	// can say how many were made.
	attempts atomic.Int32
	// failures counts the retryable failures other than 429; only
	// retryPolicy.check touches it, once per attempt, in order.
	failures int
}

type callStateKey struct{}

func countAttempt(_ retryablehttp.Logger, req *http.Request, _ int) {
	if st, ok := req.Context().Value(callStateKey{}).(*callState); ok {
		st.attempts.Add(1)
	}
}

// limitedTransport waits for the client-side rate limiter before every
// attempt.
type limitedTransport struct {
	next    http.RoundTripper
	limiter *rate.Limiter
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(req.Context()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// call is one logical request: its retries share everything here,
// including the Idempotency-Key of a write.
type call struct {
	method string
	path   string // escaped, below the endpoint, e.g. /v1/roles/rol_1
	query  url.Values
	body   any
	// ifMatch is the version a PUT or DELETE is conditional on (0: none).
	ifMatch access.Version
	// kind and id name the object in errors.
	kind, id string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends c, with retries, and returns a 2xx response or the access error
// the server's answer stands for.
func (cl *Client) do(ctx context.Context, c call) (*response, error) {
	var body []byte
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", c.kind, err)
		}
		body = b
	}
	u := *cl.base
	u.Path = ""
	u.RawPath = ""
	target := u.String() + cl.base.EscapedPath() + c.path
	if len(c.query) > 0 {
		target += "?" + c.query.Encode()
	}
	st := &callState{start: time.Now()}
	attempts := &st.attempts
	ctx = context.WithValue(ctx, callStateKey{}, st)
	var rawBody any
	if body != nil {
		rawBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, c.method, target, rawBody)
	if err != nil {
		return nil, fmt.Errorf("%s %s: building the request: %w", c.method, c.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+cl.token)
	req.Header.Set("Accept", "application/json, "+wire.ProblemContentType)
	req.Header.Set("User-Agent", cl.agent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Every write carries a key, kept across its retries: a retry after a
	// lost answer gets that answer replayed instead of a duplicate object
	// (POST), a 412 for this very change (PUT) or a 404 (DELETE).
	if c.method != http.MethodGet {
		req.Header.Set("Idempotency-Key", newIdempotencyKey())
	}
	if c.ifMatch != 0 {
		req.Header.Set("If-Match", wire.ETag(c.ifMatch))
	}
	if cl.allowLockout && c.kind == ipAllowlistKind && c.method != http.MethodGet {
		req.Header.Set(wire.AllowLockoutHeader, "true")
	}

	resp, err := cl.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s: %w", c.method, c.path, ctxErr)
		}
		return nil, fmt.Errorf("%s %s: giving up after %d attempt(s): %w", c.method, c.path, attempts.Load(), cl.scrub(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", c.method, c.path, cl.scrub(err))
	}
	out := &response{status: resp.StatusCode, header: resp.Header, body: b}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return out, nil
	}
	return nil, problemError(c, out, int(attempts.Load()))
}

// scrub makes sure the token cannot reach an error string, whatever a
// transport puts into its errors.
func (cl *Client) scrub(err error) error {
	if cl.token == "" || !bytes.Contains([]byte(err.Error()), []byte(cl.token)) {
		return err
	}
	return errors.New(redact(err.Error(), cl.token))
}

func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// decodeBody reads a JSON response body into dst.
func decodeBody(c call, r *response, dst any) error {
	if err := json.Unmarshal(r.body, dst); err != nil {
		return fmt.Errorf("%s %s: decoding the %s in the response: %w", c.method, c.path, c.kind, err)
	}
	return nil
}

// version reads the ETag of a response; zero when there is none.
func version(c call, r *response) (access.Version, error) {
	tag := r.header.Get("ETag")
	if tag == "" {
		return 0, nil
	}
	v, err := wire.ParseETag(tag)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", c.method, c.path, err)
	}
	return v, nil
}

// remember records the last version seen of the object at path.
func (cl *Client) remember(path string, v access.Version) {
	if v == 0 {
		return
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.etags[path] = v
}

func (cl *Client) forget(path string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	delete(cl.etags, path)
}

// condition is what a write to path is conditional on: the caller's
// version, or else the last one this client saw.
func (cl *Client) condition(path string, v access.Version) access.Version {
	if v != 0 {
		return v
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.etags[path]
}
