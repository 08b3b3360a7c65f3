package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The secret column is never selected here: reads cannot leak what they do
// not load.
const credentialColumns = `id, name, username, reference, created_at, rotated_at, updated_at, version`

// ListTransferCredentials lists credentials ordered by id, without secrets.
func (s *Store) ListTransferCredentials(ctx context.Context, opts access.ListOptions) (access.Page[access.TransferCredential], error) {
	return listPage(ctx, s, opts, "transfer credentials",
		`SELECT `+credentialColumns+` FROM transfer_credentials WHERE id > ? ORDER BY id LIMIT ?`,
		scanCredential, func(c access.TransferCredential) string { return c.ID })
}

// GetTransferCredential reads one credential, without its secret.
func (s *Store) GetTransferCredential(ctx context.Context, id string) (access.TransferCredential, error) {
	var c access.TransferCredential
	err := s.read(ctx, func(q querier) (err error) {
		c, err = getCredential(ctx, q, id)
		return err
	})
	return c, err
}

// CreateTransferCredential stores a credential with its secret encrypted.
func (s *Store) CreateTransferCredential(ctx context.Context, c access.TransferCredential) (access.TransferCredential, error) {
	if err := access.ValidateTransferCredential(c, true); err != nil {
		return access.TransferCredential{}, err
	}
	id := newID("cred_")
	sealed, err := s.secrets.seal(id, c.Secret)
	if err != nil {
		return access.TransferCredential{}, fmt.Errorf("encrypting the secret of transfer credential %q: %w", c.Name, err)
	}
	var out access.TransferCredential
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := checkUniqueName(ctx, tx, "transfer_credentials", "transfer credential", "", c.Name); err != nil {
			return err
		}
		now := formatTime(time.Now())
		_, err := tx.ExecContext(ctx, `INSERT INTO transfer_credentials
			(id, name, name_key, username, secret, reference, created_at, rotated_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			id, c.Name, access.NameKey(c.Name), c.Username, sealed, access.CredentialReference(c.Name), now, now, now)
		if err != nil {
			return fmt.Errorf("inserting transfer credential %q: %w", c.Name, err)
		}
		out, err = getCredential(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateTransferCredential replaces the name and username of c.ID. A
// non-empty c.Secret rotates the secret; an empty one keeps it.
func (s *Store) UpdateTransferCredential(ctx context.Context, c access.TransferCredential) (access.TransferCredential, error) {
	if err := access.ValidateTransferCredential(c, false); err != nil {
		return access.TransferCredential{}, err
	}
	var sealed []byte
	if c.Secret != "" {
		var err error
		if sealed, err = s.secrets.seal(c.ID, c.Secret); err != nil {
			return access.TransferCredential{}, fmt.Errorf("encrypting the secret of transfer credential %q: %w", c.ID, err)
		}
	}
	var out access.TransferCredential
	err := s.write(ctx, func(tx *sql.Tx) error {
		cur, err := getCredential(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if c.Version != 0 && c.Version != cur.Version {
			return &access.PreconditionFailedError{Kind: "transfer credential", ID: c.ID}
		}
		if err := checkUniqueName(ctx, tx, "transfer_credentials", "transfer credential", c.ID, c.Name); err != nil {
			return err
		}
		now := formatTime(time.Now())
		_, err = tx.ExecContext(ctx, `UPDATE transfer_credentials
			SET name = ?, name_key = ?, username = ?, reference = ?, updated_at = ?, version = version + 1,
				secret = coalesce(?, secret),
				rotated_at = CASE WHEN ? THEN ? ELSE rotated_at END
			WHERE id = ?`,
			c.Name, access.NameKey(c.Name), c.Username, access.CredentialReference(c.Name), now,
			sealed, sealed != nil, now, c.ID)
		if err != nil {
			return fmt.Errorf("updating transfer credential %q: %w", c.ID, err)
		}
		out, err = getCredential(ctx, tx, c.ID)
		return err
	})
	return out, err
}

// DeleteTransferCredential deletes a credential no export destination uses.
func (s *Store) DeleteTransferCredential(ctx context.Context, id string, ifVersion access.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := getCredential(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != cur.Version {
			return &access.PreconditionFailedError{Kind: "transfer credential", ID: id}
		}
		users, err := destinationsUsing(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return &access.ConflictError{Kind: "transfer credential", ID: id, Reason: fmt.Sprintf(
				"credential is used by export destination(s) %s; change or delete them first", strings.Join(users, ", "))}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM transfer_credentials WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting transfer credential %q: %w", id, err)
		}
		return nil
	})
}

// TransferSecretMatches reports whether candidate is the stored secret of
// credential id, in constant time. It exists so tests (and a future
// "test connection" feature) can check a rotation without the secret ever
// leaving the store.
func (s *Store) TransferSecretMatches(ctx context.Context, id, candidate string) (bool, error) {
	var sealed []byte
	err := s.read(ctx, func(q querier) error {
		err := q.QueryRowContext(ctx, `SELECT secret FROM transfer_credentials WHERE id = ?`, id).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return &access.NotFoundError{Kind: "transfer credential", ID: id}
		}
		return err
	})
	if err != nil {
		return false, err
	}
	plain, err := s.secrets.open(id, sealed)
	if err != nil {
		return false, fmt.Errorf("transfer credential %q: %w", id, err)
	}
	return subtle.ConstantTimeCompare([]byte(plain), []byte(candidate)) == 1, nil
}

// destinationsUsing lists, as quoted names, the export destinations that use
// the credential id.
func destinationsUsing(ctx context.Context, q querier, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM export_destinations WHERE credential_id = ? ORDER BY name_key`, id)
	if err != nil {
		return nil, fmt.Errorf("finding the users of transfer credential %q: %w", id, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("finding the users of transfer credential %q: %w", id, err)
		}
		names = append(names, fmt.Sprintf("%q", name))
	}
	return names, rows.Err()
}

func getCredential(ctx context.Context, q querier, id string) (access.TransferCredential, error) {
	c, err := scanCredential(q.QueryRowContext(ctx, `SELECT `+credentialColumns+` FROM transfer_credentials WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return access.TransferCredential{}, &access.NotFoundError{Kind: "transfer credential", ID: id}
	}
	return c, err
}

func scanCredential(row rowScanner) (access.TransferCredential, error) {
	var (
		c                         access.TransferCredential
		created, rotated, updated string
	)
	if err := row.Scan(&c.ID, &c.Name, &c.Username, &c.Reference, &created, &rotated, &updated, &c.Version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, err
		}
		return c, fmt.Errorf("reading a transfer credential: %w", err)
	}
	return c, parseTimes(c.ID, []string{created, rotated, updated}, &c.CreatedAt, &c.RotatedAt, &c.UpdatedAt)
}
