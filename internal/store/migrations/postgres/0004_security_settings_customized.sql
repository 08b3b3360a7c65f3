-- Migration 4 (PostgreSQL): whether the security settings were written since
-- the defaults were (re)set; see migrations/sqlite/0004_security_settings_customized.sql.
-- Every PostgreSQL database has it from its first open, so the backfill, kept
-- for symmetry, always finds the seeded row at version 1.

ALTER TABLE security_settings
    ADD COLUMN customized BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE security_settings
SET customized = (
    version > 1 AND NOT (
        NOT require_two_factor
        AND session_timeout_minutes = 1440
        AND NOT sso_enabled
        AND sso_idp_entity_id = ''
        AND sso_idp_sso_url = ''
        AND sso_idp_certificate_pem = ''
        AND NOT sso_enforce
        AND NOT campaign_approval_required
    )
);
