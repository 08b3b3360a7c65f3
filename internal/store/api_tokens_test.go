package store

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestAPITokensAreShownOnceAndStoredHashed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbPath := filepath.Join(t.TempDir(), "server.db")
	s, err := Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	created, token, err := s.CreateAPIToken(ctx, "ci", []string{access.ScopeWrite, access.ScopeRead, access.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "eng_") || len(token) < 40 {
		t.Fatalf("token %q does not look like an Engage token", token)
	}
	if want := []string{access.ScopeRead, access.ScopeWrite}; !slices.Equal(created.Scopes, want) {
		t.Errorf("scopes = %v, want sorted and unique %v", created.Scopes, want)
	}
	got, err := s.LookupAPIToken(ctx, token)
	if err != nil || got.ID != created.ID || got.Name != "ci" || !slices.Equal(got.Scopes, created.Scopes) {
		t.Fatalf("LookupAPIToken = %+v, %v", got, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(token)) {
			t.Fatalf("%s holds the token in clear", f)
		}
	}
}

func TestUnknownAPITokensAreUnauthorizedWithoutBeingRepeated(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		for _, token := range []string{"eng_not-a-real-token-canary", "Bearer something-canary", ""} {
			_, err := s.LookupAPIToken(t.Context(), token)
			if !errors.Is(err, access.ErrUnauthorized) {
				t.Errorf("LookupAPIToken(%q): got %v, want ErrUnauthorized", token, err)
			}
			if token != "" && strings.Contains(err.Error(), "canary") {
				t.Errorf("the error repeats the token: %v", err)
			}
		}
	})
}

func TestCreateAPITokenRules(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		if _, _, err := s.CreateAPIToken(t.Context(), "ci", []string{access.ScopeRead}); err != nil {
			t.Fatal(err)
		}
		cases := map[string]struct {
			name   string
			scopes []string
			field  string
		}{
			"no scopes":      {"other", nil, "scopes"},
			"an unknown one": {"other", []string{"admin"}, "scopes"},
			"an empty name":  {"", []string{access.ScopeRead}, "name"},
			"a name in use":  {"CI", []string{access.ScopeRead}, ""},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				_, _, err := s.CreateAPIToken(t.Context(), tc.name, tc.scopes)
				if tc.field == "" {
					assertConflict(t, "CreateAPIToken", err, "already used")
					return
				}
				assertFieldError(t, err, tc.field, "")
			})
		}
	})
}

func TestAnExpiredTokenIsRefusedSayingWhen(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		expiry := time.Now().Add(time.Hour).Truncate(time.Second)
		created, token, err := s.CreateAPIToken(ctx, "ci", []string{access.ScopeRead}, ExpiresAt(expiry))
		if err != nil {
			t.Fatal(err)
		}
		if created.ExpiresAt == nil || !created.ExpiresAt.Equal(expiry) {
			t.Fatalf("ExpiresAt = %v, want %v", created.ExpiresAt, expiry)
		}
		if _, err := s.LookupAPIToken(ctx, token); err != nil {
			t.Fatalf("before it expires: %v", err)
		}
		// As if the hour had passed.
		past := time.Now().Add(-time.Second).UTC()
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET expires_at = ? WHERE id = ?`, formatTime(past), created.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.LookupAPIToken(ctx, token)
		if !errors.Is(err, access.ErrUnauthorized) || !strings.Contains(err.Error(), "expired at "+past.Format(time.RFC3339)) {
			t.Errorf("after it expired: %v; want ErrUnauthorized saying when it expired", err)
		}
		tokens, err := s.ListAPITokens(ctx)
		if err != nil || len(tokens) != 1 || !tokens[0].Expired(time.Now()) {
			t.Errorf("ListAPITokens = %+v, %v; want the expired token still listed, as expired", tokens, err)
		}
	})
}

func TestATokenCannotBeCreatedExpired(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		_, _, err := s.CreateAPIToken(t.Context(), "ci", []string{access.ScopeRead}, ExpiresAt(time.Now().Add(-time.Minute)))
		assertFieldError(t, err, "expires_at", "must be in the future")
	})
}

func TestARevokedTokenIsRefusedAtOnceByEveryServer(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		ctx := t.Context()
		servers := racingStores(t, d)
		_, token, err := servers[0].CreateAPIToken(ctx, "deploy", []string{access.ScopeWrite})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := servers[1].LookupAPIToken(ctx, token); err != nil {
			t.Fatalf("before revoking: %v", err)
		}
		revoked, err := servers[0].RevokeAPIToken(ctx, "DEPLOY") // names compare by name key
		if err != nil || revoked.Name != "deploy" {
			t.Fatalf("RevokeAPIToken = %+v, %v", revoked, err)
		}
		if _, err := servers[1].LookupAPIToken(ctx, token); !errors.Is(err, access.ErrUnauthorized) {
			t.Errorf("the other server after revoking: %v; want ErrUnauthorized", err)
		}
		if _, err := servers[1].RevokeAPIToken(ctx, "deploy"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("revoking it again: %v; want ErrNotFound", err)
		}
		if _, _, err := servers[1].CreateAPIToken(ctx, "deploy", []string{access.ScopeRead}); err != nil {
			t.Errorf("the name is not free again: %v", err)
		}
	})
}

func TestListAPITokensShowsWhatEachIsWithoutItsSecret(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		expiry := time.Now().Add(24 * time.Hour).Truncate(time.Second)
		if _, _, err := s.CreateAPIToken(ctx, "zeta", []string{access.ScopeRead}); err != nil {
			t.Fatal(err)
		}
		_, token, err := s.CreateAPIToken(ctx, "Alpha", []string{access.ScopeWrite, access.ScopeRead}, ExpiresAt(expiry))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupAPIToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		tokens, err := s.ListAPITokens(ctx)
		if err != nil || len(tokens) != 2 {
			t.Fatalf("ListAPITokens = %+v, %v", tokens, err)
		}
		alpha, zeta := tokens[0], tokens[1]
		if alpha.Name != "Alpha" || zeta.Name != "zeta" {
			t.Errorf("order = %s, %s; want by name regardless of case", alpha.Name, zeta.Name)
		}
		if !slices.Equal(alpha.Scopes, []string{access.ScopeRead, access.ScopeWrite}) || alpha.ExpiresAt == nil || !alpha.ExpiresAt.Equal(expiry) ||
			alpha.LastUsedAt == nil || time.Since(*alpha.LastUsedAt) > time.Minute || alpha.CreatedAt.IsZero() {
			t.Errorf("Alpha = %+v; want its scopes, expiry, a recent last use and its creation", alpha)
		}
		if zeta.ExpiresAt != nil || zeta.LastUsedAt != nil {
			t.Errorf("zeta = %+v; want no expiry and no use", zeta)
		}
		if strings.Contains(fmt.Sprintf("%+v", tokens), strings.TrimPrefix(token, "eng_")) {
			t.Errorf("the listing holds the token")
		}
	})
}

func TestALookupRecordsTheTokensUseAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		created, token, err := s.CreateAPIToken(ctx, "ci", []string{access.ScopeRead})
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() string {
			t.Helper()
			var v sql.NullString
			if err := s.db.QueryRowContext(ctx, `SELECT last_used_at FROM api_tokens WHERE id = ?`, created.ID).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v.String
		}
		if _, err := s.LookupAPIToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		first := lastUsed()
		if first == "" {
			t.Fatal("the first use was not recorded")
		}
		if _, err := s.LookupAPIToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		if again := lastUsed(); again != first {
			t.Errorf("a second use within the minute rewrote the last use: %s, then %s", first, again)
		}
		// As if the minute had passed.
		old := formatTime(time.Now().Add(-2 * time.Minute))
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, old, created.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupAPIToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		if later := lastUsed(); later <= old {
			t.Errorf("a use after the minute was not recorded: last use %s, stored before %s", later, old)
		}
	})
}
