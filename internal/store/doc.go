// Package store owns the platform's state: access.Service over an embedded
// SQLite database file (modernc.org/sqlite, pure Go, so release builds
// cross-compile without cgo), or over a PostgreSQL database (jackc/pgx) for
// the reference server when several replicas share one platform.
//
// It owns the database and everything about it: the connection settings
// (for SQLite: WAL journal, busy timeout, foreign keys, BEGIN IMMEDIATE for
// writes), the numbered schema migrations of each dialect, the seeding of
// the platform's system roles from the embedded permission catalog, and the
// enforcement of every platform rule that needs stored state (uniqueness,
// read-only system roles, roles still held by users, optimistic versions).
// Pure rules (validation, permission closure) come from package access, so
// the embedded backend and the REST server, which serves a Store, behave
// identically.
//
// The two dialects share one set of queries and one code path; dialect.go
// holds what differs. OpenDatabase picks the dialect from its argument: a
// postgres:// URL or a file path.
//
// Terraform starts one provider process per provider block, so several
// processes may open one SQLite file at once. Writers within a process queue
// on a per-file gate, so that one of them at a time competes for SQLite's
// write lock; processes take turns at it (gate.go says why not SQLite's busy
// handler), and a call that waits longer than the busy timeout gets a
// *LockedError saying which file is locked and for how long it waited.
//
// Several servers may share one PostgreSQL database, and nothing in one
// process can order another's writes: every write transaction is
// SERIALIZABLE, so that the rules' checks and the writes they guard act as
// if each call ran alone, as on SQLite. PostgreSQL aborts a transaction that
// would break that, and the store runs it again; a write still aborted after
// the busy timeout gets a *ContendedError. Unique and foreign keys back the
// checks up, and their violations become the same access errors.
package store
