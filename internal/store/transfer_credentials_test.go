package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

const canarySecret = "canary-7f3a9c-secret"

func mustCreateCredential(t *testing.T, s *Store, name, secret string) access.TransferCredential {
	t.Helper()
	c, err := s.CreateTransferCredential(t.Context(), access.TransferCredential{Name: name, Username: "exporter", Secret: secret})
	if err != nil {
		t.Fatalf("CreateTransferCredential(%q): %v", name, err)
	}
	return c
}

func assertSecret(t *testing.T, s *Store, id, want string, match bool) {
	t.Helper()
	got, err := s.TransferSecretMatches(t.Context(), id, want)
	if err != nil || got != match {
		t.Fatalf("TransferSecretMatches(%q) = %v, %v; want %v", id, got, err, match)
	}
}

func TestTransferCredentialRoundTripNeverReturnsTheSecret(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		c := mustCreateCredential(t, s, "sftp_prod", canarySecret)
		if c.Secret != "" || c.Reference != "{{credential.sftp_prod}}" || c.Version != 1 || c.RotatedAt.IsZero() {
			t.Fatalf("created = %+v", c)
		}
		got, err := s.GetTransferCredential(ctx, c.ID)
		if err != nil || got.Secret != "" || got.Name != "sftp_prod" || got.Username != "exporter" {
			t.Fatalf("GetTransferCredential = %+v, %v", got, err)
		}
		page, err := s.ListTransferCredentials(ctx, access.ListOptions{})
		if err != nil || len(page.Items) != 1 || page.Items[0].Secret != "" {
			t.Fatalf("ListTransferCredentials = %+v, %v", page, err)
		}
		assertSecret(t, s, c.ID, canarySecret, true)
		assertSecret(t, s, c.ID, "something else", false)
	})
}

func TestTransferCredentialRotation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		c := mustCreateCredential(t, s, "sftp_prod", "first-secret")

		// An update without a secret keeps the stored one and the rotation time.
		c.Username = "exporter2"
		kept, err := s.UpdateTransferCredential(ctx, c)
		if err != nil || kept.Username != "exporter2" || !kept.RotatedAt.Equal(c.RotatedAt) {
			t.Fatalf("update without secret = %+v, %v", kept, err)
		}
		assertSecret(t, s, c.ID, "first-secret", true)

		time.Sleep(2 * time.Millisecond) // timestamps have nanoseconds; make the order visible
		kept.Secret = "second-secret"
		rotated, err := s.UpdateTransferCredential(ctx, kept)
		if err != nil || !rotated.RotatedAt.After(c.RotatedAt) || rotated.Version != 3 {
			t.Fatalf("rotation = %+v, %v", rotated, err)
		}
		assertSecret(t, s, c.ID, "second-secret", true)
		assertSecret(t, s, c.ID, "first-secret", false)

		// A rename moves the placeholder with it.
		rotated.Name = "sftp_eu"
		renamed, err := s.UpdateTransferCredential(ctx, rotated)
		if err != nil || renamed.Reference != "{{credential.sftp_eu}}" {
			t.Fatalf("rename = %+v, %v", renamed, err)
		}
	})
}

func TestTransferCredentialValidationNeverQuotesTheSecret(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		cases := map[string]struct {
			c     access.TransferCredential
			field string
		}{
			"a name that cannot form a placeholder": {access.TransferCredential{Name: "prod sftp", Username: "u", Secret: canarySecret}, "name"},
			"no username":                           {access.TransferCredential{Name: "ok", Secret: canarySecret}, "username"},
			"no secret on create":                   {access.TransferCredential{Name: "ok", Username: "u"}, "secret_wo"},
			"a secret too long":                     {access.TransferCredential{Name: "ok", Username: "u", Secret: canarySecret + strings.Repeat("x", access.MaxSecretLength)}, "secret_wo"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				_, err := s.CreateTransferCredential(ctx, tc.c)
				assertFieldError(t, err, tc.field, "")
				if strings.Contains(err.Error(), canarySecret) {
					t.Errorf("error quotes the secret: %v", err)
				}
			})
		}
	})
}

func TestTransferCredentialNamesAreUniqueRegardlessOfCase(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		first := mustCreateCredential(t, s, "sftp_prod", "a")
		_, err := s.CreateTransferCredential(t.Context(), access.TransferCredential{Name: "SFTP_PROD", Username: "u", Secret: canarySecret})
		assertConflict(t, "CreateTransferCredential", err, first.ID)
		if strings.Contains(err.Error(), canarySecret) {
			t.Errorf("error quotes the secret: %v", err)
		}
	})
}

func TestDeletingACredentialInUseIsRefusedNamingTheDestinations(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		c := mustCreateCredential(t, s, "sftp_prod", "a")
		for _, name := range []string{"Warehouse", "Archive"} {
			mustCreateDestination(t, s, name, c.ID)
		}
		err := s.DeleteTransferCredential(ctx, c.ID, 0)
		assertConflict(t, "DeleteTransferCredential", err, `export destination(s) "Archive", "Warehouse"`)
		if _, err := s.GetTransferCredential(ctx, c.ID); err != nil {
			t.Fatalf("the credential must still exist: %v", err)
		}
		assertSecret(t, s, c.ID, "a", true)
	})
}

func TestTransferCredentialStaleVersionAndMissingIDs(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		c := mustCreateCredential(t, s, "sftp_prod", "a")
		c.Version = 7
		if _, err := s.UpdateTransferCredential(ctx, c); !errors.Is(err, access.ErrPreconditionFailed) {
			t.Errorf("stale update: got %v", err)
		}
		if err := s.DeleteTransferCredential(ctx, c.ID, 7); !errors.Is(err, access.ErrPreconditionFailed) {
			t.Errorf("stale delete: got %v", err)
		}
		if err := s.DeleteTransferCredential(ctx, "cred_missing", 0); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("delete missing: got %v", err)
		}
		if _, err := s.GetTransferCredential(ctx, "cred_missing"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("get missing: got %v", err)
		}
	})
}

func TestSecretsAreEncryptedAtRestWithAKeyFileBesideTheDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "engage.db")
	s, err := Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(KeyFilePath(dbPath)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file exists before any secret is stored: %v", err)
	}
	c := mustCreateCredential(t, s, "sftp_prod", canarySecret)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(KeyFilePath(dbPath))
	if err != nil || info.Mode().Perm() != 0o600 || info.Size() != SecretKeySize {
		t.Fatalf("key file: %v, %v", info, err)
	}
	// Neither the database nor its WAL holds the secret in clear.
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(canarySecret)) {
			t.Fatalf("%s holds the secret in clear", f)
		}
	}
	// Reopened, the key file decrypts; another key does not.
	again, err := Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Close() })
	assertSecret(t, again, c.ID, canarySecret, true)

	wrongKey, err := Open(t.Context(), dbPath, WithSecretKey(bytes.Repeat([]byte{1}, SecretKeySize)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = wrongKey.Close() })
	_, err = wrongKey.TransferSecretMatches(t.Context(), c.ID, canarySecret)
	if err == nil || !strings.Contains(err.Error(), "does not decrypt with this key") {
		t.Fatalf("wrong key: got %v", err)
	}
}

func TestWithSecretKeyRefusesAKeyOfTheWrongSize(t *testing.T) {
	t.Parallel()
	_, err := Open(t.Context(), filepath.Join(t.TempDir(), "engage.db"), WithSecretKey([]byte("short")))
	if err == nil || !strings.Contains(err.Error(), "must be 32 bytes") {
		t.Fatalf("got %v", err)
	}
}
