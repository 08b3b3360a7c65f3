package apiserver

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// patternRecorder stands in for the mux, collecting what routes registers.
type patternRecorder []string

func (p *patternRecorder) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }

func TestOpenAPIDescribesExactlyTheRoutesServed(t *testing.T) {
	t.Parallel()
	st, err := store.OpenMemory(context.Background())
	if err != nil {
		t.Fatalf("store.OpenMemory: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var served patternRecorder
	s := &server{svc: st, idem: newIdempotencyStore(time.Hour, 1, 1<<20, time.Now), network: newNetworkGate(st, time.Now)}
	s.routes(&served)

	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		t.Fatalf("parsing openapi.yaml: %v", err)
	}
	var described []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			// The mux's patterns and OpenAPI's paths spell wildcards alike.
			described = append(described, method+" "+path)
		}
	}

	slices.Sort(served)
	slices.Sort(described)
	for _, p := range served {
		if !slices.Contains(described, p) {
			t.Errorf("route %q is served but not in openapi.yaml", p)
		}
	}
	for _, p := range described {
		if !slices.Contains(served, p) {
			t.Errorf("openapi.yaml describes %q, which routes.go does not serve", p)
		}
	}
	if len(served) < 30 {
		t.Errorf("only %d routes recorded: %s", len(served), strings.Join(served, ", "))
	}
}

func TestTheOpenAPIDocumentIsServed(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	got := s.expect(t, http.StatusOK, "GET", "/v1/openapi.yaml", nil)
	if ct := got.header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("Content-Type = %q, want application/yaml", ct)
	}
	if string(got.body) != string(OpenAPI()) {
		t.Error("the served document differs from OpenAPI()")
	}
}
