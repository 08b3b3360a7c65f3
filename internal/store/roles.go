package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

const roleColumns = `id, name, description, permissions, system, created_at, updated_at, version`

// ListRoles lists roles ordered by id, system roles included.
func (s *Store) ListRoles(ctx context.Context, opts access.ListOptions) (access.Page[access.Role], error) {
	return listPage(ctx, s, opts, "roles",
		`SELECT `+roleColumns+` FROM roles WHERE id > ? ORDER BY id LIMIT ?`,
		s.scanRole, func(r access.Role) string { return r.ID })
}

// GetRole reads one role by id.
func (s *Store) GetRole(ctx context.Context, id string) (access.Role, error) {
	var r access.Role
	err := s.read(ctx, func(q querier) (err error) {
		r, err = s.getRole(ctx, q, id)
		return err
	})
	return r, err
}

// GetRoleByName reads one role by name, compared by access.NameKey (ignoring letter case and compatibility forms).
func (s *Store) GetRoleByName(ctx context.Context, name string) (access.Role, error) {
	var r access.Role
	err := s.read(ctx, func(q querier) error {
		row := q.QueryRowContext(ctx, `SELECT `+roleColumns+` FROM roles WHERE name_key = ?`, access.NameKey(name))
		var err error
		r, err = s.scanRole(row)
		if errors.Is(err, sql.ErrNoRows) {
			return &access.NotFoundError{Kind: "role", ID: name}
		}
		return err
	})
	return r, err
}

// CreateRole validates r, stores it under a new id and returns the stored
// role.
func (s *Store) CreateRole(ctx context.Context, r access.Role) (access.Role, error) {
	if err := s.catalog.ValidateRole(r); err != nil {
		return access.Role{}, err
	}
	r = s.catalog.DeriveRole(r)
	id := newID("rol_")
	var out access.Role
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkUniqueName(ctx, tx, "roles", "role", "", r.Name); err != nil {
			return err
		}
		now := formatTime(time.Now())
		_, err := tx.ExecContext(ctx, `INSERT INTO roles (id, name, name_key, description, permissions, system, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, FALSE, ?, ?, 1)`,
			id, r.Name, access.NameKey(r.Name), r.Description, permissionsJSON(r.Permissions), now, now)
		if err != nil {
			return fmt.Errorf("inserting role %q: %w", r.Name, err)
		}
		out, err = s.getRole(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateRole replaces the name, description and permissions of the role
// r.ID. A non-zero r.Version must match the stored one.
func (s *Store) UpdateRole(ctx context.Context, r access.Role) (access.Role, error) {
	if err := s.catalog.ValidateRole(r); err != nil {
		return access.Role{}, err
	}
	r = s.catalog.DeriveRole(r)
	var out access.Role
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkWritable(ctx, tx, r.ID, r.Version); err != nil {
			return err
		}
		if err := checkUniqueName(ctx, tx, "roles", "role", r.ID, r.Name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE roles
			SET name = ?, name_key = ?, description = ?, permissions = ?, updated_at = ?, version = version + 1
			WHERE id = ?`,
			r.Name, access.NameKey(r.Name), r.Description, permissionsJSON(r.Permissions), formatTime(time.Now()), r.ID)
		if err != nil {
			return fmt.Errorf("updating role %q: %w", r.ID, err)
		}
		out, err = s.getRole(ctx, tx, r.ID)
		return err
	})
	return out, err
}

// DeleteRole deletes the role id unless it is a system role or users still
// hold it. A non-zero ifVersion must match the stored version.
func (s *Store) DeleteRole(ctx context.Context, id string, ifVersion access.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkWritable(ctx, tx, id, ifVersion); err != nil {
			return err
		}
		var holders int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role_id = ?`, id).Scan(&holders); err != nil {
			return fmt.Errorf("counting the users of role %q: %w", id, err)
		}
		if holders > 0 {
			return &access.ConflictError{Kind: "role", ID: id, Reason: heldBy(holders)}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting role %q: %w", id, err)
		}
		return nil
	})
}

func heldBy(users int) string {
	if users == 1 {
		return "role is held by 1 user; reassign that user first"
	}
	return fmt.Sprintf("role is held by %d users; reassign them first", users)
}

// checkWritable refuses a write to the role id unless it exists, is not a
// system role, and is at ifVersion (when that is not zero).
func (s *Store) checkWritable(ctx context.Context, tx *sql.Tx, id string, ifVersion access.Version) error {
	cur, err := s.getRole(ctx, tx, id)
	if err != nil {
		return err
	}
	if cur.System {
		return &access.ConflictError{Kind: "role", ID: id, Reason: "system roles are read-only"}
	}
	if ifVersion != 0 && ifVersion != cur.Version {
		return &access.PreconditionFailedError{Kind: "role", ID: id}
	}
	return nil
}

func (s *Store) getRole(ctx context.Context, q querier, id string) (access.Role, error) {
	r, err := s.scanRole(q.QueryRowContext(ctx, `SELECT `+roleColumns+` FROM roles WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return access.Role{}, &access.NotFoundError{Kind: "role", ID: id}
	}
	return r, err
}

type rowScanner interface {
	Scan(dest ...any) error
}

// scanRole reads one row of roleColumns. The derived fields are computed from
// the embedded catalog on every read, so a catalog change (a new implied
// permission) shows up without rewriting stored roles.
func (s *Store) scanRole(row rowScanner) (access.Role, error) {
	var (
		r                access.Role
		perms            string
		created, updated string
	)
	if err := row.Scan(&r.ID, &r.Name, &r.Description, &perms, &r.System, &created, &updated, &r.Version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return access.Role{}, err
		}
		return access.Role{}, fmt.Errorf("reading a role: %w", err)
	}
	if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
		return access.Role{}, fmt.Errorf("role %q: stored permissions: %w", r.ID, err)
	}
	var err error
	if r.CreatedAt, err = parseTime(created); err != nil {
		return access.Role{}, fmt.Errorf("role %q: %w", r.ID, err)
	}
	if r.UpdatedAt, err = parseTime(updated); err != nil {
		return access.Role{}, fmt.Errorf("role %q: %w", r.ID, err)
	}
	return s.catalog.DeriveRole(r), nil
}

// permissionsJSON encodes sorted permission keys for the permissions column.
func permissionsJSON(keys []string) string {
	b, _ := json.Marshal(keys) // a []string always encodes
	return string(b)
}

// syncSystemRoles makes the stored system roles match the embedded catalog:
// inserted on first open, rewritten when a new build changes them, left
// alone (version and updated_at included) otherwise. It reads first so that
// an open with nothing to change takes no write lock.
func (s *Store) syncSystemRoles(ctx context.Context) error {
	want := s.catalog.SystemRoles()
	var current bool
	err := s.read(ctx, func(q querier) (err error) {
		current, err = s.systemRolesCurrent(ctx, q, want)
		return err
	})
	if err != nil || current {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := formatTime(time.Now())
		for _, sr := range want {
			var holder string
			err := tx.QueryRowContext(ctx, `SELECT id FROM roles WHERE name_key = ? AND id <> ?`, access.NameKey(sr.Name), sr.ID).Scan(&holder)
			if err == nil {
				return fmt.Errorf("installing system role %q: role %s already uses that name; rename it", sr.Name, holder)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("installing system role %q: %w", sr.Name, err)
			}
			// The WHERE clause makes the upsert a no-op when a concurrent
			// process has already written the same role.
			_, err = tx.ExecContext(ctx, `INSERT INTO roles (id, name, name_key, description, permissions, system, created_at, updated_at, version)
				VALUES (?, ?, ?, ?, ?, TRUE, ?, ?, 1)
				ON CONFLICT (id) DO UPDATE SET
					name = excluded.name, name_key = excluded.name_key, description = excluded.description,
					permissions = excluded.permissions, system = TRUE, updated_at = excluded.updated_at,
					version = roles.version + 1
				WHERE roles.name <> excluded.name OR roles.description <> excluded.description
					OR roles.permissions <> excluded.permissions OR NOT roles.system`,
				sr.ID, sr.Name, access.NameKey(sr.Name), sr.Description, permissionsJSON(sr.Permissions), now, now)
			if err != nil {
				return fmt.Errorf("installing system role %q: %w", sr.Name, err)
			}
		}
		return nil
	})
}

// systemRolesCurrent reports whether every system role is stored exactly as
// the catalog defines it.
func (s *Store) systemRolesCurrent(ctx context.Context, q querier, want []access.SystemRole) (bool, error) {
	for _, sr := range want {
		var name, description, perms string
		var system bool
		err := q.QueryRowContext(ctx, `SELECT name, description, permissions, system FROM roles WHERE id = ?`, sr.ID).
			Scan(&name, &description, &perms, &system)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("reading system role %q: %w", sr.Name, err)
		}
		if name != sr.Name || description != sr.Description || perms != permissionsJSON(sr.Permissions) || !system {
			return false, nil
		}
	}
	return true, nil
}
