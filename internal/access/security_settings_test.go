package access

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"
)

// selfSignedPEM returns a self-signed ECDSA certificate expiring at notAfter.
func selfSignedPEM(t testing.TB, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating a key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "idp.example.com"},
		NotBefore:    notAfter.AddDate(-1, 0, 0),
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("creating a certificate: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestValidateSecuritySettings(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	notAfter := time.Date(2035, 1, 2, 3, 4, 5, 0, time.UTC)
	cert := selfSignedPEM(t, notAfter)
	expired := selfSignedPEM(t, time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	ready := SSOSettings{Enabled: true, IdPEntityID: "https://idp.example.com/entity", IdPSSOURL: "https://idp.example.com/sso", IdPCertificatePEM: cert}
	withSSO := func(sso SSOSettings) SecuritySettings {
		s := DefaultSecuritySettings()
		s.SSO = sso
		return s
	}
	withTimeout := func(minutes int) SecuritySettings {
		s := DefaultSecuritySettings()
		s.SessionTimeoutMinutes = minutes
		return s
	}
	enforced := func(sso SSOSettings) SSOSettings { sso.Enforce = true; return sso }
	cases := map[string]struct {
		settings   SecuritySettings
		wantFields []string // fields named by the error, in order; nil means valid
		wantInMsg  string
	}{
		"the defaults pass":                         {settings: DefaultSecuritySettings()},
		"the shortest session timeout passes":       {settings: withTimeout(5)},
		"the longest session timeout passes":        {settings: withTimeout(10080)},
		"a session timeout below 5 minutes fails":   {settings: withTimeout(4), wantFields: []string{"session_timeout_minutes"}, wantInMsg: "between 5 and 10080, got 4"},
		"a session timeout above one week fails":    {settings: withTimeout(10081), wantFields: []string{"session_timeout_minutes"}},
		"a zero session timeout fails":              {settings: SecuritySettings{}, wantFields: []string{"session_timeout_minutes"}},
		"a complete IdP configuration passes":       {settings: withSSO(ready)},
		"enforcing a complete configuration passes": {settings: withSSO(enforced(ready))},
		"IdP fields may be prepared with SSO off":   {settings: withSSO(SSOSettings{IdPEntityID: "e", IdPSSOURL: "https://idp.example.com", IdPCertificatePEM: cert})},
		"an http IdP URL fails": {
			settings:   withSSO(SSOSettings{IdPSSOURL: "http://idp.example.com/sso"}),
			wantFields: []string{"sso.idp_sso_url"}, wantInMsg: `https:// URL, got "http://idp.example.com/sso"`,
		},
		"an IdP URL without a host fails":                         {settings: withSSO(SSOSettings{IdPSSOURL: "https:///sso"}), wantFields: []string{"sso.idp_sso_url"}},
		"a relative IdP URL fails":                                {settings: withSSO(SSOSettings{IdPSSOURL: "idp.example.com/sso"}), wantFields: []string{"sso.idp_sso_url"}},
		"an upper-case scheme is a scheme":                        {settings: withSSO(SSOSettings{IdPSSOURL: "HTTPS://idp.example.com/sso"})},
		"a URL with credentials fails":                            {settings: withSSO(SSOSettings{IdPSSOURL: "https://admin:hunter2@idp.example.com"}), wantFields: []string{"sso.idp_sso_url"}, wantInMsg: "user name or password"},
		"a garbage certificate fails":                             {settings: withSSO(SSOSettings{IdPCertificatePEM: "not a certificate"}), wantFields: []string{"sso.idp_certificate_pem"}, wantInMsg: "PEM-encoded X.509"},
		"two certificates fail":                                   {settings: withSSO(SSOSettings{IdPCertificatePEM: cert + cert}), wantFields: []string{"sso.idp_certificate_pem"}, wantInMsg: "exactly one"},
		"an expired certificate may be off":                       {settings: withSSO(SSOSettings{IdPCertificatePEM: expired})},
		"an expired certificate may be enabled without enforcing": {settings: withSSO(SSOSettings{Enabled: true, IdPEntityID: "e", IdPSSOURL: "https://idp.example.com", IdPCertificatePEM: expired})},
		"enforcing with an expired certificate fails": {
			settings:   withSSO(enforced(SSOSettings{Enabled: true, IdPEntityID: "e", IdPSSOURL: "https://idp.example.com", IdPCertificatePEM: expired})),
			wantFields: []string{"sso.idp_certificate_pem"}, wantInMsg: "expired on 2029-01-01T00:00:00Z",
		},
		"enabling SSO names every missing IdP field": {
			settings:   withSSO(SSOSettings{Enabled: true}),
			wantFields: []string{"sso.idp_entity_id", "sso.idp_sso_url", "sso.idp_certificate_pem"}, wantInMsg: SSORequiredMessage,
		},
		"a blank entity id is missing": {
			settings:   withSSO(SSOSettings{Enabled: true, IdPEntityID: "  ", IdPSSOURL: "https://idp.example.com", IdPCertificatePEM: cert}),
			wantFields: []string{"sso.idp_entity_id"},
		},
		"enforcing SSO that is off fails": {
			settings:   withSSO(SSOSettings{Enforce: true}),
			wantFields: []string{"sso.enforce"}, wantInMsg: "cannot be true unless SSO is enabled",
		},
		"enforcing SSO that is off fails even with a complete configuration": {
			settings:   withSSO(SSOSettings{IdPEntityID: "e", IdPSSOURL: "https://idp.example.com", IdPCertificatePEM: cert, Enforce: true}),
			wantFields: []string{"sso.enforce"},
		},
		"enforcing an incomplete configuration names the missing fields": {
			settings:   withSSO(SSOSettings{Enabled: true, Enforce: true, IdPSSOURL: "https://idp.example.com"}),
			wantFields: []string{"sso.idp_entity_id", "sso.idp_certificate_pem"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ValidateSecuritySettings(tc.settings, now)
			if tc.wantFields == nil {
				if err != nil {
					t.Fatalf("ValidateSecuritySettings: unexpected error %v", err)
				}
				if !got.UpdatedAt.Equal(tc.settings.UpdatedAt) || got.SessionTimeoutMinutes != tc.settings.SessionTimeoutMinutes {
					t.Errorf("ValidateSecuritySettings changed fields it only checks: %+v", got)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ValidateSecuritySettings: got %v, want a *ValidationError", err)
			}
			var fields []string
			for _, f := range verr.Fields {
				fields = append(fields, f.Field)
			}
			if !slices.Equal(fields, tc.wantFields) {
				t.Errorf("fields = %v, want %v (%v)", fields, tc.wantFields, err)
			}
			if !strings.Contains(err.Error(), tc.wantInMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantInMsg)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q quotes a password", err)
			}
		})
	}
}

func TestValidateSecuritySettingsDerivesTheCertificateExpiry(t *testing.T) {
	t.Parallel()
	notAfter := time.Date(2035, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	s := DefaultSecuritySettings()
	s.SSO.IdPCertificatePEM = selfSignedPEM(t, notAfter)
	got, err := ValidateSecuritySettings(s, time.Now())
	if err != nil {
		t.Fatalf("ValidateSecuritySettings: %v", err)
	}
	if e := got.SSO.IdPCertificateExpiresAt; e == nil || !e.Equal(notAfter) || e.Location() != time.UTC {
		t.Errorf("IdPCertificateExpiresAt = %v, want %v in UTC", e, notAfter)
	}

	// A caller's stale expiry never survives: it follows the certificate.
	stale := time.Unix(0, 0)
	s.SSO.IdPCertificatePEM, s.SSO.IdPCertificateExpiresAt = "", &stale
	if got, err = ValidateSecuritySettings(s, time.Now()); err != nil || got.SSO.IdPCertificateExpiresAt != nil {
		t.Errorf("without a certificate: expiry %v, error %v; want no expiry and no error", got.SSO.IdPCertificateExpiresAt, err)
	}
}

func TestCheckHTTPSURLNeverQuotesCredentials(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"https://admin:hunter2@idp.example.com/sso",
		"http://admin:hunter2@idp.example.com/sso",
		"https://admin:hunter2@[::1/sso",
		"ftp://hunter2@idp",
	} {
		msg := CheckHTTPSURL(u)
		if msg == "" || strings.Contains(msg, "hunter2") {
			t.Errorf("CheckHTTPSURL(%q) = %q; want a refusal that does not quote the password", u, msg)
		}
	}
}
