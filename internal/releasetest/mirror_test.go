package releasetest

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// mirror serves one provider version by Terraform's provider network mirror
// protocol (https://developer.hashicorp.com/terraform/internals/provider-network-mirror-protocol):
// GET <base>/<hostname>/<namespace>/<type>/index.json lists the versions,
// <version>.json the archive and the hashes of each platform; the archives'
// URLs are relative to it. Terraform requires HTTPS of a mirror, so it runs
// on httptest's TLS server, whose certificate terraform trusts through
// SSL_CERT_FILE.
type mirror struct {
	version  string
	archives map[string]mirrorArchive // by platform, e.g. linux_amd64

	mu     sync.Mutex
	served []string // the archives downloaded, in order
}

type mirrorArchive struct {
	name   string
	body   []byte
	hashes []string // what the mirror vouches for: zh: (SHA-256 of the zip) or h1:
}

// newMirror serves the release as published: every zip, with the zh: hash
// the SHA256SUMS gives it.
func newMirror(t *testing.T, r release) *mirror {
	t.Helper()
	m := &mirror{version: r.version, archives: map[string]mirrorArchive{}}
	for _, p := range platforms {
		body, err := os.ReadFile(filepath.Join(r.dir, r.zipName(p)))
		if err != nil {
			t.Fatal(err)
		}
		m.archives[p] = mirrorArchive{name: r.zipName(p), body: body, hashes: []string{"zh:" + r.sums[r.zipName(p)]}}
	}
	return m
}

func (m *mirror) handler() http.Handler {
	const prefix = "/" + source + "/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"index.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"versions": map[string]any{m.version: map[string]any{}}})
	})
	mux.HandleFunc("GET "+prefix+"{file}", func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		if file == m.version+".json" {
			archives := map[string]any{}
			for p, a := range m.archives {
				archives[p] = map[string]any{"url": a.name, "hashes": a.hashes}
			}
			writeJSON(w, map[string]any{"archives": archives})
			return
		}
		for _, a := range m.archives {
			if a.name == file {
				m.mu.Lock()
				m.served = append(m.served, file)
				m.mu.Unlock()
				w.Header().Set("Content-Type", "application/zip")
				_, _ = w.Write(a.body)
				return
			}
		}
		http.NotFound(w, r)
	})
	return mux
}

// servedArchives is which archives terraform downloaded so far, each named
// once (Terraform 1.11 fetches the one it installs twice, 1.16 once).
func (m *mirror) servedArchives() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := slices.Clone(m.served)
	slices.Sort(names)
	return slices.Compact(names)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// serve starts the mirror on 127.0.0.1 and returns its base URL and a CA file
// holding the server's certificate, for SSL_CERT_FILE.
func (m *mirror) serve(t *testing.T) (url, caFile string) {
	t.Helper()
	srv := httptest.NewTLSServer(m.handler())
	t.Cleanup(srv.Close)
	return srv.URL + "/", writeCA(t, srv)
}

// writeCA writes a TLS test server's certificate to a file for terraform's
// SSL_CERT_FILE, and checks the server is on loopback.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("test server at %s, want HTTPS on loopback", srv.URL)
	}
	caFile := filepath.Join(t.TempDir(), "test-server-ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	return caFile
}
