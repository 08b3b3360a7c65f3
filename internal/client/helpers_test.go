package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// canaryToken must never show up in a log line or an error.
const canaryToken = "canary-token-5f2c9e1d"

// fixture is a client talking to apiserver over a fresh in-memory store,
// through an optional fault-injecting wrapper.
type fixture struct {
	store  *store.Store
	server *httptest.Server
	client *Client
	logs   *captureLogger
}

type fixtureOptions struct {
	server apiserver.Options
	// wrap sits in front of the API server, outside its middleware.
	wrap func(http.Handler) http.Handler
	// config adjusts the client's Config before New.
	config func(*Config)
}

func newFixture(t *testing.T, opts fixtureOptions) *fixture {
	t.Helper()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatalf("store.OpenMemory: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var h http.Handler = apiserver.New(st, opts.server)
	if opts.wrap != nil {
		h = opts.wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	logs := &captureLogger{}
	cfg := Config{
		Endpoint:     srv.URL,
		Token:        canaryToken,
		HTTPClient:   srv.Client(),
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 20 * time.Millisecond,
		Logger:       logs,
	}
	if opts.config != nil {
		opts.config(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &fixture{store: st, server: srv, client: c, logs: logs}
}

// captureLogger keeps every line the client logs.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) log(level, msg string, kv []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("[%s] %s %v", level, msg, kv))
}

func (l *captureLogger) Error(msg string, kv ...any) { l.log("ERROR", msg, kv) }
func (l *captureLogger) Warn(msg string, kv ...any)  { l.log("WARN", msg, kv) }
func (l *captureLogger) Info(msg string, kv ...any)  { l.log("INFO", msg, kv) }
func (l *captureLogger) Debug(msg string, kv ...any) { l.log("DEBUG", msg, kv) }

func (l *captureLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// routeCounter counts requests by method and path.
type routeCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *routeCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		if c.n == nil {
			c.n = map[string]int{}
		}
		c.n[r.Method+" "+r.URL.Path]++
		c.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (c *routeCounter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}
