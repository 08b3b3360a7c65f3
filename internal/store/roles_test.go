package store

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// newMemoryStore opens a private in-memory store closed with the test.
func newMemoryStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenMemory(t.Context())
	if err != nil {
		t.Fatalf("OpenMemory: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustCreateRole(t *testing.T, s *Store, name string, perms ...string) access.Role {
	t.Helper()
	r, err := s.CreateRole(t.Context(), access.Role{Name: name, Permissions: perms})
	if err != nil {
		t.Fatalf("CreateRole(%q): %v", name, err)
	}
	return r
}

// insertUser creates a user holding roleID.
func insertUser(t *testing.T, s *Store, roleID string) {
	t.Helper()
	email := newID("u") + "@example.com"
	if _, err := s.CreateUser(t.Context(), access.User{Email: email, DisplayName: "Holder", RoleID: roleID}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
}

var roleIDPattern = regexp.MustCompile(`^rol_[0-9a-f]{16}$`)

func TestRoleCRUDRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()

		created, err := s.CreateRole(ctx, access.Role{
			ID:          "rol_ignored",
			Name:        "Campaign Publisher",
			Description: "Ships journeys.",
			Permissions: []string{"campaign.publish", "campaign.publish"},
			System:      true, // computed: ignored on create
			Version:     42,
		})
		if err != nil {
			t.Fatalf("CreateRole: %v", err)
		}
		if !roleIDPattern.MatchString(created.ID) {
			t.Errorf("ID = %q, want rol_ and 16 hex digits", created.ID)
		}
		if created.System || created.Version != 1 {
			t.Errorf("System, Version = %v, %d; want false, 1", created.System, created.Version)
		}
		if !slices.Equal(created.Permissions, []string{"campaign.publish"}) {
			t.Errorf("Permissions = %v, want the duplicates folded", created.Permissions)
		}
		if created.CreatedAt.IsZero() || !created.CreatedAt.Equal(created.UpdatedAt) {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want equal and set", created.CreatedAt, created.UpdatedAt)
		}

		got, err := s.GetRole(ctx, created.ID)
		if err != nil {
			t.Fatalf("GetRole: %v", err)
		}
		if !reflect.DeepEqual(got, created) {
			t.Errorf("GetRole = %+v\nwant the created role %+v", got, created)
		}
		byName, err := s.GetRoleByName(ctx, "CAMPAIGN publisher")
		if err != nil {
			t.Fatalf("GetRoleByName: %v", err)
		}
		if !reflect.DeepEqual(byName, created) {
			t.Errorf("GetRoleByName = %+v\nwant the created role %+v", byName, created)
		}

		update := created
		update.Name = "Exporter"
		update.Description = ""
		update.Permissions = []string{"data.export_data"}
		updated, err := s.UpdateRole(ctx, update)
		if err != nil {
			t.Fatalf("UpdateRole: %v", err)
		}
		if updated.Name != "Exporter" || updated.Description != "" || !updated.Sensitive || updated.Version != 2 {
			t.Errorf("UpdateRole = %+v; want the new name, no description, sensitive, version 2", updated)
		}
		if !updated.CreatedAt.Equal(created.CreatedAt) || updated.UpdatedAt.Before(created.UpdatedAt) {
			t.Errorf("timestamps after update = %v, %v; want created_at kept and updated_at not earlier", updated.CreatedAt, updated.UpdatedAt)
		}
		if got, _ := s.GetRole(ctx, created.ID); !reflect.DeepEqual(got, updated) {
			t.Errorf("GetRole after update = %+v\nwant %+v", got, updated)
		}

		if err := s.DeleteRole(ctx, created.ID, updated.Version); err != nil {
			t.Fatalf("DeleteRole: %v", err)
		}
		for name, err := range map[string]error{
			"GetRole":        second(s.GetRole(ctx, created.ID)),
			"GetRoleByName":  second(s.GetRoleByName(ctx, "Exporter")),
			"UpdateRole":     second(s.UpdateRole(ctx, updated)),
			"DeleteRole":     s.DeleteRole(ctx, created.ID, 0),
			"GetRole(empty)": second(s.GetRole(ctx, "")),
		} {
			var nf *access.NotFoundError
			if !errors.As(err, &nf) || nf.Kind != "role" || !errors.Is(err, access.ErrNotFound) {
				t.Errorf("%s after delete: got %v, want a role *access.NotFoundError", name, err)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestRoleDerivedFields(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		cases := []struct {
			name          string
			permissions   []string
			wantEffective []string
			wantSensitive bool
		}{
			{
				name:          "campaign.publish implies edit and view",
				permissions:   []string{"campaign.publish"},
				wantEffective: []string{"campaign.edit", "campaign.publish", "campaign.view"},
			},
			{
				name:          "data.export_data is sensitive and implies viewing data",
				permissions:   []string{"data.export_data"},
				wantEffective: []string{"data.export_data", "data.view_data", "data.view_segment_table"},
				wantSensitive: true,
			},
			{
				name:          "overlapping closures are merged once",
				permissions:   []string{"campaign.view", "campaign.edit"},
				wantEffective: []string{"campaign.edit", "campaign.view"},
			},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := mustCreateRole(t, s, fmt.Sprintf("Derived %d", i), tc.permissions...)
				if !slices.Equal(r.EffectivePermissions, tc.wantEffective) || r.Sensitive != tc.wantSensitive {
					t.Errorf("EffectivePermissions, Sensitive = %v, %v; want %v, %v",
						r.EffectivePermissions, r.Sensitive, tc.wantEffective, tc.wantSensitive)
				}
				stored, err := s.GetRole(t.Context(), r.ID)
				if err != nil || !reflect.DeepEqual(stored, r) {
					t.Errorf("GetRole = %+v, %v; want the derived fields on read too", stored, err)
				}
			})
		}
	})
}

func TestRoleValidation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		cases := []struct {
			name        string
			role        access.Role
			wantField   string // "" means the role is accepted
			wantMessage string
		}{
			{
				name:        "an unknown key is refused with the closest key suggested",
				role:        access.Role{Name: "Typo", Permissions: []string{"campaign.veiw"}},
				wantField:   "permissions",
				wantMessage: `did you mean "campaign.view"?`,
			},
			{
				name:        "no permissions are refused",
				role:        access.Role{Name: "Nothing"},
				wantField:   "permissions",
				wantMessage: "at least one permission",
			},
			{
				name:        "a name of 129 characters is refused",
				role:        access.Role{Name: strings.Repeat("n", 129), Permissions: []string{"campaign.view"}},
				wantField:   "name",
				wantMessage: "at most 128 characters",
			},
			{
				name: "a name of 128 characters is accepted",
				role: access.Role{Name: strings.Repeat("n", 128), Permissions: []string{"campaign.view"}},
			},
			{
				name:        "a zero-width space in the name is refused",
				role:        access.Role{Name: "Ops\u200bTeam", Permissions: []string{"campaign.view"}},
				wantField:   "name",
				wantMessage: "must not contain control or format characters (U+200B at position 4)",
			},
			// A system role's name is a field error (400), not a conflict with
			// the system role (409): no write can ever make it free.
			{
				name:        "a system role's name in lower case is refused",
				role:        access.Role{Name: "full admin", Permissions: []string{"campaign.view"}},
				wantField:   "name",
				wantMessage: `"Full Admin" is the name of a system role`,
			},
			{
				name:        "a system role's name in fullwidth letters is refused",
				role:        access.Role{Name: "Ｒｅａｄ Ｏｎｌｙ", Permissions: []string{"campaign.view"}},
				wantField:   "name",
				wantMessage: `"Read Only" is the name of a system role`,
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				created, err := s.CreateRole(t.Context(), tc.role)
				if tc.wantField == "" {
					if err != nil {
						t.Fatalf("CreateRole: %v", err)
					}
					if created.Name != tc.role.Name {
						t.Errorf("Name = %q, want %q", created.Name, tc.role.Name)
					}
					return
				}
				assertFieldError(t, err, tc.wantField, tc.wantMessage)

				// Update validates the same way.
				existing := mustCreateRole(t, s, "Valid "+tc.name, "campaign.view")
				tc.role.ID = existing.ID
				_, err = s.UpdateRole(t.Context(), tc.role)
				assertFieldError(t, err, tc.wantField, tc.wantMessage)
			})
		}
	})
}

func assertFieldError(t *testing.T, err error, field, message string) {
	t.Helper()
	var verr *access.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("got %v, want an *access.ValidationError", err)
	}
	for _, f := range verr.Fields {
		if f.Field == field && strings.Contains(f.Message, message) {
			return
		}
	}
	t.Errorf("got %v; want field %q with a message containing %q", err, field, message)
}

func TestRoleNamesAreUniqueRegardlessOfCase(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		ops := mustCreateRole(t, s, "Ops Team", "campaign.view")
		other := mustCreateRole(t, s, "Other", "campaign.view")

		cases := []struct {
			name       string
			write      func() error
			wantHolder string // the role the error must name
		}{
			{"creating the same name in another case is refused", func() error {
				_, err := s.CreateRole(ctx, access.Role{Name: "OPS team", Permissions: []string{"campaign.view"}})
				return err
			}, `"Ops Team" (` + ops.ID + ")"},
			{"creating the fullwidth form of the name is refused", func() error {
				_, err := s.CreateRole(ctx, access.Role{Name: "ＯＰＳ Ｔｅａｍ", Permissions: []string{"campaign.view"}})
				return err
			}, `"Ops Team" (` + ops.ID + ")"},
			{"renaming to another role's name is refused", func() error {
				r := other
				r.Name = "ops TEAM"
				_, err := s.UpdateRole(ctx, r)
				return err
			}, `"Ops Team" (` + ops.ID + ")"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.write()
				var conflict *access.ConflictError
				if !errors.As(err, &conflict) || !errors.Is(err, access.ErrConflict) {
					t.Fatalf("got %v, want an *access.ConflictError", err)
				}
				if !strings.Contains(conflict.Reason, tc.wantHolder) {
					t.Errorf("reason %q does not name the existing role %s", conflict.Reason, tc.wantHolder)
				}
			})
		}

		t.Run("a role may change the case of its own name", func(t *testing.T) {
			r := ops
			r.Name = "OPS TEAM"
			got, err := s.UpdateRole(ctx, r)
			if err != nil || got.Name != "OPS TEAM" {
				t.Errorf("UpdateRole = %q, %v; want the new spelling", got.Name, err)
			}
		})
	})
}

func TestSystemRoles(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()

		for _, want := range access.DefaultCatalog().SystemRoles() {
			t.Run(want.Name+" is listed and read-only", func(t *testing.T) {
				r, err := s.GetRoleByName(ctx, strings.ToUpper(want.Name))
				if err != nil {
					t.Fatalf("GetRoleByName: %v", err)
				}
				if r.ID != want.ID || !r.System || !slices.Equal(r.Permissions, want.Permissions) || r.Description != want.Description {
					t.Errorf("stored system role = %+v, want %+v", r, want)
				}

				edit := r
				edit.Description = "changed"
				_, err = s.UpdateRole(ctx, edit)
				assertConflict(t, "UpdateRole", err, "system roles are read-only")
				assertConflict(t, "DeleteRole", s.DeleteRole(ctx, r.ID, 0), "system roles are read-only")

				if after, _ := s.GetRole(ctx, r.ID); !reflect.DeepEqual(after, r) {
					t.Errorf("system role changed by refused writes: %+v", after)
				}
			})
		}

		t.Run("Full Admin grants every permission", func(t *testing.T) {
			r, err := s.GetRole(ctx, access.FullAdminRoleID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.EffectivePermissions, access.DefaultCatalog().Keys()) || !r.Sensitive {
				t.Errorf("Full Admin = %v (sensitive %v), want every catalog key and sensitive", r.EffectivePermissions, r.Sensitive)
			}
		})
	})
}

func assertConflict(t *testing.T, op string, err error, reason string) {
	t.Helper()
	var conflict *access.ConflictError
	if !errors.As(err, &conflict) {
		t.Errorf("%s: got %v, want an *access.ConflictError", op, err)
		return
	}
	if !strings.Contains(conflict.Reason, reason) {
		t.Errorf("%s: reason %q, want it to say %q", op, conflict.Reason, reason)
	}
}

func TestRoleWritesWithAStaleVersionAreRefused(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		r := mustCreateRole(t, s, "Versioned", "campaign.view")
		stale := r
		r.Description = "second write"
		if _, err := s.UpdateRole(ctx, r); err != nil { // now at version 2
			t.Fatalf("UpdateRole: %v", err)
		}

		stale.Description = "lost update"
		_, updateErr := s.UpdateRole(ctx, stale)
		for op, err := range map[string]error{
			"UpdateRole": updateErr,
			"DeleteRole": s.DeleteRole(ctx, r.ID, 1),
		} {
			var pf *access.PreconditionFailedError
			if !errors.As(err, &pf) || !errors.Is(err, access.ErrPreconditionFailed) || pf.ID != r.ID {
				t.Errorf("%s with version 1: got %v, want an *access.PreconditionFailedError for %s", op, err, r.ID)
			}
		}
		if got, _ := s.GetRole(ctx, r.ID); got.Description != "second write" || got.Version != 2 {
			t.Errorf("stored role = %q at version %d; want the second write at version 2", got.Description, got.Version)
		}

		t.Run("version zero writes unconditionally", func(t *testing.T) {
			stale.Version = 0
			got, err := s.UpdateRole(ctx, stale)
			if err != nil || got.Version != 3 {
				t.Fatalf("UpdateRole = version %d, %v; want version 3", got.Version, err)
			}
			if err := s.DeleteRole(ctx, r.ID, 0); err != nil {
				t.Errorf("DeleteRole: %v", err)
			}
		})
	})
}

func TestDeletingARoleHeldByUsersIsRefused(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		cases := []struct {
			name       string
			users      int
			wantReason string
		}{
			{"one holder", 1, "role is held by 1 user; reassign that user first"},
			{"three holders", 3, "role is held by 3 users; reassign them first"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				s := d.newStore(t)
				r := mustCreateRole(t, s, "Held", "campaign.view")
				for range tc.users {
					insertUser(t, s, r.ID)
				}
				err := s.DeleteRole(ctx, r.ID, r.Version)
				var conflict *access.ConflictError
				if !errors.As(err, &conflict) || conflict.Reason != tc.wantReason || conflict.ID != r.ID {
					t.Fatalf("DeleteRole: got %v, want a conflict saying %q", err, tc.wantReason)
				}
				if _, err := s.GetRole(ctx, r.ID); err != nil {
					t.Errorf("the role is gone after a refused delete: %v", err)
				}
			})
		}
	})
}

func TestListRolesPagesThroughEveryRoleOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		want := []string{access.FullAdminRoleID, access.ReadOnlyRoleID}
		for i := range 25 {
			want = append(want, mustCreateRole(t, s, fmt.Sprintf("Role %02d", i), "campaign.view").ID)
		}
		slices.Sort(want)

		var got []string
		var sizes []int
		opts := access.ListOptions{Limit: 10}
		for {
			page, err := s.ListRoles(ctx, opts)
			if err != nil {
				t.Fatalf("ListRoles(%+v): %v", opts, err)
			}
			sizes = append(sizes, len(page.Items))
			for _, r := range page.Items {
				got = append(got, r.ID)
			}
			if page.NextPageToken == "" {
				break
			}
			if len(sizes) > 10 {
				t.Fatal("pagination does not end")
			}
			opts.PageToken = page.NextPageToken
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged ids = %v\nwant every role once, ordered by id: %v", got, want)
		}
		if !slices.Equal(sizes, []int{10, 10, 7}) {
			t.Errorf("page sizes = %v, want [10 10 7]", sizes)
		}

		all, err := s.ListRoles(ctx, access.ListOptions{})
		if err != nil || len(all.Items) != len(want) || all.NextPageToken != "" {
			t.Errorf("ListRoles without a limit = %d roles, token %q, %v; want all %d, no token", len(all.Items), all.NextPageToken, err, len(want))
		}
	})
}

func TestListRolesRefusesBadOptions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		cases := []struct {
			name      string
			opts      access.ListOptions
			wantField string
		}{
			{"a negative limit", access.ListOptions{Limit: -1}, "limit"},
			{"a token that is not base64", access.ListOptions{PageToken: "not a token!"}, "page_token"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.ListRoles(t.Context(), tc.opts)
				assertFieldError(t, err, tc.wantField, "")
			})
		}
	})
}

func TestAnExactlyFullLastPageHasNoNextToken(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		mustCreateRole(t, s, "Third", "campaign.view") // with the two system roles: 3
		page, err := s.ListRoles(t.Context(), access.ListOptions{Limit: 3})
		if err != nil || len(page.Items) != 3 || page.NextPageToken != "" {
			t.Errorf("ListRoles = %d items, token %q, %v; want 3 items and no next page", len(page.Items), page.NextPageToken, err)
		}
	})
}

func BenchmarkListRolesOfFiveThousand(b *testing.B) {
	s, err := OpenMemory(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	perms := []string{"campaign.publish", "content.marketing.edit", "data.export_data", "analytics.insights"}
	for i := range 5000 {
		if _, err := s.CreateRole(b.Context(), access.Role{Name: fmt.Sprintf("Role %d", i), Permissions: perms}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		page, err := s.ListRoles(b.Context(), access.ListOptions{})
		if err != nil || len(page.Items) != 5002 {
			b.Fatalf("ListRoles = %d roles, %v", len(page.Items), err)
		}
	}
}
