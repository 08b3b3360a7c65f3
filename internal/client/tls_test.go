package client

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCACertFileDecidesWhichServersAreTrusted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[]}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	trusting, err := New(Config{Endpoint: srv.URL, Token: canaryToken, CACertFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trusting.ListPermissions(t.Context()); err != nil {
		t.Fatalf("with the CA file: %v", err)
	}

	distrusting, err := New(Config{Endpoint: srv.URL, Token: canaryToken})
	if err != nil {
		t.Fatal(err)
	}
	_, err = distrusting.ListPermissions(t.Context())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA file: %v, want a certificate error", err)
	}
	if !strings.Contains(err.Error(), "giving up after 1 attempt(s)") {
		t.Errorf("an untrusted certificate was retried: %v", err)
	}
}
