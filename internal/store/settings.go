package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// GetSecuritySettings reads the account's security settings. The first
// migration stores the platform defaults, so the singleton always exists.
func (s *Store) GetSecuritySettings(ctx context.Context) (access.SecuritySettings, error) {
	var st access.SecuritySettings
	err := s.read(ctx, func(q querier) (err error) {
		st, err = getSecuritySettings(ctx, q)
		return err
	})
	return st, err
}

// UpdateSecuritySettings validates in and replaces the stored settings with
// it. A non-zero in.Version must match the stored one. The singleton always
// exists, so this is also how a new account's settings are first written.
// Every update marks the settings customized, whatever the values: writing
// the defaults claims the singleton as much as writing anything else.
func (s *Store) UpdateSecuritySettings(ctx context.Context, in access.SecuritySettings) (access.SecuritySettings, error) {
	in, err := access.ValidateSecuritySettings(in, time.Now())
	if err != nil {
		return access.SecuritySettings{}, err
	}
	var out access.SecuritySettings
	err = s.write(ctx, func(tx *sql.Tx) error {
		if in.Version != 0 {
			var current access.Version
			if err := tx.QueryRowContext(ctx, `SELECT version FROM security_settings WHERE id = 1`).Scan(&current); err != nil {
				return fmt.Errorf("reading the security settings: %w", err)
			}
			if current != in.Version {
				return &access.PreconditionFailedError{Kind: "security settings", ID: access.SecuritySettingsID}
			}
		}
		if err := replaceSecuritySettings(ctx, tx, in, true); err != nil {
			return err
		}
		out, err = getSecuritySettings(ctx, tx)
		return err
	})
	return out, err
}

// ResetSecuritySettings restores the platform defaults and clears the
// customized mark, unconditionally: whoever resets gives the singleton up,
// and a new account's state is the same whatever it was before.
func (s *Store) ResetSecuritySettings(ctx context.Context) (access.SecuritySettings, error) {
	var out access.SecuritySettings
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := replaceSecuritySettings(ctx, tx, access.DefaultSecuritySettings(), false); err != nil {
			return err
		}
		var err error
		out, err = getSecuritySettings(ctx, tx)
		return err
	})
	return out, err
}

// replaceSecuritySettings stores in's values and the customized mark, and
// bumps the version.
func replaceSecuritySettings(ctx context.Context, tx *sql.Tx, in access.SecuritySettings, customized bool) error {
	sso := in.SSO
	_, err := tx.ExecContext(ctx, `UPDATE security_settings
		SET require_two_factor = ?, session_timeout_minutes = ?,
			sso_enabled = ?, sso_idp_entity_id = ?, sso_idp_sso_url = ?, sso_idp_certificate_pem = ?, sso_enforce = ?,
			campaign_approval_required = ?, customized = ?, updated_at = ?, version = version + 1
		WHERE id = 1`,
		in.RequireTwoFactor, in.SessionTimeoutMinutes,
		sso.Enabled, sso.IdPEntityID, sso.IdPSSOURL, sso.IdPCertificatePEM, sso.Enforce,
		in.CampaignApprovalRequired, customized, formatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("writing the security settings: %w", err)
	}
	return nil
}

func getSecuritySettings(ctx context.Context, q querier) (access.SecuritySettings, error) {
	var (
		st      access.SecuritySettings
		updated string
	)
	err := q.QueryRowContext(ctx, `SELECT require_two_factor, session_timeout_minutes,
			sso_enabled, sso_idp_entity_id, sso_idp_sso_url, sso_idp_certificate_pem, sso_enforce,
			campaign_approval_required, customized, updated_at, version
		FROM security_settings WHERE id = 1`).Scan(
		&st.RequireTwoFactor, &st.SessionTimeoutMinutes,
		&st.SSO.Enabled, &st.SSO.IdPEntityID, &st.SSO.IdPSSOURL, &st.SSO.IdPCertificatePEM, &st.SSO.Enforce,
		&st.CampaignApprovalRequired, &st.Customized, &updated, &st.Version)
	if err != nil {
		return access.SecuritySettings{}, fmt.Errorf("reading the security settings: %w", err)
	}
	if st.UpdatedAt, err = parseTime(updated); err != nil {
		return access.SecuritySettings{}, fmt.Errorf("security settings: %w", err)
	}
	st.SSO.IdPCertificateExpiresAt = certificateExpiry(st.SSO.IdPCertificatePEM)
	return st, nil
}

// certificateExpiry derives the expiry shown next to the IdP certificate.
// Writes validate the certificate; one that does not parse has no expiry.
func certificateExpiry(pemText string) *time.Time {
	if pemText == "" {
		return nil
	}
	cert, err := access.ParseCertificatePEM(pemText)
	if err != nil {
		return nil
	}
	t := cert.NotAfter.UTC()
	return &t
}
