-- Migration 6 (PostgreSQL): a value sealed with the secret encryption key, so
-- that a server started with another key than the one the database's secrets
-- were sealed with refuses to start, instead of failing later on the first
-- secret it cannot open. Several replicas share one database and must share
-- its key: there is no key file beside a PostgreSQL database (see secrets.go).

CREATE TABLE secret_key_check (
    id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    sealed BYTEA   NOT NULL
);
