package store

import (
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func openFile(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

type migrationRow struct {
	Version int
	Name    string
}

func appliedMigrations(t *testing.T, s *Store) []migrationRow {
	t.Helper()
	rows, err := s.db.Query(`SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var m migrationRow
		if err := rows.Scan(&m.Version, &m.Name); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestMigrationsListEveryFileInOrder(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		files, err := fs.Glob(migrationFiles, d.dialect.migrationsDir+"/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != len(migrations) {
			t.Fatalf("%s holds %d files, the migrations list %d", d.dialect.migrationsDir, len(files), len(migrations))
		}
		for i, m := range migrations {
			if m.version != i+1 {
				t.Errorf("migrations[%d].version = %d, want %d", i, m.version, i+1)
			}
			if m.file(d.dialect) != files[i] {
				t.Errorf("migrations[%d].file = %s, want %s", i, m.file(d.dialect), files[i])
			}
		}
	})
}

func TestOpeningAnExistingDatabaseAgainIsANoOp(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		ctx := t.Context()
		database := d.newDatabase(t)

		first := openDatabase(t, database)
		role := mustCreateRole(t, first, "Survivor", "campaign.view")
		applied := appliedMigrations(t, first)
		systemBefore, err := first.GetRole(ctx, access.ReadOnlyRoleID)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		again := openDatabase(t, database)
		if got := appliedMigrations(t, again); !reflect.DeepEqual(got, applied) {
			t.Errorf("schema_migrations after reopening = %v, want unchanged %v", got, applied)
		}
		var want []migrationRow
		for i, name := range []string{"0001_initial.sql", "0002_api_tokens.sql", "0003_nfkc_name_keys.sql",
			"0004_security_settings_customized.sql", "0005_user_sessions.sql", "0006_secret_key_check.sql",
			"0007_api_token_lifecycle.sql", "0008_ip_allowlists_generation.sql", "0009_idempotency_answers.sql"} {
			want = append(want, migrationRow{i + 1, d.dialect.migrationsDir + "/" + name})
		}
		if !reflect.DeepEqual(applied, want) {
			t.Errorf("schema_migrations = %v, want %v", applied, want)
		}
		if got, err := again.GetRole(ctx, role.ID); err != nil || !reflect.DeepEqual(got, role) {
			t.Errorf("role after reopening = %+v, %v; want %+v", got, err, role)
		}
		if got, _ := again.GetRole(ctx, access.ReadOnlyRoleID); !reflect.DeepEqual(got, systemBefore) {
			t.Errorf("system role rewritten by a reopen: %+v, want %+v", got, systemBefore)
		}
	})
}

func TestSystemRolesFollowTheCatalogOnOpen(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		ctx := t.Context()
		database := d.newDatabase(t)
		s := openDatabase(t, database)
		before, err := s.GetRole(ctx, access.ReadOnlyRoleID)
		if err != nil {
			t.Fatal(err)
		}
		// As if an older build had stored a different definition.
		if _, err := s.db.Exec(`UPDATE roles SET permissions = '["campaign.view"]', description = 'old' WHERE id = ?`, access.ReadOnlyRoleID); err != nil {
			t.Fatal(err)
		}
		_ = s.Close()

		after, err := openDatabase(t, database).GetRole(ctx, access.ReadOnlyRoleID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after.Permissions, before.Permissions) || after.Description != before.Description {
			t.Errorf("Read Only after reopening = %v %q, want the catalog's %v %q", after.Permissions, after.Description, before.Permissions, before.Description)
		}
		if after.Version != before.Version+1 || !after.CreatedAt.Equal(before.CreatedAt) {
			t.Errorf("version, created_at = %d, %v; want %d and the first insert's %v", after.Version, after.CreatedAt, before.Version+1, before.CreatedAt)
		}
	})
}

func TestADatabaseFromANewerBuildIsRefused(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		database := d.newDatabase(t)
		s := openDatabase(t, database)
		if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '')`); err != nil {
			t.Fatal(err)
		}
		_ = s.Close()

		opts := []Option{WithSecretKey(testSecretKey)}
		if d.dialect == sqliteDialect {
			opts = nil
		}
		_, err := OpenDatabase(t.Context(), database, opts...)
		if err == nil || !strings.Contains(err.Error(), "schema is at version 99, newer than this provider build understands") {
			t.Errorf("Open = %v; want a refusal naming the newer schema version", err)
		}
	})
}

func TestOpenCreatesAPrivateFolderAndFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	cases := []struct {
		name string
		path string
	}{
		{"a missing nested folder", filepath.Join(root, "a", "b", "engage.db")},
		{"characters that mean something in a URI", filepath.Join(root, "odd ?#% name", "engage.db")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openFile(t, tc.path)
			mustCreateRole(t, s, "Written", "campaign.view") // something reaches the file

			dir, err := os.Stat(filepath.Dir(tc.path))
			if err != nil {
				t.Fatalf("the folder was not created: %v", err)
			}
			if perm := dir.Mode().Perm(); perm != 0o700 {
				t.Errorf("folder mode = %v, want 0700", perm)
			}
			file, err := os.Stat(tc.path)
			if err != nil {
				t.Fatalf("the database is not at the path given: %v", err)
			}
			if perm := file.Mode().Perm(); perm != 0o600 {
				t.Errorf("file mode = %v, want 0600", perm)
			}
		})
	}
}

func TestConnectionsUseWALAndForeignKeysAndWaitInGo(t *testing.T) {
	t.Parallel()
	s := openFile(t, filepath.Join(t.TempDir(), "engage.db"), WithBusyTimeout(1500*time.Millisecond))
	if s.busyTimeout != 1500*time.Millisecond {
		t.Errorf("busy timeout = %s, want the option's 1.5s", s.busyTimeout)
	}
	// Pin connections at once, so that the reader pool opens more than one:
	// each must carry the settings.
	pinned := map[string]*sql.DB{"reader 1": s.db, "reader 2": s.db, "writer": s.writer}
	for name, db := range pinned {
		conn, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var journal string
		var foreignKeys, busy int
		row := conn.QueryRowContext(t.Context(),
			`SELECT journal_mode, foreign_keys, timeout FROM pragma_journal_mode, pragma_foreign_keys, pragma_busy_timeout`)
		if err := row.Scan(&journal, &foreignKeys, &busy); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || foreignKeys != 1 || busy != 0 {
			t.Errorf("%s: journal_mode=%s foreign_keys=%d busy_timeout=%d; want wal, 1, 0 (the Store waits itself)",
				name, journal, foreignKeys, busy)
		}
	}
}

func TestTheSchemaEnforcesForeignKeys(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		_, err := s.db.Exec(`INSERT INTO users (id, email, email_key, role_id, created_at, updated_at) VALUES ('usr_x', 'x@example.com', 'x@example.com', 'rol_missing', '', '')`)
		if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") && pgErrorCode(err) != pgForeignKeyViolation {
			t.Errorf("inserting a user of a missing role: %v, want a foreign key failure", err)
		}
	})
}

// legacyKey is how NameKey computed keys before migration 3.
func legacyKey(s string) string { return strings.ToLower(s) }

// openVersion2 builds a database file at path with the schema of migration
// 2 and rows keyed the way builds of that schema keyed them, as an older
// provider would have left it, then closes it.
func openVersion2(t *testing.T, path string, rows func(exec func(query string, args ...any))) {
	t.Helper()
	ctx := t.Context()
	db, err := sql.Open("sqlite", fileDSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range migrations[:2] {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := applyMigration(ctx, sqliteDialect, tx, m); err != nil {
			t.Fatalf("applying %s: %v", m.file(sqliteDialect), err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	rows(func(query string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s %v: %v", query, args, err)
		}
	})
}

func TestMigration3RecomputesNameKeysAndKeepsCollidingOnes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "engage.db")
	now := formatTime(time.Now())
	role := func(exec func(string, ...any), id, name, key string, system bool) {
		exec(`INSERT INTO roles (id, name, name_key, permissions, system, created_at, updated_at) VALUES (?, ?, ?, '["campaign.view"]', ?, ?, ?)`,
			id, name, key, system, now, now)
	}
	openVersion2(t, path, func(exec func(string, ...any)) {
		// An older build installed the system roles on its first open.
		role(exec, access.FullAdminRoleID, "Full Admin", legacyKey("Full Admin"), true)
		role(exec, access.ReadOnlyRoleID, "Read Only", legacyKey("Read Only"), true)
		role(exec, "rol_fullwidth", "Ｏｐｓ Ｔｅａｍ", legacyKey("Ｏｐｓ Ｔｅａｍ"), false)
		role(exec, "rol_sharp_s", "Straße", legacyKey("Straße"), false)
		// Distinct under the old key, the same under the new one.
		role(exec, "rol_dup_ascii", "Dup", legacyKey("Dup"), false)
		role(exec, "rol_dup_fullwidth", "Ｄｕｐ", legacyKey("Ｄｕｐ"), false)
		role(exec, "rol_fake_admin", "Ｆｕｌｌ Ａｄｍｉｎ", legacyKey("Ｆｕｌｌ Ａｄｍｉｎ"), false)
		role(exec, "rol_ligature", "ﬁnance", legacyKey("ﬁnance"), false)
		role(exec, "rol_fullwidth_f", "Ｆinance", legacyKey("Ｆinance"), false)
		exec(`INSERT INTO users (id, email, email_key, display_name, role_id, created_at, updated_at) VALUES (?, ?, ?, 'Ada', 'rol_fullwidth', ?, ?)`,
			"usr_ada", "Ａｄａ@example.com", legacyKey("Ａｄａ@example.com"), now, now)
		exec(`INSERT INTO users (id, email, email_key, display_name, role_id, created_at, updated_at) VALUES (?, ?, ?, 'Bob', 'rol_fullwidth', ?, ?)`,
			"usr_bob", "Bob@Example.com", legacyKey("Bob@Example.com"), now, now)
		exec(`INSERT INTO ip_allowlists (id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			"ipl_office", "Ｏｆｆｉｃｅ", legacyKey("Ｏｆｆｉｃｅ"), now, now)
		// Keys that swap places: each row's new key is the other's old key,
		// which only works if the migration moves them through placeholders.
		exec(`INSERT INTO ip_allowlists (id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			"ipl_alpha", "Alpha", "beta", now, now)
		exec(`INSERT INTO ip_allowlists (id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			"ipl_beta", "Beta", "alpha", now, now)
		exec(`INSERT INTO transfer_credentials (id, name, name_key, username, secret, reference, created_at, rotated_at, updated_at)
			VALUES ('cred_1', 'sftp_PROD', ?, 'u', x'00', '{{credential.sftp_PROD}}', ?, ?, ?)`, legacyKey("sftp_PROD"), now, now, now)
		exec(`INSERT INTO export_destinations (id, name, name_key, type, sftp_host, sftp_port, sftp_path, credential_id, export_kinds, created_at, updated_at)
			VALUES ('dst_1', ?, ?, 'sftp', 'sftp.example.com', 22, '/exports', 'cred_1', '["report"]', ?, ?)`,
			"Ｗａｒｅｈｏｕｓｅ", legacyKey("Ｗａｒｅｈｏｕｓｅ"), now, now)
		exec(`INSERT INTO api_tokens (id, name, name_key, token_hash, scopes, created_at) VALUES ('tok_1', ?, ?, x'01', '["read"]', ?)`,
			"ＣＩ", legacyKey("ＣＩ"), now)
	})

	s := openFile(t, path) // fails the test if the open fails
	if got := appliedMigrations(t, s); len(got) < 3 || got[2] != (migrationRow{3, "migrations/sqlite/0003_nfkc_name_keys.sql"}) {
		t.Fatalf("schema_migrations = %v, want migration 3 applied", got)
	}

	keys := []struct {
		name              string
		table, column, id string
		want              string
	}{
		{"a fullwidth role name is keyed in ASCII", "roles", "name_key", "rol_fullwidth", "ops team"},
		{"a sharp s is folded", "roles", "name_key", "rol_sharp_s", "strasse"},
		{"an ASCII name keeps its key", "roles", "name_key", "rol_dup_ascii", "dup"},
		{"a role colliding with an ASCII one keeps its old key", "roles", "name_key", "rol_dup_fullwidth", "ｄｕｐ"},
		{"a role colliding with a system role keeps its old key", "roles", "name_key", "rol_fake_admin", "ｆｕｌｌ ａｄｍｉｎ"},
		{"the system role keeps its key", "roles", "name_key", access.FullAdminRoleID, "full admin"},
		{"two changing roles that collide both keep their old keys (ligature)", "roles", "name_key", "rol_ligature", "ﬁnance"},
		{"two changing roles that collide both keep their old keys (fullwidth)", "roles", "name_key", "rol_fullwidth_f", "ｆinance"},
		{"a fullwidth email is keyed in ASCII", "users", "email_key", "usr_ada", "ada@example.com"},
		{"an ASCII email keeps its key", "users", "email_key", "usr_bob", "bob@example.com"},
		{"an IP allowlist is rekeyed", "ip_allowlists", "name_key", "ipl_office", "office"},
		{"keys that swap places are both rewritten (alpha)", "ip_allowlists", "name_key", "ipl_alpha", "alpha"},
		{"keys that swap places are both rewritten (beta)", "ip_allowlists", "name_key", "ipl_beta", "beta"},
		{"a credential is rekeyed", "transfer_credentials", "name_key", "cred_1", "sftp_prod"},
		{"an export destination is rekeyed", "export_destinations", "name_key", "dst_1", "warehouse"},
		{"an API token is rekeyed", "api_tokens", "name_key", "tok_1", "ci"},
	}
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			var got string
			if err := s.db.QueryRowContext(ctx, `SELECT `+k.column+` FROM `+k.table+` WHERE id = ?`, k.id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != k.want {
				t.Errorf("%s.%s of %s = %q, want %q", k.table, k.column, k.id, got, k.want)
			}
		})
	}

	t.Run("a fullwidth duplicate of a rekeyed name is refused", func(t *testing.T) {
		writes := map[string]error{}
		_, writes["CreateRole"] = s.CreateRole(ctx, access.Role{Name: "OPS TEAM", Permissions: []string{"campaign.view"}})
		_, writes["CreateUser"] = s.CreateUser(ctx, access.User{Email: "ada@ｅｘａｍｐｌｅ.com", DisplayName: "Ada", RoleID: "rol_fullwidth"})
		_, writes["CreateIPAllowlist"] = s.CreateIPAllowlist(ctx, access.IPAllowlist{Name: "OFFICE"})
		_, writes["CreateExportDestination"] = s.CreateExportDestination(ctx, access.ExportDestination{
			Name: "warehouse", SFTP: &access.SFTPTarget{Host: "h.example.com", Port: 22, Path: "/", CredentialID: "cred_1"},
			ExportKinds: []access.ExportKind{access.ExportReport},
		})
		_, _, writes["CreateAPIToken"] = s.CreateAPIToken(ctx, "Ｃｉ", []string{access.ScopeRead})
		_, writes["CreateRole (collided name)"] = s.CreateRole(ctx, access.Role{Name: "ＤＵＰ", Permissions: []string{"campaign.view"}})
		for op, err := range writes {
			if !errors.Is(err, access.ErrConflict) {
				t.Errorf("%s: got %v, want a conflict", op, err)
			}
		}
	})

	t.Run("a role that kept its key is found by its new key only through the other row", func(t *testing.T) {
		if got, err := s.GetRoleByName(ctx, "Ｄｕｐ"); err != nil || got.ID != "rol_dup_ascii" {
			t.Errorf("GetRoleByName(Ｄｕｐ) = %s, %v; want rol_dup_ascii, which holds the key", got.ID, err)
		}
		if got, err := s.GetRole(ctx, "rol_dup_fullwidth"); err != nil || got.Name != "Ｄｕｐ" {
			t.Errorf("GetRole(rol_dup_fullwidth) = %+v, %v; want it readable by id", got, err)
		}
	})

	t.Run("a role named like a system role must be renamed, and then can be", func(t *testing.T) {
		r, err := s.GetRole(ctx, "rol_fake_admin")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateRole(ctx, r)
		assertFieldError(t, err, "name", `"Full Admin" is the name of a system role`)
		r.Name = "Fake Admin"
		if got, err := s.UpdateRole(ctx, r); err != nil || got.Name != "Fake Admin" {
			t.Errorf("renaming it: %+v, %v", got, err)
		}
	})
}

// migrateDB applies ms to db, of dialect d, in order, as Open would.
func migrateDB(t *testing.T, d *dialect, db *sql.DB, ms []migration) {
	t.Helper()
	for _, m := range ms {
		tx, err := db.BeginTx(t.Context(), d.lockingTx)
		if err != nil {
			t.Fatal(err)
		}
		if err := applyMigration(t.Context(), d, tx, m); err != nil {
			_ = tx.Rollback()
			t.Fatalf("applying %s: %v", m.file(d), err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTheCustomizedMigrationGuessesFromTheStoredSettings(t *testing.T) {
	t.Parallel()
	// Found by name: the lead may renumber it when branches merge.
	at := slices.IndexFunc(migrations, func(m migration) bool {
		return strings.HasSuffix(m.name, "_security_settings_customized.sql")
	})
	if at < 0 {
		t.Fatal("no security_settings_customized migration in the list")
	}
	defaults := access.DefaultSecuritySettings()
	with := func(edit func(*access.SecuritySettings)) access.SecuritySettings {
		s := access.DefaultSecuritySettings()
		edit(&s)
		return s
	}
	cases := map[string]struct {
		stored  access.SecuritySettings
		version int
		want    bool
	}{
		"settings never written": {defaults, 1, false},
		// Version 1 is the seed: its values are whatever defaults the
		// seeding build had, not a choice anyone made.
		"settings never written, seeded with other defaults": {with(func(s *access.SecuritySettings) { s.SessionTimeoutMinutes = 720 }), 1, false},
		// Older builds reset the settings by writing the defaults.
		"settings written back to the defaults": {defaults, 3, false},
		"two-factor required":                   {with(func(s *access.SecuritySettings) { s.RequireTwoFactor = true }), 2, true},
		"another session timeout":               {with(func(s *access.SecuritySettings) { s.SessionTimeoutMinutes = 60 }), 2, true},
		"only an IdP entity id":                 {with(func(s *access.SecuritySettings) { s.SSO.IdPEntityID = "https://idp.example.com" }), 2, true},
		"SSO enforced":                          {enforcedSSO(t), 2, true},
		"campaign approval required":            {with(func(s *access.SecuritySettings) { s.CampaignApprovalRequired = true }), 2, true},
	}
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				db := d.newRawDB(t)
				migrateDB(t, d.dialect, db, migrations[:at])

				st, sso := tc.stored, tc.stored.SSO
				_, err := db.Exec(`UPDATE security_settings
				SET require_two_factor = ?, session_timeout_minutes = ?,
					sso_enabled = ?, sso_idp_entity_id = ?, sso_idp_sso_url = ?, sso_idp_certificate_pem = ?, sso_enforce = ?,
					campaign_approval_required = ?, version = ?
				WHERE id = 1`,
					st.RequireTwoFactor, st.SessionTimeoutMinutes,
					sso.Enabled, sso.IdPEntityID, sso.IdPSSOURL, sso.IdPCertificatePEM, sso.Enforce,
					st.CampaignApprovalRequired, tc.version)
				if err != nil {
					t.Fatal(err)
				}
				migrateDB(t, d.dialect, db, migrations[at:at+1])

				got, err := getSecuritySettings(t.Context(), db)
				if err != nil {
					t.Fatalf("reading the migrated settings: %v", err)
				}
				if got.Customized != tc.want {
					t.Errorf("customized after the migration = %v, want %v", got.Customized, tc.want)
				}
				if got.Version != access.Version(tc.version) {
					t.Errorf("version = %d, want %d: the backfill is not a write", got.Version, tc.version)
				}
			})
		}
	})
}
