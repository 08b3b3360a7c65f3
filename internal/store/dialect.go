package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// dialect is what differs between the two databases the store runs on. The
// queries are one set, written in the SQL both accept (placeholders are ?,
// rewritten to $n for PostgreSQL by postgresConn); what cannot be shared is
// here, so every difference is in one place.
type dialect struct {
	// name names the database in messages.
	name string
	// migrationsDir holds this dialect's numbered migrations, in
	// migrationFiles.
	migrationsDir string
	// createSchemaMigrations creates the table recording the migrations,
	// outside the numbered migrations because it records them.
	createSchemaMigrations string
	// countSchemaMigrations counts tables named schema_migrations: 0 on a
	// new database.
	countSchemaMigrations string
	// lockMigrations, when not empty, runs first in every migration's
	// transaction and holds other processes' migrations off until it ends.
	lockMigrations string
	// writeTx and snapshotTx are the options of write transactions and
	// of multi-query reads. lockingTx is for writes whose correctness
	// rests on locks rather than on serializability (migrations, behind an
	// advisory lock): they wait for a lock instead of being aborted for it.
	writeTx, snapshotTx, lockingTx *sql.TxOptions
}

// sqliteDialect: writes are serialized by SQLite's write lock (BEGIN
// IMMEDIATE, see fileDSN) and by the per-file gate, so every transaction
// takes the default options.
var sqliteDialect = &dialect{
	name:          "SQLite",
	migrationsDir: "migrations/sqlite",
	createSchemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at TEXT    NOT NULL
) STRICT`,
	countSchemaMigrations: `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`,
}

// postgresDialect: writers on several servers share the database, and no
// process-local lock can order them. Write transactions are SERIALIZABLE,
// so a call's checks (the name is free, the version matches, the role
// exists) and its writes act as if no other call ran at the same time, as
// SQLite's single writer guarantees; PostgreSQL aborts the transaction that
// would break that (40001) and write retries it (see retryConflicts).
// Migrations are the exception: they run READ COMMITTED behind an advisory
// lock, so that a server that waited for another's migration sees it
// committed once it has the lock (a serializable snapshot, taken when the
// lock statement starts, would not).
var postgresDialect = &dialect{
	name:          "PostgreSQL",
	migrationsDir: "migrations/postgres",
	createSchemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at TEXT    NOT NULL
)`,
	countSchemaMigrations: `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'`,
	// Advisory locks are per database; the key names the schema the
	// tables are in, so that deployments in two schemas of one database
	// (or tests, see package pgtest) do not wait for each other.
	lockMigrations: `SELECT pg_advisory_xact_lock(hashtextextended('engage schema migrations in ' || current_schema(), 0))`,
	writeTx:        &sql.TxOptions{Isolation: sql.LevelSerializable},
	snapshotTx:     &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	lockingTx:      &sql.TxOptions{Isolation: sql.LevelReadCommitted},
}

// PostgreSQL error codes the store acts on
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
)

// pgErrorCode returns the SQLSTATE of a PostgreSQL error in err's chain, or
// "".
func pgErrorCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isSerializationFailure reports whether err means PostgreSQL aborted the
// transaction because of concurrent ones, so that running it again can
// succeed.
func isSerializationFailure(err error) bool {
	switch pgErrorCode(err) {
	case pgSerializationFailure, pgDeadlockDetected:
		return true
	}
	return false
}

// postgresConnector opens pgx connections whose queries are rebound (see
// postgresConn).
type postgresConnector struct{ driver.Connector }

func (c postgresConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(*stdlib.Conn)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("the pgx connector returned an unexpected connection type")
	}
	return postgresConn{pc}, nil
}

// postgresConn is a pgx connection that takes the store's ? placeholders:
// the methods that receive query text rewrite it with rebind; the others
// (transactions, pings, session resets, argument checks) are pgx's own.
type postgresConn struct{ *stdlib.Conn }

func (c postgresConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c postgresConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c postgresConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c postgresConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// rebound caches rebind's results: the store's queries are a fixed set of
// constants, and rewriting each on every call would be waste.
var rebound sync.Map // query string -> rebound string

// rebind rewrites the ? placeholders of query as $1, $2, ... in order,
// leaving alone question marks inside string literals, quoted identifiers
// and comments.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if r, ok := rebound.Load(query); ok {
		return r.(string) //nolint:forcetypeassert // only strings are stored
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case ch == '\'' || ch == '"':
			end := strings.IndexByte(query[i+1:], ch)
			if end < 0 {
				end = len(query) - i - 2 // unterminated: copy the rest
			}
			// A doubled quote inside a literal ends one scan and starts
			// the next at once, which copies it the same way.
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case ch == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case ch == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				end = len(query) - i - 4
			}
			b.WriteString(query[i : i+end+4])
			i += end + 3
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	r := b.String()
	rebound.Store(query, r)
	return r
}

// urlScheme matches the scheme of a URL: what tells a database URL from a
// file path.
var urlScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// IsPostgresURL reports whether database names a PostgreSQL database
// (postgres:// or postgresql://) rather than an SQLite file.
func IsPostgresURL(database string) bool {
	m := urlScheme.FindStringSubmatch(database)
	if m == nil {
		return false
	}
	s := strings.ToLower(m[1])
	return s == "postgres" || s == "postgresql"
}
