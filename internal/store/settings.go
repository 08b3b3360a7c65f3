package store

import (
	"context"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// GetSecuritySettings reads the account's security settings. The first
// migration stores the platform defaults, so the singleton always exists.
func (s *Store) GetSecuritySettings(ctx context.Context) (access.SecuritySettings, error) {
	var (
		st      access.SecuritySettings
		updated string
	)
	err := s.read(ctx, func(q querier) error {
		err := q.QueryRowContext(ctx, `SELECT require_two_factor, session_timeout_minutes,
				sso_enabled, sso_idp_entity_id, sso_idp_sso_url, sso_idp_certificate_pem, sso_enforce,
				campaign_approval_required, updated_at, version
			FROM security_settings WHERE id = 1`).Scan(
			&st.RequireTwoFactor, &st.SessionTimeoutMinutes,
			&st.SSO.Enabled, &st.SSO.IdPEntityID, &st.SSO.IdPSSOURL, &st.SSO.IdPCertificatePEM, &st.SSO.Enforce,
			&st.CampaignApprovalRequired, &updated, &st.Version)
		if err != nil {
			return fmt.Errorf("reading the security settings: %w", err)
		}
		return nil
	})
	if err != nil {
		return access.SecuritySettings{}, err
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
