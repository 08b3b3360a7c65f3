package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

const userColumns = `id, email, display_name, role_id, disabled, two_factor_enabled, last_login_at, created_at, updated_at, version`

// ListUsers lists users ordered by id.
func (s *Store) ListUsers(ctx context.Context, opts access.ListOptions) (access.Page[access.User], error) {
	return listPage(ctx, s, opts, "users",
		`SELECT `+userColumns+` FROM users WHERE id > ? ORDER BY id LIMIT ?`,
		scanUser, func(u access.User) string { return u.ID })
}

// GetUser reads one user by id.
func (s *Store) GetUser(ctx context.Context, id string) (access.User, error) {
	var u access.User
	err := s.read(ctx, func(q querier) (err error) {
		u, err = getUser(ctx, q, id)
		return err
	})
	return u, err
}

// GetUserByEmail reads one user by email, compared by access.NameKey (ignoring letter case and compatibility forms).
func (s *Store) GetUserByEmail(ctx context.Context, email string) (access.User, error) {
	var u access.User
	err := s.read(ctx, func(q querier) error {
		var err error
		u, err = scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email_key = ?`, access.NameKey(email)))
		if errors.Is(err, sql.ErrNoRows) {
			return &access.NotFoundError{Kind: "user", ID: email}
		}
		return err
	})
	return u, err
}

// CreateUser validates u, stores it under a new id and returns the stored
// user. A new user is invited: it has not logged in and has no second
// factor yet. The computed fields of u are ignored.
func (s *Store) CreateUser(ctx context.Context, u access.User) (access.User, error) {
	if err := access.ValidateUser(u); err != nil {
		return access.User{}, err
	}
	id := newID("usr_")
	var out access.User
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkUserRole(ctx, tx, u.RoleID); err != nil {
			return err
		}
		if err := checkUserEmail(ctx, tx, "", u.Email); err != nil {
			return err
		}
		now := formatTime(time.Now())
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, email_key, display_name, role_id, disabled, two_factor_enabled, last_login_at, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, FALSE, NULL, ?, ?, 1)`,
			id, u.Email, access.NameKey(u.Email), u.DisplayName, u.RoleID, u.Disabled, now, now)
		if err != nil {
			return fmt.Errorf("inserting user %q: %w", u.Email, err)
		}
		out, err = getUser(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateUser replaces the email, display name, role and disabled flag of the
// user u.ID. A non-zero u.Version must match the stored one. The fields the
// platform maintains (two-factor enrolment, last login) are left alone.
func (s *Store) UpdateUser(ctx context.Context, u access.User) (access.User, error) {
	if err := access.ValidateUser(u); err != nil {
		return access.User{}, err
	}
	var out access.User
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkUserVersion(ctx, tx, u.ID, u.Version); err != nil {
			return err
		}
		if err := checkUserRole(ctx, tx, u.RoleID); err != nil {
			return err
		}
		if err := checkUserEmail(ctx, tx, u.ID, u.Email); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE users
			SET email = ?, email_key = ?, display_name = ?, role_id = ?, disabled = ?, updated_at = ?, version = version + 1
			WHERE id = ?`,
			u.Email, access.NameKey(u.Email), u.DisplayName, u.RoleID, u.Disabled, formatTime(time.Now()), u.ID)
		if err != nil {
			return fmt.Errorf("updating user %q: %w", u.ID, err)
		}
		out, err = getUser(ctx, tx, u.ID)
		return err
	})
	return out, err
}

// DeleteUser deletes the user id. A non-zero ifVersion must match the stored
// version.
func (s *Store) DeleteUser(ctx context.Context, id string, ifVersion access.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := checkUserVersion(ctx, tx, id, ifVersion); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting user %q: %w", id, err)
		}
		return nil
	})
}

// checkUserVersion refuses a write to the user id unless it exists and is at
// ifVersion (when that is not zero).
func checkUserVersion(ctx context.Context, q querier, id string, ifVersion access.Version) error {
	cur, err := getUser(ctx, q, id)
	if err != nil {
		return err
	}
	if ifVersion != 0 && ifVersion != cur.Version {
		return &access.PreconditionFailedError{Kind: "user", ID: id}
	}
	return nil
}

// checkUserRole refuses a role that does not exist, as an invalid role_id:
// the caller named it, so the caller can fix it. (The foreign key would
// refuse it too, without saying which field.) System roles may be assigned.
func checkUserRole(ctx context.Context, q querier, roleID string) error {
	var found int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM roles WHERE id = ?`, roleID).Scan(&found)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		verr := &access.ValidationError{Kind: "user"}
		verr.Add("role_id", "role %q does not exist", roleID)
		return verr
	case err != nil:
		return fmt.Errorf("checking role %q: %w", roleID, err)
	}
	return nil
}

// checkUserEmail refuses email when another user than self already has it
// under access.NameKey. The unique index on email_key would refuse it too, but
// only this check can say which user holds the address.
func checkUserEmail(ctx context.Context, q querier, self, email string) error {
	var otherID, otherEmail string
	err := q.QueryRowContext(ctx, `SELECT id, email FROM users WHERE email_key = ? AND id <> ?`, access.NameKey(email), self).
		Scan(&otherID, &otherEmail)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("checking user email %q: %w", email, err)
	}
	return &access.ConflictError{Kind: "user", ID: self, Reason: fmt.Sprintf(
		"the email %q is already used by user %q (%s); emails are unique regardless of letter case and of compatibility forms such as fullwidth letters", email, otherEmail, otherID)}
}

func getUser(ctx context.Context, q querier, id string) (access.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return access.User{}, &access.NotFoundError{Kind: "user", ID: id}
	}
	return u, err
}

// scanUser reads one row of userColumns and derives the status, which is not
// stored: it follows from disabled and last_login_at.
func scanUser(row rowScanner) (access.User, error) {
	var (
		u                access.User
		lastLogin        sql.NullString
		created, updated string
	)
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.RoleID, &u.Disabled, &u.TwoFactorEnabled, &lastLogin, &created, &updated, &u.Version)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return access.User{}, err
		}
		return access.User{}, fmt.Errorf("reading a user: %w", err)
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return access.User{}, fmt.Errorf("user %q: %w", u.ID, err)
	}
	if u.UpdatedAt, err = parseTime(updated); err != nil {
		return access.User{}, fmt.Errorf("user %q: %w", u.ID, err)
	}
	if lastLogin.Valid {
		t, err := parseTime(lastLogin.String)
		if err != nil {
			return access.User{}, fmt.Errorf("user %q: last login: %w", u.ID, err)
		}
		u.LastLoginAt = &t
	}
	u.Status = userStatus(u)
	return u, nil
}

// userStatus derives a user's lifecycle state: revoked access wins, then a
// user who has logged in is active, and everyone else is still invited.
func userStatus(u access.User) access.UserStatus {
	switch {
	case u.Disabled:
		return access.UserDisabled
	case u.LastLoginAt != nil:
		return access.UserActive
	default:
		return access.UserInvited
	}
}
