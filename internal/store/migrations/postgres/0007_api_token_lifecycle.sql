-- Migration 7 (PostgreSQL): token expiry and last use; see
-- migrations/sqlite/0007_api_token_lifecycle.sql.

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT COLLATE "C";
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT COLLATE "C";
