package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// failingService fails role creation with err (when set) and panics on
// WhoAmI; everything else is a real store.
type failingService struct {
	access.Service
	mu  sync.Mutex
	err error
}

func (f *failingService) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *failingService) CreateRole(ctx context.Context, r access.Role) (access.Role, error) {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return access.Role{}, err
	}
	return f.Service.CreateRole(ctx, r)
}

func (f *failingService) WhoAmI(context.Context) (access.Caller, error) {
	panic("boom in WhoAmI")
}

func (f *failingService) ListUsers(context.Context, access.ListOptions) (access.Page[access.User], error) {
	return access.Page[access.User]{}, errors.New("disk on fire at /var/lib/secret-path")
}

func newFailingServer(t *testing.T, err error) (*testServer, *failingService) {
	t.Helper()
	st, oerr := store.OpenMemory(context.Background())
	if oerr != nil {
		t.Fatal(oerr)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &failingService{Service: st, err: err}
	return newTestServerOver(t, f, st, Options{}), f
}

func TestTheRequestLogNamesTheRequestAndNothingSecret(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	const canary = "canary-log-4r9X"
	r := s.expect(t, http.StatusCreated, "POST", "/v1/transfer-credentials",
		map[string]any{"name": "c", "username": "u", "secret": canary},
		"X-Request-Id", "req-123", "Authorization", "Bearer "+canary+"-token")
	if r.header.Get("X-Request-Id") != "req-123" {
		t.Errorf("X-Request-Id = %q, want the client's", r.header.Get("X-Request-Id"))
	}
	logs := s.log.String()
	for _, want := range []string{`"request_id":"req-123"`, `"route":"POST /v1/transfer-credentials"`, `"status":201`, `"method":"POST"`, `"duration_ms"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "canary") || strings.Contains(logs, "Bearer") {
		t.Errorf("log carries a secret or token:\n%s", logs)
	}
}

func TestARequestWithoutAnIDGetsOne(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	cases := []struct{ name, sent string }{
		{"no id", ""},
		{"an id with a space", "a b"},
		{"an overlong id", strings.Repeat("x", 129)},
	}
	for _, tc := range cases {
		t.Run("a request with "+tc.name+" gets a generated id", func(t *testing.T) {
			r := s.do(t, "GET", "/v1/whoami", nil, "X-Request-Id", tc.sent)
			id := r.header.Get("X-Request-Id")
			if len(id) != 32 || id == tc.sent {
				t.Errorf("X-Request-Id = %q, want a generated one", id)
			}
			if !strings.Contains(s.log.String(), id) {
				t.Errorf("log lacks the generated id %s", id)
			}
		})
	}
}

func TestAnUnexpectedErrorIsAGeneric500(t *testing.T) {
	t.Parallel()
	s, _ := newFailingServer(t, nil)
	r := s.expect(t, http.StatusInternalServerError, "GET", "/v1/users", nil)
	p := r.problem(t)
	if strings.Contains(string(r.body), "disk on fire") || !strings.Contains(p.Detail, r.header.Get("X-Request-Id")) {
		t.Errorf("500 body = %s; want a generic detail naming the request id", r.body)
	}
	if !strings.Contains(s.log.String(), "disk on fire") {
		t.Errorf("the log lacks the real error:\n%s", s.log.String())
	}
}

func TestAPanicBecomesA500Problem(t *testing.T) {
	t.Parallel()
	s, _ := newFailingServer(t, nil)
	r := s.expect(t, http.StatusInternalServerError, "GET", "/v1/whoami", nil)
	if p := r.problem(t); p.Type != wire.ProblemInternal {
		t.Errorf("problem = %+v", p)
	}
	logs := s.log.String()
	if !strings.Contains(logs, "boom in WhoAmI") || !strings.Contains(logs, `"status":500`) {
		t.Errorf("log lacks the panic or the 500:\n%s", logs)
	}
	// The server keeps serving.
	s.expect(t, http.StatusOK, "GET", "/v1/permissions", nil)
}

func TestAccessErrorsMapToStatuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		err        error
		wantStatus int
		wantHeader string
	}{
		{"unauthorized is 401 with a bearer challenge", access.ErrUnauthorized, http.StatusUnauthorized, "WWW-Authenticate"},
		{"forbidden is 403", access.ErrForbidden, http.StatusForbidden, ""},
		{"rate limited is 429 with Retry-After", &access.RateLimitedError{}, http.StatusTooManyRequests, "Retry-After"},
		{"not found is 404", &access.NotFoundError{Kind: "role", ID: "x"}, http.StatusNotFound, ""},
		{"conflict is 409", &access.ConflictError{Kind: "role", Reason: "r"}, http.StatusConflict, ""},
		{"a stale version is 412", &access.PreconditionFailedError{Kind: "role", ID: "x"}, http.StatusPreconditionFailed, ""},
		{"a wrapped validation error is 400", errors.Join(errors.New("ctx"), &access.ValidationError{Kind: "role", Fields: []access.FieldError{{Field: "name", Message: "m"}}}), http.StatusBadRequest, ""},
		{"anything else is 500", errors.New("x"), http.StatusInternalServerError, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newFailingServer(t, tc.err)
			r := s.expect(t, tc.wantStatus, "POST", "/v1/roles", wire.Role{Name: "n", Permissions: []string{"campaign.view"}})
			r.problem(t)
			if tc.wantHeader != "" && r.header.Get(tc.wantHeader) == "" {
				t.Errorf("response lacks %s", tc.wantHeader)
			}
		})
	}
}

func TestMiddlewareFromOptionsWrapsTheRoutes(t *testing.T) {
	t.Parallel()
	deny := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	s := newTestServer(t, Options{Middleware: []func(http.Handler) http.Handler{deny}})
	s.expect(t, http.StatusUnauthorized, "GET", "/v1/whoami", nil)
	s.expect(t, http.StatusOK, "GET", "/v1/whoami", nil, "Authorization", "Bearer x")
	if logs := s.log.String(); !strings.Contains(logs, `"status":401`) || !strings.Contains(logs, `"route":"GET /v1/whoami"`) {
		t.Errorf("a request refused by middleware is not logged:\n%s", logs)
	}
}

// A database busy past its timeout, or a write aborted by concurrent ones
// (store.LockedError, store.ContendedError: access.ErrUnavailable), did
// nothing: 503 with Retry-After, which clients retry, rather than a 500.
func TestAnUnavailableDatabaseIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	s, _ := newFailingServer(t, fmt.Errorf("writing role: %w", access.ErrUnavailable))
	r := s.expect(t, http.StatusServiceUnavailable, "POST", "/v1/roles", wire.Role{Name: "Busy", Permissions: []string{"campaign.view"}})
	if p := r.problem(t); p.Type != wire.ProblemUnavailable || r.header.Get("Retry-After") != "1" {
		t.Errorf("problem %+v, Retry-After %q; want the unavailable type and 1", p, r.header.Get("Retry-After"))
	}
}
