package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// LockedError means another writer held the database longer than the busy
// timeout: in practice another Terraform run (another process) writing to the
// same file.
type LockedError struct {
	Path   string        // the database file
	Waited time.Duration // how long the call waited before giving up
	// Err is SQLite's last "database is locked" error, for debugging; the
	// message leaves it out because it says nothing the message does not.
	Err error
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("the embedded database at %s is locked by another process: gave up after waiting %s for it; "+
		"let the other Terraform run finish and try again, or raise the busy timeout",
		e.Path, e.Waited.Round(time.Millisecond))
}

// Unwrap returns the SQLite error, if any.
func (e *LockedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, access.ErrUnavailable) true: nothing was written,
// and a retry may find the database free.
func (e *LockedError) Is(target error) bool { return target == access.ErrUnavailable }

// isBusy reports whether err is SQLite's SQLITE_BUSY in any of its extended
// forms (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT): the primary result code
// is the low byte.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// ContendedError means PostgreSQL kept aborting a write because of
// concurrent transactions on the same rows, for longer than the busy
// timeout. Each abort is retried; this is what is left when the retries run
// out, which takes sustained contention on the same objects.
type ContendedError struct {
	Database string        // the database's URL, without its password
	Attempts int           // how many times the write ran
	Waited   time.Duration // from the first attempt to giving up
	// Err is PostgreSQL's last error, for debugging.
	Err error
}

func (e *ContendedError) Error() string {
	return fmt.Sprintf("the PostgreSQL database %s kept aborting this write for concurrent writes to the same objects: "+
		"gave up after %d attempts in %s; try again", e.Database, e.Attempts, e.Waited.Round(time.Millisecond))
}

// Unwrap returns PostgreSQL's error.
func (e *ContendedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, access.ErrUnavailable) true: nothing was written,
// and a retry may not collide again.
func (e *ContendedError) Is(target error) bool { return target == access.ErrUnavailable }

// kindOfTable names what a table holds, as the access errors name it.
var kindOfTable = map[string]string{
	"roles":                "role",
	"users":                "user",
	"user_sessions":        "user",
	"masking_columns":      maskingColumnKind,
	"ip_allowlists":        ipAllowlistKind,
	"ip_allowlist_entries": ipAllowlistKind,
	"transfer_credentials": "transfer credential",
	"export_destinations":  "export destination",
	"api_tokens":           "API token",
}

// constraintError turns a PostgreSQL unique or foreign key violation into
// the access error the store's own checks give for the same situation: a
// conflict. The checks run first in every write, and a SERIALIZABLE
// transaction that another one invalidated is aborted as a serialization
// failure and retried, so the checks name the other object; the
// constraints are the backstop, and this keeps even the backstop typed.
// The message leaves PostgreSQL's detail out: it quotes stored values.
// Other errors are returned as they are.
func constraintError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	kind := kindOfTable[pe.TableName]
	if kind == "" {
		kind = "object"
	}
	switch pe.Code {
	case pgUniqueViolation:
		return &access.ConflictError{Kind: kind, Reason: fmt.Sprintf(
			"another %s written at the same time holds the same unique value (%s); read it and try again", kind, pe.ConstraintName)}
	case pgForeignKeyViolation:
		return &access.ConflictError{Kind: kind, Reason: fmt.Sprintf(
			"an object it refers to, or that refers to it, changed at the same time (%s); read them and try again", pe.ConstraintName)}
	}
	return err
}
