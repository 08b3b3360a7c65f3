package apiserver

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// createLoggedInUser creates a user and logs it in logins times, through the
// store as the console would: the API has no login.
func (s *testServer) createLoggedInUser(t *testing.T, email string, logins int) wire.User {
	t.Helper()
	role := s.createRole(t, "Role of "+email)
	var u wire.User
	s.expect(t, http.StatusCreated, "POST", "/v1/users", wire.User{Email: email, DisplayName: email, RoleID: role.ID}).decode(t, &u)
	for range logins {
		if err := s.store.RecordLogin(t.Context(), u.ID, time.Now(), false); err != nil {
			t.Fatalf("RecordLogin: %v", err)
		}
	}
	return u
}

func TestRevokingAUsersSessionsAnswersWithTheCount(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	u := s.createLoggedInUser(t, "ada@example.com", 2)
	path := "/v1/users/" + u.ID + "/sessions:revoke"

	var got wire.SessionsRevoked
	resp := s.expect(t, http.StatusOK, "POST", path, nil)
	resp.decode(t, &got)
	if got.Revoked != 2 {
		t.Errorf("revoked = %d, want 2", got.Revoked)
	}
	if etag := resp.header.Get("ETag"); etag != "" {
		t.Errorf("ETag = %q, want none: the user did not change", etag)
	}
	if n, err := s.store.CountOpenSessions(t.Context(), u.ID); err != nil || n != 0 {
		t.Errorf("open sessions after the call = %d, %v; want 0", n, err)
	}
	// An empty object is accepted as the body too; nothing is left to end.
	s.expect(t, http.StatusOK, "POST", path, map[string]any{}).decode(t, &got)
	if got.Revoked != 0 {
		t.Errorf("revoked by a second call = %d, want 0", got.Revoked)
	}
	var user wire.User
	if s.expect(t, http.StatusOK, "GET", "/v1/users/"+u.ID, nil).decode(t, &user); user.Version != u.Version {
		t.Errorf("user version %d after revoking, want %d unchanged", user.Version, u.Version)
	}
}

func TestRevokingSessionsRefusesAnUnknownUserAndABody(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	p := s.expect(t, http.StatusNotFound, "POST", "/v1/users/usr_0000000000000000/sessions:revoke", nil).problem(t)
	if p.Type != wire.ProblemNotFound || !strings.Contains(p.Detail, "usr_0000000000000000") {
		t.Errorf("problem = %+v, want not found naming the user", p)
	}
	u := s.createLoggedInUser(t, "ada@example.com", 1)
	path := "/v1/users/" + u.ID + "/sessions:revoke"
	s.expect(t, http.StatusBadRequest, "POST", path, map[string]any{"all": true})
	s.expect(t, http.StatusUnsupportedMediaType, "POST", path, "{}", "Content-Type", "text/plain")
	s.expect(t, http.StatusMethodNotAllowed, "GET", path, nil)
	if n, err := s.store.CountOpenSessions(t.Context(), u.ID); err != nil || n != 1 {
		t.Errorf("open sessions after refused calls = %d, %v; want 1", n, err)
	}
}

// A client whose answer was lost retries with the same key: it must learn
// how many sessions its first call ended, not 0.
func TestARetriedRevocationReplaysTheFirstCount(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	u := s.createLoggedInUser(t, "ada@example.com", 3)
	path := "/v1/users/" + u.ID + "/sessions:revoke"
	s.expect(t, http.StatusOK, "POST", path, nil, "Idempotency-Key", "revoke-1")
	again := s.expect(t, http.StatusOK, "POST", path, nil, "Idempotency-Key", "revoke-1")
	var got wire.SessionsRevoked
	again.decode(t, &got)
	if got.Revoked != 3 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry answered revoked %d (replayed %q), want the first answer's 3", got.Revoked, again.header.Get("Idempotent-Replayed"))
	}
}
