package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/faults"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// RESTServer is the reference server on loopback, over its own database, as
// the REST rows of the benchmark reach it.
type RESTServer struct {
	URL string
	// Token is a read and write API token minted for the run.
	Token string
	// Requests counts what the server received, by route.
	Requests *apiserver.RequestCounter
}

// StartREST starts the reference server in this process on a loopback port,
// with authentication as `serve` has it but without its rate limit (the
// benchmark measures the provider, not a throttle), holding every request
// for latency first when it is positive. The server stops when t ends.
func StartREST(t testing.TB, latency time.Duration) *RESTServer {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatalf("opening the server's store: %v", err)
	}
	_, token, err := st.CreateAPIToken(ctx, "bench", []string{access.ScopeRead, access.ScopeWrite})
	if err != nil {
		t.Fatalf("minting an API token: %v", err)
	}
	counter := &apiserver.RequestCounter{}
	var handler http.Handler = apiserver.New(st, apiserver.Options{
		Requests: counter,
		Authenticate: func(ctx context.Context, token string) (apiserver.Principal, error) {
			tok, err := st.LookupAPIToken(ctx, token)
			return apiserver.Principal{ID: tok.ID, Name: tok.Name, Scopes: tok.Scopes}, err
		},
	})
	if latency > 0 {
		// Every request is held: a server a continent away, not a spike.
		inj, err := faults.New(faults.Config{
			Latency: latency,
			Choose:  func(*http.Request) faults.Kind { return faults.Slow },
		})
		if err != nil {
			t.Fatal(err)
		}
		handler = inj.Wrap(handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(func() {
		srv.Close()
		_ = st.Close()
	})
	return &RESTServer{URL: srv.URL, Token: token, Requests: counter}
}
