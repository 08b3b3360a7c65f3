package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvBinDir names a folder holding initdb and postgres, for machines where
// they are neither under /usr/lib/postgresql nor on PATH.
const EnvBinDir = "ENGAGE_POSTGRES_BIN"

// tempPrefix starts the name of every cluster's folder under os.TempDir, so
// that a later run can find and remove the folders of runs that died.
const tempPrefix = "engage-pgtest-"

// ownerFile, in a cluster's folder, holds the pid of the process that
// started the cluster; while that process lives the folder is in use.
const ownerFile = "owner.pid"

// Cluster is a private PostgreSQL server: its own data folder in a
// temporary folder, its own port on 127.0.0.1, its own superuser password.
// It runs as a child of this process and dies with it.
type Cluster struct {
	// URL is the superuser's URL of the cluster's "postgres" database.
	URL string
	// StartTime is how long Start took, initdb included.
	StartTime time.Duration
	// Version is what `postgres --version` printed.
	Version string

	dir     string // the temporary folder, removed by Stop
	logFile string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the postgres process has exited
	waitErr error         // set before exited is closed
}

// Start creates and starts a cluster in a new folder under os.TempDir. As
// root it runs the server as the user "postgres" (PostgreSQL refuses to run
// as root); otherwise as the current user. The server is sent SIGQUIT
// (immediate shutdown) if this process dies without calling Stop, so a
// crashed or killed test binary leaves no server behind; a later Start
// removes the folders such runs leave.
func Start(ctx context.Context) (*Cluster, error) {
	began := time.Now()
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	removeAbandonedFolders()

	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, logFile: filepath.Join(dir, "postgres.log")}
	ok := false
	defer func() {
		if !ok {
			_ = c.Stop()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return nil, err
	}
	if cred != nil {
		// The server owns its folder; the owner file stays root's.
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("handing %s to the postgres user: %w", dir, err)
		}
	}

	password := randomHex(16)
	pwFile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(pwFile, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	// The socket is trusted (only the server's user can reach its folder);
	// TCP needs the password, so other users of the machine cannot use
	// the cluster while it runs. The ICU locale makes the default collation
	// something other than byte order, as on most production servers: a
	// query that relies on byte order without saying COLLATE "C" fails here
	// as it would there.
	initArgs := []string{"-D", data, "-U", "postgres", "--pwfile", pwFile, "--auth-local=trust", "--auth-host=scram-sha-256",
		"-E", "UTF8", "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US", "--no-sync", "--no-instructions"}
	if out, err := run(ctx, cred, filepath.Join(bin, "initdb"), initArgs...); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	_ = os.Remove(pwFile)
	if out, err := run(ctx, cred, filepath.Join(bin, "postgres"), "--version"); err == nil {
		c.Version = strings.TrimSpace(string(out))
	}

	// A free port can be taken between choosing it and the server binding
	// it; then the server exits at once and another port is tried.
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		u := (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
			Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
		if lastErr = c.startServer(ctx, bin, cred, data, port, u); lastErr == nil {
			c.URL = u
			c.StartTime = time.Since(began)
			ok = true
			return c, nil
		}
		if !strings.Contains(c.logTail(), "could not bind") {
			break
		}
	}
	return nil, lastErr
}

// startServer runs postgres in the foreground as a child of this process
// (not through pg_ctl, which would detach it), and waits until it accepts
// connections.
func (c *Cluster) startServer(ctx context.Context, bin string, cred *syscall.Credential, data string, port int, u string) error {
	logf, err := os.OpenFile(c.logFile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	// Durability settings are off: a test cluster that loses power is
	// thrown away anyway, and fsync dominates the time of small writes.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=32MB")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// Immediate shutdown when this process dies without Stop (a panic,
		// a test timeout, SIGKILL): the kernel sends it, so it always does.
		Pdeathsig: syscall.SIGQUIT,
		Setpgid:   true, // a ^C in the terminal is for the tests, not the server
	}
	if err := startOnLockedThread(cmd); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	c.cmd = cmd
	c.exited = make(chan struct{})
	go func() { c.waitErr = cmd.Wait(); close(c.exited) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-c.exited:
			c.cmd = nil
			return fmt.Errorf("postgres exited at start (%w):\n%s", c.waitErr, c.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if ready(ctx, u) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 60 s:\n%s", c.logTail())
		}
	}
}

// ready reports whether the server at u accepts a session: it listens
// before it has finished starting, and refuses sessions until then.
func ready(ctx context.Context, u string) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return false
	}
	_ = conn.Close(ctx)
	return true
}

// startOnLockedThread starts cmd from a thread that lives as long as this
// process. The parent-death signal fires when the thread that started the
// child ends, not the process, and the Go runtime may end idle threads.
func startOnLockedThread(cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread stays until exit
		errc <- cmd.Start()
		select {} // keep the thread
	}()
	return <-errc
}

// Stop shuts the server down (fast shutdown: open sessions are ended) and
// removes the cluster's folder. It is safe to call on a cluster that did not
// start completely.
func (c *Cluster) Stop() error {
	var err error
	if c.cmd != nil {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			_ = c.cmd.Process.Signal(syscall.SIGQUIT)
			<-c.exited
			err = errors.New("postgres did not stop within 30 s of SIGINT; sent SIGQUIT")
		}
		c.cmd = nil
	}
	if c.dir != "" {
		err = errors.Join(err, os.RemoveAll(c.dir))
	}
	return err
}

// logTail is the end of the server's log, for error messages.
func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(c.logFile)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// findBinaries returns the folder of initdb and postgres: EnvBinDir, else
// the newest /usr/lib/postgresql/N/bin (Debian and Ubuntu), else the folder
// of an initdb on PATH.
func findBinaries() (string, error) {
	if dir := os.Getenv(EnvBinDir); dir != "" {
		return dir, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(found, func(a, b string) int { return majorVersion(b) - majorVersion(a) })
	if len(found) > 0 {
		return filepath.Dir(found[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin or on PATH; install them (Debian: apt-get install postgresql) or set " + EnvBinDir)
}

func majorVersion(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// serverCredential is who the server runs as: nil (this process's user)
// unless this process is root, which PostgreSQL refuses; then the user
// "postgres".
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, the test cluster needs the user \"postgres\" to run the server as (PostgreSQL refuses root): %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user postgres: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// run runs a PostgreSQL program as cred and returns its combined output.
func run(ctx context.Context, cred *syscall.Credential, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = os.TempDir() // the server's user may not be able to enter ours
	err := cmd.Run()
	return out.Bytes(), err
}

// removeAbandonedFolders removes the cluster folders of processes that no
// longer exist: their servers died with them (see Start), their files did
// not.
func removeAbandonedFolders() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // being created, or not ours
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || processExists(pid) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
}

func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", ln.Addr())
	}
	return addr.Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
