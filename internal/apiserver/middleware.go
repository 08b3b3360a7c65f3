package apiserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

type contextKey int

const requestIDKey contextKey = 0

// RequestID is the id of the request ctx belongs to ("" outside a request):
// the X-Request-Id the client sent, or one generated for it. Middleware added
// through Options.Middleware logs it with anything it reports.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withRequestID gives every request an id, echoed in X-Request-Id, so that a
// client's error report can be matched to the server's log line.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// validRequestID accepts a client's id only if it is short printable ASCII:
// it ends up in logs, which must not be forgeable line by line.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := range len(id) {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// problemsForUnmatched answers requests no route matches with a problem
// body, like every other error, instead of the mux's plain text.
func (s *server) problemsForUnmatched(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.mux.Handler(r); pattern != "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recordingWriter{header: http.Header{}}
		next.ServeHTTP(rec, r) // the mux's 404 or 405 (with Allow), or a redirect
		switch status := rec.statusCode(); status {
		case http.StatusNotFound:
			s.writeError(w, r, &requestError{status: status, typ: wire.ProblemNotFound, title: "Not found",
				detail: "no route " + r.Method + " " + r.URL.Path})
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			s.writeError(w, r, &requestError{status: status, typ: wire.ProblemMethodNotAllowed, title: "Method not allowed",
				detail: r.URL.Path + " does not allow " + r.Method + "; it allows " + rec.header.Get("Allow")})
		default:
			writeStored(w, &storedResponse{status: status, header: rec.header, body: rec.body.Bytes()}, false)
		}
	})
}

// logRequests writes one record per request: method, route pattern (not the
// path, which holds ids), status, duration and request id. Never headers or
// bodies: they carry tokens and secrets. Requests refused by a rate limit
// (429) are only counted, in refusals: a flood must not become a flood of
// log records, which would cost the server more than refusing it.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The route is looked up before the handlers run, so that a request
		// refused by authentication or rate limiting is logged with it too.
		_, route := s.mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		if s.requests != nil {
			s.requests.add(route)
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.statusCode() == http.StatusTooManyRequests {
			return // counted by refuseLimited, in s.refusals
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", sw.statusCode()),
			slog.Float64("duration_ms", milliseconds(time.Since(start))),
			slog.String("request_id", RequestID(r.Context())),
		)
	})
}

// recoverPanics turns a panicking handler into a 500 problem (when nothing
// was written yet) and a log record with the stack.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) { // net/http's own way to abort a response
				panic(v)
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.String("request_id", RequestID(r.Context())),
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())))
			if !sw.wroteHeader {
				s.writeError(sw, r, errors.New("handler panicked"))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) statusCode() int {
	if !w.wroteHeader {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// RefusalLogInterval is how often, at most, the server logs the requests it
// refused by rate limits.
const RefusalLogInterval = 10 * time.Second

// The limits a request can be refused by, as the refusal log names them.
const (
	limitPerToken   = "token"   // its token's rate (and queue)
	limitPerAddress = "address" // its address's failed authentications
)

// refusalLog logs the requests refused by rate limits as counts by limit:
// the first refusal at once, then one record per RefusalLogInterval at
// most, written when the interval ends (a timer), with the refusals since
// the previous record. flush writes what is pending at once.
type refusalLog struct {
	log      *slog.Logger
	now      func() time.Time
	interval time.Duration // RefusalLogInterval; tests shorten it

	mu        sync.Mutex
	counts    map[string]int
	previous  time.Time   // when the previous record was written
	scheduled *time.Timer // the pending record's timer, nil when none
}

func (l *refusalLog) note(limit string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	l.counts[limit]++
	if l.scheduled != nil {
		return
	}
	wait := l.interval - l.now().Sub(l.previous)
	if l.previous.IsZero() || wait <= 0 {
		l.writeLocked()
		return
	}
	l.scheduled = time.AfterFunc(wait, l.flush)
}

// flush writes the pending record, if any.
func (l *refusalLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.scheduled != nil {
		l.scheduled.Stop()
		l.scheduled = nil
	}
	if len(l.counts) > 0 {
		l.writeLocked()
	}
}

func (l *refusalLog) writeLocked() {
	now := l.now()
	attrs := []slog.Attr{}
	total := 0
	for _, limit := range []string{limitPerToken, limitPerAddress} {
		if n := l.counts[limit]; n > 0 {
			attrs = append(attrs, slog.Int("by_"+limit, n))
			total += n
		}
	}
	attrs = append([]slog.Attr{slog.Int("refused", total)}, attrs...)
	if !l.previous.IsZero() {
		attrs = append(attrs, slog.Float64("since_previous_s", now.Sub(l.previous).Seconds()))
	}
	clear(l.counts)
	l.previous = now
	// Logged under the lock: records stay in order, and a handler's
	// Write is short.
	l.log.LogAttrs(context.Background(), slog.LevelWarn, "requests refused by rate limits (429)", attrs...)
}

// milliseconds is d in milliseconds, to the microsecond: log durations carry
// their unit in their name (slog writes a Duration as bare nanoseconds).
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
