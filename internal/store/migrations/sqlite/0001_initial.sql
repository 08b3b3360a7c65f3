-- Migration 1: the tables for every object of the access domain, created up
-- front so that later changes add behaviour rather than tables.
--
-- Conventions, shared by every table:
--   * STRICT tables, so a wrong type is an error instead of a silent affinity
--     conversion.
--   * name_key / email_key hold access.NameKey(name): uniqueness is
--     case-insensitive for all of Unicode, which SQLite's NOCASE (ASCII only)
--     is not.
--   * Timestamps are RFC 3339 UTC text with nine fractional digits, so they
--     sort as text and parse with time.RFC3339Nano.
--   * version is the object's revision (the REST API's ETag); every write
--     bumps it.
--   * Booleans are INTEGER 0/1.

CREATE TABLE roles (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    -- JSON array of the keys granted directly, sorted. The closure and the
    -- sensitivity are derived on read, so they follow the embedded catalog.
    permissions TEXT    NOT NULL CHECK (json_valid(permissions) AND json_type(permissions) = 'array'),
    system      INTEGER NOT NULL DEFAULT 0 CHECK (system IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE users (
    id                 TEXT    NOT NULL PRIMARY KEY,
    email              TEXT    NOT NULL,
    email_key          TEXT    NOT NULL UNIQUE,
    display_name       TEXT    NOT NULL DEFAULT '',
    -- RESTRICT: a role that users still hold cannot be deleted. The store
    -- checks first to give a clear error; the key is the backstop.
    role_id            TEXT    NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    disabled           INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    two_factor_enabled INTEGER NOT NULL DEFAULT 0 CHECK (two_factor_enabled IN (0, 1)),
    -- NULL until the first login. The user's status (invited, active,
    -- disabled) follows from disabled and last_login_at, so it is not stored.
    last_login_at      TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;

-- DeleteRole counts the holders of a role.
CREATE INDEX users_role_id ON users (role_id);

CREATE TABLE masking_columns (
    table_name  TEXT    NOT NULL,
    column_name TEXT    NOT NULL,
    mask        TEXT    NOT NULL DEFAULT 'full' CHECK (mask IN ('full', 'partial', 'hash')),
    description TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (table_name, column_name)
) STRICT;

CREATE TABLE ip_allowlists (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

-- One row per entry rather than a JSON column: lists can be large, and the
-- lockout check asks "which enabled list contains this address".
CREATE TABLE ip_allowlist_entries (
    allowlist_id TEXT NOT NULL REFERENCES ip_allowlists (id) ON DELETE CASCADE,
    -- Canonical form (masked bits zero, bare address as /32 or /128), so the
    -- primary key refuses the same network written twice.
    cidr         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (allowlist_id, cidr)
) STRICT, WITHOUT ROWID;

CREATE TABLE transfer_credentials (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL UNIQUE,
    username   TEXT    NOT NULL,
    -- The secret, encrypted; never stored or returned in clear.
    secret     BLOB    NOT NULL,
    reference  TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    rotated_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE export_destinations (
    id                   TEXT    NOT NULL PRIMARY KEY,
    name                 TEXT    NOT NULL,
    name_key             TEXT    NOT NULL UNIQUE,
    type                 TEXT    NOT NULL CHECK (type IN ('sftp', 's3')),
    sftp_host            TEXT,
    sftp_port            INTEGER,
    sftp_path            TEXT,
    sftp_host_key_sha256 TEXT,
    s3_bucket            TEXT,
    s3_region            TEXT,
    s3_prefix            TEXT,
    -- Either target's credential. RESTRICT: a credential in use cannot be
    -- deleted.
    credential_id        TEXT    REFERENCES transfer_credentials (id) ON DELETE RESTRICT,
    -- JSON array of access.ExportKind values, sorted.
    export_kinds         TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(export_kinds) AND json_type(export_kinds) = 'array'),
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    -- Exactly one target: the columns of the other one stay NULL.
    CHECK (type <> 'sftp' OR (sftp_host IS NOT NULL AND s3_bucket IS NULL)),
    CHECK (type <> 's3' OR (s3_bucket IS NOT NULL AND sftp_host IS NULL))
) STRICT;

CREATE INDEX export_destinations_credential_id ON export_destinations (credential_id);

-- The account-wide singleton: exactly one row, id 1, inserted by this
-- migration with access.DefaultSecuritySettings().
CREATE TABLE security_settings (
    id                         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    require_two_factor         INTEGER NOT NULL CHECK (require_two_factor IN (0, 1)),
    session_timeout_minutes    INTEGER NOT NULL CHECK (session_timeout_minutes BETWEEN 5 AND 10080),
    sso_enabled                INTEGER NOT NULL CHECK (sso_enabled IN (0, 1)),
    sso_idp_entity_id          TEXT    NOT NULL,
    sso_idp_sso_url            TEXT    NOT NULL,
    sso_idp_certificate_pem    TEXT    NOT NULL,
    sso_enforce                INTEGER NOT NULL CHECK (sso_enforce IN (0, 1)),
    campaign_approval_required INTEGER NOT NULL CHECK (campaign_approval_required IN (0, 1)),
    updated_at                 TEXT    NOT NULL,
    version                    INTEGER NOT NULL DEFAULT 1
) STRICT;
