// Package pgtest gives tests real PostgreSQL databases: one private cluster
// per test binary, started on first use and stopped when the binary's tests
// end, and a new, empty database in it for every test that asks (see
// NewDatabase), so tests run in parallel without seeing each other's rows.
//
// With ENGAGE_TEST_POSTGRES_URL set (the URL of a database on which the
// role may CREATE SCHEMA) the tests use that database instead and start
// nothing.
// Without it the cluster needs the PostgreSQL server binaries (initdb,
// postgres); when neither is possible the tests that need a database fail,
// saying how to get one: the PostgreSQL dialect is part of what the tests
// prove, so its tests do not skip.
//
// A package's tests use it through TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names a server to use instead of a private cluster.
const EnvURL = "ENGAGE_TEST_POSTGRES_URL"

// shared is the test binary's server: started on first use by NewDatabase,
// stopped by Main.
var shared struct {
	once    sync.Once
	mainRan atomic.Bool
	cluster *Cluster // nil when EnvURL is used
	url     string   // the admin URL databases are created through
	err     error
	seq     atomic.Int64
}

// Main runs the tests, then stops the cluster if a test started one. Use it
// from TestMain: a package that calls NewDatabase without it would leave its
// cluster running until the binary exits.
func Main(m *testing.M) int {
	shared.mainRan.Store(true)
	code := m.Run()
	if c := shared.cluster; c != nil {
		if testing.Verbose() {
			fmt.Fprintf(os.Stderr, "pgtest: %s started in %s\n", c.Version, c.StartTime.Round(time.Millisecond))
		}
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the cluster: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Server returns the admin URL of the test binary's server, starting the
// private cluster on first use. It fails t when there is no server to be had.
func Server(t testing.TB) string {
	t.Helper()
	if !shared.mainRan.Load() {
		t.Fatal("pgtest: this package has no TestMain calling pgtest.Main, which stops the cluster when the tests end")
	}
	shared.once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			shared.url = u
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.cluster, shared.err = Start(ctx)
		if shared.err == nil {
			shared.url = shared.cluster.URL
		}
	})
	if shared.err != nil {
		t.Fatalf("pgtest: no PostgreSQL server for the tests: %v\n\n%s", shared.err, howToGetOne)
	}
	return shared.url
}

const howToGetOne = `The PostgreSQL tests need either
  - the PostgreSQL server binaries, to start a private cluster: initdb and postgres under
    /usr/lib/postgresql/<version>/bin (Debian: apt-get install postgresql), on PATH, or in
    the folder named by ENGAGE_POSTGRES_BIN; as root, also a user named postgres to run them; or
  - a server of your own: ENGAGE_TEST_POSTGRES_URL=postgres://user:password@host:5432/dbname
    naming a role that may CREATE SCHEMA there (each test gets its own schema, dropped after it).`

// NewDatabase returns the URL of a new, empty database for t, dropped when
// t ends (after t's later Cleanup functions, such as closing a store opened
// on it).
//
// It is a schema of its own in the server's database, named by the URL's
// search_path, rather than a database of its own: the tables a test creates
// without a schema name land in it and meet no other test's, and creating a
// schema takes milliseconds where CREATE DATABASE takes a third of a second
// on our machines, for each of hundreds of tests. Tests share what is
// per database: advisory locks, which only serialize their migrations.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := Server(t)
	name := fmt.Sprintf("t%d_%s", shared.seq.Add(1), randomHex(4))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := adminExec(ctx, admin, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("pgtest: creating schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := adminExec(ctx, admin, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal("pgtest: the server URL does not parse") // the URL may hold a password
	}
	q := u.Query()
	q.Set("search_path", name) // pgx sends it as a run-time parameter of every session
	u.RawQuery = q.Encode()
	return u.String()
}

// adminExec runs one statement on its own connection, so that none stays
// open on the server between tests.
func adminExec(ctx context.Context, admin, statement string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connecting to the test server: %w", redact(err, admin))
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, statement)
	return err
}

// redact removes the URL's password from err's text.
func redact(err error, u string) error {
	parsed, perr := url.Parse(u)
	if perr != nil || parsed.User == nil {
		return err
	}
	if pw, ok := parsed.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}
