package access

import (
	"slices"
	"strings"
	"testing"
)

func TestDefaultCatalogLoads(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	if n := len(c.Permissions()); n < 40 {
		t.Fatalf("catalog has %d permissions, want the whole embedded file", n)
	}
	p, ok := c.LookupID(229)
	if !ok || p.Key != "import_export.export_user_data" || !p.Sensitive {
		t.Fatalf("LookupID(229) = %+v, %v", p, ok)
	}
}

func TestClosure(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	cases := map[string]struct {
		keys []string
		want []string
	}{
		"a permission with no dependencies is its own closure": {
			keys: []string{"analytics.tracking"},
			want: []string{"analytics.tracking"},
		},
		"dependencies are followed transitively": {
			keys: []string{"campaign.publish"},
			want: []string{"campaign.edit", "campaign.publish", "campaign.view"},
		},
		"overlapping closures are merged without duplicates": {
			keys: []string{"data.manage_table_relations", "data.import_data", "data.manage_table"},
			want: []string{"data.import_data", "data.manage_table", "data.manage_table_relations", "data.view_segment_table"},
		},
		"unknown keys are skipped": {
			keys: []string{"nope", "campaign.view"},
			want: []string{"campaign.view"},
		},
		"no keys give an empty closure": {
			keys: nil,
			want: []string{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := c.Closure(tc.keys); !slices.Equal(got, tc.want) {
				t.Errorf("Closure(%v) = %v, want %v", tc.keys, got, tc.want)
			}
		})
	}
}

func TestAnySensitive(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	if c.AnySensitive([]string{"campaign.view", "data.view_data"}) {
		t.Error("non-sensitive keys reported sensitive")
	}
	if !c.AnySensitive([]string{"campaign.view", "data.personal_info"}) {
		t.Error("data.personal_info not reported sensitive")
	}
}

func TestSystemRoles(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	roles := c.SystemRoles()
	if len(roles) != 2 {
		t.Fatalf("got %d system roles, want 2", len(roles))
	}
	byName := map[string]SystemRole{}
	for _, r := range roles {
		byName[r.Name] = r
	}
	if admin := byName[FullAdminRoleName]; admin.ID != FullAdminRoleID || !slices.Equal(admin.Permissions, c.Keys()) {
		t.Errorf("Full Admin = %+v, want every permission", admin)
	}
	ro := byName[ReadOnlyRoleName]
	if ro.ID != ReadOnlyRoleID || len(ro.Permissions) == 0 || c.AnySensitive(c.Closure(ro.Permissions)) {
		t.Errorf("Read Only = %+v, want a non-empty, non-sensitive role", ro)
	}
}

func TestUnknownKeyMessageSuggestsClosestKey(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	cases := map[string]string{
		"campaign.veiw":              "campaign.view",
		"campaign.publsh":            "campaign.publish",
		"data.personalinfo":          "data.personal_info",
		"content.marketing.sendtest": "content.marketing.send_test",
	}
	for typo, want := range cases {
		msg := c.UnknownKeyMessage(typo)
		if !strings.Contains(msg, `did you mean "`+want+`"?`) || !strings.Contains(msg, `"`+typo+`"`) {
			t.Errorf("UnknownKeyMessage(%q) = %q, want a suggestion of %q", typo, msg, want)
		}
	}
}

func TestParseCatalogRefusesBrokenCatalogs(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		doc  string
		want string
	}{
		"a dependency cycle": {
			doc:  `{"permissions":[{"key":"a","id":1,"implies":["b"]},{"key":"b","id":2,"implies":["a"]}]}`,
			want: "cycle",
		},
		"an unknown implied key": {
			doc:  `{"permissions":[{"key":"a","id":1,"implies":["zzz"]}]}`,
			want: `implies unknown key "zzz"`,
		},
		"a duplicate key": {
			doc:  `{"permissions":[{"key":"a","id":1},{"key":"a","id":2}]}`,
			want: `duplicate permission key "a"`,
		},
		"a duplicate id": {
			doc:  `{"permissions":[{"key":"a","id":1},{"key":"b","id":1}]}`,
			want: "duplicate permission id 1",
		},
		"a system role granting an unknown key": {
			doc:  `{"permissions":[{"key":"a","id":1}],"system_roles":[{"name":"Read Only","permissions":["b"]}]}`,
			want: `grants unknown key "b"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseCatalog([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseCatalog: got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"view", "veiw", 2},
		{"héllo", "hello", 1},
	}
	for _, tc := range cases {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
