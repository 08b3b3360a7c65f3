-- Migration 5 (PostgreSQL): console sessions; see
-- migrations/sqlite/0005_user_sessions.sql.

CREATE TABLE user_sessions (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at TEXT COLLATE "C" NOT NULL,
    -- NULL while the session is open.
    ended_at   TEXT COLLATE "C"
);

CREATE INDEX user_sessions_open ON user_sessions (user_id) WHERE ended_at IS NULL;
