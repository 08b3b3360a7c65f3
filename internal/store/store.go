package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

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

// memoryPath stands for the database in errors when there is no file.
const memoryPath = ":memory:"

// Store is access.Service over an embedded SQLite database. It is safe for
// concurrent use, also with other Stores and other processes on the same file.
type Store struct {
	// db serves reads (and, for an in-memory database, writes too). In WAL
	// mode readers neither wait for the writer nor block it.
	db *sql.DB
	// writer serves write transactions: one connection, BEGIN IMMEDIATE.
	writer      *sql.DB
	path        string // absolute file path, or memoryPath
	busyTimeout time.Duration
	catalog     *access.Catalog
	gate        *writeGate
	closeGate   func()
	secrets     *secretBox

	closeOnce sync.Once
	closeErr  error
}

// Option changes how Open connects.
type Option func(*options)

type options struct {
	busyTimeout time.Duration
	secretKey   []byte
}

// WithSecretKey sets the AES-256 key (SecretKeySize bytes) that encrypts
// transfer credential secrets at rest. Without it the key lives in a file
// beside the database (KeyFilePath), created on first use.
func WithSecretKey(key []byte) Option {
	return func(o *options) { o.secretKey = key }
}

// KeyFilePath is where Open keeps the secret encryption key of the database
// at dbPath when no key is given.
func KeyFilePath(dbPath string) string { return dbPath + ".key" }

// WithBusyTimeout sets how long a call waits while the database is locked by
// another process, queueing behind this process's other writers included
// (default DefaultBusyTimeout). Zero means fail at once; negative values
// count as zero.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = max(d, 0) }
}

// Open opens (creating if missing) the database file at path, brings its
// schema up to date and installs the catalog's system roles. The parent
// folder is created with mode 0700 and a new file gets mode 0600: the file
// will hold credentials, so only its owner should read it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{busyTimeout: DefaultBusyTimeout}
	for _, opt := range opts {
		opt(&o)
	}
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
// gets its own database.
//
// ":memory:" gives every connection its own database, so the pool is pinned
// to one connection that never expires: a second connection would see an
// empty database, and a closed one would take the data with it. (A named
// shared-cache database would allow several connections, but shared cache
// locks tables, and a locked table fails at once instead of waiting.)
func OpenMemory(ctx context.Context) (*Store, error) {
	secrets, err := newSecretBox(nil, "") // a random key that dies with the database
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
		path:        memoryPath,
		busyTimeout: DefaultBusyTimeout,
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

// init migrates the schema and installs the system roles.
func (s *Store) init(ctx context.Context) error {
	err := s.migrate(ctx)
	if err == nil {
		err = s.syncSystemRoles(ctx)
	}
	var locked *LockedError
	if err != nil && !errors.As(err, &locked) {
		// A LockedError already names the file and says what happened.
		err = fmt.Errorf("opening embedded database at %s: %w", s.path, err)
	}
	return err
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

// write runs fn in one BEGIN IMMEDIATE transaction and commits it if fn
// returns nil. The whole wait for the database, at this process's gate and
// then for SQLite's write lock, is bounded by the busy timeout. fn may run
// more than once; each run starts from a rolled-back state.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	start := time.Now()
	if err := s.gate.enter(ctx, start.Add(s.busyTimeout)); err != nil {
		if errors.Is(err, errGateTimeout) {
			return &LockedError{Path: s.path, Waited: time.Since(start)}
		}
		return fmt.Errorf("waiting for the embedded database at %s: %w", s.path, err)
	}
	defer s.gate.leave()
	return s.retryWhileLocked(ctx, start, func() error { return s.writeOnce(ctx, fn) })
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning a write transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // fn's error says what went wrong
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
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
