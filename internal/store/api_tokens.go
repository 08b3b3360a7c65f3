package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// tokenPrefix marks Engage API tokens, so secret scanners can recognise one.
const tokenPrefix = "eng_"

// APIToken describes a bearer token of the reference server. The token
// itself is shown once, when it is created, and never stored.
type APIToken struct {
	ID        string
	Name      string
	Scopes    []string
	CreatedAt time.Time
}

// CreateAPIToken creates a token named name with scopes and returns it with
// the token in clear: the only time it exists outside its holder.
func (s *Store) CreateAPIToken(ctx context.Context, name string, scopes []string) (APIToken, string, error) {
	verr := &access.ValidationError{Kind: "API token"}
	if msg := access.CheckName(name); msg != "" {
		verr.Add("name", "%s", msg)
	}
	scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))
	if len(scopes) == 0 {
		verr.Add("scopes", "at least one of %s and %s is required", access.ScopeRead, access.ScopeWrite)
	}
	for _, sc := range scopes {
		if sc != access.ScopeRead && sc != access.ScopeWrite {
			verr.Add("scopes", "unknown scope %q; the scopes are %s and %s", sc, access.ScopeRead, access.ScopeWrite)
		}
	}
	if err := verr.OrNil(); err != nil {
		return APIToken{}, "", err
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // never fails; see crypto/rand.Read
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	hash := sha256.Sum256([]byte(token))
	scopesJSON, _ := json.Marshal(scopes) // a []string always encodes
	t := APIToken{ID: newID("tok_"), Name: name, Scopes: scopes, CreatedAt: time.Now().UTC()}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkUniqueName(ctx, tx, "api_tokens", "API token", "", name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, name, name_key, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, name, access.NameKey(name), hash[:], string(scopesJSON), formatTime(t.CreatedAt))
		if err != nil {
			return fmt.Errorf("inserting API token %q: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return APIToken{}, "", err
	}
	return t, token, nil
}

// LookupAPIToken finds the token a bearer presented. An unknown token is an
// error wrapping access.ErrUnauthorized whose text never repeats the token.
func (s *Store) LookupAPIToken(ctx context.Context, token string) (APIToken, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return APIToken{}, fmt.Errorf("%w: not an Engage API token", access.ErrUnauthorized)
	}
	hash := sha256.Sum256([]byte(token))
	var (
		t               APIToken
		scopes, created string
	)
	err := s.read(ctx, func(q querier) error {
		return q.QueryRowContext(ctx, `SELECT id, name, scopes, created_at FROM api_tokens WHERE token_hash = ?`, hash[:]).
			Scan(&t.ID, &t.Name, &scopes, &created)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, fmt.Errorf("%w: unknown or revoked API token", access.ErrUnauthorized)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("looking up an API token: %w", err)
	}
	if err := json.Unmarshal([]byte(scopes), &t.Scopes); err != nil {
		return APIToken{}, fmt.Errorf("API token %s: stored scopes: %w", t.ID, err)
	}
	return t, parseTimes(t.ID, []string{created}, &t.CreatedAt)
}
