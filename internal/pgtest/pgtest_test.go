package pgtest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func connect(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func TestEachTestGetsItsOwnEmptyDatabase(t *testing.T) {
	t.Parallel()
	a, b := NewDatabase(t), NewDatabase(t)
	if a == b {
		t.Fatalf("two databases share the URL %s", a)
	}
	ca, cb := connect(t, a), connect(t, b)
	if _, err := ca.Exec(t.Context(), `CREATE TABLE mine (x int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.Exec(t.Context(), `CREATE TABLE mine (y text)`); err != nil {
		t.Fatalf("the other database has the table already: %v", err)
	}
	var n int
	if err := cb.QueryRow(t.Context(), `SELECT count(*) FROM mine`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the other database's table: %d rows, %v", n, err)
	}
}

func TestTheDatabaseIsDroppedWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		u := NewDatabase(t)
		if err := connect(t, u).QueryRow(t.Context(), `SELECT current_schema()`).Scan(&name); err != nil || name == "" || name == "public" {
			t.Fatalf("current_schema() = %q, %v; want the test's own", name, err)
		}
		// The connection is still open when the schema is dropped.
	})
	var n int
	if err := connect(t, Server(t)).QueryRow(t.Context(), `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, name).Scan(&n); err != nil || n != 0 {
		t.Errorf("schema %s still exists after its test: %d, %v", name, n, err)
	}
}

func TestTheDefaultCollationIsNotByteOrder(t *testing.T) {
	t.Parallel()
	if os.Getenv(EnvURL) != "" {
		t.Skip("the server is not ours; its collation is whatever it is")
	}
	// In byte order "B" < "a"; in en-US "a" < "B". The store must not
	// depend on the server's collation, so the cluster makes it differ.
	var aFirst bool
	if err := connect(t, NewDatabase(t)).QueryRow(t.Context(), `SELECT 'a' < 'B'`).Scan(&aFirst); err != nil || !aFirst {
		t.Errorf("'a' < 'B' = %v, %v; want true (a linguistic collation)", aFirst, err)
	}
}

// The helper process starts a cluster, prints its pid and folder, and
// waits to be killed.
func TestHelperProcessStartsAClusterAndWaits(t *testing.T) {
	if os.Getenv("ENGAGE_PGTEST_HELPER") == "" {
		t.Skip("runs only as a helper of TestAKilledTestBinaryLeavesNoServerBehind")
	}
	c, err := Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("cluster " + strconv.Itoa(c.cmd.Process.Pid) + " " + c.dir + "\n")
	time.Sleep(time.Minute)
}

func TestAKilledTestBinaryLeavesNoServerBehind(t *testing.T) {
	t.Parallel()
	if os.Getenv(EnvURL) != "" {
		t.Skip("no private cluster when " + EnvURL + " is set")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessStartsAClusterAndWaits$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ENGAGE_PGTEST_HELPER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	var dir string
	scanner := bufio.NewScanner(out)
	for scanner.Scan() {
		if f := strings.Fields(scanner.Text()); len(f) == 3 && f[0] == "cluster" {
			pid, _ = strconv.Atoi(f[1])
			dir = f[2]
			break
		}
	}
	if pid == 0 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the helper did not report a cluster")
	}
	_ = cmd.Process.Kill() // SIGKILL: no deferred call, no Stop
	_ = cmd.Wait()

	deadline := time.Now().Add(30 * time.Second)
	for processExists(pid) && !isZombie(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("postgres (pid %d) outlived the killed test binary by 30 s", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the killed binary's folder %s is already gone (%v): the test proves nothing about clean-up", dir, err)
	}
	removeAbandonedFolders() // what the next Start does
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the abandoned folder %s was not removed: %v", dir, err)
	}
}

// isZombie reports whether pid has exited but not been reaped (its parent,
// the killed helper, is gone, so init reaps it soon).
func isZombie(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}
