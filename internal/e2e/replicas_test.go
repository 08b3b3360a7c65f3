package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
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

// replicaFleet is the configuration of the replica test: roles, and a user
// holding each.
func replicaFleet(n int) string {
	return fmt.Sprintf(`
resource "engage_role" "team" {
  count       = %[1]d
  name        = "Team ${count.index}"
  permissions = ["campaign.view"]
}

resource "engage_user" "member" {
  count        = %[1]d
  email        = "member${count.index}@example.com"
  display_name = "Member ${count.index}"
  role_id      = engage_role.team[count.index].id
}
`, n)
}

// Three replicas on one PostgreSQL database behind a round-robin proxy are
// one platform, even when one of them is killed in the middle of an apply
// and started again: the apply of 200 objects succeeds (the client retries
// what the dead replica dropped, on the others, with the same
// Idempotency-Keys), the platform holds exactly the objects in state (no
// duplicates, no orphans), and a second plan is empty.
func TestReplicasOnPostgreSQLSurviveAKillMidApply(t *testing.T) {
	tf := e2e.Setup(t)
	const pairs = 100 // 200 objects
	db, key := e2e.PostgresDatabase(t)
	token := e2e.Token(t, tf.ProviderBinary, "replicas", db...)
	replicas := e2e.StartReplicas(t, tf.ProviderBinary, 3, db...)

	w := tf.NewWorkdir(t, e2e.REST(replicas.URL, token))
	w.WriteConfig(t, replicaFleet(pairs))
	w.MustRun(t, "init")
	run, err := w.Start(t.Context(), "apply", "-auto-approve")
	if err != nil {
		t.Fatal(err)
	}
	// Kill a replica once the apply has created some objects, and start it
	// again a second later.
	killed := false
	for !killed {
		select {
		case <-run.Done():
			t.Fatalf("the apply ended before a replica could be killed:\n%s", run.Wait())
		case <-time.After(20 * time.Millisecond):
		}
		if strings.Count(run.Stdout(), "Creation complete") >= 30 {
			if err := replicas.Kill(1); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	time.Sleep(time.Second)
	replicas.Start(t, 1)
	res := run.Wait()
	if res.Err != nil {
		t.Fatalf("the apply failed with a replica killed:\n%s", res)
	}
	t.Logf("the apply took %s; %d requests found the killed replica down and were retried", res.Duration.Round(time.Millisecond), replicas.Unavailable.Load())
	if replicas.Unavailable.Load() == 0 {
		t.Error("no request reached the killed replica: the test did not test a kill")
	}

	// The platform holds what state holds, once each.
	st, err := store.OpenDatabase(t.Context(), db[1], store.WithSecretKey(key))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	inState := map[string]bool{}
	for _, r := range w.State(t) {
		inState[r.Attributes["id"].(string)] = true //nolint:forcetypeassert // every resource here has a string id
	}
	roles, err := access.ListAll(t.Context(), st.ListRoles)
	if err != nil {
		t.Fatal(err)
	}
	users, err := access.ListAll(t.Context(), st.ListUsers)
	if err != nil {
		t.Fatal(err)
	}
	var onPlatform []string
	for _, r := range roles {
		if !r.System {
			onPlatform = append(onPlatform, r.ID)
		}
	}
	for _, u := range users {
		onPlatform = append(onPlatform, u.ID)
	}
	if len(onPlatform) != 2*pairs || len(inState) != 2*pairs {
		t.Errorf("%d objects on the platform and %d in state, want %d of each", len(onPlatform), len(inState), 2*pairs)
	}
	for _, id := range onPlatform {
		if !inState[id] {
			t.Errorf("%s is on the platform but not in state: a duplicate or an orphan", id)
		}
	}
	if plan := w.Run(t.Context(), "plan", "-detailed-exitcode"); plan.ExitCode != 0 {
		t.Errorf("the plan after the apply is not empty:\n%s", plan)
	}
}

// Two replicas racing conditional updates of one object: PostgreSQL orders
// them, and of each pair of writes conditional on the same version exactly
// one succeeds and the other gets 412.
func TestRacingConditionalUpdatesOnTwoReplicasHaveOneWinner(t *testing.T) {
	tf := e2e.Setup(t)
	db, _ := e2e.PostgresDatabase(t)
	token := e2e.Token(t, tf.ProviderBinary, "racers", db...)
	replicas := e2e.StartReplicas(t, tf.ProviderBinary, 2, db...)
	status, _, body := post(t, "http://"+replicas.Addr(0), token, wire.RolesPath, "create-raced", wire.Role{Name: "Raced", Permissions: []string{"campaign.view"}})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var role wire.Role
	if err := json.Unmarshal(body, &role); err != nil {
		t.Fatal(err)
	}
	version := role.Version
	client := &http.Client{}
	put := func(replica int, description string, v int64) int {
		raw, _ := json.Marshal(wire.Role{Name: "Raced", Description: description, Permissions: []string{"campaign.view"}})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, "http://"+replicas.Addr(replica)+wire.ObjectPath(wire.RolesPath, role.ID), bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("If-Match", wire.ETag(access.Version(v)))
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for round := range 20 {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for replica := range 2 {
			wg.Go(func() {
				statuses[replica] = put(replica, fmt.Sprintf("round %d by replica %d", round, replica), version)
			})
		}
		wg.Wait()
		ok, stale := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusPreconditionFailed:
				stale++
			}
		}
		if ok != 1 || stale != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 412", round, statuses)
		}
		version++
	}
}
