package apiserver

import (
	"bytes"
	"cmp"
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// Idempotency-Key: a client that retries a write (after a timeout or a reset
// connection) sends the same key, and gets the first attempt's response
// instead of a second object (POST), a 412 for its own change (PUT) or a
// 404 (DELETE). A response is remembered under its scope: the caller's
// token, the method, the path (not the route pattern: DELETE /v1/roles/Y
// with the key of DELETE /v1/roles/X is another request, and deletes Y) and
// the key; with a hash of the body, so that a key reused for a different
// request is refused (422) rather than answered with an unrelated object.
// Two tokens never see each other's answers.
//
// Where the service keeps answers (access.AnswerStore: the store, on
// SQLite and PostgreSQL) an answer is recorded in the database in the
// write's own transaction (answerDurably), so that a retry reaching another
// replica, or the same one restarted, gets it. Otherwise (a service that
// keeps none) answers are remembered in this process's memory, bounded in
// entries and in bytes.

// idempotencyScope is the key under which a request's answer is remembered.
func idempotencyScope(r *http.Request, key string) string {
	token := ""
	if p, ok := principalFrom(r.Context()); ok {
		token = cmp.Or(p.ID, p.Name)
	}
	return strings.Join([]string{token, r.Method, r.URL.EscapedPath(), key}, "\x00")
}

// storedResponse is a response as first sent.
type storedResponse struct {
	status int
	header http.Header
	body   []byte
}

// size is what a remembered response costs the store, roughly: its body,
// headers and scope.
func (r *storedResponse) size(scope string) int {
	n := len(r.body) + len(scope)
	for k, vs := range r.header {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

type idempotencyEntry struct {
	bodyHash [sha256.Size]byte
	size     int // of resp, once set
	// done is closed when the first request finishes; resp is then set if
	// the response is remembered, or the entry is gone if it is not.
	done    chan struct{}
	resp    *storedResponse
	expires time.Time
	elem    *list.Element
}

type idempotencyStore struct {
	mu       sync.Mutex
	ttl      time.Duration
	max      int
	maxBytes int
	bytes    int // of the remembered responses
	now      func() time.Time
	entries  map[string]*idempotencyEntry
	order    *list.List // keys, oldest first
}

func newIdempotencyStore(ttl time.Duration, maxEntries, maxBytes int, now func() time.Time) *idempotencyStore {
	return &idempotencyStore{ttl: ttl, max: maxEntries, maxBytes: maxBytes, now: now, entries: map[string]*idempotencyEntry{}, order: list.New()}
}

var errKeyReused = errors.New("idempotency key reused with a different request")

// acquire returns the remembered response for key, or (when there is none)
// a finish function the caller must call with the response to remember, or
// nil to forget it. While a first request with key is in flight, others with
// the same key wait for it: two concurrent retries must not both create.
func (st *idempotencyStore) acquire(ctx context.Context, key string, hash [sha256.Size]byte) (*storedResponse, func(*storedResponse), error) {
	for {
		st.mu.Lock()
		now := st.now()
		e, ok := st.entries[key]
		if ok && e.resp != nil && now.After(e.expires) {
			st.removeLocked(key, e)
			ok = false
		}
		if !ok {
			st.evictLocked(now)
			e = &idempotencyEntry{bodyHash: hash, done: make(chan struct{})}
			e.elem = st.order.PushBack(key)
			st.entries[key] = e
			st.mu.Unlock()
			return nil, func(resp *storedResponse) { st.finish(key, e, resp) }, nil
		}
		if e.bodyHash != hash {
			st.mu.Unlock()
			return nil, nil, errKeyReused
		}
		if e.resp != nil {
			resp := e.resp
			st.mu.Unlock()
			return resp, nil, nil
		}
		done := e.done
		st.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

func (st *idempotencyStore) finish(key string, e *idempotencyEntry, resp *storedResponse) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if resp == nil {
		st.removeLocked(key, e)
	} else {
		e.resp = resp
		e.size = resp.size(key)
		st.bytes += e.size
		e.expires = st.now().Add(st.ttl)
		st.evictLocked(st.now())
	}
	close(e.done)
}

// evictLocked drops expired entries from the front and, while the store is
// full (in entries or in bytes), the oldest finished ones. Entries in
// flight stay: someone waits on them.
func (st *idempotencyStore) evictLocked(now time.Time) {
	for el := st.order.Front(); el != nil; {
		next := el.Next()
		key, _ := el.Value.(string) // the list holds only keys
		e := st.entries[key]
		full := len(st.entries) >= st.max || st.bytes > st.maxBytes
		expired := e.resp != nil && now.After(e.expires)
		if !full && !expired {
			break
		}
		if e.resp != nil {
			st.removeLocked(key, e)
		}
		el = next
	}
}

func (st *idempotencyStore) removeLocked(key string, e *idempotencyEntry) {
	if st.entries[key] == e {
		delete(st.entries, key)
		st.order.Remove(e.elem)
		st.bytes -= e.size
	}
}

func (st *idempotencyStore) len() (entries, bytes int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.entries), st.bytes
}

// idempotent wraps a write handler so that a request with an
// Idempotency-Key is answered at most once; requests without one pass
// through.
func (s *server) idempotent(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			h.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			s.writeError(w, r, badRequest("the Idempotency-Key header is longer than 255 characters",
				wire.FieldError{Field: "Idempotency-Key", Message: "must be at most 255 characters"}))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				err = tooLargeError()
			}
			s.writeError(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))

		if s.answers != nil {
			s.answerDurably(w, r, h, idempotencyScope(r, key), sha256.Sum256(body))
			return
		}
		replay, finish, err := s.idem.acquire(r.Context(), idempotencyScope(r, key), sha256.Sum256(body))
		if errors.Is(err, errKeyReused) {
			s.writeError(w, r, keyReusedError())
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if replay != nil {
			writeStored(w, replay, true)
			return
		}

		rec := &recordingWriter{header: http.Header{}}
		remembered := false
		defer func() {
			if !remembered {
				finish(nil) // a panic: let a retry try again
			}
		}()
		h.ServeHTTP(rec, r)
		resp := &storedResponse{status: rec.statusCode(), header: rec.header, body: rec.body.Bytes()}
		// Server faults and rate limiting are not the request's answer:
		// a retry with the same key must get another chance.
		if resp.status < 500 && resp.status != http.StatusTooManyRequests {
			finish(resp)
		} else {
			finish(nil)
		}
		remembered = true
		writeStored(w, resp, false)
	})
}

func writeStored(w http.ResponseWriter, resp *storedResponse, replayed bool) {
	for k, v := range resp.header {
		w.Header()[k] = slices.Clone(v)
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// recordingWriter buffers a response so that it can be remembered before
// it is sent.
type recordingWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recordingWriter) Header() http.Header { return w.header }

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

func (w *recordingWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// answerDurably serves a write with an Idempotency-Key over an AnswerStore:
// the recorded answer when there is one; otherwise the handler runs with an
// IdempotentWrite in its context, the service leaves the write's
// transaction open, and the answer the handler wrote is committed with it.
// A write that failed (a 4xx from the service, nothing written) records
// nothing: its retry runs again and fails the same way.
func (s *server) answerDurably(w http.ResponseWriter, r *http.Request, h http.Handler, scope string, bodyHash [sha256.Size]byte) {
	if s.replayRecorded(w, r, scope, bodyHash) {
		return
	}
	write := &access.IdempotentWrite{Scope: scope, BodyHash: bodyHash}
	defer write.Abort() // a panic in the handler: roll the write back
	rec := &recordingWriter{header: http.Header{}}
	h.ServeHTTP(rec, r.WithContext(access.WithIdempotentWrite(r.Context(), write)))
	answer := access.WriteAnswer{Status: rec.statusCode(), Header: rec.header, Body: rec.body.Bytes()}
	if answer.Status >= 500 || answer.Status == http.StatusTooManyRequests {
		write.Abort()
		writeStored(w, &storedResponse{status: answer.Status, header: answer.Header, body: answer.Body}, false)
		return
	}
	committed, err := write.Commit(r.Context(), answer)
	switch {
	case errors.Is(err, access.ErrAnswerRecorded):
		// A retry that raced this request's first attempt, which won.
		if s.replayRecorded(w, r, scope, bodyHash) {
			return
		}
		s.writeError(w, r, fmt.Errorf("an answer recorded under this Idempotency-Key vanished: %w", err))
		return
	case err != nil:
		// Nothing was committed (or the commit's outcome is unknown): a
		// retry with the same key finds the answer if it was, and runs
		// again if it was not.
		s.writeError(w, r, &requestError{
			status: http.StatusServiceUnavailable, typ: wire.ProblemUnavailable, title: "Write not committed",
			detail: "the write could not be committed; retry it with the same Idempotency-Key",
		})
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "idempotent write not committed",
			slog.String("request_id", RequestID(r.Context())), slog.String("error", err.Error()))
		return
	case !committed && s.replayRecorded(w, r, scope, bodyHash):
		// The service refused this attempt because a first attempt, on
		// another replica, committed meanwhile (its name is taken now):
		// its answer is this request's answer.
		return
	}
	writeStored(w, &storedResponse{status: answer.Status, header: answer.Header, body: answer.Body}, false)
}

// replayRecorded answers with the answer recorded under scope, or 422 when
// it answered another body; false when there is none.
func (s *server) replayRecorded(w http.ResponseWriter, r *http.Request, scope string, bodyHash [sha256.Size]byte) bool {
	answer, recordedHash, found, err := s.answers.LookupAnswer(r.Context(), scope)
	switch {
	case err != nil:
		s.writeError(w, r, err)
		return true
	case !found:
		return false
	case recordedHash != bodyHash:
		s.writeError(w, r, keyReusedError())
		return true
	}
	writeStored(w, &storedResponse{status: answer.Status, header: answer.Header, body: answer.Body}, true)
	return true
}

func keyReusedError() error {
	return &requestError{
		status: http.StatusUnprocessableEntity, typ: wire.ProblemIdempotencyReuse, title: "Idempotency key reused",
		detail: "this Idempotency-Key was already used with a different request body; use a new key for a new request",
	}
}
