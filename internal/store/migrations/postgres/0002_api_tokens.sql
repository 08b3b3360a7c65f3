-- Migration 2 (PostgreSQL): bearer tokens of the reference REST server, as
-- in migrations/sqlite/0002_api_tokens.sql: only a SHA-256 hash of each token
-- is stored.

CREATE TABLE api_tokens (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name       TEXT             NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL UNIQUE,
    token_hash BYTEA            NOT NULL UNIQUE,
    scopes     TEXT             NOT NULL CHECK (jsonb_typeof(scopes::jsonb) = 'array'),
    created_at TEXT COLLATE "C" NOT NULL
);
