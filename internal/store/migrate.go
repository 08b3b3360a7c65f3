package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change. Applied migrations never change:
// a new schema is a new migration appended to the list.
type migration struct {
	version int
	file    string // in migrationFiles
	// seed inserts rows whose values come from Go rather than SQL (the
	// platform's defaults), in the migration's transaction.
	seed func(ctx context.Context, tx *sql.Tx, now time.Time) error
}

// migrations lists every schema version in order: migrations[i] has version
// i+1. A test checks that it matches the files in migrations/.
var migrations = []migration{
	{version: 1, file: "migrations/0001_initial.sql", seed: seedSecuritySettings},
	{version: 2, file: "migrations/0002_api_tokens.sql"},
}

// The table recording which migrations ran. It is created outside the
// numbered migrations because it records them.
const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at TEXT    NOT NULL
) STRICT`

// migrate applies the migrations the database has not seen, each in its own
// IMMEDIATE transaction. Two processes opening a fresh file at once both
// succeed: the second waits for the first's lock, then finds the migration
// recorded and skips it.
func (s *Store) migrate(ctx context.Context) error {
	var current int
	err := s.read(ctx, func(q querier) (err error) {
		current, err = schemaVersion(ctx, q)
		return err
	})
	if err != nil {
		return err
	}
	if current > len(migrations) {
		return fmt.Errorf("the database schema is at version %d, newer than this provider build understands (%d); use a newer provider version",
			current, len(migrations))
	}
	for _, m := range migrations[current:] {
		if err := s.write(ctx, func(tx *sql.Tx) error { return applyMigration(ctx, tx, m) }); err != nil {
			return fmt.Errorf("applying schema migration %s: %w", m.file, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, tx *sql.Tx, m migration) error {
	if _, err := tx.ExecContext(ctx, createSchemaMigrations); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if current >= m.version {
		return nil // another process applied it while this one waited for the lock
	}
	if current != m.version-1 {
		return fmt.Errorf("the database schema is at version %d, expected %d", current, m.version-1)
	}
	script, err := migrationFiles.ReadFile(m.file)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(script)); err != nil {
		return err
	}
	now := time.Now()
	if m.seed != nil {
		if err := m.seed(ctx, tx, now); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.file, formatTime(now))
	if err != nil {
		return fmt.Errorf("recording the schema version: %w", err)
	}
	return nil
}

// schemaVersion is the highest migration applied, 0 for a new database.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var tables int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables)
	if err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	if tables == 0 {
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return v, nil
}

// seedSecuritySettings inserts the singleton with the platform's defaults, so
// that the settings exist before anyone writes them.
func seedSecuritySettings(ctx context.Context, tx *sql.Tx, now time.Time) error {
	d := access.DefaultSecuritySettings()
	_, err := tx.ExecContext(ctx, `INSERT INTO security_settings (
		id, require_two_factor, session_timeout_minutes,
		sso_enabled, sso_idp_entity_id, sso_idp_sso_url, sso_idp_certificate_pem, sso_enforce,
		campaign_approval_required, updated_at, version
	) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		d.RequireTwoFactor, d.SessionTimeoutMinutes,
		d.SSO.Enabled, d.SSO.IdPEntityID, d.SSO.IdPSSOURL, d.SSO.IdPCertificatePEM, d.SSO.Enforce,
		d.CampaignApprovalRequired, formatTime(now))
	if err != nil {
		return fmt.Errorf("inserting the default security settings: %w", err)
	}
	return nil
}
