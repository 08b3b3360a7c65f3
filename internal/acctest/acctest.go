// Package acctest holds what the acceptance tests share: provider factories
// for each backend, a service handle on the same platform for out-of-band
// changes and destroy checks, and small configuration helpers.
package acctest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver/openapitest"
	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
	"github.com/engage-oss/terraform-provider-engage/internal/provider"
	"github.com/engage-oss/terraform-provider-engage/internal/rpcsweep"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// Backend is one way the provider can reach a platform, set up fresh for a
// single test.
type Backend struct {
	// Name labels the subtest ("embedded", later "rest").
	Name string
	// Factories serve the provider under test as "engage".
	Factories map[string]func() (tfprotov6.ProviderServer, error)
	// Service talks to the same platform the provider does, outside
	// Terraform: for out-of-band changes and CheckDestroy.
	Service access.Service
	// Platform is the store behind the platform, whichever way the provider
	// reaches it: for checks no API offers, such as whether a credential's
	// secret is what the test set.
	Platform *store.Store
	// EmbeddedPath is the database file behind the platform.
	EmbeddedPath string
	// URL and Token reach the reference server (REST backends only), for
	// tests that speak HTTP themselves.
	URL   string
	Token string
}

// Embedded returns a backend over a new embedded database file in a
// temporary folder. The provider needs no provider block to find it.
func Embedded(t *testing.T) *Backend {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "engage.db")
	svc, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("opening embedded store: %v", err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	return &Backend{
		Name: "embedded",
		Factories: map[string]func() (tfprotov6.ProviderServer, error){
			"engage": rpcsweep.NewProtocol6WithError(provider.New("test", provider.WithDefaultEmbeddedPath(dbPath))()),
		},
		Service:      svc,
		Platform:     svc,
		EmbeddedPath: dbPath,
	}
}

// RESTOptions adjust the REST backend for tests about the transport itself:
// faults, rate limits, request counts.
type RESTOptions struct {
	// Server adjusts the reference server's options (rate limit, allowlist
	// enforcement, idempotency); authentication is always set up.
	Server func(*apiserver.Options)
	// Wrap wraps the server's handler, outermost: fault injectors and
	// request counters go here.
	Wrap func(http.Handler) http.Handler
	// Provider adds options to the provider under test.
	Provider []provider.Option
	// Postgres serves from a PostgreSQL database of the test binary's
	// private cluster (package pgtest) instead of an SQLite file.
	Postgres bool
}

// REST returns a backend where the provider talks HTTP, through the REST
// client, to the reference API server (on an httptest server) over a new
// database file. Service and Platform reach that database directly.
func REST(t *testing.T) *Backend {
	t.Helper()
	return RESTWith(t, RESTOptions{})
}

// RESTWith is REST with the server, its transport or the provider adjusted.
func RESTWith(t *testing.T, opts RESTOptions) *Backend {
	t.Helper()
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "server.db")
	var storeOpts []store.Option
	if opts.Postgres {
		dbPath = pgtest.NewDatabase(t)
		storeOpts = append(storeOpts, store.WithSecretKey(bytes.Repeat([]byte{9}, store.SecretKeySize)))
	}
	st, err := store.OpenDatabase(ctx, dbPath, storeOpts...)
	if err != nil {
		t.Fatalf("opening the server's store: %v", err)
	}
	_, token, err := st.CreateAPIToken(ctx, "acctest", []string{access.ScopeRead, access.ScopeWrite})
	if err != nil {
		t.Fatalf("minting an API token: %v", err)
	}
	serverOpts := apiserver.Options{
		Authenticate: func(ctx context.Context, token string) (apiserver.Principal, error) {
			tok, err := st.LookupAPIToken(ctx, token)
			return apiserver.Principal{ID: tok.ID, Name: tok.Name, Scopes: tok.Scopes}, err
		},
	}
	if opts.Server != nil {
		opts.Server(&serverOpts)
	}
	var handler http.Handler = apiserver.New(st, serverOpts)
	// Every exchange the server itself handles must match openapi.yaml; the
	// validator sits inside Wrap, so faults injected there are not its
	// business. Created before the server, it checks after the server closes.
	handler = openapitest.New(t).Wrap(handler)
	if opts.Wrap != nil {
		handler = opts.Wrap(handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(func() {
		srv.Close()
		_ = st.Close()
	})
	providerOpts := append([]provider.Option{
		provider.WithDefaultEndpoint(srv.URL, token),
		// Allowlist tests are about allowlists, not the runner's own
		// address; the lockout tests turn protection on explicitly.
		provider.WithoutLockoutProtectionByDefault(),
	}, opts.Provider...)
	return &Backend{
		Name: "rest",
		Factories: map[string]func() (tfprotov6.ProviderServer, error){
			"engage": rpcsweep.NewProtocol6WithError(provider.New("test", providerOpts...)()),
		},
		Service:      st,
		Platform:     st,
		EmbeddedPath: dbPath,
		URL:          srv.URL,
		Token:        token,
	}
}

// RESTPostgres is REST with the server on PostgreSQL.
func RESTPostgres(t *testing.T) *Backend {
	t.Helper()
	b := RESTWith(t, RESTOptions{Postgres: true})
	b.Name = "rest-postgres"
	return b
}

// backends lists every backend the acceptance suite runs on. An opt-in
// backend runs only when EnvBackends names it: rest-postgres is the REST
// leg again on a server over PostgreSQL, which make test-rest-postgres runs
// for the tests that cover every resource (the server's rules are the
// store's, tested on both dialects in package store).
var backends = []struct {
	name  string
	open  func(*testing.T) *Backend
	optIn bool
}{
	{"embedded", Embedded, false},
	{"rest", REST, false},
	{"rest-postgres", RESTPostgres, true},
}

// ForEachBackend runs test once per backend, each as a parallel subtest
// named after the backend, so a behaviour difference shows as one failing
// subtest.
func ForEachBackend(t *testing.T, test func(t *testing.T, b *Backend)) {
	t.Helper()
	forEachBackend(t, true, test)
}

// ForEachBackendSequentially is ForEachBackend without parallelism, for
// tests that must set environment variables (t.Setenv), such as the ones
// that capture Terraform's logs.
func ForEachBackendSequentially(t *testing.T, test func(t *testing.T, b *Backend)) {
	t.Helper()
	forEachBackend(t, false, test)
}

// EnvBackends, when set, names the backends ForEachBackend runs on (comma
// separated, e.g. "embedded"); the others' subtests skip. make test-compat
// sets it: what differs between Terraform versions does not depend on how the
// provider reaches the platform, and make test covers both.
const EnvBackends = "ENGAGE_ACC_BACKENDS"

func forEachBackend(t *testing.T, parallel bool, test func(t *testing.T, b *Backend)) {
	t.Helper()
	var only []string
	if v := os.Getenv(EnvBackends); v != "" {
		only = strings.Split(v, ",")
		var known []string
		for _, b := range backends {
			known = append(known, b.name)
		}
		for _, name := range only {
			if !slices.Contains(known, name) {
				t.Fatalf("%s=%s: no backend %q (there are %s)", EnvBackends, v, name, strings.Join(known, ", "))
			}
		}
	}
	for _, backend := range backends {
		if backend.optIn && !slices.Contains(only, backend.name) {
			continue
		}
		t.Run(backend.name, func(t *testing.T) {
			if only != nil && !slices.Contains(only, backend.name) {
				t.Skipf("%s=%s", EnvBackends, strings.Join(only, ","))
			}
			if parallel {
				t.Parallel()
			}
			test(t, backend.open(t))
		})
	}
}
