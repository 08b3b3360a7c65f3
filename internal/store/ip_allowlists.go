package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

const ipAllowlistColumns = `id, name, description, enabled, created_at, updated_at, version`

// ipAllowlistKind names IP allowlists in errors.
const ipAllowlistKind = "IP allowlist"

// ListIPAllowlists lists IP allowlists ordered by id, each with its entries.
func (s *Store) ListIPAllowlists(ctx context.Context, opts access.ListOptions) (access.Page[access.IPAllowlist], error) {
	after, limit, err := pageBounds(opts)
	if err != nil {
		return access.Page[access.IPAllowlist]{}, err
	}
	items := make([]access.IPAllowlist, 0)
	err = s.readSnapshot(ctx, func(q querier) error {
		items = items[:0] // a retry starts over
		rows, err := q.QueryContext(ctx, `SELECT `+ipAllowlistColumns+` FROM ip_allowlists WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
		if err != nil {
			return fmt.Errorf("listing IP allowlists: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanIPAllowlist(rows)
			if err != nil {
				return err
			}
			items = append(items, l)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("listing IP allowlists: %w", err)
		}
		return loadAllowlistEntries(ctx, q, items)
	})
	if err != nil {
		return access.Page[access.IPAllowlist]{}, err
	}
	items, next := cutPage(items, opts.Limit, func(l access.IPAllowlist) string { return l.ID })
	return access.Page[access.IPAllowlist]{Items: items, NextPageToken: next}, nil
}

// GetIPAllowlist reads one IP allowlist with its entries.
func (s *Store) GetIPAllowlist(ctx context.Context, id string) (access.IPAllowlist, error) {
	var l access.IPAllowlist
	err := s.readSnapshot(ctx, func(q querier) (err error) {
		l, err = getIPAllowlist(ctx, q, id)
		return err
	})
	return l, err
}

// CreateIPAllowlist validates l, stores it under a new id with its entries in
// canonical form, and returns the stored list.
func (s *Store) CreateIPAllowlist(ctx context.Context, l access.IPAllowlist) (access.IPAllowlist, error) {
	l, err := access.ValidateIPAllowlist(l)
	if err != nil {
		return access.IPAllowlist{}, err
	}
	id := newID("ipl_")
	var out access.IPAllowlist
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := checkIPAllowlistName(ctx, tx, "", l.Name); err != nil {
			return err
		}
		now := formatTime(time.Now())
		_, err := tx.ExecContext(ctx, `INSERT INTO ip_allowlists (id, name, name_key, description, enabled, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
			id, l.Name, access.NameKey(l.Name), l.Description, l.Enabled, now, now)
		if err != nil {
			return fmt.Errorf("inserting IP allowlist %q: %w", l.Name, err)
		}
		if err := insertAllowlistEntries(ctx, tx, id, l.Entries); err != nil {
			return err
		}
		if err := guardLockout(ctx, tx); err != nil {
			return err
		}
		if err := bumpIPAllowlistsGeneration(ctx, tx); err != nil {
			return err
		}
		out, err = getIPAllowlist(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateIPAllowlist replaces the name, description, enabled flag and entries
// of the list l.ID, all in one transaction: no reader sees the list with its
// new name but its old entries, or with no entries at all. A non-zero
// l.Version must match the stored one.
func (s *Store) UpdateIPAllowlist(ctx context.Context, l access.IPAllowlist) (access.IPAllowlist, error) {
	l, err := access.ValidateIPAllowlist(l)
	if err != nil {
		return access.IPAllowlist{}, err
	}
	var out access.IPAllowlist
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := checkIPAllowlistVersion(ctx, tx, l.ID, l.Version); err != nil {
			return err
		}
		if err := checkIPAllowlistName(ctx, tx, l.ID, l.Name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE ip_allowlists
			SET name = ?, name_key = ?, description = ?, enabled = ?, updated_at = ?, version = version + 1
			WHERE id = ?`,
			l.Name, access.NameKey(l.Name), l.Description, l.Enabled, formatTime(time.Now()), l.ID)
		if err != nil {
			return fmt.Errorf("updating IP allowlist %q: %w", l.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ip_allowlist_entries WHERE allowlist_id = ?`, l.ID); err != nil {
			return fmt.Errorf("replacing the entries of IP allowlist %q: %w", l.ID, err)
		}
		if err := insertAllowlistEntries(ctx, tx, l.ID, l.Entries); err != nil {
			return err
		}
		if err := guardLockout(ctx, tx); err != nil {
			return err
		}
		if err := bumpIPAllowlistsGeneration(ctx, tx); err != nil {
			return err
		}
		out, err = getIPAllowlist(ctx, tx, l.ID)
		return err
	})
	return out, err
}

// DeleteIPAllowlist deletes the list id and its entries. A non-zero
// ifVersion must match the stored version.
func (s *Store) DeleteIPAllowlist(ctx context.Context, id string, ifVersion access.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := checkIPAllowlistVersion(ctx, tx, id, ifVersion); err != nil {
			return err
		}
		// The entries go with the list (ON DELETE CASCADE).
		if _, err := tx.ExecContext(ctx, `DELETE FROM ip_allowlists WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting IP allowlist %q: %w", id, err)
		}
		if err := guardLockout(ctx, tx); err != nil {
			return err
		}
		return bumpIPAllowlistsGeneration(ctx, tx)
	})
}

// DisableAllIPAllowlists disables every enabled IP allowlist and returns
// them as they are now, in id order; none when no list was enabled. It is
// the recovery for an account whose allowlists lock every caller out
// (`admin allowlists disable-all`), so it takes no version: whatever the
// lists are, they stop applying. Entries are kept, and each list's version
// moves, as for any change, so Terraform sees the change as drift.
func (s *Store) DisableAllIPAllowlists(ctx context.Context) ([]access.IPAllowlist, error) {
	var disabled []access.IPAllowlist
	err := s.write(ctx, func(tx *sql.Tx) error {
		disabled = nil // a retry starts over
		rows, err := tx.QueryContext(ctx, `SELECT id FROM ip_allowlists WHERE enabled ORDER BY id`)
		if err != nil {
			return fmt.Errorf("finding the enabled IP allowlists: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				_ = rows.Close()
				return fmt.Errorf("finding the enabled IP allowlists: %w", err)
			}
			ids = append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("finding the enabled IP allowlists: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ip_allowlists SET enabled = FALSE, updated_at = ?, version = version + 1 WHERE enabled`,
			formatTime(time.Now())); err != nil {
			return fmt.Errorf("disabling the IP allowlists: %w", err)
		}
		for _, id := range ids {
			l, err := getIPAllowlist(ctx, tx, id)
			if err != nil {
				return err
			}
			disabled = append(disabled, l)
		}
		return bumpIPAllowlistsGeneration(ctx, tx)
	})
	return disabled, err
}

// IPAllowlistsGeneration returns a number that changes whenever any IP
// allowlist does, on any server sharing the database (or by the admin
// command): a server holding a snapshot of the lists reloads it when the
// number it read with the snapshot is no longer current. It is one read of
// one row, cheap enough to poll every second. Read it before the snapshot:
// a change in between then only costs an extra reload.
func (s *Store) IPAllowlistsGeneration(ctx context.Context) (int64, error) {
	var g int64
	err := s.read(ctx, func(q querier) error {
		return q.QueryRowContext(ctx, `SELECT value FROM change_counters WHERE name = 'ip_allowlists'`).Scan(&g)
	})
	if err != nil {
		return 0, fmt.Errorf("reading the IP allowlists' generation: %w", err)
	}
	return g, nil
}

// bumpIPAllowlistsGeneration moves the IP allowlists' generation, in the
// transaction that changes them. On PostgreSQL the row is a point of
// contention between concurrent allowlist writes, which are rare; the
// serializable retry resolves it.
func bumpIPAllowlistsGeneration(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE change_counters SET value = value + 1 WHERE name = 'ip_allowlists'`); err != nil {
		return fmt.Errorf("recording the IP allowlist change: %w", err)
	}
	return nil
}

// guardLockout refuses the write tx is making when its context asks to keep
// a caller inside the enabled lists (access.WithLockoutGuard) and the lists,
// as tx leaves them, would not. It reads the enabled lists inside tx, so a
// concurrent write to another list is ordered before or after this one by
// the database, never unseen.
func guardLockout(ctx context.Context, tx *sql.Tx) error {
	if _, guarded := access.LockoutGuardFrom(ctx); !guarded {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+ipAllowlistColumns+` FROM ip_allowlists WHERE enabled ORDER BY id`)
	if err != nil {
		return fmt.Errorf("reading the enabled IP allowlists: %w", err)
	}
	var enabled []access.IPAllowlist
	for rows.Next() {
		l, err := scanIPAllowlist(rows)
		if err != nil {
			rows.Close()
			return err
		}
		enabled = append(enabled, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the enabled IP allowlists: %w", err)
	}
	if err := loadAllowlistEntries(ctx, tx, enabled); err != nil {
		return err
	}
	return access.CheckLockout(ctx, enabled)
}

// checkIPAllowlistVersion refuses a write unless the list id exists and is
// at ifVersion (when that is not zero).
func checkIPAllowlistVersion(ctx context.Context, tx *sql.Tx, id string, ifVersion access.Version) error {
	var cur access.Version
	err := tx.QueryRowContext(ctx, `SELECT version FROM ip_allowlists WHERE id = ?`, id).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &access.NotFoundError{Kind: ipAllowlistKind, ID: id}
	case err != nil:
		return fmt.Errorf("reading IP allowlist %q: %w", id, err)
	case ifVersion != 0 && ifVersion != cur:
		return &access.PreconditionFailedError{Kind: ipAllowlistKind, ID: id}
	}
	return nil
}

// checkIPAllowlistName refuses name when another list than self already
// uses it under access.NameKey, naming that list.
func checkIPAllowlistName(ctx context.Context, q querier, self, name string) error {
	var otherID, otherName string
	err := q.QueryRowContext(ctx, `SELECT id, name FROM ip_allowlists WHERE name_key = ? AND id <> ?`, access.NameKey(name), self).
		Scan(&otherID, &otherName)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("checking IP allowlist name %q: %w", name, err)
	}
	return &access.ConflictError{Kind: ipAllowlistKind, ID: self, Reason: fmt.Sprintf(
		"the name %q is already used by IP allowlist %q (%s); names are unique regardless of letter case and of compatibility forms such as fullwidth letters", name, otherName, otherID)}
}

// insertAllowlistEntries stores entries, already validated and canonical,
// under the list id. One prepared statement serves every row: a list may
// hold thousands.
func insertAllowlistEntries(ctx context.Context, tx *sql.Tx, id string, entries []access.AllowlistEntry) error {
	if len(entries) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO ip_allowlist_entries (allowlist_id, cidr, description) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("storing the entries of IP allowlist %q: %w", id, err)
	}
	defer stmt.Close()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, id, e.CIDR, e.Description); err != nil {
			return fmt.Errorf("storing entry %s of IP allowlist %q: %w", e.CIDR, id, err)
		}
	}
	return nil
}

// readSnapshot is read for calls that take more than one query: a list and
// its entries come from one read transaction, so a concurrent update cannot
// pair the old list with the new entries. (On PostgreSQL that takes
// REPEATABLE READ: under the default READ COMMITTED each query would see the
// latest commit.)
func (s *Store) readSnapshot(ctx context.Context, fn func(q querier) error) error {
	return s.read(ctx, func(q querier) error {
		tx, err := s.db.BeginTx(ctx, s.dialect.snapshotTx)
		if err != nil {
			return fmt.Errorf("beginning a read transaction: %w", err)
		}
		defer func() { _ = tx.Rollback() }() // read-only: nothing to commit
		return fn(tx)
	})
}

func getIPAllowlist(ctx context.Context, q querier, id string) (access.IPAllowlist, error) {
	l, err := scanIPAllowlist(q.QueryRowContext(ctx, `SELECT `+ipAllowlistColumns+` FROM ip_allowlists WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return access.IPAllowlist{}, &access.NotFoundError{Kind: ipAllowlistKind, ID: id}
	}
	if err != nil {
		return access.IPAllowlist{}, err
	}
	lists := []access.IPAllowlist{l}
	if err := loadAllowlistEntries(ctx, q, lists); err != nil {
		return access.IPAllowlist{}, err
	}
	return lists[0], nil
}

// loadAllowlistEntries fills the entries of lists, which are ordered by id,
// with one range query over the entries' primary key. Entries come sorted by
// CIDR, the order access.ValidateIPAllowlist gives them.
func loadAllowlistEntries(ctx context.Context, q querier, lists []access.IPAllowlist) error {
	if len(lists) == 0 {
		return nil
	}
	byID := make(map[string]*access.IPAllowlist, len(lists))
	for i := range lists {
		lists[i].Entries = []access.AllowlistEntry{}
		byID[lists[i].ID] = &lists[i]
	}
	rows, err := q.QueryContext(ctx, `SELECT allowlist_id, cidr, description FROM ip_allowlist_entries
		WHERE allowlist_id BETWEEN ? AND ? ORDER BY allowlist_id, cidr`, lists[0].ID, lists[len(lists)-1].ID)
	if err != nil {
		return fmt.Errorf("reading IP allowlist entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			listID string
			e      access.AllowlistEntry
		)
		if err := rows.Scan(&listID, &e.CIDR, &e.Description); err != nil {
			return fmt.Errorf("reading IP allowlist entries: %w", err)
		}
		// Within one snapshot every list in the id range is on the page;
		// the check only keeps a surprise from becoming a nil dereference.
		if l, ok := byID[listID]; ok {
			l.Entries = append(l.Entries, e)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading IP allowlist entries: %w", err)
	}
	return nil
}

// scanIPAllowlist reads one row of ipAllowlistColumns, without entries.
func scanIPAllowlist(row rowScanner) (access.IPAllowlist, error) {
	var (
		l                access.IPAllowlist
		created, updated string
	)
	if err := row.Scan(&l.ID, &l.Name, &l.Description, &l.Enabled, &created, &updated, &l.Version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return access.IPAllowlist{}, err
		}
		return access.IPAllowlist{}, fmt.Errorf("reading an IP allowlist: %w", err)
	}
	var err error
	if l.CreatedAt, err = parseTime(created); err != nil {
		return access.IPAllowlist{}, fmt.Errorf("IP allowlist %q: %w", l.ID, err)
	}
	if l.UpdatedAt, err = parseTime(updated); err != nil {
		return access.IPAllowlist{}, fmt.Errorf("IP allowlist %q: %w", l.ID, err)
	}
	return l, nil
}
