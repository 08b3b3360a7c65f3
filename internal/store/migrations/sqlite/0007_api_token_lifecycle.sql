-- Migration 7: API tokens can expire, and the server records when each was
-- last used (at most once a minute per token, so that authenticating stays
-- a read). Revoking a token deletes its row: a revoked token is unknown.
-- Tokens created before this migration never expire and have no last use.

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
