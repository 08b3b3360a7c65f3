-- Migration 9: the answers to writes sent with an Idempotency-Key, recorded
-- in each write's own transaction (idempotency.go), so that a retry reaching
-- any server process, or one restarted, gets the first answer.
--
-- scope_hash is the SHA-256 of the request's scope (token, method, path and
-- key): fixed-size whatever the key, and free of the NUL bytes the scope
-- joins its parts with. body_hash is the SHA-256 of the request body: the
-- same key with another body is refused. header is the answer's header as
-- JSON; size is the bytes the row holds, summed to bound the table.

CREATE TABLE idempotency_answers (
    scope_hash TEXT    NOT NULL PRIMARY KEY,
    body_hash  BLOB    NOT NULL,
    status     INTEGER NOT NULL,
    header     TEXT    NOT NULL,
    body       BLOB    NOT NULL,
    size       INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
) STRICT;

CREATE INDEX idempotency_answers_expires ON idempotency_answers (expires_at);
CREATE INDEX idempotency_answers_created ON idempotency_answers (created_at);
