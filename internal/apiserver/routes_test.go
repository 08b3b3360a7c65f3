package apiserver

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

func TestRolesServeCreateReadListReplaceAndDelete(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})

	created := s.expect(t, http.StatusCreated, "POST", "/v1/roles",
		wire.Role{Name: "Analyst", Description: "reads", Permissions: []string{"campaign.view"}})
	var role wire.Role
	created.decode(t, &role)
	if role.ID == "" || role.CreatedAt.IsZero() || len(role.EffectivePermissions) == 0 || role.System {
		t.Errorf("created role = %+v; want an id, created_at, effective permissions and system false", role)
	}
	if got := created.header.Get("ETag"); got != `"v1"` {
		t.Errorf("ETag = %s, want \"v1\"", got)
	}
	if got := created.header.Get("Location"); got != "/v1/roles/"+role.ID {
		t.Errorf("Location = %s", got)
	}
	if role.Version != 1 {
		t.Errorf("body version = %d, want 1, the version the ETag names", role.Version)
	}

	got := s.expect(t, http.StatusOK, "GET", "/v1/roles/"+role.ID, nil)
	if got.header.Get("ETag") != `"v1"` || got.header.Get("Content-Type") != "application/json" {
		t.Errorf("GET headers = %v", got.header)
	}

	var list wire.List[wire.Role]
	s.expect(t, http.StatusOK, "GET", "/v1/roles", nil).decode(t, &list)
	if !slices.ContainsFunc(list.Items, func(r wire.Role) bool { return r.ID == role.ID && r.Version == 1 }) || list.NextPageToken != "" {
		t.Errorf("list = %+v; want it to hold %s at version 1 on one page", list, role.ID)
	}

	replaced := s.expect(t, http.StatusOK, "PUT", "/v1/roles/"+role.ID,
		wire.Role{Name: "Analyst 2", Permissions: []string{"campaign.edit"}}, "If-Match", `"v1"`)
	var after wire.Role
	replaced.decode(t, &after)
	if after.Name != "Analyst 2" || replaced.header.Get("ETag") != `"v2"` {
		t.Errorf("replaced = %+v, ETag %s", after, replaced.header.Get("ETag"))
	}

	s.expect(t, http.StatusNoContent, "DELETE", "/v1/roles/"+role.ID, nil, "If-Match", `"v2"`)
	s.expect(t, http.StatusNotFound, "GET", "/v1/roles/"+role.ID, nil)
}

func TestTransferCredentialSecretsGoInAndNeverComeOut(t *testing.T) {
	t.Parallel()
	const canary, rotated = "canary-Zq8vW3-secret", "canary-rotated-K7p2"
	s := newTestServer(t, Options{})

	var cred wire.TransferCredential
	created := s.expect(t, http.StatusCreated, "POST", "/v1/transfer-credentials",
		map[string]any{"name": "sftp_prod", "username": "engage", "secret": canary}, "Idempotency-Key", "k1")
	created.decode(t, &cred)
	if cred.ID == "" || cred.Reference == "" {
		t.Errorf("created credential = %+v; want id and reference", cred)
	}
	if ok, err := s.store.TransferSecretMatches(t.Context(), cred.ID, canary); err != nil || !ok {
		t.Fatalf("the stored secret is not the one sent: %v, %v", ok, err)
	}

	bodies := [][]byte{created.body}
	bodies = append(bodies, s.expect(t, http.StatusOK, "GET", "/v1/transfer-credentials/"+cred.ID, nil).body)
	bodies = append(bodies, s.expect(t, http.StatusOK, "GET", "/v1/transfer-credentials", nil).body)
	put := s.expect(t, http.StatusOK, "PUT", "/v1/transfer-credentials/"+cred.ID,
		map[string]any{"name": "sftp_prod", "username": "engage2", "secret": rotated}, "If-Match", created.header.Get("ETag"))
	bodies = append(bodies, put.body)
	if ok, _ := s.store.TransferSecretMatches(t.Context(), cred.ID, rotated); !ok {
		t.Errorf("PUT did not rotate the secret")
	}
	// A replace without a secret keeps the stored one.
	bodies = append(bodies, s.expect(t, http.StatusOK, "PUT", "/v1/transfer-credentials/"+cred.ID,
		map[string]any{"name": "sftp_prod", "username": "engage3"}).body)
	if ok, _ := s.store.TransferSecretMatches(t.Context(), cred.ID, rotated); !ok {
		t.Errorf("a PUT without a secret changed the secret")
	}
	// A refused write must not echo the secret either.
	bodies = append(bodies, s.expect(t, http.StatusBadRequest, "POST", "/v1/transfer-credentials",
		map[string]any{"name": "", "username": "", "secret": canary}).body)

	for _, b := range bodies {
		if strings.Contains(string(b), "canary") || strings.Contains(string(b), `"secret"`) {
			t.Errorf("a response carries the secret: %s", b)
		}
	}
	if strings.Contains(s.log.String(), "canary") {
		t.Errorf("the log carries the secret:\n%s", s.log.String())
	}
	s.expect(t, http.StatusNoContent, "DELETE", "/v1/transfer-credentials/"+cred.ID, nil)
}

func TestSecuritySettingsAreReadAndReplacedUnderTheirETag(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})

	got := s.expect(t, http.StatusOK, "GET", "/v1/settings/security", nil)
	var st wire.SecuritySettings
	got.decode(t, &st)
	if st.SessionTimeoutMinutes != access.DefaultSessionTimeoutMinutes || got.header.Get("ETag") == "" {
		t.Fatalf("settings = %+v, ETag %q; want the defaults with an ETag", st, got.header.Get("ETag"))
	}
	first := got.header.Get("ETag")

	st.RequireTwoFactor, st.SessionTimeoutMinutes = true, 60
	put := s.expect(t, http.StatusOK, "PUT", "/v1/settings/security", st, "If-Match", first)
	var after wire.SecuritySettings
	put.decode(t, &after)
	if !after.RequireTwoFactor || after.SessionTimeoutMinutes != 60 || put.header.Get("ETag") == first {
		t.Errorf("after PUT = %+v, ETag %s", after, put.header.Get("ETag"))
	}

	stale := s.expect(t, http.StatusPreconditionFailed, "PUT", "/v1/settings/security", st, "If-Match", first)
	if p := stale.problem(t); p.Type != wire.ProblemPreconditionFailed {
		t.Errorf("problem = %+v", p)
	}
	st.SessionTimeoutMinutes = 1
	invalid := s.expect(t, http.StatusBadRequest, "PUT", "/v1/settings/security", st)
	if p := invalid.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "session_timeout_minutes" {
		t.Errorf("problem = %+v; want the field session_timeout_minutes", p)
	}
}

func TestDeletingTheSecuritySettingsResetsThemToTheDefaults(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})

	var st wire.SecuritySettings
	s.expect(t, http.StatusOK, "GET", "/v1/settings/security", nil).decode(t, &st)
	if st.Customized {
		t.Fatalf("a new account's settings = %+v, want not customized", st)
	}
	// Writing exactly the defaults customizes them too.
	put := s.expect(t, http.StatusOK, "PUT", "/v1/settings/security", st)
	var written wire.SecuritySettings
	put.decode(t, &written)
	if !written.Customized {
		t.Fatalf("after PUT = %+v, want customized", written)
	}
	st.RequireTwoFactor = true
	s.expect(t, http.StatusOK, "PUT", "/v1/settings/security", st)

	reset := s.expect(t, http.StatusOK, "DELETE", "/v1/settings/security", nil)
	var got wire.SecuritySettings
	reset.decode(t, &got)
	want := wire.FromSecuritySettings(access.DefaultSecuritySettings())
	want.Version = 4 // seed, two PUTs, the reset
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DELETE answered %+v\nwant the defaults, not customized: %+v", got, want)
	}
	if tag := reset.header.Get("ETag"); tag != wire.ETag(4) {
		t.Errorf("ETag = %q, want %q: the client needs the new version for its next write", tag, wire.ETag(4))
	}
	if stored, err := s.store.GetSecuritySettings(t.Context()); err != nil || stored.Customized || stored.RequireTwoFactor {
		t.Errorf("stored settings = %+v, %v; want the defaults, not customized", stored, err)
	}

	s.expect(t, http.StatusOK, "DELETE", "/v1/settings/security", nil, "If-Match", "*")
	refused := s.expect(t, http.StatusBadRequest, "DELETE", "/v1/settings/security", nil, "If-Match", wire.ETag(5))
	if p := refused.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "If-Match" {
		t.Errorf("problem = %+v; want the field If-Match", p)
	}
	if stored, _ := s.store.GetSecuritySettings(t.Context()); stored.Version != 5 {
		t.Errorf("version = %d, want 5: the refused reset must not write", stored.Version)
	}
}

func TestEveryCollectionServesItsFiveRoutes(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	role := s.createRole(t, "Holder")
	var cred wire.TransferCredential
	s.expect(t, http.StatusCreated, "POST", "/v1/transfer-credentials",
		map[string]any{"name": "c", "username": "u", "secret": "s"}).decode(t, &cred)

	cases := []struct {
		collection     string
		create, update any
		path           func(id string) string
	}{
		{"users",
			wire.User{Email: "a@example.com", DisplayName: "A", RoleID: role.ID},
			wire.User{Email: "a@example.com", DisplayName: "B", RoleID: role.ID, Disabled: true},
			nil},
		{"masking-columns",
			wire.MaskingColumn{Table: "contacts", Column: "email", Mask: "full"},
			wire.MaskingColumn{Mask: "hash", Description: "hashed"},
			func(string) string { return "/v1/masking-columns/contacts/email" }},
		{"ip-allowlists",
			wire.IPAllowlist{Name: "office", Enabled: true, Entries: []wire.AllowlistEntry{{CIDR: "10.0.0.0/8"}}},
			wire.IPAllowlist{Name: "office", Enabled: false, Entries: []wire.AllowlistEntry{{CIDR: "2001:db8::/32"}}},
			nil},
		{"export-destinations",
			wire.ExportDestination{Name: "lake", S3: &wire.S3Target{Bucket: "engage-exports", Region: "eu-west-1", CredentialID: cred.ID}, ExportKinds: []string{"report"}},
			wire.ExportDestination{Name: "lake", S3: &wire.S3Target{Bucket: "engage-exports-2", Region: "eu-west-1", CredentialID: cred.ID}, ExportKinds: []string{"report", "cloud_export"}},
			nil},
	}
	for _, tc := range cases {
		t.Run(tc.collection+" are created, read, listed, replaced and deleted", func(t *testing.T) {
			t.Parallel()
			base := "/v1/" + tc.collection
			created := s.expect(t, http.StatusCreated, "POST", base, tc.create)
			var obj struct{ ID string }
			created.decode(t, &obj)
			path := base + "/" + obj.ID
			if tc.path != nil {
				path = tc.path(obj.ID)
			}
			if loc := created.header.Get("Location"); loc != path {
				t.Errorf("Location = %s, want %s", loc, path)
			}
			etag := s.expect(t, http.StatusOK, "GET", path, nil).header.Get("ETag")
			if etag != `"v1"` {
				t.Errorf("ETag = %s", etag)
			}
			if list := s.expect(t, http.StatusOK, "GET", base, nil); !strings.Contains(string(list.body), obj.ID) {
				t.Errorf("list lacks %s: %s", obj.ID, list.body)
			}
			put := s.expect(t, http.StatusOK, "PUT", path, tc.update, "If-Match", etag)
			if put.header.Get("ETag") != `"v2"` {
				t.Errorf("ETag after PUT = %s", put.header.Get("ETag"))
			}
			s.expect(t, http.StatusPreconditionFailed, "DELETE", path, nil, "If-Match", etag)
			s.expect(t, http.StatusNoContent, "DELETE", path, nil, "If-Match", `"v2"`)
			s.expect(t, http.StatusNotFound, "GET", path, nil)
		})
	}
}

func TestWhoAmIAndThePermissionCatalog(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	var me wire.WhoAmI
	s.expect(t, http.StatusOK, "GET", "/v1/whoami", nil).decode(t, &me)
	if me.ClientIP != "127.0.0.1" || me.TokenName == "" {
		t.Errorf("whoami = %+v; want the loopback address and a token name", me)
	}
	var perms wire.List[wire.Permission]
	s.expect(t, http.StatusOK, "GET", "/v1/permissions", nil).decode(t, &perms)
	if len(perms.Items) != len(access.DefaultCatalog().Permissions()) {
		t.Errorf("the catalog has %d permissions, want %d", len(perms.Items), len(access.DefaultCatalog().Permissions()))
	}
}

func TestPaginationWalksEveryRoleOnce(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	want := map[string]bool{}
	for i := range 25 {
		want[s.createRole(t, fmt.Sprintf("role-%02d", i)).ID] = true
	}
	seen := map[string]int{}
	token, pages := "", 0
	for {
		var page wire.List[wire.Role]
		s.expect(t, http.StatusOK, "GET", "/v1/roles?limit=10&page_token="+token, nil).decode(t, &page)
		pages++
		if len(page.Items) > 10 {
			t.Fatalf("page %d holds %d roles", pages, len(page.Items))
		}
		for _, r := range page.Items {
			seen[r.ID]++
		}
		if page.NextPageToken == "" {
			break
		}
		token = page.NextPageToken
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("role %s seen %d times", id, seen[id])
		}
	}
	if total := len(seen); pages != (total+9)/10 {
		t.Errorf("%d roles took %d pages of 10", total, pages)
	}
}

func TestRequestsTheServerRefuses(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	holder := s.createRole(t, "Held")
	s.expect(t, http.StatusCreated, "POST", "/v1/users", wire.User{Email: "h@example.com", DisplayName: "H", RoleID: holder.ID})
	spare := s.createRole(t, "Spare")
	huge := `{"name":"x","description":"` + strings.Repeat("a", MaxBodyBytes) + `","permissions":["campaign.view"]}`

	cases := []struct {
		name       string
		method     string
		path       string
		body       any
		headers    []string
		wantStatus int
		wantType   string
		wantField  string
	}{
		{"a body that is not JSON is unsupported", "POST", "/v1/roles", "name=x", []string{"Content-Type", "text/plain"},
			http.StatusUnsupportedMediaType, wire.ProblemUnsupportedMedia, ""},
		{"a body without a content type is unsupported", "POST", "/v1/roles", `{}`, []string{"Content-Type", ""},
			http.StatusUnsupportedMediaType, wire.ProblemUnsupportedMedia, ""},
		{"a body over 1 MiB is too large", "POST", "/v1/roles", huge, nil,
			http.StatusRequestEntityTooLarge, wire.ProblemTooLarge, ""},
		{"an oversized body with an idempotency key is too large", "POST", "/v1/roles", huge, []string{"Idempotency-Key", "big"},
			http.StatusRequestEntityTooLarge, wire.ProblemTooLarge, ""},
		{"an unknown field is named", "POST", "/v1/roles", `{"name":"x","permissions":["campaign.view"],"colour":"red"}`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "colour"},
		// Probe finding: with encoding/json the last of two "name" keys won
		// and "NAME" matched "name"; both were accepted silently.
		{"a field given twice is named", "POST", "/v1/roles", `{"name":"x","permissions":["campaign.view"],"name":"y"}`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "name"},
		{"a nested field given twice is named", "PUT", "/v1/settings/security", `{"sso":{"enabled":false,"enabled":true}}`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "sso.enabled"},
		{"a field name in another case is named", "POST", "/v1/roles", `{"NAME":"x","permissions":["campaign.view"]}`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "NAME"},
		{"a nested field name in another case is named", "POST", "/v1/ip-allowlists", `{"name":"x","enabled":false,"entries":[{"CIDR":"10.0.0.0/8"}]}`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "entries.0.CIDR"},
		{"a field of the wrong type is named", "PUT", "/v1/settings/security", `{"sso":{"enabled":"yes"}}`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "sso.enabled"},
		{"malformed JSON is invalid", "POST", "/v1/roles", `{"name":`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, ""},
		{"two JSON values are invalid", "POST", "/v1/roles", `{} {}`, nil,
			http.StatusBadRequest, wire.ProblemInvalid, ""},
		{"a role without permissions names the field", "POST", "/v1/roles", wire.Role{Name: "empty"}, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "permissions"},
		{"a limit over 500 is invalid", "GET", "/v1/roles?limit=501", nil, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "limit"},
		{"a limit of zero is invalid", "GET", "/v1/users?limit=0", nil, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "limit"},
		{"a page token the API did not issue is invalid", "GET", "/v1/roles?page_token=%21%21", nil, nil,
			http.StatusBadRequest, wire.ProblemInvalid, "page_token"},
		{"a malformed If-Match is invalid", "PUT", "/v1/roles/" + spare.ID, wire.Role{Name: "Spare", Permissions: []string{"campaign.view"}},
			[]string{"If-Match", "v1"}, http.StatusBadRequest, wire.ProblemInvalid, "If-Match"},
		{"a body naming another object is invalid", "PUT", "/v1/roles/" + spare.ID, wire.Role{ID: holder.ID, Name: "Spare", Permissions: []string{"campaign.view"}},
			nil, http.StatusBadRequest, wire.ProblemInvalid, "id"},
		{"an unknown role is not found", "GET", "/v1/roles/rol_missing", nil, nil,
			http.StatusNotFound, wire.ProblemNotFound, ""},
		{"an unknown route is not found", "GET", "/v1/nothing", nil, nil,
			http.StatusNotFound, wire.ProblemNotFound, ""},
		{"a method a route does not serve is not allowed", "POST", "/v1/whoami", `{}`, nil,
			http.StatusMethodNotAllowed, wire.ProblemMethodNotAllowed, ""},
		{"a role held by a user cannot be deleted", "DELETE", "/v1/roles/" + holder.ID, nil, nil,
			http.StatusConflict, wire.ProblemConflict, ""},
		{"a duplicate name conflicts", "POST", "/v1/roles", wire.Role{Name: "Spare", Permissions: []string{"campaign.view"}}, nil,
			http.StatusConflict, wire.ProblemConflict, ""},
		{"a stale If-Match fails the precondition", "PUT", "/v1/roles/" + spare.ID, wire.Role{Name: "Spare", Permissions: []string{"campaign.view"}},
			[]string{"If-Match", `"v7"`}, http.StatusPreconditionFailed, wire.ProblemPreconditionFailed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.expect(t, tc.wantStatus, tc.method, tc.path, tc.body, tc.headers...)
			if tc.wantType == "" {
				return
			}
			p := r.problem(t)
			if p.Type != tc.wantType || p.Title == "" || p.Detail == "" {
				t.Errorf("problem = %+v; want type %s with a title and detail", p, tc.wantType)
			}
			if r.header.Get("ETag") != "" {
				t.Errorf("a problem carries an ETag")
			}
			if tc.wantField != "" && !slices.ContainsFunc(p.Errors, func(f wire.FieldError) bool { return f.Field == tc.wantField }) {
				t.Errorf("problem errors = %+v; want the field %q", p.Errors, tc.wantField)
			}
		})
	}
}

func TestAReplaceSucceedsWithTheCurrentETagAfterAStaleOneFailed(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	role := s.createRole(t, "Versioned")
	body := wire.Role{Name: "Versioned", Permissions: []string{"campaign.edit"}}
	s.expect(t, http.StatusOK, "PUT", "/v1/roles/"+role.ID, body, "If-Match", `"v1"`)
	s.expect(t, http.StatusPreconditionFailed, "PUT", "/v1/roles/"+role.ID, body, "If-Match", `"v1"`)
	current := s.expect(t, http.StatusOK, "GET", "/v1/roles/"+role.ID, nil).header.Get("ETag")
	s.expect(t, http.StatusOK, "PUT", "/v1/roles/"+role.ID, body, "If-Match", current)
	// Without If-Match a replace is unconditional.
	s.expect(t, http.StatusOK, "PUT", "/v1/roles/"+role.ID, body)
}

func TestAMethodNotAllowedNamesTheAllowedOnes(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	r := s.expect(t, http.StatusMethodNotAllowed, "POST", "/v1/settings/security", `{}`)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PUT") || !strings.Contains(allow, "DELETE") {
		t.Errorf("Allow = %q, want GET, PUT and DELETE", allow)
	}
	if !strings.Contains(s.log.String(), `"route":"unmatched"`) {
		t.Errorf("an unmatched request is not logged as such:\n%s", s.log.String())
	}
}
