package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// login logs user id in through RecordLogin, as the console would.
func login(t *testing.T, s *Store, id string, at time.Time, twoFactor bool) {
	t.Helper()
	if err := s.RecordLogin(t.Context(), id, at, twoFactor); err != nil {
		t.Fatalf("RecordLogin(%s): %v", id, err)
	}
}

func mustCountOpenSessions(t *testing.T, s *Store, id string) int {
	t.Helper()
	n, err := s.CountOpenSessions(t.Context(), id)
	if err != nil {
		t.Fatalf("CountOpenSessions(%s): %v", id, err)
	}
	return n
}

func TestEachLoginOpensASessionAndRevokingEndsThemAll(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		role := mustCreateRole(t, s, "Viewer", "campaign.view")
		ada := mustCreateUser(t, s, "ada@example.com", role.ID)
		bob := mustCreateUser(t, s, "bob@example.com", role.ID)
		for range 3 {
			login(t, s, ada.ID, time.Now(), false)
		}
		login(t, s, bob.ID, time.Now(), false)
		if got := mustCountOpenSessions(t, s, ada.ID); got != 3 {
			t.Fatalf("open sessions after three logins = %d, want 3", got)
		}

		n, err := s.RevokeUserSessions(ctx, ada.ID)
		if err != nil || n != 3 {
			t.Fatalf("RevokeUserSessions = %d, %v; want 3", n, err)
		}
		if got := mustCountOpenSessions(t, s, ada.ID); got != 0 {
			t.Errorf("open sessions after the revocation = %d, want 0", got)
		}
		if got := mustCountOpenSessions(t, s, bob.ID); got != 1 {
			t.Errorf("another user's sessions = %d after the revocation, want 1 untouched", got)
		}
		// Ended sessions stay ended: a second revocation finds nothing to end.
		if n, err := s.RevokeUserSessions(ctx, ada.ID); err != nil || n != 0 {
			t.Errorf("second RevokeUserSessions = %d, %v; want 0", n, err)
		}
		// A later login opens a new session.
		login(t, s, ada.ID, time.Now(), false)
		if got := mustCountOpenSessions(t, s, ada.ID); got != 1 {
			t.Errorf("open sessions after logging in again = %d, want 1", got)
		}
	})
}

func TestRevokingSessionsLeavesTheUserAsItWas(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		role := mustCreateRole(t, s, "Viewer", "campaign.view")
		u := mustCreateUser(t, s, "ada@example.com", role.ID)
		login(t, s, u.ID, time.Date(2025, 11, 2, 8, 0, 0, 0, time.UTC), true)
		before, err := s.GetUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RevokeUserSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		after, err := s.GetUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Not a configuration change: the version Terraform holds stays valid.
		if after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) || after.Status != access.UserActive {
			t.Errorf("after a revocation: version %d, updated %v, status %q; want %d, %v, active",
				after.Version, after.UpdatedAt, after.Status, before.Version, before.UpdatedAt)
		}
	})
}

func TestADisabledUsersSessionsCanBeRevoked(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		role := mustCreateRole(t, s, "Viewer", "campaign.view")
		u := mustCreateUser(t, s, "ada@example.com", role.ID)
		login(t, s, u.ID, time.Now(), false)
		login(t, s, u.ID, time.Now(), false)
		// Disabling refuses new logins; the sessions already open stay open
		// until they are revoked, which is what the revocation is for.
		u.Disabled = true
		if _, err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got := mustCountOpenSessions(t, s, u.ID); got != 2 {
			t.Fatalf("open sessions of the disabled user = %d, want 2", got)
		}
		if n, err := s.RevokeUserSessions(ctx, u.ID); err != nil || n != 2 {
			t.Errorf("RevokeUserSessions of a disabled user = %d, %v; want 2", n, err)
		}
	})
}

func TestSessionsOfAMissingUserAreNotFound(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		const missing = "usr_0000000000000000"
		if _, err := s.RevokeUserSessions(t.Context(), missing); !errors.Is(err, access.ErrNotFound) || !strings.Contains(err.Error(), missing) {
			t.Errorf("RevokeUserSessions of a missing user: %v, want not found naming %s", err, missing)
		}
		if _, err := s.CountOpenSessions(t.Context(), missing); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("CountOpenSessions of a missing user: %v, want not found", err)
		}
	})
}

func TestDeletingAUserDeletesItsSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		role := mustCreateRole(t, s, "Viewer", "campaign.view")
		u := mustCreateUser(t, s, "ada@example.com", role.ID)
		login(t, s, u.ID, time.Now(), false)
		if err := s.DeleteUser(ctx, u.ID, 0); err != nil {
			t.Fatalf("DeleteUser with an open session: %v", err)
		}
		var left int
		if err := s.db.QueryRow(`SELECT count(*) FROM user_sessions WHERE user_id = ?`, u.ID).Scan(&left); err != nil || left != 0 {
			t.Errorf("sessions left after deleting the user = %d, %v; want 0", left, err)
		}
	})
}

func TestTheSessionsMigrationKeepsEarlierLoginsWithoutSessions(t *testing.T) {
	t.Parallel()
	// Found by name: the lead may renumber it when branches merge.
	at := slices.IndexFunc(migrations, func(m migration) bool { return strings.HasSuffix(m.name, "_user_sessions.sql") })
	if at < 0 {
		t.Fatal("no user_sessions migration in the list")
	}
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		db := d.newRawDB(t)
		migrateDB(t, d.dialect, db, migrations[:at])
		_, err := db.Exec(`INSERT INTO roles (id, name, name_key, permissions, created_at, updated_at) VALUES ('rol_1', 'r', 'r', '[]', '', '');
			INSERT INTO users (id, email, email_key, role_id, last_login_at, created_at, updated_at)
			VALUES ('usr_1', 'a@example.com', 'a@example.com', 'rol_1', '2025-01-01T00:00:00.000000000Z', '', '')`)
		if err != nil {
			t.Fatal(err)
		}
		migrateDB(t, d.dialect, db, migrations[at:at+1])

		var n int
		if err := db.QueryRow(`SELECT count(*) FROM user_sessions`).Scan(&n); err != nil || n != 0 {
			t.Errorf("sessions after the migration = %d, %v; want none made up from last_login_at", n, err)
		}
	})
}
