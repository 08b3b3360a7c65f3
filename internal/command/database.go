package command

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// EnvSecretKey holds the server's secret encryption key, the alternative to
// --secret-key-file (which wins when both are given).
const EnvSecretKey = "ENGAGE_SECRET_KEY"

// databaseHelp is the part of every database command's --help that says
// what --database takes and where the secret key comes from.
const databaseHelp = `The database is an SQLite file (the default; serve and token create make it
if missing, the other commands refuse a file that does not exist) or a
PostgreSQL URL, postgres://USER@HOST:PORT/DBNAME?sslmode=verify-full, which
several servers may share; keep the password out of the URL, where process
listings show it: PGPASSWORD or ~/.pgpass supply it.

Transfer credential secrets are encrypted with a 32-byte key. An SQLite
database keeps it in a file beside itself (DATABASE.key) unless a key is
given. A server on PostgreSQL needs it given, the same on every server of
one database (token and admin commands do not: they touch no secret):
--secret-key-file FILE or ` + EnvSecretKey + `, 32 random bytes in base64, for
example from 'head -c 32 /dev/urandom | base64'. A server given another key
than the one the database's secrets were sealed with refuses to start.
`

// databaseFlags are the flags of every command that opens the server's
// database.
type databaseFlags struct {
	database, secretKeyFile string
}

func (f *databaseFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.database, "database", DefaultDatabase, "SQLite file or postgres:// URL of the server's database")
	fs.StringVar(&f.secretKeyFile, "secret-key-file", "", "file holding the secret encryption key in base64 (serve on PostgreSQL needs it, or "+EnvSecretKey+")")
}

// open opens the database with the secret key from the flag or the
// environment, creating an SQLite file that does not exist (serve). Its
// errors are the messages the commands print: this is where a missing or
// malformed key is explained.
func (f databaseFlags) open(ctx context.Context, opts ...store.Option) (*store.Store, error) {
	if libpqKeywords.MatchString(f.database) {
		// Not quoted: it may hold a password.
		return nil, errors.New("--database looks like a libpq connection string (host=... dbname=...); give a URL: postgres://USER@HOST:PORT/DBNAME")
	}
	key, err := f.secretKey()
	if err != nil {
		return nil, err
	}
	if key != nil {
		opts = append(opts, store.WithSecretKey(key))
	}
	st, err := store.OpenDatabase(ctx, f.database, opts...)
	switch {
	case errors.Is(err, store.ErrSecretKeyRequired):
		return nil, fmt.Errorf("%w: give it with --secret-key-file FILE or %s (32 random bytes in base64, e.g. from 'head -c 32 /dev/urandom | base64')",
			err, EnvSecretKey)
	case errors.Is(err, store.ErrSecretKeyMismatch):
		return nil, fmt.Errorf("%w: check --secret-key-file or %s", err, EnvSecretKey)
	}
	return st, err
}

// libpqKeywords spots a libpq keyword/value connection string, which would
// otherwise be taken for the path of a new SQLite file, named after it,
// password included.
var libpqKeywords = regexp.MustCompile(`(^|\s)(host|hostaddr|dbname|user|password|port|sslmode)=`)

// openExisting opens the database of a command that works on an existing
// server's database (token, admin): an SQLite file that does not exist is
// an error, not a new empty database quietly answering "nothing here", and
// no secret key is needed, since these commands touch no secret.
func (f databaseFlags) openExisting(ctx context.Context) (*store.Store, error) {
	if !store.IsPostgresURL(f.database) && !libpqKeywords.MatchString(f.database) {
		if _, err := os.Stat(f.database); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: give --database the server's database, as serve was given it "+
				"(serve's default is %s, relative to the directory serve runs in)", f.database, DefaultDatabase)
		}
	}
	return f.open(ctx, store.WithoutSecrets())
}

// openMaking opens the database of a command that may be the first to use
// it (token create), without its secret key like openExisting, and tells
// stderr when it made a new SQLite file: a mistyped --database then shows
// at once, not as a token every server refuses.
func (f databaseFlags) openMaking(ctx context.Context, command string, stderr io.Writer) (*store.Store, error) {
	isNew := false
	if !store.IsPostgresURL(f.database) {
		_, err := os.Stat(f.database)
		isNew = errors.Is(err, fs.ErrNotExist)
	}
	st, err := f.open(ctx, store.WithoutSecrets())
	if err == nil && isNew {
		fmt.Fprintf(stderr, "%s: made a new database at %s; give serve the same --database\n", command, f.database)
	}
	return st, err
}

// secretKey reads the key from --secret-key-file, else EnvSecretKey; nil
// when neither is set. Errors describe the value's shape, never the value.
func (f databaseFlags) secretKey() ([]byte, error) {
	what, text := "", ""
	switch {
	case f.secretKeyFile != "":
		b, err := readSmallFile(f.secretKeyFile)
		if err != nil {
			return nil, fmt.Errorf("reading the secret key file: %w", err)
		}
		what, text = "the secret key file "+f.secretKeyFile, string(b)
	case os.Getenv(EnvSecretKey) != "":
		what, text = EnvSecretKey, os.Getenv(EnvSecretKey)
	default:
		return nil, nil
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(key) != store.SecretKeySize {
		return nil, fmt.Errorf("%s must hold %d random bytes in standard base64 (e.g. from 'head -c %d /dev/urandom | base64')",
			what, store.SecretKeySize, store.SecretKeySize)
	}
	return key, nil
}

// newFlagSet returns the flag set of a command whose --help prints usage,
// then the flags.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return fs
}

// readSmallFile reads at most a few KiB: a key file is 45 bytes, and a
// wrong path should not read a disk image into memory.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 4096))
}
