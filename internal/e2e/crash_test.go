package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
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
// integrity check, and the run must be recoverable the way a user recovers
// it. A kill can land after the platform committed a create but before its
// id reached the state: that object is an orphan, and the re-apply's create
// of it fails with "... already exists" (a create never takes over an
// existing object). The test then does what the error says: it imports each
// orphan (an object on the platform that no state holds) into the address
// that declares its name, with the ID the error gives, and applies again.
// The run must then converge: an empty plan, every object the configuration
// declares in the state at its own address, nothing else on the platform
// (no orphan), and no natural key or id held twice (no duplicate).
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
		"%d re-applies failed on orphans (created by a killed apply, never recorded) and needed an import, %d objects imported",
		kills, time.Since(start).Round(time.Millisecond), stats.duringPlan, stats.duringWrites, stats.survived, stats.missed,
		stats.importingReapplies, stats.imported)
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
	// importingReapplies failed on orphans, objects a killed apply had
	// created but not recorded, and needed imports; imported counts them.
	importingReapplies, imported int
}

func (s *crashStats) add(o crashStats) {
	s.missed += o.missed
	s.duringPlan += o.duringPlan
	s.duringWrites += o.duringWrites
	s.survived += o.survived
	s.importingReapplies += o.importingReapplies
	s.imported += o.imported
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

		// -json: the diagnostics of a failed re-apply, with their
		// addresses, say which orphans it ran into and how to import them.
		reapply := w.Run(t.Context(), "apply", "-auto-approve", "-parallelism=10", "-json")
		recovery := ""
		if reapply.Err != nil {
			imported := importOrphans(t, w, f, reapply)
			n := len(imported)
			stats.importingReapplies++
			stats.imported += n
			again := w.Run(t.Context(), "apply", "-auto-approve", "-parallelism=10")
			if again.Err != nil {
				t.Fatalf("worker %d gen %d: apply after importing %d orphans failed:\n%s", worker, f.gen, n, again)
			}
			recovery = fmt.Sprintf(" failed on orphans; imported %s, applied again in %s;",
				strings.Join(imported, ", "), again.Duration.Round(time.Millisecond))
		}
		plan := w.Run(t.Context(), "plan", "-detailed-exitcode")
		if plan.ExitCode != 0 {
			t.Fatalf("worker %d gen %d: plan after the re-apply is not empty:\n%s", worker, f.gen, plan)
		}
		where := "the apply phase"
		if anywhere {
			where = "the whole run"
		}
		t.Logf("gen %d: provider killed at %.0f%% of %s (terraform exit %d after %s); re-apply %s;%s plan %s",
			f.gen, 100*d, where, res.ExitCode, res.Duration.Round(time.Millisecond),
			reapply.Duration.Round(time.Millisecond), recovery, plan.Duration.Round(time.Millisecond))
		resources := w.State(t)
		state := stateInventory(resources)
		platform := platformInventory(t, b)
		if diff := diffInventories(platform, state); diff != "" {
			t.Fatalf("worker %d gen %d: the platform does not hold exactly what the state says:\n%s", worker, f.gen, diff)
		}
		if dups := duplicates(platform, resources); dups != "" {
			t.Fatalf("worker %d gen %d: duplicates:\n%s", worker, f.gen, dups)
		}
		for _, kind := range []string{kindRole, kindUser, kindAllowlist, kindMasking} {
			if got, want := state.names(kind), f.names(kind); !reflect.DeepEqual(got, want) {
				t.Fatalf("worker %d gen %d: %s in state: %q, want %q", worker, f.gen, kind, got, want)
			}
		}
		declared := f.declared()
		for _, r := range resources {
			_, name := stateKey(r)
			if got, want := r.Type+"."+r.Name, declared[r.Type][name]; got != want {
				t.Fatalf("worker %d gen %d: %s %q is in state at %s, but the configuration declares it at %s",
					worker, f.gen, r.Type, name, got, want)
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

// importOrphans recovers from a re-apply that failed on orphans, as a user
// following its errors would: every object on the platform that the state
// does not hold is imported, with `terraform import`, into the address that
// declares its name, with the import ID the "already exists" error gives.
// Every error of the re-apply must be such a conflict, on an orphan. It
// returns the addresses it imported to.
func importOrphans(t *testing.T, w *e2e.Workdir, f fleet, reapply e2e.Result) []string {
	t.Helper()
	suggested := conflictImportIDs(t, reapply)
	if len(suggested) == 0 {
		t.Fatalf("gen %d: the re-apply failed, and not because an object already exists:\n%s", f.gen, reapply)
	}
	state := stateInventory(w.State(t))
	declared := f.declared()
	imports := map[string]string{} // address to import ID
	for kind, objs := range platformInventory(t, w.Backend) {
		for id, name := range objs {
			if _, ok := state[kind][id]; ok {
				continue
			}
			addr, ok := declared[kind][name]
			if !ok {
				t.Fatalf("gen %d: orphan %s %s (%s) is declared by no block, so no import can recover it", f.gen, kind, id, name)
			}
			imports[addr] = importID(kind, id, name)
		}
	}
	for addr, id := range suggested {
		if got, ok := imports[addr]; !ok {
			t.Fatalf("gen %d: the re-apply says %s already exists (import ID %q), but it is no orphan:\n%s", f.gen, addr, id, reapply)
		} else if got != id {
			t.Errorf("gen %d: the error on %s says to import %q, but the orphan's import ID is %q", f.gen, addr, id, got)
		}
	}
	addrs := make([]string, 0, len(imports))
	for addr := range imports {
		addrs = append(addrs, addr)
	}
	sort.Strings(addrs)
	for _, addr := range addrs {
		if res := w.Run(t.Context(), "import", addr, imports[addr]); res.Err != nil {
			t.Fatalf("gen %d: importing the orphan %s failed:\n%s", f.gen, addr, res)
		}
	}
	return addrs
}

// importID is the ID `terraform import` takes for an object of kind: the
// name form for roles and allowlists, the email for users, table/column for
// masking columns (the inventory's names).
func importID(kind, id, name string) string {
	switch kind {
	case kindRole, kindAllowlist:
		return "name:" + name
	case kindUser, kindMasking:
		return name
	}
	return id
}

// conflictImportIDs reads the diagnostics of a terraform run with -json and
// returns, for every "... already exists" error, the address it is about and
// the import ID its import block gives. Any other error fails the test.
func conflictImportIDs(t *testing.T, res e2e.Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for line := range strings.SplitSeq(res.Stdout, "\n") {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity, Summary, Detail, Address string
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" || msg.Diagnostic.Severity != "error" {
			continue
		}
		d := msg.Diagnostic
		m := importBlockID.FindStringSubmatch(d.Detail)
		if !strings.HasSuffix(d.Summary, " already exists") || d.Address == "" || m == nil {
			t.Fatalf("the re-apply failed with an error other than a conflict on an orphan: %s (%s):\n%s\n\n%s", d.Summary, d.Address, d.Detail, res)
		}
		if typ, _, _ := strings.Cut(d.Address, "."); typ != m[1] {
			t.Errorf("the error on %s gives an import block for %s", d.Address, m[1])
		}
		id, err := strconv.Unquote(m[2])
		if err != nil {
			t.Fatalf("the import ID %s in the error on %s: %v", m[2], d.Address, err)
		}
		out[d.Address] = id
	}
	return out
}

// importBlockID finds the import block an "already exists" error gives: the
// resource type it imports to, and the quoted ID.
var importBlockID = regexp.MustCompile(`import \{\n\s*to = (engage_\w+)\.NAME\n\s*id = ("(?:[^"\\]|\\.)*")\n\s*\}`)
