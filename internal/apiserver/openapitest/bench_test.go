package openapitest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkValidatingAnExchange is what the validator adds to each request
// of the REST acceptance suite: a role replaced, request and response
// checked.
func BenchmarkValidatingAnExchange(b *testing.B) {
	router, err := loadRouter()
	if err != nil {
		b.Fatal(err)
	}
	const role = `{"id":"rol_1","name":"ops","description":"d","permissions":["campaign.view"],` +
		`"effective_permissions":["campaign.view"],"sensitive":false,"system":false,"created_at":"2026-01-01T00:00:00Z","version":2}`
	v := &Validator{router: router}
	h := v.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "r")
		w.Header().Set("ETag", `"v2"`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, role)
	}))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPut, "/v1/roles/rol_1", strings.NewReader(role))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", `"v1"`)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if vs := v.Violations(); len(vs) != 0 {
		b.Fatalf("violations: %v", vs)
	}
}
