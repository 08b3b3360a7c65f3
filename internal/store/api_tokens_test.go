package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
