package store

import (
	"errors"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestRecordLoginActivatesTheUserWithoutAVersionBump(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		role := mustCreateRole(t, s, "Viewer", "campaign.view")
		u := mustCreateUser(t, s, "ada@example.com", role.ID)
		at := time.Date(2025, 11, 2, 8, 0, 0, 0, time.UTC)

		if err := s.RecordLogin(ctx, u.ID, at, true); err != nil {
			t.Fatalf("RecordLogin: %v", err)
		}
		got, err := s.GetUser(ctx, u.ID)
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		if got.Status != access.UserActive || !got.TwoFactorEnabled || got.LastLoginAt == nil || !got.LastLoginAt.Equal(at) {
			t.Errorf("after a login: status %q, 2FA %v, last login %v; want active, true, %v", got.Status, got.TwoFactorEnabled, got.LastLoginAt, at)
		}
		if got.Version != u.Version {
			t.Errorf("version %d after a login, want %d unchanged", got.Version, u.Version)
		}
		// An update with the version Terraform last saw still succeeds.
		u.DisplayName = "Ada"
		if _, err := s.UpdateUser(ctx, u); err != nil {
			t.Errorf("UpdateUser at the pre-login version: %v", err)
		}
	})
}

func TestRecordLoginRefusesDisabledAndMissingUsers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		role := mustCreateRole(t, s, "Viewer", "campaign.view")
		u := mustCreateUser(t, s, "gone@example.com", role.ID)
		u.Disabled = true
		if _, err := s.UpdateUser(ctx, u); err != nil {
			t.Fatalf("disabling: %v", err)
		}
		if err := s.RecordLogin(ctx, u.ID, time.Now(), false); !errors.Is(err, access.ErrConflict) {
			t.Errorf("login of a disabled user: got %v, want a conflict", err)
		}
		if err := s.RecordLogin(ctx, "usr_0000000000000000", time.Now(), false); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("login of a missing user: got %v, want not found", err)
		}
	})
}

func TestSetCredentialRotatedAtKeepsTheSecret(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		c := mustCreateCredential(t, s, "sftp_prod", "first-secret")
		at := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)

		if err := s.SetCredentialRotatedAt(ctx, c.ID, at); err != nil {
			t.Fatalf("SetCredentialRotatedAt: %v", err)
		}
		got, err := s.GetTransferCredential(ctx, c.ID)
		if err != nil {
			t.Fatalf("GetTransferCredential: %v", err)
		}
		if !got.RotatedAt.Equal(at) {
			t.Errorf("RotatedAt = %v, want %v", got.RotatedAt, at)
		}
		if ok, err := s.TransferSecretMatches(ctx, c.ID, "first-secret"); err != nil || !ok {
			t.Errorf("the secret changed: matches = %v, %v", ok, err)
		}
		if err := s.SetCredentialRotatedAt(ctx, "trc_0000000000000000", at); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("missing credential: got %v, want not found", err)
		}
	})
}
