package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var _ access.Service = (*Store)(nil)

// DefaultBusyTimeout is how long a call waits while another process has the
// database locked before failing with a *LockedError: long enough to ride out
// the other process's writes, which take turns with ours (see gate.go), short
// enough not to look hung.
const DefaultBusyTimeout = 5 * time.Second

// maxOpenConns caps the pool. WAL lets readers run beside the one writer, but
// each connection carries its own page cache, and Terraform's default
// parallelism is 10.
const maxOpenConns = 8

// DefaultPostgresConnections is how many connections a Store keeps to a
// PostgreSQL database at most, unless WithPostgresConnections says
// otherwise: twice this process's CPUs, at least 4. More concurrent
// queries than that do not finish sooner: they wait in PostgreSQL, as
// processes competing for its cores, instead of waiting here for a
// connection, and every query's latency grows with them. Measured by
// `make bench-server` on 2 cores, one server and a tenant flooding it at
// its rate limit: the other tenant's p99 grew 2.0x with 4 connections,
// 6.2x with 16.
func DefaultPostgresConnections() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// memoryPath stands for the database in errors when there is no file.
const memoryPath = ":memory:"

// Store is access.Service over an embedded SQLite database or a PostgreSQL
// database. It is safe for concurrent use, also with other Stores and other
// processes on the same database.
type Store struct {
	// db serves reads (and, for an in-memory database or PostgreSQL, writes
	// too). In WAL mode readers neither wait for the writer nor block it.
	db *sql.DB
	// writer serves write transactions: for an SQLite file, one
	// connection, BEGIN IMMEDIATE.
	writer  *sql.DB
	dialect *dialect
	// path names the database in errors: the absolute file path,
	// memoryPath, or the PostgreSQL URL without its password.
	path        string
	busyTimeout time.Duration
	catalog     *access.Catalog
	// gate queues this process's writers to an SQLite file; nil for
	// PostgreSQL, where the database orders writers itself.
	gate      *writeGate
	closeGate func()
	secrets   *secretBox

	// answersRecorded counts the idempotent answers recorded, to purge the
	// old ones every so often (idempotency.go).
	answersRecorded atomic.Uint64

	closeOnce sync.Once
	closeErr  error
}

// Option changes how Open connects.
type Option func(*options)

type options struct {
	busyTimeout         time.Duration
	secretKey           []byte
	withoutSecrets      bool
	postgresConnections int
}

// newOptions applies opts to the defaults.
func newOptions(opts []Option) options {
	o := options{busyTimeout: DefaultBusyTimeout, postgresConnections: DefaultPostgresConnections()}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithSecretKey sets the AES-256 key (SecretKeySize bytes) that encrypts
// transfer credential secrets at rest. Without it the key lives in a file
// beside the database (KeyFilePath), created on first use.
func WithSecretKey(key []byte) Option {
	return func(o *options) { o.secretKey = key }
}

// WithoutSecrets opens a PostgreSQL database without its secret key, for
// the commands that never read or store a secret (tokens, the allowlist
// recovery): whoever can reach the database can run them, key or not.
// Reading or storing a transfer credential's secret then fails with
// ErrOpenedWithoutSecrets, and the key is not checked. An SQLite file keeps
// its key beside itself, so the option changes nothing there.
func WithoutSecrets() Option {
	return func(o *options) { o.withoutSecrets = true }
}

// WithPostgresConnections bounds the connections to a PostgreSQL database
// (DefaultPostgresConnections when n < 1); an SQLite file keeps its own
// bounds.
func WithPostgresConnections(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.postgresConnections = n
		}
	}
}

// KeyFilePath is where Open keeps the secret encryption key of the database
// at dbPath when no key is given.
func KeyFilePath(dbPath string) string { return dbPath + ".key" }

// WithBusyTimeout sets how long a call waits while the database is locked by
// another process, queueing behind this process's other writers included
// (default DefaultBusyTimeout). On PostgreSQL it bounds the retries of a
// write that concurrent writes keep aborting. Zero means fail at once;
// negative values count as zero.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = max(d, 0) }
}

// ErrSecretKeyRequired means a PostgreSQL database was opened without
// WithSecretKey. Several servers share such a database, so its key cannot
// be a file one of them makes: it must be given, the same to each.
var ErrSecretKeyRequired = errors.New("a PostgreSQL database needs its secret encryption key given explicitly " +
	"(the same 32-byte key on every server that opens it); it has no key file")

// OpenDatabase opens the database that database names: a postgres:// or
// postgresql:// URL opens PostgreSQL (WithSecretKey is then required); any
// other URL is refused; anything else is an SQLite file path, opened as by
// Open.
func OpenDatabase(ctx context.Context, database string, opts ...Option) (*Store, error) {
	if IsPostgresURL(database) {
		return openPostgres(ctx, database, opts...)
	}
	if m := urlScheme.FindStringSubmatch(database); m != nil {
		// Not the URL itself: it may carry a password.
		return nil, fmt.Errorf("unsupported database URL scheme %q: use a postgres:// URL or the path of an SQLite file", m[1])
	}
	return Open(ctx, database, opts...)
}

// openPostgres opens the PostgreSQL database at the URL dsn, brings its
// schema up to date, installs the system roles and checks the secret key
// against the one the database's secrets were sealed with.
func openPostgres(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := newOptions(opts)
	name := redactURL(dsn)
	var secrets *secretBox
	switch {
	case o.withoutSecrets:
		secrets = &secretBox{keyless: true}
	case o.secretKey == nil:
		return nil, fmt.Errorf("opening the PostgreSQL database %s: %w", name, ErrSecretKeyRequired)
	default:
		var err error
		if secrets, err = newSecretBox(o.secretKey, ""); err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL database %s: %w", name, err)
		}
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the URL without its password.
		return nil, fmt.Errorf("opening the PostgreSQL database %s: %w", name, err)
	}
	db := sql.OpenDB(postgresConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(o.postgresConnections)
	db.SetMaxIdleConns(o.postgresConnections)
	s := &Store{
		db:          db,
		writer:      db,
		dialect:     postgresDialect,
		path:        name,
		busyTimeout: o.busyTimeout,
		catalog:     access.DefaultCatalog(),
		closeGate:   func() {},
		secrets:     secrets,
	}
	if err := db.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("connecting to the PostgreSQL database %s: %w", name, err)
	}
	if err := s.init(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// redactURL returns the URL u with its password masked (in the user info
// or a query parameter), to name the
// database in messages and logs; a URL that does not parse is named by its
// scheme alone.
func redactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		if m := urlScheme.FindStringSubmatch(u); m != nil {
			return m[1] + "://(unparsable URL)"
		}
		return "(unparsable URL)"
	}
	// libpq also takes the password as a query parameter.
	if q := parsed.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, key := range []string{"password", "sslpassword"} {
			if q.Has(key) {
				q.Set(key, "xxxxx")
			}
		}
		parsed.RawQuery = q.Encode()
	}
	return parsed.Redacted()
}

// Open opens (creating if missing) the database file at path, brings its
// schema up to date and installs the catalog's system roles. The parent
// folder is created with mode 0700 and a new file gets mode 0600: the file
// will hold credentials, so only its owner should read it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := newOptions(opts)
	if path == "" {
		return nil, errors.New("opening embedded database: path is empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("opening embedded database at %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("opening embedded database at %s: creating its folder: %w", abs, err)
	}
	secrets, err := newSecretBox(o.secretKey, KeyFilePath(abs))
	if err != nil {
		return nil, fmt.Errorf("opening embedded database at %s: %w", abs, err)
	}
	gate, closeGate, err := claimFile(abs)
	if err != nil {
		return nil, fmt.Errorf("opening embedded database at %s: %w", abs, err)
	}
	// sql.Open only validates its arguments; connections open on first use.
	db, err := sql.Open("sqlite", fileDSN(abs, false))
	if err != nil {
		closeGate()
		return nil, fmt.Errorf("opening embedded database at %s: %w", abs, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	writer, err := sql.Open("sqlite", fileDSN(abs, true))
	if err != nil {
		_ = db.Close()
		closeGate()
		return nil, fmt.Errorf("opening embedded database at %s: %w", abs, err)
	}
	// The gate admits one writer at a time, so one connection suffices.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)

	s := &Store{
		db:          db,
		writer:      writer,
		dialect:     sqliteDialect,
		path:        abs,
		busyTimeout: o.busyTimeout,
		catalog:     access.DefaultCatalog(),
		gate:        gate,
		closeGate:   closeGate,
		secrets:     secrets,
	}
	if err := s.init(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// OpenMemory opens a fresh, private in-memory database, for tests. Each call
// gets its own database. Options apply as to Open; without WithSecretKey the
// key is random and dies with the database.
//
// ":memory:" gives every connection its own database, so the pool is pinned
// to one connection that never expires: a second connection would see an
// empty database, and a closed one would take the data with it. (A named
// shared-cache database would allow several connections, but shared cache
// locks tables, and a locked table fails at once instead of waiting.)
func OpenMemory(ctx context.Context, opts ...Option) (*Store, error) {
	o := newOptions(opts)
	secrets, err := newSecretBox(o.secretKey, "") // without a key, a random one that dies with the database
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", memoryDSN())
	if err != nil {
		return nil, fmt.Errorf("opening in-memory database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)

	s := &Store{
		db:          db,
		writer:      db,
		dialect:     sqliteDialect,
		path:        memoryPath,
		busyTimeout: o.busyTimeout,
		catalog:     access.DefaultCatalog(),
		gate:        newWriteGate(false),
		closeGate:   func() {},
		secrets:     secrets,
	}
	if err := s.init(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var werr error
		if s.writer != s.db {
			werr = s.writer.Close()
		}
		s.closeErr = errors.Join(werr, s.db.Close())
		s.closeGate()
	})
	return s.closeErr
}

// init migrates the schema, installs the system roles and, on PostgreSQL,
// checks the secret key.
func (s *Store) init(ctx context.Context) error {
	err := s.migrate(ctx)
	if err == nil {
		err = s.syncSystemRoles(ctx)
	}
	if err == nil && s.dialect == postgresDialect && !s.secrets.keyless {
		err = s.checkSecretKey(ctx)
	}
	var locked *LockedError
	var contended *ContendedError
	if err != nil && !errors.As(err, &locked) && !errors.As(err, &contended) {
		// Those two already name the database and say what happened.
		err = fmt.Errorf("opening %s: %w", s.describe(), err)
	}
	return err
}

// Location names the database: the SQLite file's absolute path, or the
// PostgreSQL URL with its password masked. It is safe to log.
func (s *Store) Location() string { return s.path }

// describe names the database in messages.
func (s *Store) describe() string {
	if s.dialect == postgresDialect {
		return "the PostgreSQL database " + s.path
	}
	return "embedded database at " + s.path
}

// fileDSN builds the driver's connection string for the file at abs.
//
// A "file:" URI rather than a plain path: the driver cuts a plain path at the
// first '?', while a URI carries any path, percent-encoded. The underscore
// parameters are modernc.org/sqlite's own, applied to every connection the
// pool opens:
//   - _busy_timeout=0: SQLite's busy handler stays off, and the Store waits
//     for a locked database itself (retryWhileLocked), because the handler
//     is unfair between processes (see gate.go). The driver applies this
//     first, before the journal_mode change below.
//   - _foreign_keys=1: SQLite leaves foreign keys off per connection.
//   - _journal_mode=WAL: readers never block the writer nor wait for it,
//     which matters when two provider processes share the file. synchronous
//     stays FULL (the default): a commit is on disk before Terraform records
//     it in state.
//   - _txlock=immediate (writer only): BeginTx sends BEGIN IMMEDIATE, so a
//     write transaction takes the write lock up front, where waiting for it
//     is safe, instead of failing with SQLITE_BUSY when a read turns into a
//     write midway. (Read-only transactions would still begin DEFERRED.)
func fileDSN(abs string, writer bool) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path: file:///C:/...
	}
	q := url.Values{}
	q.Set("_busy_timeout", "0")
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	if writer {
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// memoryDSN is fileDSN's counterpart for OpenMemory. A private in-memory
// database has no other writer, so it needs neither WAL nor a busy timeout.
func memoryDSN() string {
	return memoryPath + "?_foreign_keys=1&_txlock=immediate"
}

// createPrivateFile creates an empty file at path with mode 0600 unless it
// exists. SQLite treats an empty file as an empty database and gives its
// -wal and -shm files the database file's mode, so this keeps all three
// private; left to itself SQLite would create them world-readable.
func createPrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil // O_EXCL failed before opening: no descriptor to close
	}
	if err != nil {
		return fmt.Errorf("creating the database file: %w", err)
	}
	return f.Close()
}

// querier is what *sql.DB and *sql.Tx have in common, so that a read helper
// serves both a Service read and the reads inside a write transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read runs fn against the reader pool. Reads take no write lock: in WAL
// mode they see the last committed state while a writer works. They can
// still find the file locked for a moment (while another process converts a
// new file to WAL or recovers the WAL), so they wait like writes do; fn may
// run more than once.
func (s *Store) read(ctx context.Context, fn func(q querier) error) error {
	start := time.Now()
	return s.retryWhileLocked(ctx, start, func() error { return fn(s.db) })
}

// write runs fn in one write transaction and commits it if fn returns nil.
// fn may run more than once; each run starts from a rolled-back state.
//
// On SQLite the transaction is BEGIN IMMEDIATE, and the whole wait for the
// database, at this process's gate and then for SQLite's write lock, is
// bounded by the busy timeout. On PostgreSQL it is SERIALIZABLE, and a run
// that PostgreSQL aborts for a concurrent transaction is retried, for up to
// the busy timeout.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.writeWith(ctx, s.dialect.writeTx, fn)
}

func (s *Store) writeWith(ctx context.Context, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	start := time.Now()
	release := func() {}
	if s.gate != nil {
		if err := s.gate.enter(ctx, start.Add(s.busyTimeout)); err != nil {
			if errors.Is(err, errGateTimeout) {
				return &LockedError{Path: s.path, Waited: time.Since(start)}
			}
			return fmt.Errorf("waiting for the embedded database at %s: %w", s.path, err)
		}
		release = s.gate.leave
	}
	// A write deferred to its idempotent answer (idempotency.go) keeps this
	// process's gate until it is committed or rolled back.
	deferred := false
	defer func() {
		if !deferred {
			release()
		}
	}()
	attempt := func() error {
		var err error
		deferred, err = s.writeOnce(ctx, opts, fn, release)
		return err
	}
	if s.gate == nil {
		return s.retryConflicts(ctx, start, attempt)
	}
	return s.retryWhileLocked(ctx, start, attempt)
}

// writeOnce runs fn in a transaction and commits it, unless ctx carries an
// access.IdempotentWrite that takes the commit (deferred is then true, and
// release runs once the IdempotentWrite commits or aborts).
func (s *Store) writeOnce(ctx context.Context, opts *sql.TxOptions, fn func(tx *sql.Tx) error, release func()) (deferred bool, err error) {
	tx, err := s.writer.BeginTx(ctx, opts)
	if err != nil {
		return false, fmt.Errorf("beginning a write transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // fn's error says what went wrong
		return false, err
	}
	if w := access.IdempotentWriteFrom(ctx); w != nil {
		var once sync.Once
		end := func() { once.Do(release) }
		commit := func(ctx context.Context, a access.WriteAnswer) error {
			err := s.commitWithAnswer(ctx, tx, w, a)
			end()
			if err == nil {
				// After end: the purge is a write of its own, and must not
				// wait at the gate this write held.
				s.purgeAnswersNowAndThen()
			}
			return err
		}
		abort := func() {
			defer end()
			_ = tx.Rollback()
		}
		if w.Defer(commit, abort) {
			return true, nil
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("committing: %w", err)
	}
	return false, nil
}

// retryWhileLocked runs attempt until it does not fail with SQLITE_BUSY,
// every writerPoll, until the busy timeout (counted from start) runs out;
// then it returns a *LockedError. SQLite's own busy handler is off (see
// fileDSN and gate.go): waiting here is fair between processes and ends as
// soon as ctx does.
func (s *Store) retryWhileLocked(ctx context.Context, start time.Time, attempt func() error) error {
	deadline := start.Add(s.busyTimeout)
	for {
		err := attempt()
		if err == nil || !isBusy(err) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for the embedded database at %s: %w", s.path, ctx.Err())
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return &LockedError{Path: s.path, Waited: time.Since(start), Err: err}
		}
		if err := sleep(ctx, min(writerPoll, remaining)); err != nil {
			return fmt.Errorf("waiting for the embedded database at %s: %w", s.path, err)
		}
	}
}

// retryConflicts runs attempt until PostgreSQL stops aborting it as a
// serialization failure or deadlock, with a growing, jittered pause between
// runs so that the transactions that collided do not collide again, until
// the busy timeout (counted from start) runs out; then it returns a
// *ContendedError. Any other error, a constraint violation included, is
// final: it is what the rules say (see constraintError).
func (s *Store) retryConflicts(ctx context.Context, start time.Time, attempt func() error) error {
	deadline := start.Add(s.busyTimeout)
	pause := time.Millisecond
	for attempts := 1; ; attempts++ {
		err := attempt()
		if err == nil {
			return nil
		}
		if !isSerializationFailure(err) {
			return constraintError(err)
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return &ContendedError{Database: s.path, Attempts: attempts, Waited: time.Since(start), Err: err}
		}
		jittered := pause/2 + time.Duration(mathrand.Int64N(int64(pause)))
		if err := sleep(ctx, min(jittered, remaining)); err != nil {
			return fmt.Errorf("retrying a write to %s: %w", s.describe(), err)
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newID returns prefix followed by 16 random hex digits (64 bits): unique
// without coordination between processes sharing the file.
func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails; see crypto/rand.Read
	return prefix + hex.EncodeToString(b[:])
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction. Unlike
// time.RFC3339Nano it keeps trailing zeros, so stored timestamps sort as text;
// time.RFC3339Nano still parses it.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

// WhoAmI describes the caller. The embedded backend has no network and no
// token, so there is no client address to protect from lockout.
func (s *Store) WhoAmI(context.Context) (access.Caller, error) {
	return access.Caller{TokenName: "embedded"}, nil
}
