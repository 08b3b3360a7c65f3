package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// idempotentCreate creates a role named name in the context of an
// idempotent write of scope, leaving its commit to the caller.
func idempotentCreate(t *testing.T, s *Store, scope, name string) *access.IdempotentWrite {
	t.Helper()
	w := &access.IdempotentWrite{Scope: scope, BodyHash: sha256.Sum256([]byte(name))}
	if _, err := s.CreateRole(access.WithIdempotentWrite(t.Context(), w), access.Role{Name: name, Permissions: []string{"campaign.view"}}); err != nil {
		t.Fatal(err)
	}
	return w
}

func roleNamed(t *testing.T, s *Store, name string) bool {
	t.Helper()
	_, err := s.GetRoleByName(t.Context(), name)
	if err != nil && !errors.Is(err, access.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// A write sent with an Idempotency-Key commits together with its answer:
// the answer is recorded exactly when the write is, and a second write of
// the same scope (a retry that raced the first) is rolled back, told to
// send the recorded answer.
func TestAnIdempotentWriteCommitsWithItsAnswer(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		answer := access.WriteAnswer{Status: 201, Header: map[string][]string{"Etag": {`"v1"`}}, Body: []byte(`{"id":"x"}`)}

		w := idempotentCreate(t, s, "tok\x00POST\x00/v1/roles\x00k1", "First")
		if committed, err := w.Commit(ctx, answer); !committed || err != nil {
			t.Fatalf("Commit = %v, %v", committed, err)
		}
		if !roleNamed(t, s, "First") {
			t.Fatal("the committed role is not there")
		}
		got, hash, found, err := s.LookupAnswer(ctx, "tok\x00POST\x00/v1/roles\x00k1")
		if err != nil || !found || got.Status != 201 || !bytes.Equal(got.Body, answer.Body) || got.Header["Etag"][0] != `"v1"` ||
			hash != sha256.Sum256([]byte("First")) {
			t.Fatalf("LookupAnswer = %+v %x %v %v", got, hash, found, err)
		}

		// The same scope again: its write is rolled back.
		again := idempotentCreate(t, s, "tok\x00POST\x00/v1/roles\x00k1", "Second")
		if _, err := again.Commit(ctx, answer); !errors.Is(err, access.ErrAnswerRecorded) {
			t.Fatalf("a second commit of the scope = %v, want ErrAnswerRecorded", err)
		}
		if roleNamed(t, s, "Second") {
			t.Error("the second write of the scope was committed")
		}

		// Another token's identical request is another scope.
		other := idempotentCreate(t, s, "other\x00POST\x00/v1/roles\x00k1", "Third")
		if _, err := other.Commit(ctx, answer); err != nil {
			t.Fatal(err)
		}
	})
}

// A write the server does not answer (its handler failed) is rolled back
// with nothing recorded; so is one whose answer is too large to record.
func TestAnAbortedIdempotentWriteLeavesNothing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		w := idempotentCreate(t, s, "scope-aborted", "Aborted")
		w.Abort()
		if roleNamed(t, s, "Aborted") {
			t.Error("an aborted write was committed")
		}
		if _, _, found, _ := s.LookupAnswer(t.Context(), "scope-aborted"); found {
			t.Error("an aborted write recorded an answer")
		}

		big := idempotentCreate(t, s, "scope-big", "Big")
		if _, err := big.Commit(t.Context(), access.WriteAnswer{Status: 201, Body: make([]byte, MaxAnswerBytes)}); !errors.Is(err, errAnswerTooLarge) {
			t.Fatalf("an oversized answer: %v", err)
		}
		if roleNamed(t, s, "Big") {
			t.Error("a write whose answer could not be recorded was committed")
		}
		// The store still writes: the gate and the connection were given back.
		if _, err := s.CreateRole(t.Context(), access.Role{Name: "After", Permissions: []string{"campaign.view"}}); err != nil {
			t.Fatal(err)
		}
	})
}

// Answers expire after AnswerTTL and are purged.
func TestExpiredAnswersAreNotReplayedAndArePurged(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		w := idempotentCreate(t, s, "scope-old", "Old")
		if _, err := w.Commit(t.Context(), access.WriteAnswer{Status: 201}); err != nil {
			t.Fatal(err)
		}
		expireAnswers(t, s)
		if _, _, found, err := s.LookupAnswer(t.Context(), "scope-old"); found || err != nil {
			t.Errorf("an expired answer was found (%v)", err)
		}
		if err := s.purgeAnswers(context.Background()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.read(t.Context(), func(q querier) error {
			return q.QueryRowContext(t.Context(), `SELECT count(*) FROM idempotency_answers`).Scan(&n)
		}); err != nil || n != 0 {
			t.Errorf("%d answers left after the purge (%v)", n, err)
		}
	})
}

// The purge runs after the write that triggers it has committed and left
// the gate: run inside, it waited for the gate its own write held (on
// SQLite) until the busy timeout, stalling every writer of the process; the
// 256th answer of the server did so, and nine of 300 concurrent writes got
// 503. Here every answer triggers a purge, which must delete the expired one.
func TestThePurgeOfAnswersRunsAfterTheWriteLeftTheGate(t *testing.T) {
	saved := answersPurgeEvery
	answersPurgeEvery = 1
	t.Cleanup(func() { answersPurgeEvery = saved })
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		s := openDatabase(t, d.newDatabase(t), WithBusyTimeout(200*time.Millisecond))
		old := idempotentCreate(t, s, "scope-expired", "Expired")
		if _, err := old.Commit(t.Context(), access.WriteAnswer{Status: 201}); err != nil {
			t.Fatal(err)
		}
		expireAnswers(t, s)
		next := idempotentCreate(t, s, "scope-next", "Next")
		if _, err := next.Commit(t.Context(), access.WriteAnswer{Status: 201}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.read(t.Context(), func(q querier) error {
			return q.QueryRowContext(t.Context(), `SELECT count(*) FROM idempotency_answers`).Scan(&n)
		}); err != nil || n != 1 {
			t.Errorf("%d answers after the purge the second write triggered, want 1 (%v)", n, err)
		}
	})
}

// expireAnswers makes every recorded answer expired.
func expireAnswers(t *testing.T, s *Store) {
	t.Helper()
	if err := s.write(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(t.Context(), `UPDATE idempotency_answers SET expires_at = ?`, "2000-01-01T00:00:00.000000000Z")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
