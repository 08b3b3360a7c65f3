package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change. Applied migrations never change:
// a new schema is a new migration appended to the list.
//
// Each dialect has its own file of the same name in its folder
// (dialect.migrationsDir), so both have the same numbered migrations,
// applied the same way; the Go step is shared.
type migration struct {
	version int
	name    string // the file's name in each dialect's folder
	// inGo runs after the file, in the migration's transaction, for what
	// SQL cannot do: rows whose values come from Go (the platform's
	// defaults), Unicode normalisation.
	inGo func(ctx context.Context, tx *sql.Tx, now time.Time) error
}

// file is the migration's script for d, in migrationFiles.
func (m migration) file(d *dialect) string { return d.migrationsDir + "/" + m.name }

// migrations lists every schema version in order: migrations[i] has version
// i+1. A test checks that it matches the files in each dialect's folder.
var migrations = []migration{
	{version: 1, name: "0001_initial.sql", inGo: seedSecuritySettings},
	{version: 2, name: "0002_api_tokens.sql"},
	{version: 3, name: "0003_nfkc_name_keys.sql", inGo: recomputeNameKeys},
	{version: 4, name: "0004_security_settings_customized.sql"},
	{version: 5, name: "0005_user_sessions.sql"},
	{version: 6, name: "0006_secret_key_check.sql"},
	{version: 7, name: "0007_api_token_lifecycle.sql"},
	{version: 8, name: "0008_ip_allowlists_generation.sql"},
	{version: 9, name: "0009_idempotency_answers.sql"},
}

// migrate applies the migrations the database has not seen, each in its own
// transaction. Two processes opening a new database at once both succeed:
// the second waits for the first's lock (SQLite's write lock, PostgreSQL's
// advisory lock: dialect.lockMigrations), then finds the migration recorded
// and skips it.
func (s *Store) migrate(ctx context.Context) error {
	var current int
	err := s.read(ctx, func(q querier) (err error) {
		current, err = schemaVersion(ctx, s.dialect, q)
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
		err := s.writeWith(ctx, s.dialect.lockingTx, func(tx *sql.Tx) error { return applyMigration(ctx, s.dialect, tx, m) })
		if err != nil {
			return fmt.Errorf("applying schema migration %s: %w", m.file(s.dialect), err)
		}
	}
	return nil
}

// applyMigration applies m to a database of dialect d in tx, unless
// another process has applied it meanwhile. The migration is recorded under
// its file's path in migrationFiles. (Builds before the PostgreSQL dialect
// recorded migrations/NNNN_name.sql, before the files moved into a folder
// per dialect; the name is for people, the version is what counts.)
func applyMigration(ctx context.Context, d *dialect, tx *sql.Tx, m migration) error {
	if d.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, d.lockMigrations); err != nil {
			return fmt.Errorf("waiting for other processes' migrations: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.createSchemaMigrations); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, d, tx)
	if err != nil {
		return err
	}
	if current >= m.version {
		return nil // another process applied it while this one waited for the lock
	}
	if current != m.version-1 {
		return fmt.Errorf("the database schema is at version %d, expected %d", current, m.version-1)
	}
	script, err := migrationFiles.ReadFile(m.file(d))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(script)); err != nil {
		return err
	}
	now := time.Now()
	if m.inGo != nil {
		if err := m.inGo(ctx, tx, now); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.file(d), formatTime(now))
	if err != nil {
		return fmt.Errorf("recording the schema version: %w", err)
	}
	return nil
}

// schemaVersion is the highest migration applied, 0 for a new database.
func schemaVersion(ctx context.Context, d *dialect, q querier) (int, error) {
	var tables int
	err := q.QueryRowContext(ctx, d.countSchemaMigrations).Scan(&tables)
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

// nameKeyColumns lists every column holding access.NameKey of another
// column. Tables and columns are constants, never user input.
var nameKeyColumns = []struct{ table, source, key string }{
	{"roles", "name", "name_key"},
	{"users", "email", "email_key"},
	{"ip_allowlists", "name", "name_key"},
	{"transfer_credentials", "name", "name_key"},
	{"export_destinations", "name", "name_key"},
	{"api_tokens", "name", "name_key"},
}

// recomputeNameKeys rewrites every stored key with the current
// access.NameKey (migration 3).
func recomputeNameKeys(ctx context.Context, tx *sql.Tx, _ time.Time) error {
	for _, c := range nameKeyColumns {
		if err := recomputeKeys(ctx, tx, c.table, c.source, c.key); err != nil {
			return fmt.Errorf("recomputing %s.%s: %w", c.table, c.key, err)
		}
	}
	return nil
}

// recomputeKeys sets table.key to access.NameKey(source) on every row,
// except where that would collide.
//
// Rows that were distinct under the old key may share the new one ("Ops"
// and "Ｏｐｓ"). Failing the migration would leave the database unopenable
// until someone edited it by hand, and picking a row to rename would change
// what users configured, so instead every row whose new key is shared keeps
// its old key, which is unique. Such a row stays readable, listable and
// deletable. Looking it up by name computes the new key, so finds the row
// holding that key, if any, rather than this one; and a write to it stores
// the new key, so it is refused as a conflict while another row holds that
// key, until one of them is renamed.
// Keeping an old key can in turn collide with another row's new key; the
// loop repeats until no key is shared, which ends because old keys are
// unique and each round reverts at least one row.
func recomputeKeys(ctx context.Context, tx *sql.Tx, table, source, key string) error {
	type row struct{ id, oldKey, newKey string }
	var all []row
	rows, err := tx.QueryContext(ctx, `SELECT id, `+source+`, `+key+` FROM `+table)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r row
		var value string
		if err := rows.Scan(&r.id, &value, &r.oldKey); err != nil {
			_ = rows.Close()
			return err
		}
		r.newKey = access.NameKey(value)
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}

	for {
		holders := make(map[string]int, len(all))
		for _, r := range all {
			holders[r.newKey]++
		}
		reverted := false
		for i, r := range all {
			if holders[r.newKey] > 1 && r.newKey != r.oldKey {
				all[i].newKey = r.oldKey
				reverted = true
			}
		}
		if !reverted {
			break
		}
	}

	// A row's new key may still be another changing row's old key, and
	// SQLite checks UNIQUE row by row, so changing rows first move to a
	// placeholder key that no row holds, then to their new keys.
	used := make(map[string]bool, 2*len(all))
	for _, r := range all {
		used[r.oldKey], used[r.newKey] = true, true
	}
	var changing []row
	for _, r := range all {
		if r.newKey != r.oldKey {
			changing = append(changing, r)
		}
	}
	update := `UPDATE ` + table + ` SET ` + key + ` = ? WHERE id = ?`
	n := 0
	for _, r := range changing {
		placeholder := ""
		for placeholder == "" || used[placeholder] {
			n++
			placeholder = fmt.Sprintf("\x00migration 3 placeholder %d", n)
		}
		used[placeholder] = true
		if _, err := tx.ExecContext(ctx, update, placeholder, r.id); err != nil {
			return err
		}
	}
	for _, r := range changing {
		if _, err := tx.ExecContext(ctx, update, r.newKey, r.id); err != nil {
			return err
		}
	}
	return nil
}
