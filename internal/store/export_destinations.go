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

const destinationColumns = `id, name, type, sftp_host, sftp_port, sftp_path, sftp_host_key_sha256,
	s3_bucket, s3_region, s3_prefix, credential_id, export_kinds, created_at, updated_at, version`

// ListExportDestinations lists destinations ordered by id.
func (s *Store) ListExportDestinations(ctx context.Context, opts access.ListOptions) (access.Page[access.ExportDestination], error) {
	return listPage(ctx, s, opts, "export destinations",
		`SELECT `+destinationColumns+` FROM export_destinations WHERE id > ? ORDER BY id LIMIT ?`,
		scanDestination, func(d access.ExportDestination) string { return d.ID })
}

// GetExportDestination reads one destination.
func (s *Store) GetExportDestination(ctx context.Context, id string) (access.ExportDestination, error) {
	var d access.ExportDestination
	err := s.read(ctx, func(q querier) (err error) {
		d, err = getDestination(ctx, q, id)
		return err
	})
	return d, err
}

// CreateExportDestination validates d, checks its credential exists, and
// stores it.
func (s *Store) CreateExportDestination(ctx context.Context, d access.ExportDestination) (access.ExportDestination, error) {
	d, err := access.ValidateExportDestination(d)
	if err != nil {
		return access.ExportDestination{}, err
	}
	id := newID("dst_")
	var out access.ExportDestination
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := checkDestinationRefs(ctx, tx, "", d); err != nil {
			return err
		}
		now := formatTime(time.Now())
		cols := destinationRow(d)
		_, err := tx.ExecContext(ctx, `INSERT INTO export_destinations
			(id, name, name_key, type, sftp_host, sftp_port, sftp_path, sftp_host_key_sha256,
			 s3_bucket, s3_region, s3_prefix, credential_id, export_kinds, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			append(append([]any{id}, cols...), now, now)...)
		if err != nil {
			return fmt.Errorf("inserting export destination %q: %w", d.Name, err)
		}
		out, err = getDestination(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateExportDestination replaces the destination d.ID. A non-zero
// d.Version must match the stored one.
func (s *Store) UpdateExportDestination(ctx context.Context, d access.ExportDestination) (access.ExportDestination, error) {
	d, err := access.ValidateExportDestination(d)
	if err != nil {
		return access.ExportDestination{}, err
	}
	var out access.ExportDestination
	err = s.write(ctx, func(tx *sql.Tx) error {
		cur, err := getDestination(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if d.Version != 0 && d.Version != cur.Version {
			return &access.PreconditionFailedError{Kind: "export destination", ID: d.ID}
		}
		if err := checkDestinationRefs(ctx, tx, d.ID, d); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE export_destinations
			SET name = ?, name_key = ?, type = ?, sftp_host = ?, sftp_port = ?, sftp_path = ?, sftp_host_key_sha256 = ?,
				s3_bucket = ?, s3_region = ?, s3_prefix = ?, credential_id = ?, export_kinds = ?,
				updated_at = ?, version = version + 1
			WHERE id = ?`,
			append(destinationRow(d), formatTime(time.Now()), d.ID)...)
		if err != nil {
			return fmt.Errorf("updating export destination %q: %w", d.ID, err)
		}
		out, err = getDestination(ctx, tx, d.ID)
		return err
	})
	return out, err
}

// DeleteExportDestination deletes a destination.
func (s *Store) DeleteExportDestination(ctx context.Context, id string, ifVersion access.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := getDestination(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != cur.Version {
			return &access.PreconditionFailedError{Kind: "export destination", ID: id}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM export_destinations WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting export destination %q: %w", id, err)
		}
		return nil
	})
}

// checkDestinationRefs enforces the rules that need the database: a unique
// name and an existing credential.
func checkDestinationRefs(ctx context.Context, tx *sql.Tx, self string, d access.ExportDestination) error {
	if err := checkUniqueName(ctx, tx, "export_destinations", "export destination", self, d.Name); err != nil {
		return err
	}
	field, credID := "sftp.credential_id", ""
	if d.SFTP != nil {
		credID = d.SFTP.CredentialID
	} else {
		field, credID = "s3.credential_id", d.S3.CredentialID
	}
	if _, err := getCredential(ctx, tx, credID); errors.Is(err, access.ErrNotFound) {
		verr := &access.ValidationError{Kind: "export destination"}
		verr.Add(field, "transfer credential %q does not exist", credID)
		return verr
	} else if err != nil {
		return err
	}
	return nil
}

// destinationRow lists the stored columns of d in destinationColumns order,
// from name to export_kinds (name_key after name). The columns of the target
// d does not use are NULL.
func destinationRow(d access.ExportDestination) []any {
	var (
		host, path, hostKey, bucket, region, prefix, credID sql.NullString
		port                                                sql.NullInt64
	)
	if t := d.SFTP; t != nil {
		host, path, credID = nullString(t.Host), nullString(t.Path), nullString(t.CredentialID)
		port = sql.NullInt64{Int64: int64(t.Port), Valid: true}
		hostKey = sql.NullString{String: t.HostKeySHA256, Valid: true}
	}
	if t := d.S3; t != nil {
		bucket, region, credID = nullString(t.Bucket), nullString(t.Region), nullString(t.CredentialID)
		prefix = sql.NullString{String: t.Prefix, Valid: true}
	}
	kinds, _ := json.Marshal(d.ExportKinds) // a []ExportKind always encodes
	return []any{d.Name, access.NameKey(d.Name), string(d.Type), host, port, path, hostKey, bucket, region, prefix, credID, string(kinds)}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

func getDestination(ctx context.Context, q querier, id string) (access.ExportDestination, error) {
	d, err := scanDestination(q.QueryRowContext(ctx, `SELECT `+destinationColumns+` FROM export_destinations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return access.ExportDestination{}, &access.NotFoundError{Kind: "export destination", ID: id}
	}
	return d, err
}

func scanDestination(row rowScanner) (access.ExportDestination, error) {
	var (
		d                                                   access.ExportDestination
		typ, kinds, created, updated                        string
		host, path, hostKey, bucket, region, prefix, credID sql.NullString
		port                                                sql.NullInt64
	)
	err := row.Scan(&d.ID, &d.Name, &typ, &host, &port, &path, &hostKey, &bucket, &region, &prefix, &credID,
		&kinds, &created, &updated, &d.Version)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, err
		}
		return d, fmt.Errorf("reading an export destination: %w", err)
	}
	d.Type = access.DestinationType(typ)
	switch d.Type {
	case access.DestinationSFTP:
		d.SFTP = &access.SFTPTarget{Host: host.String, Port: int(port.Int64), Path: path.String,
			HostKeySHA256: hostKey.String, CredentialID: credID.String}
	case access.DestinationS3:
		d.S3 = &access.S3Target{Bucket: bucket.String, Region: region.String, Prefix: prefix.String, CredentialID: credID.String}
	}
	if err := json.Unmarshal([]byte(kinds), &d.ExportKinds); err != nil {
		return d, fmt.Errorf("export destination %q: stored export kinds: %w", d.ID, err)
	}
	return d, parseTimes(d.ID, []string{created, updated}, &d.CreatedAt, &d.UpdatedAt)
}
