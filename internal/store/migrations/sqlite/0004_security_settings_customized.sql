-- Migration 4: the security settings remember whether they were written
-- since the account's defaults were (re)set, so that a second
-- engage_security_settings block cannot take over the singleton from a first
-- one that wrote exactly the defaults. UpdateSecuritySettings sets the flag,
-- ResetSecuritySettings clears it.

ALTER TABLE security_settings
    ADD COLUMN customized INTEGER NOT NULL DEFAULT 0 CHECK (customized IN (0, 1));

-- Older builds did not record writes, so the backfill guesses from what they
-- left: settings still at their seeded version (1) were never written;
-- written settings count as customized unless they hold the defaults, which
-- is also what those builds wrote to reset them. The literals are
-- access.DefaultSecuritySettings() as of this migration: the defaults the
-- older builds seeded and reset to, which a later change of the Go defaults
-- must not reinterpret.
UPDATE security_settings
SET customized = (
    version > 1 AND NOT (
        require_two_factor = 0
        AND session_timeout_minutes = 1440
        AND sso_enabled = 0
        AND sso_idp_entity_id = ''
        AND sso_idp_sso_url = ''
        AND sso_idp_certificate_pem = ''
        AND sso_enforce = 0
        AND campaign_approval_required = 0
    )
);
