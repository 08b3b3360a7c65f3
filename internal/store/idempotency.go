package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The answers of idempotent writes (access.IdempotentWrite): recorded in
// the write's own transaction, kept AnswerTTL, bounded in bytes per answer
// and in all. A write whose context carries an IdempotentWrite is not
// committed by write: its transaction waits (holding SQLite's write lock,
// or PostgreSQL's locks) until the server commits it with its answer
// (commitWithAnswer), which it does as soon as it has rendered the answer.

// Bounds of the recorded answers.
const (
	// AnswerTTL is how long an answer is replayed.
	AnswerTTL = 24 * time.Hour
	// MaxAnswerBytes bounds one answer: request bodies are at most 1 MiB,
	// and an answer is the object they wrote.
	MaxAnswerBytes = 2 << 20
	// MaxAnswersBytes bounds all the answers together; beyond it the oldest
	// go first, even before they expire.
	MaxAnswersBytes = 256 << 20
)

// answersPurgeEvery is how many answers are recorded between two checks of
// the expired ones and of the total (a variable for the tests).
var answersPurgeEvery uint64 = 256

var _ access.AnswerStore = (*Store)(nil)

// errAnswerTooLarge refuses to record an answer over MaxAnswerBytes.
var errAnswerTooLarge = errors.New("the answer is larger than an idempotent write may record")

// scopeHash is the key of a scope's row.
func scopeHash(scope string) string {
	h := sha256.Sum256([]byte(scope))
	return hex.EncodeToString(h[:])
}

// LookupAnswer returns the answer recorded under scope, if it has not
// expired.
func (s *Store) LookupAnswer(ctx context.Context, scope string) (access.WriteAnswer, [32]byte, bool, error) {
	var (
		a          access.WriteAnswer
		bodyHash   [32]byte
		storedHash []byte
		header     string
		found      bool
		now        = formatTime(time.Now())
	)
	err := s.read(ctx, func(q querier) error {
		err := q.QueryRowContext(ctx, `SELECT body_hash, status, header, body FROM idempotency_answers
			WHERE scope_hash = ? AND expires_at > ?`, scopeHash(scope), now).Scan(&storedHash, &a.Status, &header, &a.Body)
		if errors.Is(err, sql.ErrNoRows) {
			found = false
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		return access.WriteAnswer{}, bodyHash, false, fmt.Errorf("reading a recorded answer: %w", err)
	}
	if !found {
		return access.WriteAnswer{}, bodyHash, false, nil
	}
	if err := json.Unmarshal([]byte(header), &a.Header); err != nil {
		return access.WriteAnswer{}, bodyHash, false, fmt.Errorf("reading a recorded answer's header: %w", err)
	}
	copy(bodyHash[:], storedHash)
	return a, bodyHash, true, nil
}

// commitWithAnswer records the answer of the write in tx under w's scope
// and commits: both or neither. When another request of the scope recorded
// its answer first, tx is rolled back and the error is
// access.ErrAnswerRecorded.
func (s *Store) commitWithAnswer(ctx context.Context, tx *sql.Tx, w *access.IdempotentWrite, a access.WriteAnswer) error {
	header, err := json.Marshal(a.Header)
	if err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("recording an answer's header: %w", err)
	}
	scopeKey := scopeHash(w.Scope)
	size := len(scopeKey) + len(w.BodyHash) + len(header) + len(a.Body)
	if size > MaxAnswerBytes {
		_ = tx.Rollback()
		return errAnswerTooLarge
	}
	if a.Body == nil {
		a.Body = []byte{}
	}
	now := time.Now()
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_answers (scope_hash, body_hash, status, header, body, size, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope_hash) DO NOTHING`,
		scopeKey, w.BodyHash[:], a.Status, string(header), a.Body, size, formatTime(now), formatTime(now.Add(AnswerTTL)))
	if err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("recording an answer: %w", constraintError(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		_ = tx.Rollback()
		if err != nil {
			return fmt.Errorf("recording an answer: %w", err)
		}
		return access.ErrAnswerRecorded
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing a write with its answer: %w", constraintError(err))
	}
	return nil
}

// purgeAnswersNowAndThen purges every answersPurgeEvery recorded answers.
// It is housekeeping of its own, in a context of its own (the request's
// carries its IdempotentWrite), called once the recording write has left
// the gate; a failure leaves it to the next time.
func (s *Store) purgeAnswersNowAndThen() {
	if s.answersRecorded.Add(1)%answersPurgeEvery != 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = s.purgeAnswers(ctx)
}

// purgeAnswers deletes the expired answers, then the oldest while all of
// them hold more than MaxAnswersBytes.
func (s *Store) purgeAnswers(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_answers WHERE expires_at <= ?`, formatTime(time.Now())); err != nil {
			return err
		}
		for {
			var total sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT sum(size) FROM idempotency_answers`).Scan(&total); err != nil {
				return err
			}
			if total.Int64 <= MaxAnswersBytes {
				return nil
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_answers WHERE scope_hash IN
				(SELECT scope_hash FROM idempotency_answers ORDER BY created_at LIMIT 100)`); err != nil {
				return err
			}
		}
	})
}
