package access

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		name string
		want string // "" for valid, else the whole message
	}{
		"a plain name passes":                         {"Ops Team", ""},
		"an emoji passes":                             {"Ops 🚀", ""},
		"a CJK name passes":                           {"運用チーム", ""},
		"a non-breaking space inside passes":          {"Ops\u00a0Team", ""},
		"an empty name fails":                         {"", "must not be empty"},
		"a name of white space only fails":            {" \t\n", "must not be empty"},
		"a trailing non-breaking space fails":         {"Ops\u00a0", "must not start or end with white space"},
		"a trailing newline fails as white space":     {"Ops\n", "must not start or end with white space"},
		"a NUL fails":                                 {"Ops\x00Team", "must not contain control or format characters (U+0000 at position 4)"},
		"a newline inside fails":                      {"Ops\nTeam", "must not contain control or format characters (U+000A at position 4)"},
		"a tab inside fails":                          {"Ops\tTeam", "must not contain control or format characters (U+0009 at position 4)"},
		"a zero-width space inside fails":             {"Full\u200bAdmin", "must not contain control or format characters (U+200B at position 5)"},
		"a zero-width joiner fails":                   {"a\u200db", "must not contain control or format characters (U+200D at position 2)"},
		"a right-to-left override fails":              {"\u202eniamdA", "must not contain control or format characters (U+202E at position 1)"},
		"a bidi isolate fails":                        {"x\u2066y\u2069", "must not contain control or format characters (U+2066 at position 2)"},
		"a byte order mark fails":                     {"\ufeffOps", "must not contain control or format characters (U+FEFF at position 1)"},
		"a soft hyphen fails":                         {"Op\u00ads", "must not contain control or format characters (U+00AD at position 3)"},
		"a C1 control fails":                          {"Ops\u0080", "must not contain control or format characters (U+0080 at position 4)"},
		"positions count characters, not bytes":       {"日本\u200b", "must not contain control or format characters (U+200B at position 3)"},
		"only the first bad character is named":       {"a\u200bb\x00", "must not contain control or format characters (U+200B at position 2)"},
		"a 128-character name passes":                 {strings.Repeat("é", 128), ""},
		"a 129-character name fails":                  {strings.Repeat("é", 129), "must be at most 128 characters, got 129"},
		"a zero-width space alone is not white space": {"\u200b", "must not contain control or format characters (U+200B at position 1)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := CheckName(tc.name); got != tc.want {
				t.Errorf("CheckName(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func TestNameKey(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ a, b string }{
		"fullwidth letters match ASCII":                 {"Ｆｕｌｌ Ａｄｍｉｎ", "full admin"},
		"letter case does not count":                    {"OPS Team", "ops team"},
		"sharp s folds to ss":                           {"Straße", "STRASSE"},
		"capital sharp s folds to ss":                   {"STRAẞE", "strasse"},
		"a roman numeral matches its letters":           {"Team Ⅻ", "team xii"},
		"a ligature matches its letters":                {"ﬁnance", "FINANCE"},
		"a precomposed letter matches the combined one": {"café", "cafe\u0301"},
		"a fullwidth email matches ASCII":               {"Ａｄａ@ｅｘａｍｐｌｅ.com", "ada@example.com"},
		"Cherokee capitals match small letters":         {"\u13a0\u13f0", "\uab70\u13f8"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ka, kb := NameKey(tc.a), NameKey(tc.b)
			if ka != kb {
				t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q; want the same key", tc.a, ka, tc.b, kb)
			}
			if NameKey(ka) != ka {
				t.Errorf("NameKey(%q) = %q is not its own key", ka, NameKey(ka))
			}
		})
	}

	t.Run("different names keep different keys", func(t *testing.T) {
		t.Parallel()
		for _, pair := range [][2]string{{"Ops", "Ops2"}, {"résumé", "resume"}, {"a b", "ab"}} {
			if NameKey(pair[0]) == NameKey(pair[1]) {
				t.Errorf("NameKey(%q) == NameKey(%q) = %q; want different keys", pair[0], pair[1], NameKey(pair[0]))
			}
		}
	})
	t.Run("ASCII keys are the lower-case name, as before", func(t *testing.T) {
		t.Parallel()
		// Stored ASCII keys stay valid across the change to NFKC.
		for _, s := range []string{"Full Admin", "ADA@Example.COM", "x_Y-1 ~!"} {
			if got, want := NameKey(s), strings.ToLower(s); got != want {
				t.Errorf("NameKey(%q) = %q, want %q", s, got, want)
			}
		}
	})
}

func TestCheckRoleName(t *testing.T) {
	t.Parallel()
	const fullAdmin = `"Full Admin" is the name of a system role; system roles cannot be created or renamed to, choose another name`
	const readOnly = `"Read Only" is the name of a system role; system roles cannot be created or renamed to, choose another name`
	cases := map[string]struct {
		name string
		want string
	}{
		"a custom name passes":                                {"Analyst", ""},
		"a name containing a system name passes":              {"Full Admin Lite", ""},
		"a system name fails":                                 {"Full Admin", fullAdmin},
		"a system name in lower case fails":                   {"full admin", fullAdmin},
		"a system name in upper case fails":                   {"READ ONLY", readOnly},
		"a system name in fullwidth fails":                    {"Ｆｕｌｌ Ａｄｍｉｎ", fullAdmin},
		"a system name in fullwidth lower case fails":         {"ｒｅａｄ ｏｎｌｙ", readOnly},
		"a system name with a zero-width space fails as such": {"Full\u200bAdmin", "must not contain control or format characters (U+200B at position 5)"},
		"the name rules come first":                           {" Full Admin", "must not start or end with white space"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := CheckRoleName(tc.name); got != tc.want {
				t.Errorf("CheckRoleName(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

// Every name-like field of the platform follows CheckName: each Validate*
// function refuses a format character in it, naming that field.
func TestEveryNameFieldRefusesControlAndFormatCharacters(t *testing.T) {
	t.Parallel()
	const bad = "Ops\u200bTeam"
	c := DefaultCatalog()
	sftp := &SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/exports", CredentialID: "cred_1"}
	cases := map[string]struct {
		validate func(name string) error
		field    string
	}{
		"a role's name": {func(n string) error {
			return c.ValidateRole(Role{Name: n, Permissions: []string{"campaign.view"}})
		}, "name"},
		"an IP allowlist's name": {func(n string) error {
			_, err := ValidateIPAllowlist(IPAllowlist{Name: n})
			return err
		}, "name"},
		"an export destination's name": {func(n string) error {
			_, err := ValidateExportDestination(ExportDestination{Name: n, SFTP: sftp, ExportKinds: []ExportKind{ExportReport}})
			return err
		}, "name"},
		"a user's display name": {func(n string) error {
			return ValidateUser(User{Email: "ada@example.com", DisplayName: n, RoleID: "rol_1"})
		}, "display_name"},
		"a transfer credential's username": {func(n string) error {
			return ValidateTransferCredential(TransferCredential{Name: "sftp_prod", Username: n, Secret: "s"}, true)
		}, "username"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := tc.validate("Ops Team"); err != nil {
				t.Fatalf("a valid object was refused: %v", err)
			}
			err := tc.validate(bad)
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 {
				t.Fatalf("got %v, want a *ValidationError naming one field", err)
			}
			if f := verr.Fields[0]; f.Field != tc.field || f.Message != CheckName(bad) {
				t.Errorf("field error = %+v, want %s: %q", f, tc.field, CheckName(bad))
			}
		})
	}
}

func TestValidateRoleReservesSystemRoleNames(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	perms := []string{"campaign.view"}
	cases := map[string]struct {
		role      Role
		wantError bool
	}{
		"a new role named like a system role fails":     {Role{Name: "ｆｕｌｌ ａｄｍｉｎ", Permissions: perms}, true},
		"renaming a custom role to a system name fails": {Role{ID: "rol_1", Name: "Read Only", Permissions: perms}, true},
		"one system role may not take the other's name": {Role{ID: ReadOnlyRoleID, Name: "Full Admin", Permissions: perms}, true},
		// The backend refuses any write to a system role as read-only; the
		// name check stays out of the way so that that is what it says.
		"a system role keeps its own name": {Role{ID: FullAdminRoleID, Name: "Full Admin", Permissions: perms}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := c.ValidateRole(tc.role)
			if !tc.wantError {
				if err != nil {
					t.Fatalf("ValidateRole: %v, want no error", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != "name" ||
				!strings.Contains(verr.Fields[0].Message, "is the name of a system role") {
				t.Errorf("ValidateRole = %v; want one error on name saying it is a system role's", err)
			}
		})
	}
}
