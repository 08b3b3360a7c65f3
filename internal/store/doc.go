// Package store owns the embedded backend: access.Service over a local SQLite
// database file (modernc.org/sqlite, pure Go, so release builds cross-compile
// without cgo).
//
// It owns the database file and everything about it: the connection settings
// (WAL journal, busy timeout, foreign keys, BEGIN IMMEDIATE for writes), the
// numbered schema migrations, the seeding of the platform's system roles from
// the embedded permission catalog, and the enforcement of every platform rule
// that needs stored state (uniqueness, read-only system roles, roles still
// held by users, optimistic versions). Pure rules (validation, permission
// closure) come from package access, so the embedded backend and the REST
// server, which serves a Store, behave identically.
//
// Terraform starts one provider process per provider block, so several
// processes may open one file at once. Writers within a process queue on a
// per-file gate, so that one of them at a time competes for SQLite's write
// lock; processes take turns at it (gate.go says why not SQLite's busy
// handler), and a call that waits longer than the busy timeout gets a
// *LockedError saying which file is locked and for how long it waited.
package store
