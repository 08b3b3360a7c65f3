package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Idempotency records keep the first answer to a write sent with an
// Idempotency-Key, in the database, so that a retry is answered the same
// after a restart and on any server of the database. The server claims the
// key before it runs the write, and completes the claim with the answer (or
// releases it when there is no answer worth keeping):
//
//	claim, replay, err := st.ClaimIdempotencyKey(ctx, scope, sha256.Sum256(body))
//	switch {
//	case errors.Is(err, store.ErrIdempotencyKeyReused):   // 422: the key was used for another body
//	case errors.Is(err, store.ErrIdempotencyKeyInFlight): // 409 + Retry-After: the first request still runs
//	case err != nil:                                      // 500
//	case replay != nil:                                   // answer with *replay
//	default:                                              // run the write, then st.CompleteIdempotencyKey(ctx, claim, answer)
//	}
//
// A claim is a pending record that one request owns; a second request with
// the same key meanwhile, on this server or another, is told the first is
// in flight. A claim whose request died with its server is abandoned after
// idempotencyLease, and the next request takes it over.

// IdempotencyTTL is how long an answer is kept.
const IdempotencyTTL = 24 * time.Hour

// idempotencyLease is how long a pending claim stays its request's: longer
// than any request runs (the server's write timeout is a minute).
const idempotencyLease = 2 * time.Minute

// Defaults of WithIdempotencyLimits.
const (
	// DefaultIdempotencyRecordBytes bounds one stored answer: the request
	// body limit. A larger answer (an allowlist of tens of thousands of
	// entries) is not kept: its claim is released.
	DefaultIdempotencyRecordBytes = 1 << 20
	// DefaultIdempotencyTotalBytes bounds all stored answers together; past
	// it the oldest are evicted before they expire.
	DefaultIdempotencyTotalBytes = 256 << 20
)

// maxIdempotencyKeyBytes and maxIdempotencyPathBytes bound what a client
// controls in a record's key.
const (
	maxIdempotencyKeyBytes  = 255
	maxIdempotencyPathBytes = 2048
	// recordOverhead is counted for every record besides its answer: the
	// key columns, hashes and timestamps.
	recordOverhead = 256
)

// WithIdempotencyLimits bounds the stored answers: each (perRecord bytes)
// and all together (total bytes). Values below 1 keep the defaults.
func WithIdempotencyLimits(perRecord, total int64) Option {
	return func(o *options) {
		if perRecord > 0 {
			o.idempotencyRecordBytes = perRecord
		}
		if total > 0 {
			o.idempotencyTotalBytes = total
		}
	}
}

var (
	// ErrIdempotencyKeyReused means the key was used, by the same token
	// for the same method and path, with another request body.
	ErrIdempotencyKeyReused = errors.New("this Idempotency-Key was already used with another request body; use a new key for a new request")
	// ErrIdempotencyKeyInFlight means a request with the same key is still
	// running; retry after a moment.
	ErrIdempotencyKeyInFlight = errors.New("a request with this Idempotency-Key is still being processed; retry in a moment")
	// ErrIdempotentResponseTooLarge means CompleteIdempotencyKey did not
	// keep the answer: it is over the per-record limit. The claim was
	// released, so a retry runs the write again.
	ErrIdempotentResponseTooLarge = errors.New("the answer is too large to keep for Idempotency-Key retries")
	// ErrIdempotencyClaimLost means the claim was taken over (its lease
	// ran out) or expired before it was completed or released.
	ErrIdempotencyClaimLost = errors.New("the Idempotency-Key claim was lost before its answer was stored")
)

// IdempotencyScope is what an Idempotency-Key is scoped to: the same key
// from another token, or for another method or path, is another key.
type IdempotencyScope struct {
	TokenID string // APIToken.ID: stable, and not a secret
	Method  string
	Path    string // the request's path, e.g. /v1/roles/rol_...
	Key     string // the Idempotency-Key header
}

// StoredResponse is an answer to replay.
type StoredResponse struct {
	Status int
	Header map[string][]string // the headers to replay (Content-Type, ETag, Location, ...)
	Body   []byte
}

// IdempotencyClaim is a pending record owned by one request.
type IdempotencyClaim struct {
	scope IdempotencyScope
	id    string
}

const idempotencyKeyWhere = `token_id = ? AND method = ? AND path = ? AND idem_key = ?`

func (sc IdempotencyScope) args() []any { return []any{sc.TokenID, sc.Method, sc.Path, sc.Key} }

func (sc IdempotencyScope) validate() error {
	verr := &access.ValidationError{Kind: "idempotent request"}
	if sc.Key == "" || len(sc.Key) > maxIdempotencyKeyBytes {
		verr.Add("Idempotency-Key", "must be 1 to %d bytes long, got %d", maxIdempotencyKeyBytes, len(sc.Key))
	}
	if len(sc.Path) > maxIdempotencyPathBytes {
		verr.Add("path", "must be at most %d bytes long to be idempotent, got %d", maxIdempotencyPathBytes, len(sc.Path))
	}
	return verr.OrNil()
}

// ClaimIdempotencyKey looks the key of scope up for a request whose body
// hashes to bodyHash (SHA-256). It returns a claim when the request should
// run (the key is new, expired, or abandoned), the stored answer when the
// request is a retry of one that was answered, ErrIdempotencyKeyReused when
// the key was used with another body, and ErrIdempotencyKeyInFlight when the
// first request with the key still runs.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, scope IdempotencyScope, bodyHash [sha256.Size]byte) (*IdempotencyClaim, *StoredResponse, error) {
	if err := scope.validate(); err != nil {
		return nil, nil, err
	}
	claim := &IdempotencyClaim{scope: scope, id: newID("clm_")}
	var replay *StoredResponse
	err := s.writeWith(ctx, s.dialect.lockingTx, func(tx *sql.Tx) error {
		replay = nil // a retry starts over
		now := time.Now().UTC()
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_records
			(token_id, method, path, idem_key, body_hash, claim_id, claimed_at, created_at, size)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT DO NOTHING`,
			append(scope.args(), bodyHash[:], claim.id, formatTime(now), formatTime(now))...)
		if err != nil {
			return fmt.Errorf("claiming an Idempotency-Key: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		// Another request has the key. On PostgreSQL the insert waited for
		// it to commit, and FOR UPDATE holds the record while this decides.
		var (
			hash              []byte
			claimed, created  string
			status            sql.NullInt64
			header            sql.NullString
			body              []byte
			size              int64
			abandoned, expire bool
		)
		err = tx.QueryRowContext(ctx, `SELECT body_hash, claimed_at, created_at, status, header, body, size
			FROM idempotency_records WHERE `+idempotencyKeyWhere+s.dialect.forUpdate, scope.args()...).
			Scan(&hash, &claimed, &created, &status, &header, &body, &size)
		if err != nil {
			// Not even ErrNoRows can happen: the insert found the row and
			// only this key's requests delete it, under the same lock.
			return fmt.Errorf("reading an Idempotency-Key record: %w", err)
		}
		var claimedAt, createdAt time.Time
		if err := parseTimes("idempotency record", []string{claimed, created}, &claimedAt, &createdAt); err != nil {
			return err
		}
		expire = now.Sub(createdAt) >= IdempotencyTTL
		abandoned = !status.Valid && now.Sub(claimedAt) >= idempotencyLease
		switch {
		case expire || abandoned:
			// The record is as good as gone: this request starts afresh.
			if _, err := tx.ExecContext(ctx, `UPDATE idempotency_records
				SET body_hash = ?, claim_id = ?, claimed_at = ?, created_at = ?, status = NULL, header = NULL, body = NULL, size = 0
				WHERE `+idempotencyKeyWhere,
				append([]any{bodyHash[:], claim.id, formatTime(now), formatTime(now)}, scope.args()...)...); err != nil {
				return fmt.Errorf("taking over an Idempotency-Key: %w", err)
			}
			return addIdempotencyBytes(ctx, tx, -size)
		case !bytes.Equal(hash, bodyHash[:]):
			return ErrIdempotencyKeyReused
		case !status.Valid:
			return ErrIdempotencyKeyInFlight
		}
		replay = &StoredResponse{Status: int(status.Int64), Body: body}
		if header.Valid {
			if err := json.Unmarshal([]byte(header.String), &replay.Header); err != nil {
				return fmt.Errorf("reading an Idempotency-Key record's headers: %w", err)
			}
		}
		return nil
	})
	if err != nil || replay != nil {
		return nil, replay, err
	}
	return claim, nil, nil
}

// CompleteIdempotencyKey stores resp as the answer of claim's request, for
// IdempotencyTTL from the claim, and evicts the oldest answers if all of
// them together are now over the total limit. An answer over the
// per-record limit is not kept: the claim is released and the error is
// ErrIdempotentResponseTooLarge.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, claim *IdempotencyClaim, resp StoredResponse) error {
	header, err := json.Marshal(resp.Header)
	if err != nil {
		return fmt.Errorf("storing an answer's headers: %w", err)
	}
	size := int64(len(resp.Body) + len(header) + len(claim.scope.Path) + len(claim.scope.Key) + recordOverhead)
	if size > s.idempotencyRecordBytes {
		return errors.Join(ErrIdempotentResponseTooLarge, s.ReleaseIdempotencyKey(ctx, claim))
	}
	return s.writeWith(ctx, s.dialect.lockingTx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE idempotency_records SET status = ?, header = ?, body = ?, size = ?
			WHERE `+idempotencyKeyWhere+` AND claim_id = ? AND status IS NULL`,
			append([]any{resp.Status, string(header), resp.Body, size}, append(claim.scope.args(), claim.id)...)...)
		if err != nil {
			return fmt.Errorf("storing an Idempotency-Key answer: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(ErrIdempotencyClaimLost, err)
		}
		if err := addIdempotencyBytes(ctx, tx, size); err != nil {
			return err
		}
		return s.evictIdempotencyOverflow(ctx, tx)
	})
}

// ReleaseIdempotencyKey gives the claim up without an answer (the write
// failed in a way a retry may not, or its answer is not worth keeping), so
// that a retry runs the write. Releasing a lost claim does nothing.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, claim *IdempotencyClaim) error {
	return s.writeWith(ctx, s.dialect.lockingTx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_records WHERE `+idempotencyKeyWhere+` AND claim_id = ? AND status IS NULL`,
			append(claim.scope.args(), claim.id)...)
		if err != nil {
			return fmt.Errorf("releasing an Idempotency-Key: %w", err)
		}
		return nil
	})
}

// PruneIdempotencyRecords deletes the records older than IdempotencyTTL and
// returns how many it deleted. Expired records are already ignored; pruning
// gives their room back. A server calls it now and then (every few
// minutes); running it on several servers at once is harmless.
func (s *Store) PruneIdempotencyRecords(ctx context.Context) (int, error) {
	var n int
	err := s.writeWith(ctx, s.dialect.lockingTx, func(tx *sql.Tx) error {
		var freed int64
		var err error
		n, freed, err = deleteIdempotencyRecords(ctx, tx, `DELETE FROM idempotency_records WHERE created_at < ? RETURNING size`,
			formatTime(time.Now().Add(-IdempotencyTTL)))
		if err != nil {
			return err
		}
		return addIdempotencyBytes(ctx, tx, -freed)
	})
	return n, err
}

// evictIdempotencyOverflow deletes the oldest answers, one by one, until
// all of them together are within the total limit.
func (s *Store) evictIdempotencyOverflow(ctx context.Context, tx *sql.Tx) error {
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT value FROM change_counters WHERE name = 'idempotency_bytes'`).Scan(&total); err != nil {
		return fmt.Errorf("reading the size of the idempotency records: %w", err)
	}
	for total > s.idempotencyTotalBytes {
		type record struct {
			scope IdempotencyScope
			size  int64
		}
		var oldest []record
		rows, err := tx.QueryContext(ctx, `SELECT token_id, method, path, idem_key, size FROM idempotency_records
			WHERE status IS NOT NULL ORDER BY created_at LIMIT 64`)
		if err != nil {
			return fmt.Errorf("finding the oldest idempotency records: %w", err)
		}
		for rows.Next() {
			var r record
			if err := rows.Scan(&r.scope.TokenID, &r.scope.Method, &r.scope.Path, &r.scope.Key, &r.size); err != nil {
				_ = rows.Close()
				return fmt.Errorf("finding the oldest idempotency records: %w", err)
			}
			oldest = append(oldest, r)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("finding the oldest idempotency records: %w", err)
		}
		if len(oldest) == 0 {
			return nil // only pending claims are left, and they hold no answer
		}
		var freed int64
		for _, r := range oldest {
			if total-freed <= s.idempotencyTotalBytes {
				break
			}
			// What was deleted, not what was read, is counted: a prune or
			// another eviction may have deleted the record since.
			_, size, err := deleteIdempotencyRecords(ctx, tx, `DELETE FROM idempotency_records WHERE `+idempotencyKeyWhere+` RETURNING size`,
				r.scope.args()...)
			if err != nil {
				return err
			}
			freed += size
		}
		if err := addIdempotencyBytes(ctx, tx, -freed); err != nil {
			return err
		}
		if freed == 0 {
			return nil // others deleted these meanwhile; the next completion looks again
		}
		total -= freed
	}
	return nil
}

// deleteIdempotencyRecords runs a DELETE ... RETURNING size and returns how
// many records it deleted and their bytes.
func deleteIdempotencyRecords(ctx context.Context, tx *sql.Tx, query string, args ...any) (int, int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("deleting idempotency records: %w", err)
	}
	defer rows.Close()
	var (
		n     int
		freed int64
	)
	for rows.Next() {
		var size int64
		if err := rows.Scan(&size); err != nil {
			return 0, 0, fmt.Errorf("deleting idempotency records: %w", err)
		}
		n++
		freed += size
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("deleting idempotency records: %w", err)
	}
	return n, freed, nil
}

// addIdempotencyBytes moves the total size of the stored answers by delta.
func addIdempotencyBytes(ctx context.Context, tx *sql.Tx, delta int64) error {
	if delta == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE change_counters SET value = value + ? WHERE name = 'idempotency_bytes'`, delta); err != nil {
		return fmt.Errorf("counting the size of the idempotency records: %w", err)
	}
	return nil
}
