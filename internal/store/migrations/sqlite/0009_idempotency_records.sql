-- Migration 9: the first answer to each write sent with an Idempotency-Key,
-- so that a retry gets it again instead of applying the write twice, also
-- after a restart and on another server of the same database. A record is
-- scoped by token, method, path and key, remembers the request body's hash
-- (a reused key with another body is refused, not replayed), and lives 24
-- hours. While its request runs the record is pending (status NULL) and
-- belongs to one claim; the answer completes it.
--
-- Records are bounded in size one by one and in total: change_counters
-- keeps the bytes of the completed ones, and the oldest are evicted past
-- the bound (see idempotency.go).

CREATE TABLE idempotency_records (
    token_id   TEXT    NOT NULL,
    method     TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    idem_key   TEXT    NOT NULL,
    body_hash  BLOB    NOT NULL,
    claim_id   TEXT    NOT NULL,
    claimed_at TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    status     INTEGER,
    header     TEXT,
    body       BLOB,
    size       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (token_id, method, path, idem_key)
) STRICT;

-- Expiry and eviction go oldest first.
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);

INSERT INTO change_counters (name, value) VALUES ('idempotency_bytes', 0);
