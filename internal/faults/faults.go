// Package faults injects transport faults in front of an http.Handler, for
// tests that prove the client and the provider survive them: 503s, 429s with
// Retry-After, connections reset before or after the server acted, and
// latency spikes. It draws them from a seeded generator, so a run is
// reproducible from the seed it logs (up to the order in which concurrent
// requests arrive), and counts what it injected by kind and route.
package faults

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is what the injector does to one request.
type Kind int

const (
	// Pass lets the request through untouched.
	Pass Kind = iota
	// Unavailable answers 503 without Retry-After.
	Unavailable
	// UnavailableRetryAfter answers 503 with Retry-After.
	UnavailableRetryAfter
	// TooManyRequests answers 429 with Retry-After.
	TooManyRequests
	// ResetBefore resets the connection before the server sees the request.
	ResetBefore
	// ResetAfter lets the server handle the request, then resets the
	// connection instead of answering: the write happened, the answer is lost.
	ResetAfter
	// Slow holds the request for Config.Latency, then lets it through.
	Slow
)

// Kinds lists every fault, in the order rates are drawn.
var Kinds = []Kind{Unavailable, UnavailableRetryAfter, TooManyRequests, ResetBefore, ResetAfter, Slow}

func (k Kind) String() string {
	switch k {
	case Pass:
		return "pass"
	case Unavailable:
		return "503"
	case UnavailableRetryAfter:
		return "503+Retry-After"
	case TooManyRequests:
		return "429+Retry-After"
	case ResetBefore:
		return "reset-before"
	case ResetAfter:
		return "reset-after"
	case Slow:
		return "slow"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Config configures New.
type Config struct {
	// Seed makes the draws reproducible; zero picks one from the clock. The
	// seed in use is logged through Logf either way.
	Seed uint64
	// Rates is the probability of each fault per request; they must sum to
	// at most 1. The rest of the requests pass.
	Rates map[Kind]float64
	// RetryAfter is the Retry-After of 429s and of 503s that carry one, in
	// whole seconds (at least 1, the header's unit).
	RetryAfter time.Duration
	// Latency is how long a Slow request is held.
	Latency time.Duration
	// MaxConsecutive, when positive, lets a request through after that many
	// faults in a row on the same request (method, URL and Idempotency-Key):
	// faults stay transient, so a client with more retries than this always
	// gets through, and a test's outcome does not depend on luck.
	MaxConsecutive int
	// Choose, when set, decides instead of the random draw: for tests that
	// script one fault on one request.
	Choose func(r *http.Request) Kind
	// Logf receives the seed; nil logs nothing.
	Logf func(format string, args ...any)
}

// Injector is an http.Handler wrapper that injects faults. It is safe for
// concurrent use.
type Injector struct {
	cfg  Config
	seed uint64

	mu          sync.Mutex
	rnd         *rand.Rand
	consecutive map[string]int // request identity -> faults in a row
	requests    map[string]int
	injected    map[Kind]map[string]int
	statuses    map[int]int
	replayed    int
	// pending holds the Idempotency-Keys of writes not yet answered for
	// good (a fault or a 429 sends them back for a retry).
	pending    map[string]bool
	maxPending int

	inFlight, maxInFlight atomic.Int64
}

// New checks cfg and returns an injector.
func New(cfg Config) (*Injector, error) {
	sum := 0.0
	for k, p := range cfg.Rates {
		if k <= Pass || k > Slow {
			return nil, fmt.Errorf("faults: unknown kind %s", k)
		}
		if p < 0 || p > 1 {
			return nil, fmt.Errorf("faults: rate of %s is %v, want 0..1", k, p)
		}
		sum += p
	}
	if sum > 1+1e-9 {
		return nil, fmt.Errorf("faults: rates sum to %v, more than 1", sum)
	}
	if cfg.RetryAfter < time.Second {
		cfg.RetryAfter = time.Second
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	if cfg.Logf != nil {
		cfg.Logf("fault injector seed %d (rates %v)", seed, cfg.Rates)
	}
	return &Injector{
		cfg:         cfg,
		seed:        seed,
		rnd:         rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		consecutive: map[string]int{},
		requests:    map[string]int{},
		injected:    map[Kind]map[string]int{},
		statuses:    map[int]int{},
		pending:     map[string]bool{},
	}, nil
}

// Seed is the seed in use.
func (in *Injector) Seed() uint64 { return in.seed }

// Wrap returns next behind the injector.
func (in *Injector) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := in.inFlight.Add(1)
		defer in.inFlight.Add(-1)
		for {
			peak := in.maxInFlight.Load()
			if n <= peak || in.maxInFlight.CompareAndSwap(peak, n) {
				break
			}
		}

		kind := in.decide(r)
		switch kind {
		case Unavailable, UnavailableRetryAfter, TooManyRequests:
			in.refuse(w, kind)
		case ResetBefore:
			hangUp(w)
		case ResetAfter:
			next.ServeHTTP(&discardingWriter{header: http.Header{}}, r)
			hangUp(w)
		case Slow:
			select {
			case <-time.After(in.cfg.Latency):
			case <-r.Context().Done():
			}
			in.serve(w, r, next)
		default:
			in.serve(w, r, next)
		}
	})
}

func (in *Injector) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	sw := &statusWriter{ResponseWriter: w}
	next.ServeHTTP(sw, r)
	in.mu.Lock()
	defer in.mu.Unlock()
	status := sw.statusCode()
	in.statuses[status]++
	if status != http.StatusTooManyRequests && status < 500 {
		delete(in.pending, r.Header.Get("Idempotency-Key"))
	}
	// The header map outlives the write: the server's replay marker is
	// still there to read.
	if w.Header().Get("Idempotent-Replayed") == "true" {
		in.replayed++
	}
}

// statusWriter notes the status the server answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// decide draws the request's fault and counts it.
func (in *Injector) decide(r *http.Request) Kind {
	route := Route(r)
	identity := r.Method + " " + r.URL.RequestURI() + " " + r.Header.Get("Idempotency-Key")
	in.mu.Lock()
	defer in.mu.Unlock()
	in.requests[route]++
	if key := r.Header.Get("Idempotency-Key"); key != "" && !in.pending[key] {
		in.pending[key] = true
		in.maxPending = max(in.maxPending, len(in.pending))
	}
	kind := Pass
	if in.cfg.Choose != nil {
		kind = in.cfg.Choose(r)
	} else {
		draw := in.rnd.Float64()
		for _, k := range Kinds {
			if draw < in.cfg.Rates[k] {
				kind = k
				break
			}
			draw -= in.cfg.Rates[k]
		}
	}
	// Slow is no failure: it does not count towards MaxConsecutive.
	if kind != Pass && kind != Slow && in.cfg.MaxConsecutive > 0 {
		if in.consecutive[identity] >= in.cfg.MaxConsecutive {
			kind = Pass
		} else {
			in.consecutive[identity]++
		}
	}
	if kind == Pass {
		delete(in.consecutive, identity)
		return Pass
	}
	if in.injected[kind] == nil {
		in.injected[kind] = map[string]int{}
	}
	in.injected[kind][route]++
	return kind
}

func (in *Injector) refuse(w http.ResponseWriter, kind Kind) {
	status, title := http.StatusServiceUnavailable, "Service unavailable"
	if kind == TooManyRequests {
		status, title = http.StatusTooManyRequests, "Too many requests"
	}
	if kind != Unavailable {
		w.Header().Set("Retry-After", strconv.Itoa(int(in.cfg.RetryAfter/time.Second)))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"type":"about:blank","title":%q,"status":%d,"detail":"injected fault"}`, title, status)
}

// hangUp resets the connection under w: a TCP RST where it can (linger 0),
// which the client sees as "connection reset by peer".
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the server aborts the stream instead.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// discardingWriter takes the answer of a request whose connection is about
// to be reset.
type discardingWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (w *discardingWriter) Header() http.Header         { return w.header }
func (w *discardingWriter) WriteHeader(int)             {}
func (w *discardingWriter) Write(b []byte) (int, error) { return w.body.Write(b) }

// Route labels a request by method and path with object identifiers
// replaced, e.g. "PUT /v1/roles/{id}", so counts add up per route.
func Route(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) > 2 && parts[0] == "v1" && parts[1] != "settings" {
		parts = append(parts[:2], "{id}")
	}
	return r.Method + " /" + strings.Join(parts, "/")
}

// Stats is what an injector saw and did.
type Stats struct {
	// Requests counts every request that arrived, by route.
	Requests map[string]int
	// Injected counts faults by kind and route.
	Injected map[Kind]map[string]int
	// Statuses counts the server's own answers (requests let through) by
	// status: its 429s under a rate limit show here.
	Statuses map[int]int
	// Replayed counts answers the server marked Idempotent-Replayed: a
	// retry that got the first attempt's response.
	Replayed int
	// MaxInFlight is the most requests the injector held at once.
	MaxInFlight int
	// MaxPendingWrites is the most writes (by Idempotency-Key) under way at
	// once: sent at least once and not yet answered for good. Unlike
	// MaxInFlight it counts writes waiting between retries, so it shows
	// the client's parallelism even when the server answers at once.
	MaxPendingWrites int
}

// Stats returns a copy of the counters.
func (in *Injector) Stats() Stats {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := Stats{Requests: maps.Clone(in.requests), Injected: map[Kind]map[string]int{}, Statuses: maps.Clone(in.statuses), Replayed: in.replayed,
		MaxInFlight: int(in.maxInFlight.Load()), MaxPendingWrites: in.maxPending}
	for k, byRoute := range in.injected {
		s.Injected[k] = maps.Clone(byRoute)
	}
	return s
}

// Total is the number of faults of kind, all routes together.
func (s Stats) Total(kind Kind) int {
	n := 0
	for _, c := range s.Injected[kind] {
		n += c
	}
	return n
}

// TotalInjected is the number of faults, all kinds and routes together.
func (s Stats) TotalInjected() int {
	n := 0
	for _, k := range Kinds {
		n += s.Total(k)
	}
	return n
}

// TotalRequests is the number of requests, all routes together.
func (s Stats) TotalRequests() int {
	n := 0
	for _, c := range s.Requests {
		n += c
	}
	return n
}

// String summarises the counts for a test log.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests, max %d in flight, max %d writes pending, %d replayed, server answered %v; injected:",
		s.TotalRequests(), s.MaxInFlight, s.MaxPendingWrites, s.Replayed, s.Statuses)
	for _, k := range Kinds {
		if n := s.Total(k); n > 0 {
			fmt.Fprintf(&b, " %s=%d", k, n)
		}
	}
	return b.String()
}
