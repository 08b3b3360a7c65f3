package apiserver

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// tokenServer serves a fresh store with authentication by its API tokens,
// and returns tokens for a reader, a writer and an admin holding both scopes.
func tokenServer(t *testing.T) (srv *testServer, reader, writer, admin string) {
	t.Helper()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	mint := func(name string, scopes ...string) string {
		_, token, err := st.CreateAPIToken(context.Background(), name, scopes)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	reader, writer, admin = mint("reader", access.ScopeRead), mint("writer", access.ScopeWrite), mint("admin", access.ScopeRead, access.ScopeWrite)
	auth := func(ctx context.Context, token string) (Principal, error) {
		tok, err := st.LookupAPIToken(ctx, token)
		return Principal{Name: tok.Name, Scopes: tok.Scopes}, err
	}
	return newTestServerOver(t, st, st, Options{Authenticate: auth}), reader, writer, admin
}

func TestRequestsNeedAValidBearerTokenWithTheRightScope(t *testing.T) {
	t.Parallel()
	srv, reader, writer, admin := tokenServer(t)
	role := map[string]any{"name": "Viewer", "permissions": []string{"campaign.view"}}
	cases := map[string]struct {
		method, path string
		body         any
		auth         string
		want         int
		wantDetail   string
	}{
		"no Authorization header is 401":           {"GET", "/v1/roles", nil, "", http.StatusUnauthorized, "Authorization: Bearer"},
		"another scheme is 401":                    {"GET", "/v1/roles", nil, "Basic dXNlcjpwYXNz", http.StatusUnauthorized, "Authorization: Bearer"},
		"an unknown token is 401":                  {"GET", "/v1/roles", nil, "Bearer eng_canary-unknown-token", http.StatusUnauthorized, "unknown or revoked"},
		"a reader may list":                        {"GET", "/v1/roles", nil, "Bearer " + reader, http.StatusOK, ""},
		"a reader may not create":                  {"POST", "/v1/roles", role, "Bearer " + reader, http.StatusForbidden, `token "reader" lacks the access:write scope`},
		"a writer without read may not list":       {"GET", "/v1/roles", nil, "Bearer " + writer, http.StatusForbidden, "lacks the access:read scope"},
		"a writer may create":                      {"POST", "/v1/roles", role, "Bearer " + writer, http.StatusCreated, ""},
		"a reader may not reset the settings":      {"DELETE", "/v1/settings/security", nil, "Bearer " + reader, http.StatusForbidden, `token "reader" lacks the access:write scope`},
		"a writer may reset the settings":          {"DELETE", "/v1/settings/security", nil, "Bearer " + writer, http.StatusOK, ""},
		"the scheme is matched regardless of case": {"GET", "/v1/permissions", nil, "bearer " + admin, http.StatusOK, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var headers []string
			if tc.auth != "" {
				headers = []string{"Authorization", tc.auth}
			}
			r := srv.expect(t, tc.want, tc.method, tc.path, tc.body, headers...)
			if tc.wantDetail == "" {
				return
			}
			p := r.problem(t)
			if !strings.Contains(p.Detail, tc.wantDetail) {
				t.Errorf("detail %q, want it to contain %q", p.Detail, tc.wantDetail)
			}
			if strings.Contains(string(r.body), "canary") {
				t.Errorf("the response repeats the token: %s", r.body)
			}
			if tc.want == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
				t.Error("a 401 must say how to authenticate (WWW-Authenticate)")
			}
		})
	}
	for _, token := range []string{reader, writer, admin} {
		if strings.Contains(srv.log.String(), token) {
			t.Fatal("the request log holds a token")
		}
	}
}

func TestWhoAmINamesTheTokenItsScopesAndTheClientAddress(t *testing.T) {
	t.Parallel()
	srv, _, _, admin := tokenServer(t)
	var who wire.WhoAmI
	srv.expect(t, http.StatusOK, "GET", "/v1/whoami", nil, "Authorization", "Bearer "+admin).decode(t, &who)
	if who.TokenName != "admin" || !slices.Equal(who.Scopes, []string{access.ScopeRead, access.ScopeWrite}) || who.ClientIP != "127.0.0.1" {
		t.Fatalf("whoami = %+v", who)
	}
}
