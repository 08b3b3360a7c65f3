package store

import (
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
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
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(migrations) {
		t.Fatalf("migrations/ holds %d files, the migrations list %d", len(files), len(migrations))
	}
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migrations[%d].version = %d, want %d", i, m.version, i+1)
		}
		if m.file != files[i] {
			t.Errorf("migrations[%d].file = %s, want %s", i, m.file, files[i])
		}
	}
}

func TestOpeningAnExistingFileAgainIsANoOp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "engage.db")

	first, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	role := mustCreateRole(t, first, "Survivor", "campaign.view")
	applied := appliedMigrations(t, first)
	systemBefore, err := first.GetRole(ctx, access.ReadOnlyRoleID)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	again := openFile(t, path)
	if got := appliedMigrations(t, again); !reflect.DeepEqual(got, applied) {
		t.Errorf("schema_migrations after reopening = %v, want unchanged %v", got, applied)
	}
	if want := []migrationRow{{1, "migrations/0001_initial.sql"}, {2, "migrations/0002_api_tokens.sql"}}; !reflect.DeepEqual(applied, want) {
		t.Errorf("schema_migrations = %v, want %v", applied, want)
	}
	if got, err := again.GetRole(ctx, role.ID); err != nil || !reflect.DeepEqual(got, role) {
		t.Errorf("role after reopening = %+v, %v; want %+v", got, err, role)
	}
	if got, _ := again.GetRole(ctx, access.ReadOnlyRoleID); !reflect.DeepEqual(got, systemBefore) {
		t.Errorf("system role rewritten by a reopen: %+v, want %+v", got, systemBefore)
	}
}

func TestSystemRolesFollowTheCatalogOnOpen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "engage.db")
	s := openFile(t, path)
	before, err := s.GetRole(ctx, access.ReadOnlyRoleID)
	if err != nil {
		t.Fatal(err)
	}
	// As if an older build had stored a different definition.
	if _, err := s.db.Exec(`UPDATE roles SET permissions = '["campaign.view"]', description = 'old' WHERE id = ?`, access.ReadOnlyRoleID); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()

	after, err := openFile(t, path).GetRole(ctx, access.ReadOnlyRoleID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after.Permissions, before.Permissions) || after.Description != before.Description {
		t.Errorf("Read Only after reopening = %v %q, want the catalog's %v %q", after.Permissions, after.Description, before.Permissions, before.Description)
	}
	if after.Version != before.Version+1 || !after.CreatedAt.Equal(before.CreatedAt) {
		t.Errorf("version, created_at = %d, %v; want %d and the first insert's %v", after.Version, after.CreatedAt, before.Version+1, before.CreatedAt)
	}
}

func TestADatabaseFromANewerBuildIsRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "engage.db")
	s := openFile(t, path)
	if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '')`); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()

	_, err := Open(t.Context(), path)
	if err == nil || !strings.Contains(err.Error(), "schema is at version 99, newer than this provider build understands") {
		t.Errorf("Open = %v; want a refusal naming the newer schema version", err)
	}
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
	s := newMemoryStore(t)
	_, err := s.db.Exec(`INSERT INTO users (id, email, email_key, role_id, created_at, updated_at) VALUES ('usr_x', 'x@example.com', 'x@example.com', 'rol_missing', '', '')`)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("inserting a user of a missing role: %v, want a foreign key failure", err)
	}
}
