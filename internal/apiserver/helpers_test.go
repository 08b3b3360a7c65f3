package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// syncBuffer is a log sink that handlers on many goroutines can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	*httptest.Server
	handler *Handler
	store   *store.Store
	log     *syncBuffer
}

// newTestServer serves a fresh in-memory store; opts.Logger is replaced by
// one the test can read.
func newTestServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatalf("store.OpenMemory: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return newTestServerOver(t, st, st, opts)
}

func newTestServerOver(t *testing.T, svc access.Service, st *store.Store, opts Options) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := New(svc, opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, handler: h, store: st, log: logs}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r response) problem(t *testing.T) wire.Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != wire.ProblemContentType {
		t.Errorf("Content-Type = %q, want %q (body %s)", ct, wire.ProblemContentType, r.body)
	}
	var p wire.Problem
	r.decode(t, &p)
	if p.Status != r.status {
		t.Errorf("problem status %d differs from the response's %d", p.Status, r.status)
	}
	return p
}

// do sends body (a string is sent as is, anything else as JSON) with
// headers given as name, value pairs.
func (s *testServer) do(t *testing.T, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (s *testServer) expect(t *testing.T, want int, method, path string, body any, headers ...string) response {
	t.Helper()
	r := s.do(t, method, path, body, headers...)
	if r.status != want {
		t.Fatalf("%s %s = %d, want %d; body %s", method, path, r.status, want, r.body)
	}
	return r
}

func (s *testServer) createRole(t *testing.T, name string) wire.Role {
	t.Helper()
	var out wire.Role
	s.expect(t, http.StatusCreated, "POST", "/v1/roles", wire.Role{Name: name, Permissions: []string{"campaign.view"}}).decode(t, &out)
	return out
}

// fakeClock is a settable clock for the idempotency store.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
