package e2e_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, to check the file below the store

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver/openapitest"
	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// checkIntegrity fails the test unless SQLite finds the database file sound:
// PRAGMA integrity_check says "ok" and no foreign key dangles. It opens the
// file directly, below the store, so that nothing repairs or hides damage.
func checkIntegrity(t *testing.T, dbPath string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatalf("opening %s: %v", dbPath, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `PRAGMA integrity_check`)
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	var results []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		results = append(results, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0] != "ok" {
		t.Fatalf("PRAGMA integrity_check of %s: %q, want [ok]", dbPath, results)
	}
	var dangling int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&dangling); err != nil {
		t.Fatalf("foreign_key_check: %v", err)
	}
	if dangling != 0 {
		t.Fatalf("%s: %d rows break a foreign key", dbPath, dangling)
	}
}

// inventory is what a platform or a state holds, by kind: object id to name
// (email for users, table/column for masking columns). System roles are left
// out: the platform owns them.
type inventory map[string]map[string]string

// Kinds in an inventory, named after their Terraform resource types.
const (
	kindRole      = "engage_role"
	kindUser      = "engage_user"
	kindAllowlist = "engage_ip_allowlist"
	kindMasking   = "engage_masking_column"
)

func (inv inventory) add(kind, id, name string) {
	if inv[kind] == nil {
		inv[kind] = map[string]string{}
	}
	inv[kind][id] = name
}

// names lists the names of kind, sorted.
func (inv inventory) names(kind string) []string {
	var out []string
	for _, n := range inv[kind] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// count is how many objects inv holds.
func (inv inventory) count() int {
	n := 0
	for _, objs := range inv {
		n += len(objs)
	}
	return n
}

// sorted returns a sorted copy of s.
func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// platformInventory lists every object in the embedded database of b.
func platformInventory(t *testing.T, b e2e.Backend) inventory {
	t.Helper()
	st := openEmbedded(t, b)
	defer st.Close()
	return serviceInventory(t, st)
}

// openEmbedded opens the embedded database of b below the provider; the
// caller closes it.
func openEmbedded(t *testing.T, b e2e.Backend) *store.Store {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(b.EmbeddedKey)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), b.DBPath, store.WithSecretKey(key))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	return st
}

// serviceInventory lists every object svc holds.
func serviceInventory(t *testing.T, svc access.Service) inventory {
	t.Helper()
	ctx := t.Context()
	inv := inventory{}
	for _, r := range listAll(t, ctx, svc.ListRoles) {
		if !r.System {
			inv.add(kindRole, r.ID, r.Name)
		}
	}
	for _, u := range listAll(t, ctx, svc.ListUsers) {
		inv.add(kindUser, u.ID, u.Email)
	}
	for _, l := range listAll(t, ctx, svc.ListIPAllowlists) {
		inv.add(kindAllowlist, l.ID, l.Name)
	}
	for _, c := range listAll(t, ctx, svc.ListMaskingColumns) {
		inv.add(kindMasking, c.Table+"/"+c.Column, c.Table+"/"+c.Column)
	}
	return inv
}

// platform is a backend as a test sees it: the environment that points
// terraform's provider at it, and the platform itself, read below the
// provider.
type platform struct {
	name string
	e2e.Backend
	// look calls f with the platform's service, the store the provider's
	// calls end in, not the provider's client.
	look func(t *testing.T, f func(access.Service))
}

// platforms are the two backends every end-to-end behaviour must agree on,
// as subtest names and constructors.
var platforms = []struct {
	name  string
	start func(t *testing.T) platform
}{
	{"embedded", embeddedPlatform},
	{"rest", restPlatform},
}

// embeddedPlatform is a new embedded database, opened afresh for each look
// so that no connection of the test's outlives the look.
func embeddedPlatform(t *testing.T) platform {
	b := e2e.Embedded(filepath.Join(t.TempDir(), "engage.db"))
	return platform{name: "embedded", Backend: b, look: func(t *testing.T, f func(access.Service)) {
		t.Helper()
		st := openEmbedded(t, b)
		defer st.Close()
		f(st)
	}}
}

// restPlatform starts the reference server in this process, on a loopback
// port over a new database, with authentication as `serve` has it and
// every exchange checked against openapi.yaml; the provider reaches it with
// a freshly minted read and write token. It stops when t ends.
func restPlatform(t *testing.T) platform {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatalf("opening the server's store: %v", err)
	}
	_, token, err := st.CreateAPIToken(ctx, "e2e", []string{access.ScopeRead, access.ScopeWrite})
	if err != nil {
		t.Fatalf("minting an API token: %v", err)
	}
	var handler http.Handler = apiserver.New(st, apiserver.Options{
		Authenticate: func(ctx context.Context, token string) (apiserver.Principal, error) {
			tok, err := st.LookupAPIToken(ctx, token)
			return apiserver.Principal{Name: tok.Name, Scopes: tok.Scopes}, err
		},
	})
	// Created before the server, the validator checks after it closes.
	handler = openapitest.New(t).Wrap(handler)
	srv := httptest.NewServer(handler)
	t.Cleanup(func() {
		srv.Close()
		_ = st.Close()
	})
	return platform{name: "rest", Backend: e2e.REST(srv.URL, token), look: func(t *testing.T, f func(access.Service)) {
		t.Helper()
		f(st)
	}}
}

func listAll[T any](t *testing.T, ctx context.Context, list func(context.Context, access.ListOptions) (access.Page[T], error)) []T {
	t.Helper()
	all, err := access.ListAll(ctx, list)
	if err != nil {
		t.Fatalf("listing: %v", err)
	}
	return all
}

// stateInventory lists the managed objects of a Terraform state.
func stateInventory(st []e2e.StateResource) inventory {
	inv := inventory{}
	for _, r := range st {
		if id, name := stateKey(r); id != "" {
			inv.add(r.Type, id, name)
		}
	}
	return inv
}

// stateKey is the id and the name (as an inventory has them) of an object
// in a state; empty for kinds an inventory does not hold.
func stateKey(r e2e.StateResource) (id, name string) {
	str := func(k string) string { s, _ := r.Attributes[k].(string); return s }
	switch r.Type {
	case kindRole, kindAllowlist:
		return str("id"), str("name")
	case kindUser:
		return str("id"), str("email")
	case kindMasking:
		key := str("table") + "/" + str("column")
		return key, key
	}
	return "", ""
}

// duplicates describes every name the platform gives two objects of a kind
// and every object two addresses of a state hold, or "" when there is none.
func duplicates(platform inventory, st []e2e.StateResource) string {
	var b strings.Builder
	for kind, objs := range platform {
		ids := map[string][]string{}
		for id, name := range objs {
			// Roles are named case-insensitively; so are the rest, near enough.
			ids[strings.ToLower(name)] = append(ids[strings.ToLower(name)], id)
		}
		for name, held := range ids {
			if len(held) > 1 {
				fmt.Fprintf(&b, "  %s %q is held by %d objects: %q\n", kind, name, len(held), sorted(held))
			}
		}
	}
	addrs := map[string][]string{}
	for _, r := range st {
		if id, _ := stateKey(r); id != "" {
			addrs[r.Type+" "+id] = append(addrs[r.Type+" "+id], r.Type+"."+r.Name)
		}
	}
	for obj, held := range addrs {
		if len(held) > 1 {
			fmt.Fprintf(&b, "  %s is held by %d addresses: %q\n", obj, len(held), sorted(held))
		}
	}
	return b.String()
}

// diffInventories describes how got differs from want, or "" when they hold
// the same objects under the same names.
func diffInventories(got, want inventory) string {
	var b strings.Builder
	for _, kind := range []string{kindRole, kindUser, kindAllowlist, kindMasking} {
		for id, name := range got[kind] {
			if w, ok := want[kind][id]; !ok {
				fmt.Fprintf(&b, "  %s %s (%s) is extra\n", kind, id, name)
			} else if w != name {
				fmt.Fprintf(&b, "  %s %s is %q, want %q\n", kind, id, name, w)
			}
		}
		for id, name := range want[kind] {
			if _, ok := got[kind][id]; !ok {
				fmt.Fprintf(&b, "  %s %s (%s) is missing\n", kind, id, name)
			}
		}
	}
	return b.String()
}

// fleet is a generated configuration of many objects of every kind that
// matter here: roles, users holding them, IP allowlists and masking
// columns. Half of it is stable across generations (each generation updates
// it); the other half belongs to one generation (each generation destroys
// the previous one's and creates its own), so every apply creates, updates
// and deletes.
type fleet struct {
	prefix string // keeps fleets on one database apart
	gen    int
	// per kind: how many stable objects, and as many generational ones
	roles, users, allowlists, masking int
}

var fleetPermissions = []string{
	"campaign.view", "campaign.edit", "campaign.publish", "content.marketing.view",
	"analytics.insights", "data.view_data", "data.export_data", "general.invite_user",
}

// hcl renders the configuration; the provider block comes from provider, the
// provider meta-argument of every resource from alias (may be empty).
func (f fleet) hcl(alias string) string {
	var b strings.Builder
	prov := ""
	if alias != "" {
		prov = "\n  provider = engage." + alias
	}
	g := f.gen
	for k := range f.masking {
		fmt.Fprintf(&b, "resource \"engage_masking_column\" \"%s_m%d\" {%s\n  table = %q\n  column = \"c%d\"\n  mask = %q\n  description = \"gen %d\"\n}\n",
			f.prefix, k, prov, f.prefix+"_contacts", k, []string{"full", "partial", "hash"}[(k+g)%3], g)
	}
	for _, set := range []struct {
		addr, name string
	}{{f.prefix + "_s", f.prefix + "-stable"}, {fmt.Sprintf("%s_g%d", f.prefix, g), fmt.Sprintf("%s-gen%d", f.prefix, g)}} {
		for k := range f.roles {
			fmt.Fprintf(&b, "resource \"engage_role\" \"%s_r%d\" {%s\n  name = \"%s role %d\"\n  description = \"gen %d\"\n  permissions = [%q, %q]\n}\n",
				set.addr, k, prov, set.name, k, g, fleetPermissions[(k+g)%len(fleetPermissions)], fleetPermissions[(k+2*g+1)%len(fleetPermissions)])
		}
		for k := range f.users {
			fmt.Fprintf(&b, "resource \"engage_user\" \"%s_u%d\" {%s\n  email = \"%s.user%d@example.com\"\n  display_name = \"User %d gen %d\"\n  role_id = engage_role.%s_r%d.id\n  disabled = %t\n}\n",
				set.addr, k, prov, set.name, k, k, g, set.addr, (k+g)%f.roles, (k+g)%4 == 0)
		}
		for k := range f.allowlists {
			fmt.Fprintf(&b, "resource \"engage_ip_allowlist\" \"%s_a%d\" {%s\n  name = \"%s list %d\"\n  description = \"gen %d\"\n  entries = [\n    { cidr = \"10.%d.%d.0/24\", description = \"office\" },\n    { cidr = \"2001:db8:%x::/48\" },\n  ]\n}\n",
				set.addr, k, prov, set.name, k, g, k, g%256, g)
		}
	}
	return b.String()
}

// objects is how many objects the configuration holds.
func (f fleet) objects() int { return f.masking + 2*(f.roles+f.users+f.allowlists) }

// names lists the names the configuration gives objects of kind, sorted.
func (f fleet) names(kind string) []string {
	var out []string
	for name := range f.declared()[kind] {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// declared maps, for each kind, the name the configuration gives each
// object (as an inventory has it) to the address of the block declaring
// it: where an orphan of that name is imported to.
func (f fleet) declared() map[string]map[string]string {
	out := map[string]map[string]string{kindRole: {}, kindUser: {}, kindAllowlist: {}, kindMasking: {}}
	for _, set := range []struct {
		addr, name string
	}{{f.prefix + "_s", f.prefix + "-stable"}, {fmt.Sprintf("%s_g%d", f.prefix, f.gen), fmt.Sprintf("%s-gen%d", f.prefix, f.gen)}} {
		for k := range f.roles {
			out[kindRole][fmt.Sprintf("%s role %d", set.name, k)] = fmt.Sprintf("%s.%s_r%d", kindRole, set.addr, k)
		}
		for k := range f.users {
			out[kindUser][fmt.Sprintf("%s.user%d@example.com", set.name, k)] = fmt.Sprintf("%s.%s_u%d", kindUser, set.addr, k)
		}
		for k := range f.allowlists {
			out[kindAllowlist][fmt.Sprintf("%s list %d", set.name, k)] = fmt.Sprintf("%s.%s_a%d", kindAllowlist, set.addr, k)
		}
	}
	for k := range f.masking {
		out[kindMasking][fmt.Sprintf("%s_contacts/c%d", f.prefix, k)] = fmt.Sprintf("%s.%s_m%d", kindMasking, f.prefix, k)
	}
	return out
}

// seededRand returns a random source for a test and logs its seed, so a
// failing run can be replayed with E2E_SEED.
func seededRand(t *testing.T, seed uint64) *rand.Rand {
	t.Helper()
	t.Logf("random seed %d (replay with E2E_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
