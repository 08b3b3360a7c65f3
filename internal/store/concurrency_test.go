package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The helper process reads its assignment from the environment.
const (
	helperDBEnv      = "ENGAGE_STORE_HELPER_DB"      // the database file
	helperPrefixEnv  = "ENGAGE_STORE_HELPER_PREFIX"  // prefix of the role names it creates
	helperBarrierEnv = "ENGAGE_STORE_HELPER_BARRIER" // folder of the start barrier
)

const (
	rolesPerProcess   = 100
	writersPerProcess = 4
)

// TestHelperProcessWriter is not a test on its own: the two-process test runs
// the test binary again with only this test selected, once per process. It
// opens the file (racing the other process to create and migrate it) and
// creates rolesPerProcess roles from several goroutines.
func TestHelperProcessWriter(t *testing.T) {
	path := os.Getenv(helperDBEnv)
	if path == "" {
		t.Skip("runs only as a helper process of TestTwoProcessesWriteOneFileAtOnce")
	}
	prefix := os.Getenv(helperPrefixEnv)
	barrier := os.Getenv(helperBarrierEnv)

	// Both processes start writing at the same moment: each says it is
	// ready, then waits for the parent's go.
	if err := os.WriteFile(filepath.Join(barrier, "ready-"+prefix), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	waitForFiles(t, filepath.Join(barrier, "go"))

	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("%s: Open: %v", prefix, err)
	}
	defer s.Close()
	began := time.Now()
	createRolesConcurrently(t, s, prefix, rolesPerProcess, writersPerProcess)
	// The parent checks from these that the two processes' writes overlapped.
	fmt.Printf("%s %d %d\n", writeWindowMarker, began.UnixNano(), time.Now().UnixNano())
}

const writeWindowMarker = "helper write window (unix ns):"

// writeWindow reads the interval a helper process spent writing.
func writeWindow(t *testing.T, out string) (from, to int64) {
	t.Helper()
	for line := range strings.Lines(out) {
		if rest, ok := strings.CutPrefix(line, writeWindowMarker); ok {
			if _, err := fmt.Sscan(rest, &from, &to); err == nil {
				return from, to
			}
		}
	}
	t.Errorf("no write window in the helper's output")
	return 0, 0
}

// createRolesConcurrently creates n roles named "<prefix> <i>" from the given
// number of goroutines and reports every failure.
func createRolesConcurrently(t *testing.T, s *Store, prefix string, n, writers int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				_, err := s.CreateRole(t.Context(), access.Role{
					Name:        fmt.Sprintf("%s %03d", prefix, i),
					Permissions: []string{"campaign.view"},
				})
				var locked *LockedError
				switch {
				case errors.As(err, &locked):
					// The one failure the design allows, but with the
					// default timeout it means a writer starved.
					t.Errorf("%s role %d: timed out on the lock (busy timeout %s): %v", prefix, i, s.busyTimeout, err)
				case err != nil:
					t.Errorf("%s role %d: %v", prefix, i, err)
				}
			}
		})
	}
	wg.Wait()
}

func waitForFiles(t *testing.T, paths ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range paths {
		for {
			if _, err := os.Stat(p); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not appear within 30 s", p)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func TestTwoProcessesWriteOneFileAtOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "engage.db") // missing: both processes race to create it
	barrier := filepath.Join(dir, "barrier")
	if err := os.Mkdir(barrier, 0o700); err != nil {
		t.Fatal(err)
	}

	prefixes := []string{"process-a", "process-b"}
	type helper struct {
		cmd *exec.Cmd
		out *bytes.Buffer
	}
	var helpers []helper
	for _, prefix := range prefixes {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessWriter$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(),
			helperDBEnv+"="+path, helperPrefixEnv+"="+prefix, helperBarrierEnv+"="+barrier)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting helper %s: %v", prefix, err)
		}
		helpers = append(helpers, helper{cmd, out})
	}
	waitForFiles(t, filepath.Join(barrier, "ready-process-a"), filepath.Join(barrier, "ready-process-b"))
	started := time.Now()
	if err := os.WriteFile(filepath.Join(barrier, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var windows [2][2]int64
	for i, h := range helpers {
		err := h.cmd.Wait()
		if err != nil || !strings.Contains(h.out.String(), "--- PASS: TestHelperProcessWriter") {
			t.Errorf("helper %s: %v\n%s", prefixes[i], err, h.out)
		}
		windows[i][0], windows[i][1] = writeWindow(t, h.out.String())
	}
	if windows[0][0] >= windows[1][1] || windows[1][0] >= windows[0][1] {
		t.Errorf("the helpers wrote one after the other (%v), not at once; the test proves nothing", windows)
	}
	t.Logf("two processes created %d roles in %s", 2*rolesPerProcess, time.Since(started).Round(time.Millisecond))

	s := openFile(t, path)
	page, err := s.ListRoles(t.Context(), access.ListOptions{})
	if err != nil {
		t.Fatalf("ListRoles: %v", err)
	}
	perPrefix := map[string]int{}
	names := map[string]bool{}
	for _, r := range page.Items {
		perPrefix[strings.Fields(r.Name)[0]]++
		names[r.Name] = true
	}
	if perPrefix["process-a"] != rolesPerProcess || perPrefix["process-b"] != rolesPerProcess || len(names) != len(page.Items) {
		t.Errorf("roles per process = %v (%d listed, %d distinct names); want %d each", perPrefix, len(page.Items), len(names), rolesPerProcess)
	}
	if got := len(page.Items); got != 2*rolesPerProcess+2 {
		t.Errorf("%d roles stored, want %d created plus the 2 system roles", got, 2*rolesPerProcess)
	}
	assertIntegrity(t, s)
	if got := appliedMigrations(t, s); len(got) != len(migrations) {
		t.Errorf("schema_migrations = %v, want each migration recorded once", got)
	}
}

func assertIntegrity(t *testing.T, s *Store) {
	t.Helper()
	var result string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		t.Errorf("PRAGMA integrity_check = %q, %v; want ok", result, err)
	}
	var fkViolations int
	if err := s.db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fkViolations); err != nil || fkViolations != 0 {
		t.Errorf("foreign key violations = %d, %v; want none", fkViolations, err)
	}
}

// Two Stores on one file in one process, as two provider configurations in
// one process (or tests) would have.
func TestTwoStoresInOneProcessWriteOneFileAtOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "engage.db")
	stores := make([]*Store, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i] = openFile(t, path) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for i, s := range stores {
		wg.Go(func() { createRolesConcurrently(t, s, fmt.Sprintf("store-%d", i), 50, 5) })
	}
	wg.Wait()

	for i, s := range stores {
		page, err := s.ListRoles(t.Context(), access.ListOptions{})
		if err != nil || len(page.Items) != 102 {
			t.Errorf("store %d lists %d roles, %v; want 100 created plus 2 system roles", i, len(page.Items), err)
		}
	}
	assertIntegrity(t, stores[0])
	if stores[0].gate != stores[1].gate {
		t.Errorf("two Stores on one file have separate write gates; their writers would poll SQLite against each other")
	}
}

func TestWriteGatesAreReleasedOnClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "engage.db")
	a, b := openFile(t, path), openFile(t, path)
	key := gateKey(path)
	for _, s := range []*Store{a, b, b} { // closing twice releases once
		_ = s.Close()
	}
	gates.mu.Lock()
	_, held := gates.byFile[key]
	gates.mu.Unlock()
	if held {
		t.Errorf("the gate of %s outlived both Stores", path)
	}
}

func TestAWriterBlockedPastTheBusyTimeoutGetsALockedError(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "engage.db")
	holder := openFile(t, path)
	const timeout = 200 * time.Millisecond
	waiter := openFile(t, path, WithBusyTimeout(timeout))

	// Another writer holds the write lock, as another process's transaction
	// would; a raw connection bypasses the in-process gate like one.
	conn, err := holder.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	// Two writers: one waits in SQLite's busy handler, the other at the
	// in-process gate behind it. Both must give up with the typed error.
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = waiter.CreateRole(ctx, access.Role{Name: fmt.Sprintf("Blocked %d", i), Permissions: []string{"campaign.view"}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		var locked *LockedError
		if !errors.As(err, &locked) {
			t.Errorf("writer %d: got %v, want a *LockedError", i, err)
			continue
		}
		if locked.Path != path || locked.Waited < timeout || locked.Waited > timeout+2*time.Second {
			t.Errorf("writer %d: LockedError{Path: %s, Waited: %s}; want %s and about %s", i, locked.Path, locked.Waited, path, timeout)
		}
		msg := err.Error()
		if !strings.Contains(msg, "the embedded database at "+path+" is locked by another process") ||
			!strings.Contains(msg, "gave up after waiting") || strings.Contains(msg, "SQLITE_BUSY") {
			t.Errorf("writer %d: message %q does not say clearly which file is locked and how long it waited", i, msg)
		}
	}

	t.Run("a caller that gives up first gets its context error", func(t *testing.T) {
		patient := openFile(t, path) // default 5 s busy timeout
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		began := time.Now()
		_, err := patient.CreateRole(cctx, access.Role{Name: "Cancelled", Permissions: []string{"campaign.view"}})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(began) > 2*time.Second {
			t.Errorf("got %v after %s; want context.DeadlineExceeded soon after 100ms", err, time.Since(began))
		}
	})

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := waiter.CreateRole(ctx, access.Role{Name: "After", Permissions: []string{"campaign.view"}}); err != nil {
		t.Errorf("CreateRole once the lock is free: %v", err)
	}
}
