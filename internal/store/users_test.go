package store

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var userIDPattern = regexp.MustCompile(`^usr_[0-9a-f]{16}$`)

func mustCreateUser(t *testing.T, s *Store, email, roleID string) access.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), access.User{Email: email, DisplayName: "User " + email, RoleID: roleID})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// simulateLogin stands in for the console, which the store does not serve:
// the user logs in, possibly after enrolling a second factor.
func simulateLogin(t *testing.T, s *Store, id string, at time.Time, twoFactor bool) {
	t.Helper()
	_, err := s.db.Exec(`UPDATE users SET last_login_at = ?, two_factor_enabled = ? WHERE id = ?`, formatTime(at), twoFactor, id)
	if err != nil {
		t.Fatalf("simulating a login of %s: %v", id, err)
	}
}

func TestUserCRUDRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		analyst := mustCreateRole(t, s, "Analyst", "analytics.insights")
		lastLogin := time.Now()

		created, err := s.CreateUser(ctx, access.User{
			ID:          "usr_ignored",
			Email:       "Ada@Example.com",
			DisplayName: "Ada Lovelace",
			RoleID:      analyst.ID,
			// Computed: ignored on create.
			Status:           access.UserActive,
			TwoFactorEnabled: true,
			LastLoginAt:      &lastLogin,
			Version:          42,
		})
		if err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		if !userIDPattern.MatchString(created.ID) {
			t.Errorf("ID = %q, want usr_ and 16 hex digits", created.ID)
		}
		if created.Email != "Ada@Example.com" || created.DisplayName != "Ada Lovelace" || created.RoleID != analyst.ID || created.Disabled {
			t.Errorf("CreateUser = %+v; want the fields as given, the email's case kept", created)
		}
		if created.Status != access.UserInvited || created.TwoFactorEnabled || created.LastLoginAt != nil || created.Version != 1 {
			t.Errorf("Status, TwoFactorEnabled, LastLoginAt, Version = %q, %v, %v, %d; want invited, false, nil, 1",
				created.Status, created.TwoFactorEnabled, created.LastLoginAt, created.Version)
		}
		if created.CreatedAt.IsZero() || !created.CreatedAt.Equal(created.UpdatedAt) {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want equal and set", created.CreatedAt, created.UpdatedAt)
		}

		got, err := s.GetUser(ctx, created.ID)
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		if !reflect.DeepEqual(got, created) {
			t.Errorf("GetUser = %+v\nwant the created user %+v", got, created)
		}
		byEmail, err := s.GetUserByEmail(ctx, "ada@EXAMPLE.COM")
		if err != nil {
			t.Fatalf("GetUserByEmail: %v", err)
		}
		if !reflect.DeepEqual(byEmail, created) {
			t.Errorf("GetUserByEmail = %+v\nwant the created user %+v", byEmail, created)
		}

		update := created
		update.Email = "ada.lovelace@example.com"
		update.DisplayName = "Countess of Lovelace"
		update.RoleID = access.ReadOnlyRoleID
		update.Disabled = true
		updated, err := s.UpdateUser(ctx, update)
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if updated.Email != update.Email || updated.DisplayName != update.DisplayName || updated.RoleID != access.ReadOnlyRoleID ||
			!updated.Disabled || updated.Status != access.UserDisabled || updated.Version != 2 {
			t.Errorf("UpdateUser = %+v; want the new fields, status disabled, version 2", updated)
		}
		if !updated.CreatedAt.Equal(created.CreatedAt) || updated.UpdatedAt.Before(created.UpdatedAt) {
			t.Errorf("timestamps after update = %v, %v; want created_at kept and updated_at not earlier", updated.CreatedAt, updated.UpdatedAt)
		}
		if got, _ := s.GetUser(ctx, created.ID); !reflect.DeepEqual(got, updated) {
			t.Errorf("GetUser after update = %+v\nwant %+v", got, updated)
		}
		if _, err := s.GetUserByEmail(ctx, "ada@example.com"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("GetUserByEmail(old email) = %v, want not found", err)
		}

		if err := s.DeleteUser(ctx, created.ID, updated.Version); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		for name, err := range map[string]error{
			"GetUser":        second(s.GetUser(ctx, created.ID)),
			"GetUserByEmail": second(s.GetUserByEmail(ctx, update.Email)),
			"UpdateUser":     second(s.UpdateUser(ctx, updated)),
			"DeleteUser":     s.DeleteUser(ctx, created.ID, 0),
			"GetUser(empty)": second(s.GetUser(ctx, "")),
		} {
			var nf *access.NotFoundError
			if !errors.As(err, &nf) || nf.Kind != "user" || !errors.Is(err, access.ErrNotFound) {
				t.Errorf("%s after delete: got %v, want a user *access.NotFoundError", name, err)
			}
		}
	})
}

func TestUserValidation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		valid := access.User{Email: "grace@example.com", DisplayName: "Grace Hopper", RoleID: access.ReadOnlyRoleID}
		cases := []struct {
			name        string
			change      func(u *access.User)
			wantField   string // "" means the user is accepted
			wantMessage string
		}{
			{"an address with a display name is refused", func(u *access.User) { u.Email = "Grace <grace@example.com>" },
				"email", "is not a valid email address"},
			{"a string without @ is refused", func(u *access.User) { u.Email = "grace" }, "email", "is not a valid email address"},
			{"an address with surrounding space is refused", func(u *access.User) { u.Email = " grace@example.com" }, "email", "is not a valid email address"},
			{"an empty email is refused", func(u *access.User) { u.Email = "" }, "email", "is not a valid email address"},
			{"an address over 254 characters is refused", func(u *access.User) { u.Email = strings.Repeat("g", 243) + "@example.com" },
				"email", "at most 254 characters"},
			{"an empty display name is refused", func(u *access.User) { u.DisplayName = "" }, "display_name", "must not be empty"},
			{"a display name of 129 characters is refused", func(u *access.User) { u.DisplayName = strings.Repeat("d", 129) },
				"display_name", "at most 128 characters"},
			{"a display name with trailing space is refused", func(u *access.User) { u.DisplayName = "Grace " },
				"display_name", "must not start or end with white space"},
			{"an empty role id is refused", func(u *access.User) { u.RoleID = "" }, "role_id", "must not be empty"},
			{"a role that does not exist is refused, named", func(u *access.User) { u.RoleID = "rol_0000000000000000" },
				"role_id", `role "rol_0000000000000000" does not exist`},
			{"a display name of 128 characters is accepted", func(u *access.User) { u.DisplayName = strings.Repeat("d", 128) }, "", ""},
			{"a system role may be assigned", func(u *access.User) { u.RoleID = access.FullAdminRoleID }, "", ""},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u := valid
				u.Email = fmt.Sprintf("user%d@example.com", i)
				tc.change(&u)
				created, err := s.CreateUser(t.Context(), u)
				if tc.wantField == "" {
					if err != nil {
						t.Fatalf("CreateUser: %v", err)
					}
					if created.DisplayName != u.DisplayName || created.RoleID != u.RoleID {
						t.Errorf("CreateUser = %+v, want the fields of %+v", created, u)
					}
					return
				}
				assertFieldError(t, err, tc.wantField, tc.wantMessage)

				// Update validates the same way and leaves the stored user alone.
				existing := mustCreateUser(t, s, fmt.Sprintf("existing%d@example.com", i), access.ReadOnlyRoleID)
				u.ID = existing.ID
				_, err = s.UpdateUser(t.Context(), u)
				assertFieldError(t, err, tc.wantField, tc.wantMessage)
				if got, _ := s.GetUser(t.Context(), existing.ID); !reflect.DeepEqual(got, existing) {
					t.Errorf("user changed by a refused update: %+v", got)
				}
			})
		}
	})
}

func TestUserEmailsAreUniqueRegardlessOfCase(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		ada := mustCreateUser(t, s, "ada@example.com", access.ReadOnlyRoleID)
		grace := mustCreateUser(t, s, "grace@example.com", access.ReadOnlyRoleID)
		wantHolder := `"ada@example.com" (` + ada.ID + ")"

		cases := []struct {
			name  string
			write func() error
		}{
			{"creating the same address in another case is refused", func() error {
				_, err := s.CreateUser(ctx, access.User{Email: "ADA@Example.com", DisplayName: "Impostor", RoleID: access.ReadOnlyRoleID})
				return err
			}},
			{"changing another user's address to it is refused", func() error {
				u := grace
				u.Email = "Ada@example.COM"
				_, err := s.UpdateUser(ctx, u)
				return err
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.write()
				var conflict *access.ConflictError
				if !errors.As(err, &conflict) || !errors.Is(err, access.ErrConflict) || conflict.Kind != "user" {
					t.Fatalf("got %v, want a user *access.ConflictError", err)
				}
				if !strings.Contains(conflict.Reason, wantHolder) || !strings.Contains(conflict.Reason, "regardless of letter case") {
					t.Errorf("reason %q does not name the existing user %s", conflict.Reason, wantHolder)
				}
			})
		}
		if got, _ := s.GetUser(ctx, grace.ID); !reflect.DeepEqual(got, grace) {
			t.Errorf("user changed by a refused update: %+v", got)
		}

		t.Run("a user may change the case of its own address", func(t *testing.T) {
			u := ada
			u.Email = "Ada@Example.com"
			got, err := s.UpdateUser(ctx, u)
			if err != nil || got.Email != "Ada@Example.com" {
				t.Fatalf("UpdateUser = %q, %v; want the new spelling", got.Email, err)
			}
			if found, err := s.GetUserByEmail(ctx, "ada@example.com"); err != nil || found.ID != ada.ID {
				t.Errorf("GetUserByEmail after a case change = %+v, %v; want %s", found, err, ada.ID)
			}
		})
	})
}

func TestUserStatusFollowsDisabledAndLastLogin(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		loginAt := time.Date(2025, 3, 1, 9, 30, 0, 123, time.UTC)
		cases := []struct {
			name          string
			loggedIn      bool
			disabled      bool
			wantStatus    access.UserStatus
			wantLastLogin *time.Time
		}{
			{"a user who never logged in is invited", false, false, access.UserInvited, nil},
			{"a user who logged in is active", true, false, access.UserActive, &loginAt},
			{"a disabled user is disabled even before logging in", false, true, access.UserDisabled, nil},
			{"a disabled user is disabled even after logging in", true, true, access.UserDisabled, &loginAt},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				u := mustCreateUser(t, s, fmt.Sprintf("status%d@example.com", i), access.ReadOnlyRoleID)
				if tc.loggedIn {
					simulateLogin(t, s, u.ID, loginAt, true)
				}
				u.Disabled = tc.disabled
				u.DisplayName = "Renamed"
				updated, err := s.UpdateUser(ctx, u)
				if err != nil {
					t.Fatalf("UpdateUser: %v", err)
				}
				if updated.Status != tc.wantStatus {
					t.Errorf("Status = %q, want %q", updated.Status, tc.wantStatus)
				}
				// An update leaves what the platform maintains alone.
				if !reflect.DeepEqual(updated.LastLoginAt, tc.wantLastLogin) || updated.TwoFactorEnabled != tc.loggedIn {
					t.Errorf("LastLoginAt, TwoFactorEnabled = %v, %v; want %v, %v", updated.LastLoginAt, updated.TwoFactorEnabled, tc.wantLastLogin, tc.loggedIn)
				}
				if got, _ := s.GetUser(ctx, u.ID); !reflect.DeepEqual(got, updated) {
					t.Errorf("GetUser = %+v\nwant %+v", got, updated)
				}
			})
		}
	})
}

func TestUserWritesWithAStaleVersionAreRefused(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		u := mustCreateUser(t, s, "versioned@example.com", access.ReadOnlyRoleID)
		stale := u
		u.DisplayName = "Second write"
		if _, err := s.UpdateUser(ctx, u); err != nil { // now at version 2
			t.Fatalf("UpdateUser: %v", err)
		}

		stale.DisplayName = "Lost update"
		_, updateErr := s.UpdateUser(ctx, stale)
		for op, err := range map[string]error{
			"UpdateUser": updateErr,
			"DeleteUser": s.DeleteUser(ctx, u.ID, 1),
		} {
			var pf *access.PreconditionFailedError
			if !errors.As(err, &pf) || !errors.Is(err, access.ErrPreconditionFailed) || pf.ID != u.ID || pf.Kind != "user" {
				t.Errorf("%s with version 1: got %v, want a user *access.PreconditionFailedError for %s", op, err, u.ID)
			}
		}
		if got, _ := s.GetUser(ctx, u.ID); got.DisplayName != "Second write" || got.Version != 2 {
			t.Errorf("stored user = %q at version %d; want the second write at version 2", got.DisplayName, got.Version)
		}

		t.Run("version zero writes unconditionally", func(t *testing.T) {
			stale.Version = 0
			got, err := s.UpdateUser(ctx, stale)
			if err != nil || got.Version != 3 {
				t.Fatalf("UpdateUser = version %d, %v; want version 3", got.Version, err)
			}
			if err := s.DeleteUser(ctx, u.ID, 0); err != nil {
				t.Errorf("DeleteUser: %v", err)
			}
		})
	})
}

func TestARoleHeldByCreatedUsersCanBeDeletedOnceTheyAreGone(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		r := mustCreateRole(t, s, "Held", "campaign.view")
		u := mustCreateUser(t, s, "holder@example.com", r.ID)

		assertConflict(t, "DeleteRole", s.DeleteRole(ctx, r.ID, 0), "role is held by 1 user")
		if _, err := s.GetRole(ctx, r.ID); err != nil {
			t.Fatalf("the role is gone after a refused delete: %v", err)
		}
		if err := s.DeleteUser(ctx, u.ID, 0); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		if err := s.DeleteRole(ctx, r.ID, 0); err != nil {
			t.Errorf("DeleteRole once no user holds it: %v", err)
		}
	})
}

func TestListUsersPagesThroughEveryUserOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		var want []string
		for i := range 7 {
			want = append(want, mustCreateUser(t, s, fmt.Sprintf("user%02d@example.com", i), access.ReadOnlyRoleID).ID)
		}
		slices.Sort(want)

		all, err := s.ListUsers(ctx, access.ListOptions{})
		if err != nil || all.NextPageToken != "" {
			t.Fatalf("ListUsers(all) = next %q, %v; want one page", all.NextPageToken, err)
		}
		if got := userIDs(all.Items); !slices.Equal(got, want) {
			t.Errorf("ListUsers(all) = %v, want %v", got, want)
		}

		var paged []string
		opts := access.ListOptions{Limit: 3}
		for pages := 1; ; pages++ {
			page, err := s.ListUsers(ctx, opts)
			if err != nil {
				t.Fatalf("ListUsers page %d: %v", pages, err)
			}
			if len(page.Items) > 3 {
				t.Fatalf("page %d has %d users, want at most 3", pages, len(page.Items))
			}
			paged = append(paged, userIDs(page.Items)...)
			if page.NextPageToken == "" {
				if pages != 3 {
					t.Errorf("got %d pages, want 3", pages)
				}
				break
			}
			opts.PageToken = page.NextPageToken
		}
		if !slices.Equal(paged, want) {
			t.Errorf("paged = %v, want %v", paged, want)
		}

		_, err = s.ListUsers(ctx, access.ListOptions{PageToken: "!not a token", Limit: -1})
		var verr *access.ValidationError
		if !errors.As(err, &verr) || len(verr.Fields) != 2 {
			t.Errorf("ListUsers(bad options) = %v, want a validation error naming limit and page_token", err)
		}
	})
}

func userIDs(users []access.User) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}
