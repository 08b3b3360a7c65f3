-- Migration 9 (PostgreSQL): the answers to idempotent writes; see
-- migrations/sqlite/0009_idempotency_answers.sql.

CREATE TABLE idempotency_answers (
    scope_hash TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    body_hash  BYTEA            NOT NULL,
    status     INTEGER          NOT NULL,
    header     TEXT             NOT NULL,
    body       BYTEA            NOT NULL,
    size       BIGINT           NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX idempotency_answers_expires ON idempotency_answers (expires_at);
CREATE INDEX idempotency_answers_created ON idempotency_answers (created_at);
