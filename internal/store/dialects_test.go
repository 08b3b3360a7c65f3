package store

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
)

// The PostgreSQL tests share one private cluster per test binary (see
// package pgtest); each test gets a database of its own.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testSecretKey is the secret key of the PostgreSQL test databases, which
// have no key file.
var testSecretKey = bytes.Repeat([]byte{7}, SecretKeySize)

// testDialect is one database the service tests run on.
type testDialect struct {
	name    string
	dialect *dialect
	// newStore opens a new, empty database, closed when t ends.
	newStore func(t *testing.T) *Store
	// newDatabase returns where a new, empty database is, for tests that
	// open it more than once (openDatabase).
	newDatabase func(t *testing.T) string
	// newRawDB opens a new, empty database without migrating it, for
	// migration tests; closed when t ends.
	newRawDB func(t *testing.T) *sql.DB
}

// testDialects lists the databases every platform rule is tested on: the
// rules must behave identically on both.
var testDialects = []testDialect{
	{
		name:        "sqlite",
		dialect:     sqliteDialect,
		newStore:    newMemoryStore,
		newDatabase: func(t *testing.T) string { return filepath.Join(t.TempDir(), "engage.db") },
		newRawDB: func(t *testing.T) *sql.DB {
			db, err := sql.Open("sqlite", memoryDSN())
			if err != nil {
				t.Fatal(err)
			}
			db.SetMaxOpenConns(1) // one connection holds the in-memory database
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
	},
	{
		name:        "postgres",
		dialect:     postgresDialect,
		newStore:    func(t *testing.T) *Store { return openDatabase(t, pgtest.NewDatabase(t)) },
		newDatabase: func(t *testing.T) string { return pgtest.NewDatabase(t) },
		newRawDB: func(t *testing.T) *sql.DB {
			cfg, err := pgx.ParseConfig(pgtest.NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			db := sql.OpenDB(postgresConnector{stdlib.GetConnector(*cfg)})
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
	},
}

// forEachDialect runs test on a new, empty store of each dialect, as
// parallel subtests named after the dialect.
func forEachDialect(t *testing.T, test func(t *testing.T, s *Store)) {
	t.Helper()
	forEachTestDialect(t, func(t *testing.T, d testDialect) { test(t, d.newStore(t)) })
}

// forEachTestDialect runs test once per dialect, as parallel subtests, for
// tests that open their stores themselves.
func forEachTestDialect(t *testing.T, test func(t *testing.T, d testDialect)) {
	t.Helper()
	for _, d := range testDialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			test(t, d)
		})
	}
}

// openDatabase opens database (a file path or a PostgreSQL URL) as the
// server would, with the test key on PostgreSQL, and closes it when t ends.
func openDatabase(t *testing.T, database string, opts ...Option) *Store {
	t.Helper()
	if IsPostgresURL(database) {
		opts = append([]Option{WithSecretKey(testSecretKey)}, opts...)
	}
	s, err := OpenDatabase(t.Context(), database, opts...)
	if err != nil {
		t.Fatalf("OpenDatabase: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
