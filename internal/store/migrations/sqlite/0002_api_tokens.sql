-- Migration 2: bearer tokens of the reference REST server. Only a SHA-256
-- hash of each token is stored: tokens carry 256 random bits, so a fast hash
-- is enough, and a leaked database does not leak working tokens.

CREATE TABLE api_tokens (
    id           TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL UNIQUE,
    token_hash   BLOB NOT NULL UNIQUE,
    -- JSON array of scopes, sorted.
    scopes       TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
    created_at   TEXT NOT NULL
) STRICT;
