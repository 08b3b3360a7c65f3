package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
)

func TestRebindNumbersPlaceholdersOutsideQuotesAndComments(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ in, want string }{
		"none":               {`SELECT 1`, `SELECT 1`},
		"in order":           {`UPDATE t SET a = ?, b = ? WHERE id = ?`, `UPDATE t SET a = $1, b = $2 WHERE id = $3`},
		"in a literal":       {`SELECT '?', ? FROM t WHERE x = 'it''s ?'`, `SELECT '?', $1 FROM t WHERE x = 'it''s ?'`},
		"in an identifier":   {`SELECT "a?b" FROM t WHERE id = ?`, `SELECT "a?b" FROM t WHERE id = $1`},
		"in a line comment":  {"SELECT ? -- why?\nFROM t WHERE id = ?", "SELECT $1 -- why?\nFROM t WHERE id = $2"},
		"in a block comment": {`SELECT /* ? */ ? FROM t`, `SELECT /* ? */ $1 FROM t`},
		"unterminated":       {`SELECT ? 'open ?`, `SELECT $1 'open ?`},
		"unterminated block": {`SELECT ? /* open ?`, `SELECT $1 /* open ?`},
		"quote at the end":   {`SELECT ?'`, `SELECT $1'`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := rebind(tc.in); got != tc.want {
				t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestOpenDatabaseChoosesTheDialectByItsArgument(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("a path is an SQLite file", func(t *testing.T) {
		t.Parallel()
		s := openDatabase(t, filepath.Join(t.TempDir(), "engage.db"))
		if s.dialect != sqliteDialect {
			t.Errorf("dialect = %s, want SQLite", s.dialect.name)
		}
	})
	t.Run("a postgres URL is PostgreSQL, in either spelling", func(t *testing.T) {
		t.Parallel()
		u := pgtest.NewDatabase(t)
		for _, spelling := range []string{u, "postgresql" + strings.TrimPrefix(u, "postgres")} {
			if s := openDatabase(t, spelling); s.dialect != postgresDialect {
				t.Errorf("%s: dialect = %s, want PostgreSQL", s.path, s.dialect.name)
			}
		}
	})
	t.Run("another URL is refused without being repeated", func(t *testing.T) {
		t.Parallel()
		_, err := OpenDatabase(ctx, "mysql://root:hunter2@db.example.com/engage")
		if err == nil || !strings.Contains(err.Error(), `unsupported database URL scheme "mysql"`) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("OpenDatabase(mysql://...) = %v; want a refusal naming the scheme, not the password", err)
		}
	})
	t.Run("PostgreSQL without a secret key is refused", func(t *testing.T) {
		t.Parallel()
		_, err := OpenDatabase(ctx, "postgres://engage:hunter2@127.0.0.1:1/engage")
		if !errors.Is(err, ErrSecretKeyRequired) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("got %v; want ErrSecretKeyRequired, without the password", err)
		}
	})
	t.Run("an unreachable server is named without its password", func(t *testing.T) {
		t.Parallel()
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err := OpenDatabase(cctx, "postgres://engage:hunter2@127.0.0.1:1/engage?connect_timeout=2", WithSecretKey(testSecretKey))
		if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "postgres://engage:xxxxx@127.0.0.1:1/engage") {
			t.Errorf("got %v; want an error naming the server with the password masked", err)
		}
	})
}

func TestAServerWithAnotherSecretKeyRefusesToStart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u := pgtest.NewDatabase(t)
	first := openDatabase(t, u)
	c := mustCreateCredential(t, first, "sftp_prod", canarySecret)

	other := bytes.Repeat([]byte{8}, SecretKeySize)
	if s, err := OpenDatabase(ctx, u, WithSecretKey(other)); !errors.Is(err, ErrSecretKeyMismatch) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("opening with another key: %v; want ErrSecretKeyMismatch", err)
	}
	// The same key, on a second server: it reads what the first sealed.
	assertSecret(t, openDatabase(t, u), c.ID, canarySecret, true)
}

func TestTwoServersStartingOnANewDatabaseShareOneKeyCheck(t *testing.T) {
	t.Parallel()
	u := pgtest.NewDatabase(t)
	keys := [][]byte{testSecretKey, bytes.Repeat([]byte{9}, SecretKeySize)}
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			s, err := OpenDatabase(t.Context(), u, WithSecretKey(keys[i%2]))
			if err == nil {
				_ = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	// Whichever key sealed the check first, every server with the other one
	// is refused, and nothing else fails.
	accepted := map[int]bool{}
	for i, err := range errs {
		switch {
		case err == nil:
			accepted[i%2] = true
		case !errors.Is(err, ErrSecretKeyMismatch):
			t.Errorf("server %d: %v", i, err)
		}
	}
	if len(accepted) != 1 {
		t.Errorf("servers accepted with keys %v; want those of exactly one key (errors %v)", accepted, errs)
	}
}

func TestServersMigratingANewDatabaseAtOnceApplyEachMigrationOnce(t *testing.T) {
	t.Parallel()
	u := pgtest.NewDatabase(t)
	stores := make([]*Store, 4)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i] = openDatabase(t, u) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if got := appliedMigrations(t, stores[0]); len(got) != len(migrations) {
		t.Errorf("schema_migrations = %v, want each migration recorded once", got)
	}
	page, err := stores[3].ListRoles(t.Context(), access.ListOptions{})
	if err != nil || len(page.Items) != 2 {
		t.Errorf("roles after racing opens: %d, %v; want the 2 system roles", len(page.Items), err)
	}
}

func TestSecretsAreEncryptedAtRestInPostgres(t *testing.T) {
	t.Parallel()
	s := openDatabase(t, pgtest.NewDatabase(t))
	c := mustCreateCredential(t, s, "sftp_prod", canarySecret)
	var sealed []byte
	if err := s.db.QueryRowContext(t.Context(), `SELECT secret FROM transfer_credentials WHERE id = ?`, c.ID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if len(sealed) == 0 || bytes.Contains(sealed, []byte(canarySecret)) {
		t.Fatalf("stored secret (%d bytes) is empty or holds the secret in clear", len(sealed))
	}
}

// The paging and ordering the store promises are byte order; the test
// cluster's default collation is not (see package pgtest), so this fails if
// a key column lacks COLLATE "C".
func TestListsAreInByteOrderWhateverTheServersCollation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		for _, c := range [][2]string{{"Zeta", "a"}, {"alpha", "B"}, {"alpha", "a"}, {"_x", "y"}} {
			mustCreateMaskingColumn(t, s, c[0], c[1], access.MaskFull)
		}
		var got []string
		opts := access.ListOptions{Limit: 1}
		for {
			page, err := s.ListMaskingColumns(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Items {
				got = append(got, c.Table+"/"+c.Column)
			}
			if page.NextPageToken == "" {
				break
			}
			opts.PageToken = page.NextPageToken
		}
		if want := []string{"Zeta/a", "_x/y", "alpha/B", "alpha/a"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("masking columns paged one by one: %v, want byte order %v", got, want)
		}
	})
}

func TestRetriesOfAbortedWritesEndInAContendedError(t *testing.T) {
	t.Parallel()
	s := &Store{dialect: postgresDialect, path: "postgres://engage:xxxxx@db/engage", busyTimeout: 50 * time.Millisecond}
	attempts := 0
	err := s.retryConflicts(t.Context(), time.Now(), func() error {
		attempts++
		return fmt.Errorf("committing: %w", &pgconn.PgError{Code: pgSerializationFailure})
	})
	var contended *ContendedError
	if !errors.As(err, &contended) || contended.Attempts != attempts || attempts < 3 || contended.Waited < 50*time.Millisecond {
		t.Fatalf("after %d attempts: %v; want a *ContendedError counting them, after the busy timeout", attempts, err)
	}
	if !strings.Contains(err.Error(), "postgres://engage:xxxxx@db/engage kept aborting this write") {
		t.Errorf("message %q does not name the database", err)
	}

	attempts = 0
	err = s.retryConflicts(t.Context(), time.Now(), func() error {
		if attempts++; attempts < 3 {
			return &pgconn.PgError{Code: pgDeadlockDetected}
		}
		return nil
	})
	if err != nil || attempts != 3 {
		t.Errorf("a write that succeeds on its third run: %v after %d runs", err, attempts)
	}
}

func TestConstraintViolationsAreConflicts(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err      error
		wantKind string
	}{
		"unique":      {&pgconn.PgError{Code: pgUniqueViolation, TableName: "roles", ConstraintName: "roles_name_key_key", Detail: "Key (name_key)=(ops) already exists."}, "role"},
		"foreign key": {&pgconn.PgError{Code: pgForeignKeyViolation, TableName: "users", ConstraintName: "users_role_id_fkey"}, "user"},
		"other table": {&pgconn.PgError{Code: pgUniqueViolation, TableName: "somewhere_else"}, "object"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := constraintError(fmt.Errorf("inserting: %w", tc.err))
			var conflict *access.ConflictError
			if !errors.As(err, &conflict) || conflict.Kind != tc.wantKind {
				t.Fatalf("got %v; want an *access.ConflictError of kind %q", err, tc.wantKind)
			}
			if strings.Contains(err.Error(), "already exists") {
				t.Errorf("the message quotes PostgreSQL's detail, which holds stored values: %v", err)
			}
		})
	}
	other := &pgconn.PgError{Code: "22001"}
	if err := constraintError(other); !errors.Is(err, other) {
		t.Errorf("another error became %v", err)
	}
}

func TestRedactURLMasksThePassword(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://engage:hunter2@db:5432/engage?sslmode=require": "postgres://engage:xxxxx@db:5432/engage?sslmode=require",
		"postgres://db/engage": "postgres://db/engage",
		"postgres://db/engage?sslmode=disable&password=hunter2&user=engage": "postgres://db/engage?password=xxxxx&sslmode=disable&user=engage",
		"postgres://db/engage?sslpassword=hunter2":                          "postgres://db/engage?sslpassword=xxxxx",
		"postgres://engage:%zz@db/engage":                                   "postgres://(unparsable URL)",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A server's pool to PostgreSQL is bounded: by default to twice its CPUs
// (more concurrent queries only compete for the database's cores), or as
// told by `serve --database-connections`.
func TestThePostgresPoolIsBounded(t *testing.T) {
	t.Parallel()
	u := pgtest.NewDatabase(t)
	if got, want := openDatabase(t, u).db.Stats().MaxOpenConnections, DefaultPostgresConnections(); got != want {
		t.Errorf("default pool: %d connections at most, want %d", got, want)
	}
	if got := openDatabase(t, u, WithPostgresConnections(3)).db.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("WithPostgresConnections(3): %d connections at most", got)
	}
	if DefaultPostgresConnections() < 4 {
		t.Errorf("DefaultPostgresConnections() = %d, want at least 4", DefaultPostgresConnections())
	}
}
