package client

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver/openapitest"
)

// loggedInUser creates a user through the client and logs it in logins
// times on the store behind the server, as the console would.
func loggedInUser(t *testing.T, f *fixture, logins int) access.User {
	t.Helper()
	ctx := t.Context()
	role, err := f.client.CreateRole(ctx, access.Role{Name: "Viewer", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.client.CreateUser(ctx, access.User{Email: "ada@example.com", DisplayName: "Ada", RoleID: role.ID})
	if err != nil {
		t.Fatal(err)
	}
	for range logins {
		if err := f.store.RecordLogin(ctx, u.ID, time.Now(), false); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func TestRevokingSessionsThroughTheClientMatchesTheStore(t *testing.T) {
	t.Parallel()
	validator := openapitest.New(t)
	f := newFixture(t, fixtureOptions{wrap: validator.Wrap})
	ctx := t.Context()
	u := loggedInUser(t, f, 2)

	n, err := f.client.RevokeUserSessions(ctx, u.ID)
	if err != nil || n != 2 {
		t.Fatalf("RevokeUserSessions = %d, %v; want 2", n, err)
	}
	if open, err := f.store.CountOpenSessions(ctx, u.ID); err != nil || open != 0 {
		t.Errorf("open sessions on the platform = %d, %v; want 0", open, err)
	}
	if n, err := f.client.RevokeUserSessions(ctx, u.ID); err != nil || n != 0 {
		t.Errorf("second RevokeUserSessions = %d, %v; want 0", n, err)
	}
	// The user did not change, so an update at the version the client
	// holds still goes through.
	u.DisplayName = "Ada L."
	if _, err := f.client.UpdateUser(ctx, u); err != nil {
		t.Errorf("UpdateUser after revoking its sessions: %v", err)
	}

	_, err = f.client.RevokeUserSessions(ctx, "usr_0000000000000000")
	var nf *access.NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "user" || nf.ID != "usr_0000000000000000" {
		t.Errorf("revoking an unknown user's sessions: %v, want a user not found error naming the id", err)
	}
}

// The first answer is lost after the server ended the sessions; the retry,
// under the same Idempotency-Key, must report what the first call ended.
func TestARevocationWhoseAnswerWasLostReportsTheFirstCount(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	var keys []string
	f := newFixture(t, fixtureOptions{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/sessions:revoke") {
				next.ServeHTTP(w, r)
				return
			}
			keys = append(keys, r.Header.Get("Idempotency-Key")) // attempts of one call are sequential
			if attempts.Add(1) == 1 {
				inject(t, resetAfter, w, r, next)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	u := loggedInUser(t, f, 3)

	n, err := f.client.RevokeUserSessions(t.Context(), u.ID)
	if err != nil || n != 3 {
		t.Fatalf("RevokeUserSessions = %d, %v; want the first attempt's 3", n, err)
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("Idempotency-Keys of the attempts = %q, want one key sent twice", keys)
	}
}
