package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// Replicas are several `terraform-provider-engage serve` processes of the
// built binary on one database, behind a round-robin proxy on 127.0.0.1:
// one platform as a team would run it, for the tests and the load run of
// the reference server. A replica can be killed (SIGKILL, mid-request) and
// started again on the same address.
type Replicas struct {
	// URL is the proxy's base URL, what clients use.
	URL string
	// Unavailable counts the requests the proxy answered 502 because their
	// replica was down.
	Unavailable atomic.Int64

	bin  string
	args []string // serve's flags besides --listen
	// addrs are the replicas' listen addresses, kept across restarts.
	addrs []string
	next  atomic.Uint64

	mu    sync.Mutex
	procs []*exec.Cmd // nil while a replica is down
	// exited is closed when replica i's process has exited.
	exited []chan struct{}
	logs   []*lockedBuffer
}

// StartReplicas starts n replicas of bin serving with serveArgs (at least
// --database) and the proxy in front of them, all stopped at the end of t.
func StartReplicas(t testing.TB, bin string, n int, serveArgs ...string) *Replicas {
	t.Helper()
	r := &Replicas{bin: bin, args: serveArgs, procs: make([]*exec.Cmd, n), exited: make([]chan struct{}, n), logs: make([]*lockedBuffer, n)}
	for i := range n {
		r.addrs = append(r.addrs, freeLoopbackAddr(t))
		r.logs[i] = &lockedBuffer{}
	}
	t.Cleanup(func() {
		for i := range n {
			r.stop(i)
		}
		if t.Failed() {
			for i, l := range r.logs {
				t.Logf("replica %d log:\n%s", i, tailLines(l.String(), 30))
			}
		}
	})
	for i := range n {
		r.Start(t, i)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			target := r.addrs[r.next.Add(1)%uint64(len(r.addrs))]
			pr.SetURL(&url.URL{Scheme: "http", Host: target})
			// The replicas see the client's address, not the proxy's, as
			// they would behind a load balancer that preserves it: here
			// both are 127.0.0.1.
		},
		// A replica that is down answers as a load balancer would: 502,
		// which the client retries (on another replica, round robin).
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			r.Unavailable.Add(1)
			http.Error(w, "replica unavailable: "+err.Error(), http.StatusBadGateway)
		},
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Start starts replica i (again) on its address and waits until it accepts
// connections.
func (r *Replicas) Start(t testing.TB, i int) {
	t.Helper()
	args := append([]string{"serve", "--listen", r.addrs[i]}, r.args...)
	cmd := exec.Command(r.bin, args...)
	cmd.Stdout, cmd.Stderr = r.logs[i], r.logs[i]
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting replica %d: %v", i, err)
	}
	exited := make(chan error, 1)
	gone := make(chan struct{})
	go func() {
		exited <- cmd.Wait()
		close(gone)
	}()
	r.mu.Lock()
	r.procs[i], r.exited[i] = cmd, gone
	r.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", r.addrs[i], 100*time.Millisecond); err == nil {
			// The process is reaped by the goroutine above, whose answer
			// the buffered channel keeps without anyone reading it.
			_ = c.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("replica %d exited while starting (%v):\n%s", i, err, r.logs[i].String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %d did not listen on %s within 30 s:\n%s", i, r.addrs[i], r.logs[i].String())
		}
	}
}

// Kill kills replica i at once (SIGKILL): requests it is serving get no
// answer, and its connections to the database drop. It returns once the
// process is gone, so that a Start after it listens on a free address.
func (r *Replicas) Kill(i int) error {
	r.mu.Lock()
	cmd, gone := r.procs[i], r.exited[i]
	r.procs[i] = nil
	r.mu.Unlock()
	if cmd == nil {
		return fmt.Errorf("replica %d is not running", i)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		return err
	}
	select {
	case <-gone:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("replica %d did not exit within 10 s of SIGKILL", i)
	}
}

// stop ends replica i gracefully (SIGTERM), or kills it after 10 s.
func (r *Replicas) stop(i int) {
	r.mu.Lock()
	cmd := r.procs[i]
	r.procs[i] = nil
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(cmd.Process.Pid, 0); err != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// Addr is replica i's own address, for requests that must reach it.
func (r *Replicas) Addr(i int) string { return r.addrs[i] }

// Token mints an API token with read and write scopes on the replicas'
// database, through the binary's `token create` with dbArgs (the database
// flags serve was given).
func Token(t testing.TB, bin, name string, dbArgs ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"token", "create", "--name", name}, dbArgs...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("token create: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// freeLoopbackAddr returns an address on 127.0.0.1 that was free a moment
// ago: a replica listens on it, and on the same one after a restart.
func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// tailLines is the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// PostgresDatabase returns serve's (and token's) database flags for a new
// database of the test binary's PostgreSQL cluster (package pgtest: the
// test binary's TestMain must run pgtest.Main), with a secret key file all
// the replicas share, and the key.
func PostgresDatabase(t testing.TB) (flags []string, key []byte) {
	t.Helper()
	key = make([]byte, store.SecretKeySize)
	_, _ = rand.Read(key) // never fails; see crypto/rand.Read
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(key)), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--database", pgtest.NewDatabase(t), "--secret-key-file", keyFile}, key
}

// Log is what replica i has written so far (its JSON log records).
func (r *Replicas) Log(i int) string { return r.logs[i].String() }

// Len is the number of replicas.
func (r *Replicas) Len() int { return len(r.addrs) }
