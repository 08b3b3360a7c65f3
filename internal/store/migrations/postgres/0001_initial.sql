-- Migration 1 (PostgreSQL): the tables of migrations/sqlite/0001_initial.sql,
-- column for column, so that one set of queries serves both dialects.
--
-- Where the types differ from SQLite's, and why:
--   * BOOLEAN for flags (SQLite: INTEGER 0/1). Queries spell literals TRUE and
--     FALSE, which both dialects read.
--   * BIGINT for versions (SQLite's INTEGER is 64 bits too), BYTEA for blobs.
--   * Timestamps stay RFC 3339 UTC text with nine fractional digits, as in
--     SQLite: timestamptz keeps microseconds, and the two dialects must return
--     the same instants; the fixed width makes them sort and compare as text.
--   * JSON arrays stay text (checked as JSON): the stored text is compared
--     with what Go encodes, and jsonb would reformat it.
--   * Every column that is compared or ordered (ids, keys, timestamps) is
--     COLLATE "C": byte order, as in SQLite, whatever the database's default
--     collation. Paging by id and the order of lists depend on it.

CREATE TABLE roles (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name        TEXT             NOT NULL,
    name_key    TEXT COLLATE "C" NOT NULL UNIQUE,
    description TEXT             NOT NULL DEFAULT '',
    permissions TEXT             NOT NULL CHECK (jsonb_typeof(permissions::jsonb) = 'array'),
    system      BOOLEAN          NOT NULL DEFAULT FALSE,
    created_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL,
    version     BIGINT           NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id                 TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    email              TEXT             NOT NULL,
    email_key          TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name       TEXT             NOT NULL DEFAULT '',
    -- RESTRICT: a role that users still hold cannot be deleted. The store
    -- checks first to give a clear error; the key is the backstop.
    role_id            TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    disabled           BOOLEAN          NOT NULL DEFAULT FALSE,
    two_factor_enabled BOOLEAN          NOT NULL DEFAULT FALSE,
    last_login_at      TEXT COLLATE "C",
    created_at         TEXT COLLATE "C" NOT NULL,
    updated_at         TEXT COLLATE "C" NOT NULL,
    version            BIGINT           NOT NULL DEFAULT 1
);

CREATE INDEX users_role_id ON users (role_id);

CREATE TABLE masking_columns (
    table_name  TEXT COLLATE "C" NOT NULL,
    column_name TEXT COLLATE "C" NOT NULL,
    mask        TEXT             NOT NULL DEFAULT 'full' CHECK (mask IN ('full', 'partial', 'hash')),
    description TEXT             NOT NULL DEFAULT '',
    created_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL,
    version     BIGINT           NOT NULL DEFAULT 1,
    PRIMARY KEY (table_name, column_name)
);

CREATE TABLE ip_allowlists (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name        TEXT             NOT NULL,
    name_key    TEXT COLLATE "C" NOT NULL UNIQUE,
    description TEXT             NOT NULL DEFAULT '',
    enabled     BOOLEAN          NOT NULL DEFAULT TRUE,
    created_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL,
    version     BIGINT           NOT NULL DEFAULT 1
);

CREATE TABLE ip_allowlist_entries (
    allowlist_id TEXT COLLATE "C" NOT NULL REFERENCES ip_allowlists (id) ON DELETE CASCADE,
    cidr         TEXT COLLATE "C" NOT NULL,
    description  TEXT             NOT NULL DEFAULT '',
    PRIMARY KEY (allowlist_id, cidr)
);

CREATE TABLE transfer_credentials (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name       TEXT             NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL UNIQUE,
    username   TEXT             NOT NULL,
    secret     BYTEA            NOT NULL,
    reference  TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TEXT COLLATE "C" NOT NULL,
    rotated_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    version    BIGINT           NOT NULL DEFAULT 1
);

CREATE TABLE export_destinations (
    id                   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name                 TEXT             NOT NULL,
    name_key             TEXT COLLATE "C" NOT NULL UNIQUE,
    type                 TEXT             NOT NULL CHECK (type IN ('sftp', 's3')),
    sftp_host            TEXT,
    sftp_port            INTEGER,
    sftp_path            TEXT,
    sftp_host_key_sha256 TEXT,
    s3_bucket            TEXT,
    s3_region            TEXT,
    s3_prefix            TEXT,
    credential_id        TEXT COLLATE "C" REFERENCES transfer_credentials (id) ON DELETE RESTRICT,
    export_kinds         TEXT             NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(export_kinds::jsonb) = 'array'),
    created_at           TEXT COLLATE "C" NOT NULL,
    updated_at           TEXT COLLATE "C" NOT NULL,
    version              BIGINT           NOT NULL DEFAULT 1,
    CHECK (type <> 'sftp' OR (sftp_host IS NOT NULL AND s3_bucket IS NULL)),
    CHECK (type <> 's3' OR (s3_bucket IS NOT NULL AND sftp_host IS NULL))
);

CREATE INDEX export_destinations_credential_id ON export_destinations (credential_id);

CREATE TABLE security_settings (
    id                         INTEGER          NOT NULL PRIMARY KEY CHECK (id = 1),
    require_two_factor         BOOLEAN          NOT NULL,
    session_timeout_minutes    INTEGER          NOT NULL CHECK (session_timeout_minutes BETWEEN 5 AND 10080),
    sso_enabled                BOOLEAN          NOT NULL,
    sso_idp_entity_id          TEXT             NOT NULL,
    sso_idp_sso_url            TEXT             NOT NULL,
    sso_idp_certificate_pem    TEXT             NOT NULL,
    sso_enforce                BOOLEAN          NOT NULL,
    campaign_approval_required BOOLEAN          NOT NULL,
    updated_at                 TEXT COLLATE "C" NOT NULL,
    version                    BIGINT           NOT NULL DEFAULT 1
);
