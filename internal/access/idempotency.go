package access

import (
	"context"
	"errors"
	"sync"
)

// Idempotent writes across processes. A client retrying a write (after a
// timeout, a reset connection, a replica that died mid-request) sends the
// same Idempotency-Key and must get the first answer, not a second object
// or a 409 for the name it has just taken, whichever server process the
// retry reaches. So the answer is recorded in the platform's database in the
// write's own transaction: a write that committed has its answer, and one
// that did not has none (its retry runs again).
//
// The server computes the answer only after the service returns, so a
// backend that keeps answers (AnswerStore) does not commit the write's
// transaction itself when the write's context carries an IdempotentWrite:
// it hands the commit to the IdempotentWrite (Defer), and the server calls
// Commit with the answer, which records it and commits.

// WriteAnswer is the answer to a write, as the server sent it.
type WriteAnswer struct {
	Status int
	Header map[string][]string
	Body   []byte
}

// ErrAnswerRecorded is returned by IdempotentWrite.Commit when another
// request of the same scope recorded its answer first: this write was rolled
// back, and the recorded answer is the one to send.
var ErrAnswerRecorded = errors.New("an answer is already recorded under this idempotency key")

// AnswerStore is a backend that keeps the answers of idempotent writes.
type AnswerStore interface {
	// LookupAnswer returns the answer recorded under scope and the hash of
	// the request body it answered; found is false when there is none (or
	// it expired).
	LookupAnswer(ctx context.Context, scope string) (answer WriteAnswer, bodyHash [32]byte, found bool, err error)
}

// IdempotentWrite travels in the context of a write sent with an
// Idempotency-Key: scope names the request (token, method, path and key)
// and BodyHash its body.
type IdempotentWrite struct {
	Scope    string
	BodyHash [32]byte

	mu       sync.Mutex
	deferred bool // once: a request makes one write
	commit   func(context.Context, WriteAnswer) error
	abort    func()
}

type idempotentWriteKey struct{}

// WithIdempotentWrite returns ctx carrying w.
func WithIdempotentWrite(ctx context.Context, w *IdempotentWrite) context.Context {
	return context.WithValue(ctx, idempotentWriteKey{}, w)
}

// IdempotentWriteFrom returns the IdempotentWrite ctx carries, or nil.
func IdempotentWriteFrom(ctx context.Context) *IdempotentWrite {
	w, _ := ctx.Value(idempotentWriteKey{}).(*IdempotentWrite)
	return w
}

// Defer is called by a backend that keeps answers, with its write's
// transaction still open: commit records an answer and commits, abort rolls
// back. It returns false when a write was already deferred, and the backend
// then commits this one itself (a request makes one write).
func (w *IdempotentWrite) Defer(commit func(context.Context, WriteAnswer) error, abort func()) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.deferred {
		return false
	}
	w.deferred = true
	w.commit, w.abort = commit, abort
	return true
}

// Commit records answer with the deferred write and commits it. It returns
// false (and nil) when no write was deferred: the request wrote nothing, or
// its write failed and was rolled back.
func (w *IdempotentWrite) Commit(ctx context.Context, answer WriteAnswer) (bool, error) {
	w.mu.Lock()
	commit := w.commit
	w.commit, w.abort = nil, nil
	w.mu.Unlock()
	if commit == nil {
		return false, nil
	}
	return true, commit(ctx, answer)
}

// Abort rolls back a deferred write that will not be answered (the handler
// failed); nothing when none was deferred.
func (w *IdempotentWrite) Abort() {
	w.mu.Lock()
	abort := w.abort
	w.commit, w.abort = nil, nil
	w.mu.Unlock()
	if abort != nil {
		abort()
	}
}
