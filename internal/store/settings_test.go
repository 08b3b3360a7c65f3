package store

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// selfSignedPEM returns a self-signed ECDSA certificate expiring at notAfter.
func selfSignedPEM(t *testing.T, notAfter time.Time) string {
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

var certNotAfter = time.Date(2045, 6, 30, 12, 0, 0, 0, time.UTC)

func enforcedSSO(t *testing.T) access.SecuritySettings {
	t.Helper()
	return access.SecuritySettings{
		RequireTwoFactor:      true,
		SessionTimeoutMinutes: 60,
		SSO: access.SSOSettings{
			Enabled:           true,
			IdPEntityID:       "https://idp.example.com/entity",
			IdPSSOURL:         "https://idp.example.com/sso",
			IdPCertificatePEM: selfSignedPEM(t, certNotAfter),
			Enforce:           true,
		},
		CampaignApprovalRequired: true,
	}
}

// settingsOnly drops the fields every write changes, to compare the rest.
func settingsOnly(s access.SecuritySettings) access.SecuritySettings {
	s.UpdatedAt, s.Version = time.Time{}, 0
	return s
}

func TestUpdateSecuritySettingsRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		before, err := s.GetSecuritySettings(ctx)
		if err != nil {
			t.Fatalf("GetSecuritySettings: %v", err)
		}

		in := enforcedSSO(t)
		stale := time.Unix(0, 0)
		in.SSO.IdPCertificateExpiresAt = &stale // derived: the caller's value is ignored
		in.UpdatedAt = stale                    // computed: ignored
		updated, err := s.UpdateSecuritySettings(ctx, in)
		if err != nil {
			t.Fatalf("UpdateSecuritySettings: %v", err)
		}
		want := in
		want.SSO.IdPCertificateExpiresAt = &certNotAfter
		want.Customized = true
		if !reflect.DeepEqual(settingsOnly(updated), settingsOnly(want)) {
			t.Errorf("UpdateSecuritySettings = %+v\nwant %+v", updated, want)
		}
		if updated.Version != before.Version+1 || updated.UpdatedAt.Before(before.UpdatedAt) {
			t.Errorf("Version, UpdatedAt = %d, %v; want %d and not before %v", updated.Version, updated.UpdatedAt, before.Version+1, before.UpdatedAt)
		}
		got, err := s.GetSecuritySettings(ctx)
		if err != nil {
			t.Fatalf("GetSecuritySettings: %v", err)
		}
		if !reflect.DeepEqual(got, updated) {
			t.Errorf("GetSecuritySettings = %+v\nwant what the update returned %+v", got, updated)
		}
	})
}

func TestANewAccountsSecuritySettingsAreTheDefaultsAndNotCustomized(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		got, err := s.GetSecuritySettings(t.Context())
		if err != nil {
			t.Fatalf("GetSecuritySettings: %v", err)
		}
		if want := access.DefaultSecuritySettings(); !reflect.DeepEqual(settingsOnly(got), want) || got.Version != 1 {
			t.Errorf("a new account's settings = %+v, want the defaults %+v at version 1, not customized", got, want)
		}
	})
}

func TestEveryUpdateMarksTheSecuritySettingsCustomized(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		cases := map[string]func(t *testing.T) access.SecuritySettings{
			"settings other than the defaults": enforcedSSO,
			// A block writing the defaults manages the singleton as much as any
			// other: a second block must not find it free.
			"exactly the defaults": func(*testing.T) access.SecuritySettings { return access.DefaultSecuritySettings() },
		}
		for name, settings := range cases {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				s := d.newStore(t)
				updated, err := s.UpdateSecuritySettings(ctx, settings(t))
				if err != nil {
					t.Fatalf("UpdateSecuritySettings: %v", err)
				}
				if !updated.Customized {
					t.Errorf("UpdateSecuritySettings returned Customized = false, want true")
				}
				if got, err := s.GetSecuritySettings(ctx); err != nil || !got.Customized {
					t.Errorf("GetSecuritySettings after the update = %+v, %v; want Customized", got, err)
				}
			})
		}
	})
}

func TestResettingSecuritySettingsRestoresTheDefaultsAndClearsCustomized(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		if _, err := s.UpdateSecuritySettings(ctx, enforcedSSO(t)); err != nil {
			t.Fatalf("UpdateSecuritySettings: %v", err)
		}
		reset, err := s.ResetSecuritySettings(ctx)
		if err != nil {
			t.Fatalf("ResetSecuritySettings: %v", err)
		}
		// settingsOnly keeps Customized, so the defaults (false) are compared too.
		if want := access.DefaultSecuritySettings(); !reflect.DeepEqual(settingsOnly(reset), want) {
			t.Errorf("after reset = %+v, want the defaults %+v, not customized", reset, want)
		}
		if reset.Version != 3 {
			t.Errorf("Version = %d, want 3 (seed, update, reset)", reset.Version)
		}
		if got, _ := s.GetSecuritySettings(ctx); !reflect.DeepEqual(got, reset) {
			t.Errorf("GetSecuritySettings = %+v, want %+v", got, reset)
		}

		// Writing again after a reset claims the settings again.
		again, err := s.UpdateSecuritySettings(ctx, access.DefaultSecuritySettings())
		if err != nil || !again.Customized {
			t.Errorf("UpdateSecuritySettings after the reset = %+v, %v; want Customized", again, err)
		}
	})
}

func TestResettingSecuritySettingsThatWereNeverWrittenStillBumpsTheVersion(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		before, err := s.GetSecuritySettings(ctx)
		if err != nil {
			t.Fatalf("GetSecuritySettings: %v", err)
		}
		reset, err := s.ResetSecuritySettings(ctx)
		if err != nil {
			t.Fatalf("ResetSecuritySettings: %v", err)
		}
		if reset.Version != before.Version+1 || reset.Customized {
			t.Errorf("after reset: version %d, customized %v; want version %d (a reset is a write), not customized",
				reset.Version, reset.Customized, before.Version+1)
		}
	})
}

func TestUpdateSecuritySettingsRefusesInvalidSettings(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		garbage := "-----BEGIN CERTIFICATE-----\nR0FSQkFHRUdBUkJBR0U=\n-----END CERTIFICATE-----\n"
		cases := map[string]struct {
			edit       func(*access.SecuritySettings)
			wantFields []string
			wantInMsg  string
		}{
			"a session timeout out of range": {
				edit:       func(s *access.SecuritySettings) { s.SessionTimeoutMinutes = 10081 },
				wantFields: []string{"session_timeout_minutes"}, wantInMsg: "between 5 and 10080",
			},
			"an http IdP URL": {
				edit:       func(s *access.SecuritySettings) { s.SSO.IdPSSOURL = "http://idp.example.com/sso" },
				wantFields: []string{"sso.idp_sso_url"}, wantInMsg: "https://",
			},
			"a certificate that is not X.509": {
				edit:       func(s *access.SecuritySettings) { s.SSO.IdPCertificatePEM = garbage },
				wantFields: []string{"sso.idp_certificate_pem"}, wantInMsg: "not a valid X.509 certificate",
			},
			"enforcing SSO that is off": {
				edit:       func(s *access.SecuritySettings) { s.SSO.Enabled = false },
				wantFields: []string{"sso.enforce"}, wantInMsg: access.SSOEnforceMessage,
			},
			"enforcing SSO without an IdP": {
				edit:       func(s *access.SecuritySettings) { s.SSO = access.SSOSettings{Enabled: true, Enforce: true} },
				wantFields: []string{"sso.idp_entity_id", "sso.idp_sso_url", "sso.idp_certificate_pem"}, wantInMsg: access.SSORequiredMessage,
			},
			"enforcing SSO with an expired certificate": {
				edit: func(s *access.SecuritySettings) {
					s.SSO.IdPCertificatePEM = selfSignedPEM(t, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
				},
				wantFields: []string{"sso.idp_certificate_pem"}, wantInMsg: "expired on 2021-01-01T00:00:00Z",
			},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				s := d.newStore(t)
				before, err := s.GetSecuritySettings(ctx)
				if err != nil {
					t.Fatalf("GetSecuritySettings: %v", err)
				}
				in := enforcedSSO(t)
				tc.edit(&in)
				_, err = s.UpdateSecuritySettings(ctx, in)
				var verr *access.ValidationError
				if !errors.As(err, &verr) || verr.Kind != "security settings" {
					t.Fatalf("UpdateSecuritySettings: got %v, want a security settings *access.ValidationError", err)
				}
				var fields []string
				for _, f := range verr.Fields {
					fields = append(fields, f.Field)
				}
				if !slices.Equal(fields, tc.wantFields) || !strings.Contains(err.Error(), tc.wantInMsg) {
					t.Errorf("error %v: want fields %v and %q in the message", err, tc.wantFields, tc.wantInMsg)
				}
				if strings.Contains(err.Error(), "R0FSQkFHRUdBUkJBR0U") || strings.Contains(err.Error(), "BEGIN CERTIFICATE-----\n") {
					t.Errorf("error %q quotes the certificate", err)
				}
				if after, _ := s.GetSecuritySettings(ctx); !reflect.DeepEqual(after, before) {
					t.Errorf("a refused update changed the settings: %+v, was %+v", after, before)
				}
			})
		}
	})
}

func TestUpdateSecuritySettingsChecksTheVersion(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		current, err := s.GetSecuritySettings(ctx)
		if err != nil {
			t.Fatalf("GetSecuritySettings: %v", err)
		}

		in := current
		in.RequireTwoFactor = true
		updated, err := s.UpdateSecuritySettings(ctx, in) // at the current version
		if err != nil {
			t.Fatalf("UpdateSecuritySettings at the current version: %v", err)
		}

		in.CampaignApprovalRequired = true // still names the old version
		_, err = s.UpdateSecuritySettings(ctx, in)
		var pf *access.PreconditionFailedError
		if !errors.As(err, &pf) || !errors.Is(err, access.ErrPreconditionFailed) || pf.ID != access.SecuritySettingsID {
			t.Fatalf("UpdateSecuritySettings at a stale version: got %v, want an %q *access.PreconditionFailedError", err, access.SecuritySettingsID)
		}
		if got, _ := s.GetSecuritySettings(ctx); !reflect.DeepEqual(got, updated) {
			t.Errorf("a stale update changed the settings: %+v, want %+v", got, updated)
		}

		in.Version = 0 // unconditional
		if _, err := s.UpdateSecuritySettings(ctx, in); err != nil {
			t.Errorf("an unconditional update: %v", err)
		}
	})
}

func TestSecuritySettingsPersistAcrossReopening(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		ctx := t.Context()
		database := d.newDatabase(t)
		s := openDatabase(t, database)
		written, err := s.UpdateSecuritySettings(ctx, enforcedSSO(t))
		if err != nil {
			t.Fatalf("UpdateSecuritySettings: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got, err := openDatabase(t, database).GetSecuritySettings(ctx); err != nil || !reflect.DeepEqual(got, written) {
			t.Errorf("after reopening: %+v, %v; want %+v", got, err, written)
		}
	})
}
