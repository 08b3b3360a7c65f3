-- Migration 5: console sessions. A login (RecordLogin) opens one; revoking a
-- user's sessions ends every open one at once, which is how a role downgrade
-- or a disabled flag takes effect before the sessions would time out.
--
-- Ended sessions are kept, with when they ended, as the record of who was
-- logged in when. Deleting the user deletes its sessions: they name nothing
-- once the user is gone.
--
-- Logins recorded before this migration opened no session, and none is made
-- up for them: the last login time does not say whether its session is still
-- open.

CREATE TABLE user_sessions (
    id         TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    -- NULL while the session is open.
    ended_at   TEXT
) STRICT;

-- Revoking and counting look only at a user's open sessions.
CREATE INDEX user_sessions_open ON user_sessions (user_id) WHERE ended_at IS NULL;
