package store

import (
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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

// isBusy reports whether err is SQLite's SQLITE_BUSY in any of its extended
// forms (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT): the primary result code
// is the low byte.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
