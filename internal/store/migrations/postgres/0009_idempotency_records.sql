-- Migration 9 (PostgreSQL): idempotency records; see
-- migrations/sqlite/0009_idempotency_records.sql.

CREATE TABLE idempotency_records (
    token_id   TEXT COLLATE "C" NOT NULL,
    method     TEXT COLLATE "C" NOT NULL,
    path       TEXT COLLATE "C" NOT NULL,
    idem_key   TEXT COLLATE "C" NOT NULL,
    body_hash  BYTEA            NOT NULL,
    claim_id   TEXT COLLATE "C" NOT NULL,
    claimed_at TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    status     INTEGER,
    header     TEXT,
    body       BYTEA,
    size       BIGINT           NOT NULL DEFAULT 0,
    PRIMARY KEY (token_id, method, path, idem_key)
);

CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);

INSERT INTO change_counters (name, value) VALUES ('idempotency_bytes', 0);
