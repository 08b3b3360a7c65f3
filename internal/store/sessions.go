package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Console sessions: RecordLogin opens one (platform_events.go), and
// RevokeUserSessions ends all of a user's open sessions at once. Neither
// changes the user's version: sessions are not configuration, and a bump
// would fail the next `terraform apply` of the user on its If-Match.

// RevokeUserSessions ends every open session of user id and returns how many
// it ended; zero when the user had none. A disabled user's sessions can be
// revoked too: ending them is what makes disabling take effect at once.
func (s *Store) RevokeUserSessions(ctx context.Context, id string) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := getUser(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE user_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL`,
			formatTime(time.Now()), id)
		if err != nil {
			return fmt.Errorf("revoking the sessions of user %q: %w", id, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// CountOpenSessions counts the open sessions of user id. No API call reads
// sessions (the provider only ends them), so this is for the console side of
// the reference server and for tests that check what a revocation ended.
func (s *Store) CountOpenSessions(ctx context.Context, id string) (int, error) {
	var n int
	err := s.read(ctx, func(q querier) error {
		if _, err := getUser(ctx, q, id); err != nil {
			return err
		}
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM user_sessions WHERE user_id = ? AND ended_at IS NULL`, id).Scan(&n); err != nil {
			return fmt.Errorf("counting the sessions of user %q: %w", id, err)
		}
		return nil
	})
	return n, err
}

// openSession records a session of user id that started at the time at.
func openSession(ctx context.Context, tx *sql.Tx, id string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_sessions (id, user_id, started_at, ended_at) VALUES (?, ?, ?, NULL)`,
		newID("ses_"), id, formatTime(at)); err != nil {
		return fmt.Errorf("opening a session of user %q: %w", id, err)
	}
	return nil
}
