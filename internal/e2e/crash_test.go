package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
)

// crashKills is how many times the crash test kills a provider mid-apply
// (E2E_CRASH_KILLS overrides it); crashWorkers is how many working folders,
// each with its own database, share them as parallel subtests (go test runs
// as many at once as there are cores, unless -parallel says otherwise).
const (
	crashKills   = 25
	crashWorkers = 2
	// crashAnywhere: one kill in this many lands anywhere in terraform's run
	// (planning included); the others land in its apply phase.
	crashAnywhere = 5
)

// TestProviderKilledMidApplyLeavesASoundDatabaseAndConverges kills the
// provider process (SIGKILL: no clean-up) at random points of embedded
// applies that create, update and delete about sixty objects at
// -parallelism=10. After every kill the database file must pass SQLite's
// integrity check, and applying again must succeed and converge: an empty
// plan, and exactly the objects the state names on the platform, no orphan
// (an object committed just before the kill, whose id never reached the
// state, is adopted by the re-apply rather than left behind or refused).
func TestProviderKilledMidApplyLeavesASoundDatabaseAndConverges(t *testing.T) {
	tf := e2e.Setup(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("E2E_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("E2E_SEED: %v", err)
		}
	}
	kills := crashKills
	if s := os.Getenv("E2E_CRASH_KILLS"); s != "" {
		var err error
		if kills, err = strconv.Atoi(s); err != nil || kills < 1 {
			t.Fatalf("E2E_CRASH_KILLS=%q: want a positive number", s)
		}
	}
	rng := seededRand(t, seed)
	// Draw every worker's delays up front, from the one logged seed, so a
	// run replays whatever order the workers run in.
	delays := make([][]float64, crashWorkers)
	for i := range kills {
		delays[i%crashWorkers] = append(delays[i%crashWorkers], rng.Float64())
	}

	var (
		mu    sync.Mutex
		stats crashStats
	)
	start := time.Now()
	// The group returns when every parallel worker has finished.
	t.Run("workers", func(t *testing.T) {
		for w := range crashWorkers {
			t.Run(fmt.Sprintf("worker%d", w), func(t *testing.T) {
				t.Parallel()
				s := crashWorker(t, tf, w, delays[w])
				mu.Lock()
				defer mu.Unlock()
				stats.add(s)
			})
		}
	})
	t.Logf("%d kill attempts in %s: %d while terraform planned, %d in its apply phase (creates, updates, deletes in flight), "+
		"%d after the provider's work was done, %d too late (terraform had finished); "+
		"%d re-applies adopted objects a killed apply had created but not recorded",
		kills, time.Since(start).Round(time.Millisecond), stats.duringPlan, stats.duringWrites, stats.survived, stats.missed, stats.adoptingReapplies)
	if stats.duringWrites == 0 {
		t.Error("no kill landed in an apply phase: the test proved nothing about interrupted writes")
	}
}

// crashStats count where the kills landed and what the re-applies did.
type crashStats struct {
	missed       int // terraform finished before the kill
	duringPlan   int // terraform failed before changing anything
	duringWrites int // terraform failed in its apply phase
	survived     int // the provider had done its work; terraform succeeded
	// adoptingReapplies adopted an object that a killed apply had created
	// but not recorded.
	adoptingReapplies int
}

func (s *crashStats) add(o crashStats) {
	s.missed += o.missed
	s.duringPlan += o.duringPlan
	s.duringWrites += o.duringWrites
	s.survived += o.survived
	s.adoptingReapplies += o.adoptingReapplies
}

// crashWorker runs one kill per delay (each a fraction of a full apply's
// duration) in its own working folder and database, each kill during the
// apply of a new generation of the configuration.
func crashWorker(t *testing.T, tf *e2e.Terraform, worker int, delays []float64) crashStats {
	b := e2e.Embedded(filepath.Join(t.TempDir(), "engage.db"))
	w := tf.NewWorkdir(t, b)
	f := fleet{prefix: fmt.Sprintf("w%d", worker), roles: 8, users: 14, allowlists: 5, masking: 6}
	w.WriteConfig(t, f.hcl(""))
	w.MustRun(t, "init")
	// The first apply, not killed, measures how long an apply and its apply
	// phase take, to spread the kills over them.
	first, err := w.Start(t.Context(), "apply", "-auto-approve", "-parallelism=10")
	if err != nil {
		t.Fatal(err)
	}
	var applyPhase time.Time
	for applyPhase.IsZero() {
		select {
		case <-first.Done():
			t.Fatalf("worker %d: the first apply never reached its apply phase:\n%s", worker, first.Wait())
		case <-time.After(2 * time.Millisecond):
			if applyPhaseStarted(first.Stdout()) {
				applyPhase = time.Now()
			}
		}
	}
	full := first.Wait()
	if full.Err != nil {
		t.Fatal(full)
	}
	phase := time.Since(applyPhase)
	t.Logf("worker %d: %d objects; a full apply takes %s, its apply phase %s",
		worker, f.objects(), full.Duration.Round(time.Millisecond), phase.Round(time.Millisecond))

	var stats crashStats
	for i, d := range delays {
		f.gen = i + 1
		w.WriteConfig(t, f.hcl(""))
		run, err := w.Start(t.Context(), "apply", "-auto-approve", "-parallelism=10")
		if err != nil {
			t.Fatal(err)
		}
		// One kill in crashAnywhere lands anywhere in the run, planning
		// included; the others in the apply phase, where writes are in
		// flight.
		anywhere := (i+worker)%crashAnywhere == 0
		span := phase
		if anywhere {
			span = full.Duration
		}
		killed := killProviderAfter(run, time.Duration(d*float64(span)), !anywhere)
		res := run.Wait()
		out := res.Stdout + res.Stderr
		switch {
		case !killed:
			// The apply ended sooner than the delay: the checks below
			// still hold, but it counts as no kill.
			stats.missed++
		case res.ExitCode == 0:
			stats.survived++
		case !strings.Contains(out, "plugin") && !strings.Contains(out, "provider"):
			t.Errorf("worker %d gen %d: terraform failed, but not for the killed provider:\n%s", worker, f.gen, res)
		case applyPhaseStarted(out):
			stats.duringWrites++
		default:
			stats.duringPlan++
		}

		checkIntegrity(t, b.DBPath)

		reapply := w.Run(t.Context(), "apply", "-auto-approve", "-parallelism=10")
		if reapply.Err != nil {
			t.Fatalf("worker %d gen %d: re-apply after the kill failed:\n%s", worker, f.gen, reapply)
		}
		if strings.Contains(reapply.Stdout+reapply.Stderr, "Adopted an existing") {
			stats.adoptingReapplies++
		}
		plan := w.Run(t.Context(), "plan", "-detailed-exitcode")
		if plan.ExitCode != 0 {
			t.Fatalf("worker %d gen %d: plan after the re-apply is not empty:\n%s", worker, f.gen, plan)
		}
		where := "the apply phase"
		if anywhere {
			where = "the whole run"
		}
		t.Logf("gen %d: provider killed at %.0f%% of %s (terraform exit %d after %s); re-apply %s, plan %s",
			f.gen, 100*d, where, res.ExitCode, res.Duration.Round(time.Millisecond),
			reapply.Duration.Round(time.Millisecond), plan.Duration.Round(time.Millisecond))
		state := stateInventory(w.State(t))
		platform := platformInventory(t, b)
		if diff := diffInventories(platform, state); diff != "" {
			t.Fatalf("worker %d gen %d: the platform does not hold exactly what the state says:\n%s", worker, f.gen, diff)
		}
		for _, kind := range []string{kindRole, kindUser, kindAllowlist, kindMasking} {
			if got, want := state.names(kind), f.names(kind); !reflect.DeepEqual(got, want) {
				t.Fatalf("worker %d gen %d: %s in state: %q, want %q", worker, f.gen, kind, got, want)
			}
		}
	}
	return stats
}

// applyPhaseStarted reports whether terraform has started changing objects.
func applyPhaseStarted(stdout string) bool {
	return strings.Contains(stdout, "Creating...") || strings.Contains(stdout, "Modifying...") ||
		strings.Contains(stdout, "Destroying...")
}

// killProviderAfter waits delay (counted from the start of terraform's apply
// phase when inApplyPhase, else from now), then kills the first provider
// process run has, waiting for one if terraform is between phases. It
// reports false when terraform exited before any provider could be killed.
func killProviderAfter(run *e2e.Run, delay time.Duration, inApplyPhase bool) bool {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for inApplyPhase && !applyPhaseStarted(run.Stdout()) {
		select {
		case <-run.Done():
			return false
		case <-tick.C:
		}
	}
	select {
	case <-time.After(delay):
	case <-run.Done():
		return false
	}
	for {
		for _, pid := range run.ProviderPIDs() {
			if e2e.Kill(pid) == nil {
				return true
			}
		}
		select {
		case <-run.Done():
			return false
		case <-tick.C:
		}
	}
}
