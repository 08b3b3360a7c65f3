package openapitest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

func TestTheDescriptionIsAValidOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// OpenAPI 3.0 has no scopes for bearer tokens, so each operation names
	// its own; it must be the one auth.go demands.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want := access.ScopeWrite
			if method == http.MethodGet {
				want = access.ScopeRead
			}
			if got := op.Extensions["x-required-scope"]; got != want {
				t.Errorf("%s %s: x-required-scope = %v, want %s", method, path, got, want)
			}
		}
	}
}

// serve starts h behind a validator that records, without failing the test.
func serve(t *testing.T, h http.Handler) (*Validator, *httptest.Server) {
	t.Helper()
	router, err := loadRouter()
	if err != nil {
		t.Fatal(err)
	}
	v := &Validator{router: router}
	srv := httptest.NewServer(v.Wrap(h))
	t.Cleanup(srv.Close)
	return v, srv
}

func do(t *testing.T, srv *httptest.Server, method, path, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer good")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func TestTheReferenceServerConformsOnEachKindOfAnswer(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h := apiserver.New(st, apiserver.Options{
		Authenticate: func(_ context.Context, token string) (apiserver.Principal, error) {
			if token != "good" {
				return apiserver.Principal{}, fmt.Errorf("%w: unknown token", access.ErrUnauthorized)
			}
			return apiserver.Principal{Name: "test", Scopes: []string{access.ScopeRead, access.ScopeWrite}}, nil
		},
	})
	v, srv := serve(t, h)

	created := do(t, srv, "POST", "/v1/roles", `{"name":"ops","description":"","permissions":["campaign.view"]}`, "Idempotency-Key", "k1")
	if created.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/roles = %d, want 201", created.StatusCode)
	}
	role := created.Header.Get("Location")
	do(t, srv, "POST", "/v1/roles", `{"name":"ops","description":"","permissions":["campaign.view"]}`, "Idempotency-Key", "k1")
	do(t, srv, "POST", "/v1/roles", `{"name":"ops","description":"","permissions":["campaign.view"]}`) // 409
	do(t, srv, "GET", role, "")
	do(t, srv, "GET", "/v1/roles?limit=1", "")
	do(t, srv, "GET", "/v1/roles?limit=501", "") // 400
	do(t, srv, "PUT", role, `{"name":"ops2","description":"d","permissions":["campaign.view"]}`, "If-Match", `"v1"`)
	do(t, srv, "PUT", role, `{"name":"ops3","description":"d","permissions":["campaign.view"]}`, "If-Match", `"v1"`) // 412
	do(t, srv, "POST", "/v1/transfer-credentials", `{"name":"c","username":"u","secret":"s3cret-value"}`)
	do(t, srv, "GET", "/v1/transfer-credentials", "")
	do(t, srv, "GET", "/v1/settings/security", "")
	do(t, srv, "PUT", "/v1/settings/security", `{"require_two_factor":true,"session_timeout_minutes":60,"campaign_approval_required":false,`+
		`"sso":{"enabled":false,"idp_entity_id":"","idp_sso_url":"","idp_certificate_pem":"","enforce":false}}`, "If-Match", `"v1"`)
	reset := do(t, srv, "DELETE", "/v1/settings/security", "", "Idempotency-Key", "r1")
	if reset.StatusCode != http.StatusOK {
		t.Fatalf("DELETE /v1/settings/security = %d, want 200", reset.StatusCode)
	}
	do(t, srv, "DELETE", "/v1/settings/security", "", "If-Match", `"v3"`) // 400
	do(t, srv, "GET", "/v1/whoami", "")
	do(t, srv, "GET", "/v1/permissions", "")
	do(t, srv, "GET", "/v1/openapi.yaml", "")
	do(t, srv, "GET", "/v1/roles/nope", "")                            // 404
	do(t, srv, "GET", "/v1/whoami", "", "Authorization", "Bearer bad") // 401
	do(t, srv, "POST", "/v1/roles", `{"name":"x","colour":"red"}`)     // 400, unknown field
	do(t, srv, "DELETE", role, "", "If-Match", `"v2"`)

	if vs := v.Violations(); len(vs) != 0 {
		t.Errorf("violations on the reference server:\n%v", vs)
	}
	if got := v.Exchanges(); got != 21 {
		t.Errorf("Exchanges() = %d, want 21", got)
	}
}

func TestBreachesOfTheDescriptionAreRecorded(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-do-not-print"
	tests := []struct {
		name         string
		method, path string
		body         string
		status       int
		respType     string
		respBody     string
		want         string
	}{
		{"a secret in a response", "GET", "/v1/transfer-credentials/c1", "", 200, "application/json",
			`{"id":"c1","name":"n","username":"u","secret":"` + secret + `","reference":"r","created_at":"2026-01-01T00:00:00Z","rotated_at":"2026-01-01T00:00:00Z","version":1}`,
			"writeOnly"},
		{"a missing required field", "GET", "/v1/whoami", "", 200, "application/json", `{"token_name":"t","scopes":[]}`, "client_ip"},
		{"an undocumented status", "GET", "/v1/whoami", "", http.StatusTeapot, "application/json", `{}`, "status is not supported"},
		{"an error that is not a problem body", "GET", "/v1/roles/r1", "", 404, "text/plain", "not found", "text/plain"},
		{"an unknown field the server accepted", "POST", "/v1/masking-columns", `{"table":"t","column":"c","mask":"full","description":"","colour":"red"}`,
			201, "application/json", `{"id":"t/c","table":"t","column":"c","mask":"full","description":"","created_at":"2026-01-01T00:00:00Z","version":1}`, "request"},
		{"a mask kind the description does not list", "POST", "/v1/masking-columns", `{"table":"t","column":"c","mask":"blur","description":""}`,
			201, "application/json", `{"id":"t/c","table":"t","column":"c","mask":"full","description":"","created_at":"2026-01-01T00:00:00Z","version":1}`, "mask"},
		{"a route the description does not list", "GET", "/v1/secrets", "", 200, "application/json", `{}`, "no operation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "r")
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Location", "/v1/masking-columns/t/c")
				w.Header().Set("Content-Type", tc.respType)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.respBody)
			}))
			do(t, srv, tc.method, tc.path, tc.body)
			vs := v.Violations()
			if len(vs) != 1 {
				t.Fatalf("violations = %v, want exactly one", vs)
			}
			msg := vs[0].String()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("violation %q does not mention %q", msg, tc.want)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("violation %q repeats the secret", msg)
			}
		})
	}
}

func TestARequestBothSidesRefuseIsNoBreach(t *testing.T) {
	t.Parallel()
	v, srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "r")
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"type":"urn:engage:problem:invalid","title":"Invalid request","status":400,"errors":[{"field":"mask","message":"must be one of"}]}`)
	}))
	do(t, srv, "POST", "/v1/masking-columns", `{"table":"t","column":"c","mask":"blur","description":""}`)
	if vs := v.Violations(); len(vs) != 0 {
		t.Errorf("violations = %v, want none", vs)
	}
}

func TestAResponseWithoutItsHeadersIsABreach(t *testing.T) {
	t.Parallel()
	v, srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"require_two_factor":false,"session_timeout_minutes":60,"campaign_approval_required":false,"customized":false,"version":1,`+
			`"sso":{"enabled":false,"idp_entity_id":"","idp_sso_url":"","idp_certificate_pem":"","enforce":false}}`)
	}))
	do(t, srv, "GET", "/v1/settings/security", "")
	vs := v.Violations()
	if len(vs) != 1 || !strings.Contains(vs[0].String(), "ETag") {
		t.Errorf("violations = %v, want one naming the missing ETag", vs)
	}
}

func TestRevokingSessionsConformsOnEachKindOfAnswer(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	role, err := st.CreateRole(t.Context(), access.Role{Name: "ops", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(t.Context(), access.User{Email: "ada@example.com", DisplayName: "Ada", RoleID: role.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RecordLogin(t.Context(), u.ID, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	v, srv := serve(t, apiserver.New(st, apiserver.Options{}))

	path := "/v1/users/" + u.ID + "/sessions:revoke"
	if got := do(t, srv, "POST", path, "", "Idempotency-Key", "k1"); got.StatusCode != http.StatusOK {
		t.Fatalf("POST %s = %d, want 200", path, got.StatusCode)
	}
	do(t, srv, "POST", path, "", "Idempotency-Key", "k1")                    // replayed
	do(t, srv, "POST", path, "{}")                                           // 200, revoked 0
	do(t, srv, "POST", path, `{"all":true}`)                                 // 400
	do(t, srv, "POST", "/v1/users/usr_0000000000000000/sessions:revoke", "") // 404
	do(t, srv, "POST", path, "{}", "Content-Type", "text/plain")             // 415

	if vs := v.Violations(); len(vs) != 0 {
		t.Errorf("violations on the reference server:\n%v", vs)
	}
	if got := v.Exchanges(); got != 6 {
		t.Errorf("Exchanges() = %d, want 6", got)
	}
}
