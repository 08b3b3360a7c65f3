package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// post sends body to the server at base with an Idempotency-Key and returns
// the status, the Idempotent-Replayed header and the body.
func post(t *testing.T, base, token, path, key string, body any) (int, string, []byte) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	// A new connection each time: a replica killed since would have left a
	// dead one in a shared pool.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), out
}

// Probe finding: answers to Idempotency-Keys lived in the memory of one
// server process, so a retried POST that landed on another replica, or on
// the same one after a restart, got 409 (the name it had just created)
// instead of its first answer. They live in the database now.
func TestIdempotentRetriesReplayAcrossReplicasAndRestarts(t *testing.T) {
	tf := e2e.Setup(t)
	db := []string{"--database", filepath.Join(t.TempDir(), "server.db")}
	token := e2e.Token(t, tf.ProviderBinary, "replicas", db...)
	replicas := e2e.StartReplicas(t, tf.ProviderBinary, 2, db...)
	base := func(i int) string { return "http://" + replicas.Addr(i) }
	role := wire.Role{Name: "Retried", Permissions: []string{"campaign.view"}}

	status, _, first := post(t, base(0), token, wire.RolesPath, "key-across", role)
	if status != http.StatusCreated {
		t.Fatalf("first POST: %d %s", status, first)
	}
	status, replayed, again := post(t, base(1), token, wire.RolesPath, "key-across", role)
	if status != http.StatusCreated || replayed != "true" || !bytes.Equal(first, again) {
		t.Errorf("the retry on the other replica got %d (replayed %q) %s; want the first answer %s", status, replayed, again, first)
	}

	role.Name = "Retried after a restart"
	status, _, first = post(t, base(0), token, wire.RolesPath, "key-restart", role)
	if status != http.StatusCreated {
		t.Fatalf("first POST: %d %s", status, first)
	}
	if err := replicas.Kill(0); err != nil {
		t.Fatal(err)
	}
	replicas.Start(t, 0)
	status, replayed, again = post(t, base(0), token, wire.RolesPath, "key-restart", role)
	if status != http.StatusCreated || replayed != "true" || !bytes.Equal(first, again) {
		t.Errorf("the retry after a restart got %d (replayed %q) %s; want the first answer %s", status, replayed, again, first)
	}
}
