package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// lockedMessage is the part of store.LockedError's text that says what
// happened; the rest names the file and the wait.
const lockedMessage = "is locked by another process"

// TestConcurrentTerraformRunsShareOneEmbeddedDatabase applies, at the same
// time, four configurations with disjoint names from four terraform
// processes, and a fifth configuration whose resources are split between two
// provider blocks (an alias), all on one embedded database file created by
// whichever process comes first. Every run must finish, successfully or
// with the store's clear lock message; the file must stay sound; the objects
// of every successful run must all be there, and the platform must hold
// exactly what the states name (a run refused for the lock leaves nothing
// behind).
func TestConcurrentTerraformRunsShareOneEmbeddedDatabase(t *testing.T) {
	tf := e2e.Setup(t)
	backend := e2e.Embedded(filepath.Join(t.TempDir(), "shared", "engage.db"))

	type run struct {
		name   string
		w      *e2e.Workdir
		fleets []fleet
		res    e2e.Result
	}
	small := fleet{roles: 3, users: 4, allowlists: 2, masking: 2}
	var runs []*run
	for i := range 4 {
		f := small
		f.prefix = fmt.Sprintf("p%d", i)
		w := tf.NewWorkdir(t, backend)
		w.WriteConfig(t, f.hcl(""))
		runs = append(runs, &run{name: f.prefix, w: w, fleets: []fleet{f}})
	}
	// The aliased configuration: half its objects through each provider
	// block, hence two provider processes of one terraform run.
	half := fleet{roles: 2, users: 2, allowlists: 1, masking: 1}
	def, alias := half, half
	def.prefix, alias.prefix = "pa", "pb"
	w := tf.NewWorkdir(t, backend)
	w.WriteConfig(t, "provider \"engage\" {}\n\nprovider \"engage\" {\n  alias = \"b\"\n}\n\n"+def.hcl("")+alias.hcl("b"))
	runs = append(runs, &run{name: "aliases", w: w, fleets: []fleet{def, alias}})

	var inits sync.WaitGroup
	for _, r := range runs {
		inits.Go(func() { r.res = r.w.Run(t.Context(), "init") })
	}
	inits.Wait()
	for _, r := range runs {
		if r.res.Err != nil {
			t.Fatal(r.res)
		}
	}

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	var (
		wg            sync.WaitGroup
		aliasProvider int // most provider processes seen at once under the aliased run
	)
	for _, r := range runs {
		started, err := r.w.Start(ctx, "apply", "-auto-approve", "-parallelism=10")
		if err != nil {
			t.Fatal(err)
		}
		if r.name == "aliases" {
			wg.Go(func() { aliasProvider = mostProviders(started) })
		}
		wg.Go(func() { r.res = started.Wait() })
	}
	wg.Wait()
	if aliasProvider < 2 {
		t.Errorf("the aliased configuration ran at most %d provider process at once, want 2", aliasProvider)
	}
	t.Logf("%d terraform runs on one database file finished in %s", len(runs), time.Since(start).Round(time.Millisecond))

	checkIntegrity(t, backend.DBPath)

	states := inventory{}
	succeeded := 0
	for _, r := range runs {
		out := r.res.Stdout + r.res.Stderr
		switch {
		case ctx.Err() != nil:
			t.Fatalf("%s: terraform did not finish within the time limit:\n%s", r.name, r.res)
		case r.res.ExitCode == 0:
			succeeded++
			t.Logf("%s: applied in %s", r.name, r.res.Duration.Round(time.Millisecond))
		case strings.Contains(out, lockedMessage):
			t.Logf("%s: refused with the lock message after %s", r.name, r.res.Duration.Round(time.Millisecond))
		default:
			t.Errorf("%s: failed, and not with the lock message %q:\n%s", r.name, lockedMessage, r.res)
			continue
		}
		inv := stateInventory(r.w.State(t))
		if r.res.ExitCode == 0 {
			for _, kind := range []string{kindRole, kindUser, kindAllowlist, kindMasking} {
				var want []string
				for _, f := range r.fleets {
					want = append(want, f.names(kind)...)
				}
				if got := inv.names(kind); !reflect.DeepEqual(sorted(got), sorted(want)) {
					t.Errorf("%s: %s in state: %q, want %q", r.name, kind, got, want)
				}
			}
		}
		for kind, objs := range inv {
			for id, name := range objs {
				states.add(kind, id, name)
			}
		}
	}
	if diff := diffInventories(platformInventory(t, backend), states); diff != "" {
		t.Errorf("the platform does not hold exactly what the states name:\n%s", diff)
	}
	t.Logf("%d of %d runs succeeded; %d objects on the platform", succeeded, len(runs), states.count())
}

// mostProviders samples the provider processes of run until it exits and
// returns the most seen at once.
func mostProviders(run *e2e.Run) int {
	most := 0
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		most = max(most, len(run.ProviderPIDs()))
		select {
		case <-run.Done():
			return most
		case <-tick.C:
		}
	}
}

// TestApplyOnADatabaseLockedTooLongFailsWithTheLockMessage holds the write
// lock of the database file, as a stuck process would, while terraform
// applies: the run must fail after the busy timeout with the store's lock
// message (not hang, not a raw SQLite error), and succeed once the lock is
// released.
func TestApplyOnADatabaseLockedTooLongFailsWithTheLockMessage(t *testing.T) {
	tf := e2e.Setup(t)
	backend := e2e.Embedded(filepath.Join(t.TempDir(), "engage.db"))
	_ = platformInventory(t, backend) // creates the database
	w := tf.NewWorkdir(t, backend)
	f := fleet{prefix: "locked", roles: 1, users: 1}
	w.WriteConfig(t, f.hcl(""))
	w.MustRun(t, "init")

	db, err := sql.Open("sqlite", "file:"+backend.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("taking the write lock: %v", err)
	}
	res := w.Run(t.Context(), "apply", "-auto-approve")
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatalf("releasing the write lock: %v", err)
	}
	if res.ExitCode == 0 || !strings.Contains(res.Stdout+res.Stderr, lockedMessage) {
		t.Fatalf("apply on a locked database: want a failure with %q, got:\n%s", lockedMessage, res)
	}
	t.Logf("after %s: %s", res.Duration.Round(time.Millisecond), strings.Join(strings.Fields(res.Stderr), " "))
	if res.Duration < store.DefaultBusyTimeout {
		t.Errorf("apply gave up after %s, before the busy timeout (%s)", res.Duration, store.DefaultBusyTimeout)
	}
	w.MustRun(t, "apply", "-auto-approve")
	checkIntegrity(t, backend.DBPath)
}
