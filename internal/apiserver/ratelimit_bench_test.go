package apiserver

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// BenchmarkRefusedRequest is what one request of a rate-limited flood costs
// the server, from the handler's first line to its last (no network): what
// a flooding tenant can take from the others.
func BenchmarkRefusedRequest(b *testing.B) {
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	var lookups atomic.Int64
	h := New(st, Options{
		Logger:       slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Authenticate: tokenAuth(&lookups),
		RateLimit:    0.001, RateBurst: 1,
	})
	req := httptest.NewRequest(http.MethodGet, "/v1/roles?limit=50", nil)
	req.Header.Set("Authorization", "Bearer flooder")
	h.ServeHTTP(httptest.NewRecorder(), req) // spends the burst
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusTooManyRequests {
			b.Fatalf("status %d, want 429", w.Code)
		}
	}
	if lookups.Load() != 1 {
		b.Fatalf("%d token lookups, want 1 (the first request)", lookups.Load())
	}
}
