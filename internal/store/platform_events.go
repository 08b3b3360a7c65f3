package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The platform records some facts that no access API call can cause: a user
// logging in to the console (with or without a second factor) happens in the
// console, and a secret's rotation time is always "now" through the API.
// These methods record such facts at a given time, for the console side of
// the reference server, data migrations and tests that need an account with
// history (the access review's inactive users and stale credentials).
//
// Neither bumps the object's version: the version guards configuration
// written through the API, and a login is not a configuration change. A
// bump would make the next `terraform apply` fail its If-Match for nothing.

// RecordLogin records that user id logged in at the time at, and whether
// the user has a second factor enrolled by then, and opens a session for the
// login (sessions.go). A disabled user cannot log in: that is a conflict.
func (s *Store) RecordLogin(ctx context.Context, id string, at time.Time, twoFactorEnabled bool) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Disabled {
			return &access.ConflictError{Kind: "user", ID: id, Reason: "a disabled user cannot log in"}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = ?, two_factor_enabled = ? WHERE id = ?`,
			formatTime(at), twoFactorEnabled, id); err != nil {
			return fmt.Errorf("recording a login of user %q: %w", id, err)
		}
		return openSession(ctx, tx, id, at)
	})
}

// SetCredentialRotatedAt records that the secret of transfer credential id
// was last set at the time at, without changing the secret.
func (s *Store) SetCredentialRotatedAt(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := getCredential(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE transfer_credentials SET rotated_at = ? WHERE id = ?`, formatTime(at), id); err != nil {
			return fmt.Errorf("setting the rotation time of transfer credential %q: %w", id, err)
		}
		return nil
	})
}
