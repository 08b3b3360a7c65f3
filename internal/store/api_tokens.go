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

// apiTokenKind names API tokens in errors.
const apiTokenKind = "API token"

// lastUseResolution is how stale a token's recorded last use may be: a
// lookup records the use only when the stored one is older, so that a busy
// token costs one write a minute, not one a request.
const lastUseResolution = time.Minute

// APIToken describes a bearer token of the reference server. The token
// itself is shown once, when it is created, and never stored; neither it
// nor its hash is ever part of an APIToken.
type APIToken struct {
	ID        string
	Name      string
	Scopes    []string
	CreatedAt time.Time
	// ExpiresAt is when the token stops working; nil for never.
	ExpiresAt *time.Time
	// LastUsedAt is when the token last authenticated a request, to
	// within lastUseResolution; nil if it never did.
	LastUsedAt *time.Time
}

// Expired reports whether the token has expired at the time now.
func (t APIToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// APITokenOption changes how CreateAPIToken makes a token.
type APITokenOption func(*APIToken)

// ExpiresAt makes the token stop working at the time at.
func ExpiresAt(at time.Time) APITokenOption {
	return func(t *APIToken) {
		at = at.UTC()
		t.ExpiresAt = &at
	}
}

// CreateAPIToken creates a token named name with scopes and returns it with
// the token in clear: the only time it exists outside its holder.
func (s *Store) CreateAPIToken(ctx context.Context, name string, scopes []string, opts ...APITokenOption) (APIToken, string, error) {
	scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))
	t := APIToken{ID: newID("tok_"), Name: name, Scopes: scopes, CreatedAt: time.Now().UTC()}
	for _, opt := range opts {
		opt(&t)
	}
	verr := &access.ValidationError{Kind: apiTokenKind}
	if msg := access.CheckName(name); msg != "" {
		verr.Add("name", "%s", msg)
	}
	if len(scopes) == 0 {
		verr.Add("scopes", "at least one of %s and %s is required", access.ScopeRead, access.ScopeWrite)
	}
	for _, sc := range scopes {
		if sc != access.ScopeRead && sc != access.ScopeWrite {
			verr.Add("scopes", "unknown scope %q; the scopes are %s and %s", sc, access.ScopeRead, access.ScopeWrite)
		}
	}
	if t.Expired(t.CreatedAt) {
		verr.Add("expires_at", "must be in the future, got %s", t.ExpiresAt.Format(time.RFC3339))
	}
	if err := verr.OrNil(); err != nil {
		return APIToken{}, "", err
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // never fails; see crypto/rand.Read
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	hash := sha256.Sum256([]byte(token))
	scopesJSON, _ := json.Marshal(scopes) // a []string always encodes
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkUniqueName(ctx, tx, "api_tokens", apiTokenKind, "", name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, name, name_key, token_hash, scopes, created_at, expires_at, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
			t.ID, name, access.NameKey(name), hash[:], string(scopesJSON), formatTime(t.CreatedAt), nullTime(t.ExpiresAt))
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

const apiTokenColumns = `id, name, scopes, created_at, expires_at, last_used_at`

// LookupAPIToken finds the token a bearer presented, and records its use.
// An unknown (or revoked) token and an expired one are errors wrapping
// access.ErrUnauthorized whose text never repeats the token.
//
// There is no cache: the lookup is one read by a unique index, so a token
// revoked or expired is refused at its next request on every server that
// shares the database.
func (s *Store) LookupAPIToken(ctx context.Context, token string) (APIToken, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return APIToken{}, fmt.Errorf("%w: not an Engage API token", access.ErrUnauthorized)
	}
	hash := sha256.Sum256([]byte(token))
	var t APIToken
	err := s.read(ctx, func(q querier) (err error) {
		t, err = scanAPIToken(q.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = ?`, hash[:]))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, fmt.Errorf("%w: unknown or revoked API token", access.ErrUnauthorized)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("looking up an API token: %w", err)
	}
	now := time.Now().UTC()
	if t.Expired(now) {
		return APIToken{}, fmt.Errorf("%w: the API token expired at %s", access.ErrUnauthorized, t.ExpiresAt.Format(time.RFC3339))
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUseResolution {
		// The record of use is for people reading `token list`; a write
		// that fails (the database busy with other writers) must not turn
		// a valid token into a refused request, so its error is dropped
		// and the next request tries again.
		if err := s.recordTokenUse(ctx, t.ID, now); err == nil {
			t.LastUsedAt = &now
		}
	}
	return t, nil
}

// recordTokenUse sets the token's last use to now unless another request
// (on this server or another) recorded one within lastUseResolution.
func (s *Store) recordTokenUse(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			formatTime(now), id, formatTime(now.Add(-lastUseResolution)))
		return err
	})
}

// ListAPITokens lists every token, expired ones included, ordered by name
// key. There are few tokens, so there is no paging.
func (s *Store) ListAPITokens(ctx context.Context) ([]APIToken, error) {
	tokens := make([]APIToken, 0)
	err := s.read(ctx, func(q querier) error {
		tokens = tokens[:0] // a retry starts over
		rows, err := q.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens ORDER BY name_key`)
		if err != nil {
			return fmt.Errorf("listing API tokens: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanAPIToken(rows)
			if err != nil {
				return err
			}
			tokens = append(tokens, t)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("listing API tokens: %w", err)
		}
		return nil
	})
	return tokens, err
}

// RevokeAPIToken deletes the token named name (compared by access.NameKey)
// and returns what it was. From then on it is an unknown token everywhere,
// and its name is free again.
func (s *Store) RevokeAPIToken(ctx context.Context, name string) (APIToken, error) {
	var t APIToken
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = scanAPIToken(tx.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE name_key = ?`, access.NameKey(name)))
		if errors.Is(err, sql.ErrNoRows) {
			return &access.NotFoundError{Kind: apiTokenKind, ID: name}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ?`, t.ID); err != nil {
			return fmt.Errorf("revoking API token %q: %w", name, err)
		}
		return nil
	})
	return t, err
}

// scanAPIToken reads one row of apiTokenColumns.
func scanAPIToken(row rowScanner) (APIToken, error) {
	var (
		t                 APIToken
		scopes, created   string
		expires, lastUsed sql.NullString
	)
	if err := row.Scan(&t.ID, &t.Name, &scopes, &created, &expires, &lastUsed); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return APIToken{}, err
		}
		return APIToken{}, fmt.Errorf("reading an API token: %w", err)
	}
	if err := json.Unmarshal([]byte(scopes), &t.Scopes); err != nil {
		return APIToken{}, fmt.Errorf("API token %s: stored scopes: %w", t.ID, err)
	}
	if err := parseTimes(t.ID, []string{created}, &t.CreatedAt); err != nil {
		return APIToken{}, err
	}
	var err error
	if t.ExpiresAt, err = parseNullTime(expires); err != nil {
		return APIToken{}, fmt.Errorf("API token %s: expiry: %w", t.ID, err)
	}
	if t.LastUsedAt, err = parseNullTime(lastUsed); err != nil {
		return APIToken{}, fmt.Errorf("API token %s: last use: %w", t.ID, err)
	}
	return t, nil
}

// nullTime is t as a nullable timestamp column.
func nullTime(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(*t), Valid: true}
}

// parseNullTime reads a nullable timestamp column.
func parseNullTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
