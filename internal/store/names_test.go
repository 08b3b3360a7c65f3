package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Names (and emails) are unique under access.NameKey, so a name written in
// fullwidth letters collides with its ASCII form for every kind of object.
func TestNamesAreUniqueAcrossCompatibilityForms(t *testing.T) {
	t.Parallel()
	forEachTestDialect(t, func(t *testing.T, d testDialect) {
		cases := []struct {
			kind string
			// create makes an object named name in s.
			create func(ctx context.Context, s *Store, name string) error
			ascii  string
			other  string // the same name in another compatibility form
		}{
			{"role", func(ctx context.Context, s *Store, name string) error {
				_, err := s.CreateRole(ctx, access.Role{Name: name, Permissions: []string{"campaign.view"}})
				return err
			}, "Ops Team", "ＯＰＳ Ｔｅａｍ"},
			{"IP allowlist", func(ctx context.Context, s *Store, name string) error {
				_, err := s.CreateIPAllowlist(ctx, access.IPAllowlist{Name: name, Enabled: true})
				return err
			}, "Office", "Ｏｆｆｉｃｅ"},
			{"export destination", func(ctx context.Context, s *Store, name string) error {
				cred, err := s.CreateTransferCredential(ctx, access.TransferCredential{Name: newID("cred_"), Username: "u", Secret: "s"})
				if err != nil {
					return err
				}
				_, err = s.CreateExportDestination(ctx, access.ExportDestination{
					Name:        name,
					SFTP:        &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/exports", CredentialID: cred.ID},
					ExportKinds: []access.ExportKind{access.ExportRawData},
				})
				return err
			}, "Warehouse", "Ｗａｒｅｈｏｕｓｅ"},
			// net/mail accepts any UTF-8 letters in an address (RFC 6532), so
			// CheckEmail admits fullwidth ones.
			{"user", func(ctx context.Context, s *Store, email string) error {
				_, err := s.CreateUser(ctx, access.User{Email: email, DisplayName: "Ada", RoleID: access.ReadOnlyRoleID})
				return err
			}, "ada@example.com", "Ａｄａ@ｅｘａｍｐｌｅ.com"},
			{"API token", func(ctx context.Context, s *Store, name string) error {
				_, _, err := s.CreateAPIToken(ctx, name, []string{access.ScopeRead})
				return err
			}, "ci", "ＣＩ"},
			{"role with a ligature", func(ctx context.Context, s *Store, name string) error {
				_, err := s.CreateRole(ctx, access.Role{Name: name, Permissions: []string{"campaign.view"}})
				return err
			}, "Finance", "ﬁnance"},
		}
		for _, tc := range cases {
			for _, order := range [][2]string{{tc.ascii, tc.other}, {tc.other, tc.ascii}} {
				t.Run("a "+tc.kind+" named "+order[1]+" is refused after "+order[0], func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					s := d.newStore(t)
					if err := tc.create(ctx, s, order[0]); err != nil {
						t.Fatalf("creating %q: %v", order[0], err)
					}
					err := tc.create(ctx, s, order[1])
					var conflict *access.ConflictError
					if !errors.As(err, &conflict) || !errors.Is(err, access.ErrConflict) {
						t.Fatalf("creating %q: got %v, want an *access.ConflictError", order[1], err)
					}
					if !strings.Contains(conflict.Reason, `"`+order[0]+`"`) || !strings.Contains(conflict.Reason, "compatibility forms such as fullwidth letters") {
						t.Errorf("reason %q does not name the holder %q and say why", conflict.Reason, order[0])
					}
				})
			}
		}
	})
}

func TestGetByNameMatchesAnyCompatibilityForm(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		role := mustCreateRole(t, s, "Ops Team", "campaign.view")
		user := mustCreateUser(t, s, "ada@example.com", access.ReadOnlyRoleID)

		if got, err := s.GetRoleByName(ctx, "ｏｐｓ ＴＥＡＭ"); err != nil || got.ID != role.ID {
			t.Errorf("GetRoleByName(fullwidth) = %s, %v; want %s", got.ID, err, role.ID)
		}
		if got, err := s.GetRoleByName(ctx, "Ｆｕｌｌ Ａｄｍｉｎ"); err != nil || got.ID != access.FullAdminRoleID {
			t.Errorf("GetRoleByName(fullwidth Full Admin) = %s, %v; want %s", got.ID, err, access.FullAdminRoleID)
		}
		if got, err := s.GetUserByEmail(ctx, "ＡＤＡ@example.com"); err != nil || got.ID != user.ID {
			t.Errorf("GetUserByEmail(fullwidth) = %s, %v; want %s", got.ID, err, user.ID)
		}
	})
}
